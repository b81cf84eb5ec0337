"""An HTTP client for an app built by `create_app`, with the app's lifespan running."""

from collections.abc import AsyncIterator
from pathlib import Path
from weakref import WeakKeyDictionary

import httpx
from fastapi import FastAPI

from app.mail.delivery import MAIL_DIR

# Where the app a client talks to writes its emails (no SMTP configured), for helpers given
# only the client: tests/support/walk.py reads emailed tokens there.
_MAIL_FOLDERS: WeakKeyDictionary[httpx.AsyncClient, Path] = WeakKeyDictionary()


def mails_in(client: httpx.AsyncClient, folder: Path) -> None:
    """Tell helpers that the server `client` talks to writes its emails under `folder`."""
    _MAIL_FOLDERS[client] = folder


def mail_folder(client: httpx.AsyncClient) -> Path:
    return _MAIL_FOLDERS[client]


async def started(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client for `app` with its lifespan running (migrations applied, engine disposed)."""
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        mails_in(client, app.state.settings.var_dir / MAIL_DIR)
        yield client
