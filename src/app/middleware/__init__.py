"""Pure ASGI middleware (BaseHTTPMiddleware halves throughput; see ARCHITECTURE.md)."""
