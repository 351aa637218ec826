"""The TMF630 front end: what a client request does on an API resource (TmfResource), its
Litestar routes, input bounds, and the declaration type of Cascade's own extension routes."""
