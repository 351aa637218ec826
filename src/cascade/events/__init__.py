"""Delivery of TMF events to `/hub` subscribers: outbox, fan-out, signed retried POSTs."""
