"""The `health` tag: liveness and readiness probes."""
