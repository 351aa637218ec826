"""The chain kept whole against clients' administrative writes (docs/states.md, ADR 0016).

A client's DELETE, or its PATCH of an inventory record or an order's state, must never leave
live network state without an owner: `orders.py` refuses deleting orders that run or that
other orders hang from, `inventory.py` inventory records that are live or depended on,
`activations.py` activations still in service, and `holds.py` carries an order's hold and
release down to the orders below it.
"""
