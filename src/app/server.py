"""`python -m app serve`: uvicorn configured from Settings, draining on SIGTERM before it stops.

Plain `uvicorn --factory app.main:create_app` serves the same app, but (1) believes
X-Forwarded-For from 127.0.0.1 unless told otherwise (`--forwarded-allow-ips`, or the
FORWARDED_ALLOW_IPS variable), and (2) on SIGTERM closes its listening socket at once (the
connections waiting in its accept queue are reset, and so are idle keep-alive connections a
client is about to reuse) and waits without limit for the requests in flight. Here, proxies are
believed only when APP_FORWARDED_ALLOW_IPS names them, and SIGTERM:

1. marks the app draining (`app.draining.Drain`): readiness answers 503, every response says
   `Connection: close`, and everything is still served, new connections too;
2. after APP_SHUTDOWN_DRAIN_S (time for load balancers to see readiness fail and stop sending),
   does what uvicorn does: stops accepting, closes idle connections, and lets the requests
   already accepted finish for up to APP_SHUTDOWN_GRACE_S before cancelling what is left;
3. only then runs the app's shutdown, which closes the database.

SIGINT (Ctrl+C) skips the drain; a second SIGTERM ends it early; a second SIGINT forces the exit.
"""

import argparse
import asyncio
import logging
import logging.config
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from types import FrameType
from typing import Protocol

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.importer import import_from_string

from app import banner, logs, redaction
from app.draining import Drain
from app.metrics.workers import WorkerMetrics
from app.settings import Settings

log = logging.getLogger("uvicorn.error")  # the server's own log, which uvicorn configures
DEFAULT_FACTORY = "app.main:create_app"
RESTART_DELAY_S = 1.0


class AppFactory(Protocol):
    """`create_app` and its kin: build the ASGI app from settings, telling it of the drain."""

    def __call__(self, settings: Settings, *, drain: Drain) -> Callable[..., object]: ...


class DrainingServer(uvicorn.Server):
    """A uvicorn Server whose SIGTERM drains for `drain_s` before uvicorn's own shutdown.

    Only `handle_exit`, `serve` and `startup` are overridden, all public; the stop itself is
    uvicorn's (`should_exit`, then `shutdown` with `timeout_graceful_shutdown`). With `announce`,
    the settings it runs with, it logs `app.banner`'s block once it is up.
    """

    def __init__(
        self,
        config: uvicorn.Config,
        *,
        drain: Drain,
        drain_s: float,
        announce: Settings | None = None,
    ) -> None:
        super().__init__(config)
        self.drain = drain
        self.drain_s = drain_s
        self.announce = announce
        self._loop: asyncio.AbstractEventLoop | None = None

    async def serve(self, sockets: list[socket.socket] | None = None) -> None:
        self._loop = asyncio.get_running_loop()
        await super().serve(sockets)

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)  # the app's start-up (migrations), then the listener
        if self.started and self.announce is not None:
            bound = [s.getsockname() for server in self.servers for s in server.sockets]
            if bound and isinstance(bound[0], tuple):  # an address and a port, not a Unix path
                host, port = bound[0][:2]
                url = banner.base_url(host, port)
                listening = f"{host}, every interface" if host in banner.ALL_INTERFACES else None
                log.info("%s", banner.banner(self.announce, url, listening))

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        # Runs in the signal handler, on the event loop's thread between two bytecodes: only
        # flags are set here, and the timer is handed to the loop the thread-safe way.
        first = not self.drain.draining
        self.drain.start()
        if sig != signal.SIGTERM or not first or self.drain_s <= 0 or self._loop is None:
            if sig == signal.SIGTERM and not first:
                log.info("SIGTERM again: ending the drain now")
            super().handle_exit(sig, frame)
            return
        log.info(
            "SIGTERM: draining for %.1f s (readiness answers 503, responses close their "
            "connections), then requests in flight get %s s to finish",
            self.drain_s,
            self.config.timeout_graceful_shutdown,
        )
        self._loop.call_soon_threadsafe(self._loop.call_later, self.drain_s, self._end_drain, sig)

    def _end_drain(self, sig: int) -> None:
        if not self.should_exit:
            log.info("drain over: no new connections; waiting for requests in flight")
            super().handle_exit(sig, None)


def config(
    settings: Settings,
    app: Callable[..., object],
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    log_level: str | None = None,
    timeout_keep_alive: int = 5,
) -> uvicorn.Config:
    """uvicorn's Config for `app`, with what Settings decide about logs, proxies and shutdown.

    `log_level` overrides APP_LOG_LEVEL (`--log-level`, which also takes uvicorn's `trace`).
    """
    level = log_level or settings.log_level
    logs.record_only_what_lines_use()
    built = uvicorn.Config(
        app,
        host=host,
        port=port,
        lifespan="on",  # the app migrates and opens the database there: no silent skip
        log_config=logs.config(settings.log_format, level),
        log_level=level,
        access_log=False,  # the app writes one line per request itself (middleware/observe.py)
        timeout_keep_alive=timeout_keep_alive,
        # No proxies named: no X-Forwarded-* believed from anyone, 127.0.0.1 included.
        proxy_headers=bool(settings.forwarded_allow_ips),
        forwarded_allow_ips=list(settings.forwarded_allow_ips),
        timeout_graceful_shutdown=settings.shutdown_grace_s,
    )
    # Building the Config configured logging, after the app (and its redaction) was built:
    # uvicorn's handlers are new, and get the redacting filter now (README "Errors").
    redaction.install(
        [
            settings.secret_key.get_secret_value(),
            settings.first_superuser_password.get_secret_value(),
            settings.smtp_password,
        ]
    )
    return built


