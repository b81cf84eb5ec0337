"""FastAPI's own OpenTelemetry is off unless `APP_OPENTELEMETRY_ENABLED`: with an SDK's tracer
provider installed, the service makes no span by default and one per request when asked.

Each case runs in a fresh interpreter: OpenTelemetry's global tracer provider can be set once
per process, and must not reach the other tests' apps.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.settings import TEST_SECRET

pytestmark = pytest.mark.slow

SCRIPT = """
import asyncio, json, sys
import httpx
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from app.main import create_app
from app.settings import Settings

exporter = InMemorySpanExporter()
provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(exporter))
trace.set_tracer_provider(provider)
settings = Settings(
    database_url="sqlite:///" + sys.argv[1] + "/app.db",
    var_dir=sys.argv[1],
    secret_key=sys.argv[2],
    opentelemetry_enabled=sys.argv[3] == "true",
    rate_limit_enabled=False,
)

async def main():
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        for _ in range(3):
            assert (await client.get("/health/live")).status_code == 200

asyncio.run(main())
print(json.dumps([span.name for span in exporter.get_finished_spans()]))
"""


def _spans(tmp_path: Path, enabled: bool) -> list[str]:
    done = subprocess.run(  # our own interpreter and script
        [sys.executable, "-c", SCRIPT, str(tmp_path), TEST_SECRET, str(enabled).lower()],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    spans: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return spans


def test_no_span_by_default_even_with_a_tracer_provider_installed(tmp_path: Path) -> None:
    assert _spans(tmp_path, enabled=False) == []


def test_a_span_per_request_when_enabled(tmp_path: Path) -> None:
    spans = _spans(tmp_path, enabled=True)
    assert sum("/health/live" in name for name in spans) >= 3, spans
