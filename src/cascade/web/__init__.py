"""The HTTP application: the ASGI app with every served API and Cascade's extension routes
(the order tree, the audit trail, parked events, a component's inbox), each declared once."""
