"""Fulfilment: the controllers that carry an order down the chain and report back up.

Read it in the order an order takes: `runtime` (the work loop), `layers` (what COM, SOM and
ROM share: their registry, the controller skeleton, the child orders port), `product` (COM),
`service` (SOM), `resource` (ROM), `activation` (the network, behind one driver port),
`changes` (modify, delete and noChange of what exists), `cancellation` (cancel tasks and the
undo of what an order did), and `tree` (an order and everything it made, read back).
"""
