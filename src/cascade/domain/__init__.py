"""The pure domain: state machines, decomposition, changes, pools, waits. Imports nothing of
Cascade and nothing outside the standard library."""
