"""Where emails go: an SMTP server (aiosmtplib), or `.eml` files when none is configured.

Both are idempotent enough for an at-least-once outbox: SMTP receivers see a redelivery's
Message-ID again, and a file is named by its Message-ID, so a redelivery rewrites it.
"""

import asyncio
import logging
import os
import re
import tempfile
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib

from app.settings import Settings

log = logging.getLogger("app.mail")
MAIL_DIR = "mail"  # under APP_VAR_DIR
UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


class Sender(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


class SmtpSender:
    """One connection per email: simple, and what a relay expects of a low-volume sender."""

    def __init__(self, settings: Settings) -> None:
        url = urlsplit(settings.smtp_url.get_secret_value())
        self._implicit_tls = url.scheme == "smtps"
        self._hostname = url.hostname
        self._port = url.port or (465 if self._implicit_tls else 587)
        self._username = unquote(url.username) if url.username else None
        self._password = unquote(url.password) if url.password else None
        # aiosmtplib: None upgrades when the server offers STARTTLS, True insists.
        self._start_tls = (
            False
            if self._implicit_tls
            else {"auto": None, "always": True, "never": False}[settings.smtp_starttls]
        )
        self._verify = settings.smtp_tls_verify
        self._ca_file = str(settings.smtp_ca_file) if settings.smtp_ca_file else None
        self._timeout = settings.smtp_timeout_s

    async def send(self, message: EmailMessage) -> None:
        await aiosmtplib.send(
            message,
            hostname=self._hostname,
            port=self._port,
            username=self._username,
            password=self._password,
            use_tls=self._implicit_tls,
            start_tls=self._start_tls,
            validate_certs=self._verify,
            cert_bundle=self._ca_file,
            timeout=self._timeout,
        )


class FileSender:
    """Development: each email as `<var dir>/mail/<outbox row id>.eml`, its path logged (the
    row id is the Message-ID's left part: a redelivery rewrites the same file)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def send(self, message: EmailMessage) -> None:
        left = str(message["Message-ID"]).strip("<>").partition("@")[0]
        name = UNSAFE.sub("_", left) + ".eml"
        path = await asyncio.to_thread(self._write, name, bytes(message))
        # The path only: an email address is personal data and reaches no log.
        log.info("email written to %s", path)

    def _write(self, name: str, content: bytes) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / name
        # Whole or not at all: a reader never sees half an email.
        fd, scratch = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        with os.fdopen(fd, "wb") as file:
            file.write(content)
        os.replace(scratch, path)
        return path


def sender_for(settings: Settings) -> Sender:
    if settings.smtp_url.get_secret_value():
        return SmtpSender(settings)
    return FileSender(settings.var_dir / MAIL_DIR)
