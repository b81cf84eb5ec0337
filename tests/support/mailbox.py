"""What the service emails, as the tests read it: a real SMTP server (aiosmtpd) on loopback,
or the `.eml` files written when no SMTP server is configured; and the link in each email.

`SmtpInbox` keeps every message it receives, duplicates included (a redelivery after a crash
is counted, not merged). With `answering` cleared, it keeps each message it receives and then
holds its answer until the event is set again: the sender has handed the email over but not
heard that it was taken, which is where a crash makes an at-least-once outbox send it again.
"""

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller

MAIL_WAIT_S = 10.0


@dataclass(frozen=True)
class Mail:
    message_id: str
    to: str
    subject: str
    text: str
    html: str
    received_at: float  # time.monotonic() when it arrived (or was read)

    @property
    def link(self) -> str:
        lines = [line for line in self.text.split() if line.startswith(("http://", "https://"))]
        assert len(lines) == 1, self.text
        return lines[0]

    @property
    def token(self) -> str:
        return parse_qs(urlsplit(self.link).query)["token"][0]


def parse(raw: bytes, received_at: float | None = None) -> Mail:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None, "every email has a plain-text body"
    assert html is not None, "every email has an HTML body"
    return Mail(
        message_id=str(message["Message-ID"]),
        to=str(message["To"]),
        subject=str(message["Subject"]),
        text=text.get_content(),
        html=html.get_content(),
        received_at=time.monotonic() if received_at is None else received_at,
    )


class SmtpInbox:
    """aiosmtpd's handler: keeps every message, in order of arrival."""

    def __init__(self) -> None:
        self.received: list[Mail] = []
        self.port = 0
        self.answering = threading.Event()
        self.answering.set()
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        mail = parse(envelope.original_content or envelope.content)
        with self._lock:
            self.received.append(mail)
        # Kept; while `answering` is cleared the sender does not hear so.
        await asyncio.to_thread(self.answering.wait)
        return "250 Message accepted for delivery"

    def mails(self) -> list[Mail]:
        with self._lock:
            return list(self.received)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def smtp_inbox(port: int = 0) -> Iterator[SmtpInbox]:
    """An SMTP server on loopback (on `port`, or a free one) for the duration."""
    inbox = SmtpInbox()
    inbox.port = port or free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        inbox.answering.set()
        controller.stop()


def eml_mails(folder: Path) -> list[Mail]:
    """The emails written as files under `folder` (APP_VAR_DIR/mail), oldest first."""
    if not folder.exists():
        return []
    files = sorted(folder.glob("*.eml"), key=lambda path: path.stat().st_mtime)
    return [parse(path.read_bytes(), path.stat().st_mtime) for path in files]


async def wait_for_mails(
    source: Callable[[], list[Mail]], to: str, count: int = 1, timeout_s: float = MAIL_WAIT_S
) -> list[Mail]:
    """The emails to `to` once there are `count` of them; fails after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = [mail for mail in source() if mail.to == to]
        if len(found) >= count:
            return found
        assert time.monotonic() < deadline, f"{len(found)} of {count} emails to {to} arrived"
        await asyncio.sleep(0.02)
