"""The operator console at `/console/`: server-rendered pages over the same resources, rules,
scopes and audit as the TMF APIs (docs/console.md, ADR 0025)."""
