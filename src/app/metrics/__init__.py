"""Prometheus metrics: the `metrics` tag (`GET /metrics`) and what the rest of the app counts."""
