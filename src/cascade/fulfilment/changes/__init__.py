"""Changes to what exists: modify, delete and noChange, at each layer."""
