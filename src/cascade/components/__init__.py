"""The layers as separate components: where each runs, the next layer's orders mirrored and
followed (docs/components.md)."""
