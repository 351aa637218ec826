"""Cancellation: cancel tasks, the undo of what an order did, points of no return."""
