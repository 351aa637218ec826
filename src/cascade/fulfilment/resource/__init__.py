"""ROM: TMF652 resource orders: allocations from pools, activations, TMF639 records."""
