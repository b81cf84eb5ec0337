"""Emails from outbox rows: Jinja2 templates (plain text and HTML), links with fresh tokens.

A row is rendered each time it is sent, from its template, its context and the settings, so
the outbox holds no token (app/auth/mail_tokens.py). Everything that identifies an email is
the row's: its Message-ID (`<row id@sender's domain>`) and its Date, so a redelivery is the
same email, recognisable by the receiving side.
"""

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from app.auth.mail_tokens import Purpose, mail_token
from app.mail.repository import Claimed, Letter
from app.settings import Settings, mail_domain
from contract.api import TITLE


@dataclass(frozen=True, slots=True)
class Kind:
    """A kind of email: its subject, the front-end page its link opens, and whether the
    account is looked up when it is sent rather than when it is asked for."""

    subject: str
    page: str
    purpose: Purpose
    looked_up: bool = False


KINDS = {
    "welcome": Kind(f"Welcome to {TITLE}: verify your email address", "verify-email", "verify"),
    "verify": Kind("Verify your email address", "verify-email", "verify"),
    # The request writes the same row whatever the email: whether an account has it, and
    # its token, are settled by the dispatcher (app/auth/account_mail.py).
    "reset": Kind("Reset your password", "reset-password", "reset", looked_up=True),
}


def message_id(row: Claimed, domain: str) -> str:
    return f"<{row.id}@{domain}>"


class Composer:
    """Renders claimed rows into messages; built once per process (the templates compile once)."""

    def __init__(self, settings: Settings) -> None:
        self._secret = settings.secret_key.get_secret_value()
        self._frontend = settings.frontend_url
        self._sender = settings.mail_from
        self._domain = mail_domain(settings.mail_from)
        self._lifetimes = {
            "verify": {"hours": settings.email_verification_hours},
            "reset": {"minutes": settings.password_reset_minutes},
        }
        self._templates = Environment(
            loader=PackageLoader("app.mail", "templates"),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,  # a missing value fails the send, never an empty link
            keep_trailing_newline=True,
        )

    def compose(self, row: Claimed, letter: Letter) -> EmailMessage:
        """The email of `row`, as `letter` says (the row's own, or as looked up for it)."""
        kind = KINDS[letter.template]
        # The row's token has the row's id (app/auth/account_mail.py).
        token = mail_token(self._secret, kind.purpose, row.id)
        values = {
            **letter.context,
            **self._lifetimes[kind.purpose],
            "service": TITLE,
            "link": f"{self._frontend}/{kind.page}?{urlencode({'token': token})}",
        }
        name = letter.template
        message = EmailMessage()
        message["Message-ID"] = message_id(row, self._domain)
        message["Date"] = format_datetime(row.created_at)
        message["From"] = self._sender
        message["To"] = letter.recipient
        message["Subject"] = kind.subject
        message.set_content(self._templates.get_template(f"{name}.txt").render(values))
        message.add_alternative(
            self._templates.get_template(f"{name}.html").render(values), subtype="html"
        )
        return message
