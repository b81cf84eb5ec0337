"""Pure ASGI middleware (BaseHTTPMiddleware halves throughput; see docs/architecture.md)."""
