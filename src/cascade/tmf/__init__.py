"""The generic TMF630 layer: resource declarations, schemas, queries, patches, routes."""
