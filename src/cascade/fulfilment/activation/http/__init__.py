"""The HTTP activation driver: external TMF640/TMF702 endpoints called by a sender."""
