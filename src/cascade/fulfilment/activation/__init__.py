"""Activation: TMF640/TMF702 entities and monitors, through one driver port (port.py)."""
