"""A burst of concurrent logins against the service (`python -m app serve`): peak memory, and
reads served meanwhile.

Issue 12's acceptance for bounded password hashing: 120 concurrent logins (argon2 at the
OWASP floor, the default) keep the server under 300 MB, and a `GET /api/v1/items` sent during
the burst answers within 250 ms. Run `python -m perf.login_burst [--logins 120]`; it prints
what it measured and asserts nothing. The server runs on a fresh SQLite database in a
temporary folder, with the per-address rate limit raised out of the way (all requests come
from 127.0.0.1); logins are spread over accounts so that none of them reaches the per-account
limit either. Extra `APP_*` variables in the environment reach the server.
"""

import argparse
import asyncio
import multiprocessing
import statistics
import tempfile
import time
from collections import Counter
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path

import httpx

from perf.server import ROOT, running_process

PASSWORD = "a password long enough"  # noqa: S105  # the test accounts'
LOGINS_PER_ACCOUNT = 5
READ_EVERY_S = 0.02


def memory_kib(pid: int, field: str) -> int:
    """A field of /proc/<pid>/status in KiB: VmRSS now, VmHWM the peak so far."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(field)


Answers = list[tuple[int, str | None]]  # (status, Retry-After) of each login


def burst(
    base_url: str,
    emails: list[str],
    logins: int,
    sending: Event,
    out: "Queue[tuple[Answers, float]]",
) -> None:
    """In a process of its own, so the client's work does not delay the reads being timed."""

    async def run() -> Answers:
        limits = httpx.Limits(max_connections=logins, max_keepalive_connections=logins)
        async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:
            logins_ = [
                client.post(
                    "/api/v1/auth/login",
                    data={"username": emails[i % len(emails)], "password": PASSWORD},
                )
                for i in range(logins)
            ]
            sending.set()
            responses = await asyncio.gather(*logins_)
        return [(r.status_code, r.headers.get("retry-after")) for r in responses]

    started = time.perf_counter()
    answers = asyncio.run(run())
    out.put((answers, time.perf_counter() - started))


async def reads_during(
    client: httpx.AsyncClient, token: str, sending: Event, process: BaseProcess
) -> list[float]:
    """Latency (s) of each `GET /api/v1/items` sent, one after another, during the burst."""
    latencies = []
    headers = {"Authorization": f"Bearer {token}"}
    # A multiprocessing Event, not an asyncio one: poll it without blocking the loop.
    while not sending.is_set():  # noqa: ASYNC110
        await asyncio.sleep(0.001)
    while process.is_alive():
        started = time.perf_counter()
        response = await client.get("/api/v1/items", headers=headers)
        latencies.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text
        await asyncio.sleep(READ_EVERY_S)
    return latencies


async def measure(base_url: str, pid: int, logins: int) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        emails = [f"burst-{i}@example.com" for i in range(-(-logins // LOGINS_PER_ACCOUNT))]
        for email in emails:
            response = await client.post(
                "/api/v1/auth/register", json={"email": email, "password": PASSWORD}
            )
            assert response.status_code == 201, response.text
        form = {"username": emails[0], "password": PASSWORD}
        token = (await client.post("/api/v1/auth/login", data=form)).json()["access_token"]
        for _ in range(20):  # warm: the read path, its connection and caches
            await client.get("/api/v1/items", headers={"Authorization": f"Bearer {token}"})
        before = memory_kib(pid, "VmRSS")

        context = multiprocessing.get_context("spawn")
        sending, out = context.Event(), context.Queue()
        process = context.Process(target=burst, args=(base_url, emails, logins, sending, out))
        process.start()
        latencies = await reads_during(client, token, sending, process)
        answers, elapsed = out.get()
        process.join()

    statuses = Counter(status for status, _ in answers)
    print(f"logins: {logins} concurrent, answered in {elapsed:.2f} s: {dict(statuses)}")
    retry = {retry_after for status, retry_after in answers if status == 503}
    if retry:
        print(f"  503 Retry-After values: {sorted(str(v) for v in retry)}")
    print(
        f"server RSS: {before / 1024:.0f} MB before, peak {memory_kib(pid, 'VmHWM') / 1024:.0f} MB"
        f" (VmHWM), {memory_kib(pid, 'VmRSS') / 1024:.0f} MB after"
    )
    ms = sorted(1000 * s for s in latencies)
    print(
        f"GET /api/v1/items during the burst: {len(ms)} reads, median {statistics.median(ms):.1f}"
        f" ms, max {ms[-1]:.1f} ms; in order: {[round(1000 * s) for s in latencies]}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=120)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as var_dir:
        env = {"APP_VAR_DIR": var_dir, "APP_RATE_LIMIT_AUTH": "100000/minute"}
        log_path = ROOT / "perf" / "reports" / "server-login-burst.log"
        with running_process("app.main:create_app", env=env, log_path=log_path) as server:
            asyncio.run(measure(server.base_url, server.pid, args.logins))


if __name__ == "__main__":
    main()
