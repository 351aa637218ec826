"""The generic TMF630 layer: declarations, schemas, queries, patches, documents, events."""
