"""What an operator sees of a process: its Prometheus counters (metrics.py) and its
OpenTelemetry spans (tracing.py). Imports nothing of Cascade; see docs/operations.md."""