def serve_one(args: argparse.Namespace) -> int:
    """One process serving on `--fd` or `--host`/`--port` until it is told to stop."""
    settings = Settings()
    drain = Drain()
    factory: AppFactory = import_from_string(args.factory)
    app = factory(settings, drain=drain)
    server = DrainingServer(
        config(
            settings,
            app,
            host=args.host,
            port=args.port,
            log_level=args.log_level,
            timeout_keep_alive=args.timeout_keep_alive,
        ),
        drain=drain,
        drain_s=settings.shutdown_drain_s,
        announce=None if args.no_banner else settings,
    )
    sockets = None
    if args.fd is not None:
        sockets = [socket.socket(fileno=args.fd)]  # family and type read from the socket
    try:
        server.run(sockets)
    except KeyboardInterrupt:
        # uvicorn stops cleanly on SIGINT, then raises it again for the default handler: exit
        # as a shell expects of Ctrl+C, without a traceback in the (perhaps JSON) log.
        return 128 + signal.SIGINT
    return 0


def supervise(args: argparse.Namespace) -> int:
    """`--workers N`: bind once, run N `serve --fd` children, pass signals on, restart the dead.

    uvicorn's own supervisor would run its plain Server in each child, without the drain.
    """
    if args.fd is not None:
        listener = socket.socket(fileno=args.fd)
    else:
        family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
        listener = socket.create_server((args.host, args.port), family=family, backlog=2048)
    listener.set_inheritable(True)
    fd = listener.fileno()
    command = [
        sys.executable, "-m", "app", "serve", "--fd", str(fd), "--factory", args.factory,
        "--timeout-keep-alive", str(args.timeout_keep_alive),
        *(["--log-level", args.log_level] if args.log_level else []),
    ]  # fmt: skip
    settings = Settings()  # refused settings stop here, once, rather than in every child
    level = args.log_level or settings.log_level
    logging.config.dictConfig(logs.config(settings.log_format, level))
    received: list[int] = []
    for handled in (signal.SIGTERM, signal.SIGINT):
        signal.signal(handled, lambda number, _frame: received.append(number))

    shared = WorkerMetrics()  # the workers' PROMETHEUS_MULTIPROC_DIR

    def start(announce: bool = False) -> subprocess.Popen[bytes]:
        # A process group of its own: a terminal's Ctrl+C reaches the children through us,
        # once, instead of twice (a second SIGINT would force them to quit).
        # Our own interpreter and module, with arguments argparse has already checked.
        # Only the first worker logs the block of URLs once it is up (app/banner.py).
        quiet = [] if announce and not args.no_banner else ["--no-banner"]
        return subprocess.Popen(  # noqa: S603
            [*command, *quiet], pass_fds=[fd], process_group=0, env=shared.environ()
        )

    host, port = listener.getsockname()[:2]
    log.info("serving on %s:%s with %d workers", host, port, args.workers)
    children = [start(announce=index == 0) for index in range(args.workers)]
    stopping, failed = False, False
    while True:
        while received:
            sig = received.pop(0)
            if not stopping:
                # The children's copies are the ones they serve and close when their drain
                # ends; ours would keep the port open, queueing connections nobody accepts.
                listener.close()
            stopping = True
            for child in children:
                if child.poll() is None:
                    child.send_signal(sig)
        if all(child.poll() is not None for child in children) and (stopping or failed):
            break
        for index, child in enumerate(children):
            code = child.poll()
            if code is None or stopping or failed:
                continue
            if code == STARTUP_FAILURE:
                log.error("worker %d could not start; stopping", child.pid)
                failed = True
                received.append(signal.SIGTERM)
            else:
                log.warning("worker %d exited with %d; starting another", child.pid, code)
                shared.worker_exited(child.pid)
                time.sleep(RESTART_DELAY_S)
                children[index] = start()
        time.sleep(0.1)
    shared.close([child.pid for child in children])
    return 1 if failed else 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on")
    parser.add_argument("--fd", type=int, help="serve on this already bound socket instead")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument(
        "--factory",
        default=DEFAULT_FACTORY,
        help=f"module:function that builds the app from (settings, drain=) ({DEFAULT_FACTORY})",
    )
    parser.add_argument(
        "--log-level",
        choices=["critical", "error", "warning", "info", "debug", "trace"],
        help="the least severe lines logged (default APP_LOG_LEVEL, info: a line per request)",
    )
    parser.add_argument(
        "--no-banner",
        action="store_true",
        help="do not log the block of URLs, database and first steps once the service is up",
    )
    parser.add_argument(
        "--timeout-keep-alive",
        type=int,
        default=5,
        help="seconds an idle connection stays open (keep it above a load balancer's idle timeout)",
    )


def main(args: argparse.Namespace) -> int:
    if args.workers < 1:
        raise SystemExit("--workers must be at least 1")
    return supervise(args) if args.workers > 1 else serve_one(args)
