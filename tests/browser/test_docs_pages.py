"""/docs and /redoc as a person uses them: a real headless Chromium, no network beyond the server.

A real `python -m app serve` on a free port (never 8000, the port the spec file names), and
Debian's `chromium` driven by Playwright (no browser download). Every request to anything but
that server is refused and recorded, and the test fails if one was attempted: the pages must
load every script, style sheet, font and icon from the service itself. Swagger UI signs in
through the contract's OAuth2 password scheme with a registered account's email and password,
then "Try it out" creates an item (201) and reads it back (200), both sent to the server's own
origin with the token Swagger UI got.
"""

import json
import os
import shutil
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from playwright import sync_api

from tests.support.accounts import REGISTER
from tests.support.operations import operations
from tests.support.served import Served, served

CHROMIUM = os.environ.get("APP_TEST_CHROMIUM") or shutil.which("chromium")
TIMEOUT_MS = 30_000
EMAIL = "swagger-user@example.com"
PASSWORD = "a long enough password"
ITEM = {"title": "Lamp from the docs", "price": "12.50"}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="no Chromium to drive: `apt-get install chromium` (.ci/run installs it), or "
        "name one in APP_TEST_CHROMIUM",
    ),
]


class Offline:
    """A browser page that may reach `origin` and nothing else; what else it tried is kept."""

    def __init__(self, page: sync_api.Page, origin: str) -> None:
        self.page = page
        self.origin = origin
        self.refused: list[str] = []
        self.failed: list[str] = []  # this server's answers of 400 and up
        self.errors: list[str] = []  # uncaught script errors
        self.blocked: list[str] = []  # what the page's Content-Security-Policy stopped
        page.route("**/*", self._route)
        page.on("response", self._response)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.set_default_timeout(TIMEOUT_MS)

    def _route(self, route: sync_api.Route) -> None:
        url = route.request.url
        if self._ours(url):
            route.continue_()
        else:
            self.refused.append(url)
            route.abort("internetdisconnected")

    def _ours(self, url: str) -> bool:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}" == self.origin

    def _console(self, message: sync_api.ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.blocked.append(message.text)

    def _response(self, response: sync_api.Response) -> None:
        if self._ours(response.url) and response.status >= 400:
            self.failed.append(f"{response.status} {response.request.method} {response.url}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with served(tmp_path_factory.mktemp("browser"), {"APP_SHUTDOWN_DRAIN_S": "0"}) as running:
        assert not running.base_url.endswith(":8000")
        registered = httpx.post(
            running.base_url + REGISTER, json={"email": EMAIL, "password": PASSWORD}, timeout=10
        )
        assert registered.status_code == 201, registered.text
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[sync_api.Browser]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def offline(browser: sync_api.Browser, server: Served) -> Iterator[Offline]:
    context = browser.new_context()
    watched = Offline(context.new_page(), server.base_url)
    yield watched
    context.close()
    assert watched.refused == [], "the page tried to leave the machine"
    # The service's policy stops what a page would fetch from elsewhere before it is sent
    # (ReDoc's vendor logo): only images, which the pages do without.
    assert all("img-src" in message for message in watched.blocked), watched.blocked
    assert watched.failed == []
    assert watched.errors == []


def operation_ids() -> list[tuple[str, str]]:
    return sorted((op.tag, op.operation_id) for op in operations())


def test_swagger_ui_lists_every_operation(offline: Offline) -> None:
    page = offline.page
    page.goto(f"{offline.origin}/docs")
    for tag, operation_id in operation_ids():
        sync_api.expect(page.locator(f"#operations-{tag}-{operation_id}")).to_be_visible()
    assert page.locator(".opblock").count() == len(operation_ids())
    # "Try it out" goes to the server that served the page, not the spec file's port 8000.
    sync_api.expect(page.locator(".servers select")).to_have_value(offline.origin)


def authorize_with_password(page: sync_api.Page) -> None:
    page.locator(".auth-wrapper button.authorize").click()
    dialog = page.locator(".modal-ux")
    oauth2 = dialog.locator(".auth-container").filter(has_text="oauth2 (OAuth2, password)")
    oauth2.locator("#oauth_username").fill(EMAIL)
    oauth2.locator("#oauth_password").fill(PASSWORD)
    with page.expect_response(lambda r: r.url.endswith("/api/v1/auth/login")) as login:
        oauth2.locator("button.authorize").click()
    assert login.value.status == 200
    sync_api.expect(oauth2.get_by_text("Authorized", exact=True)).to_be_visible()
    dialog.locator("button.close-modal").click()


def try_it_out(page: sync_api.Page, block_id: str) -> sync_api.Locator:
    block = page.locator(f"#{block_id}")
    block.locator(".opblock-summary").first.click()
    block.locator("button.try-out__btn").click()
    return block


def execute(
    page: sync_api.Page, block: sync_api.Locator, *, signed: bool
) -> tuple[int, dict[str, object]]:
    """Click Execute; the status Swagger UI shows, the body, and whether the token went along."""
    with page.expect_response(lambda r: "/api/v1/items" in r.url) as answered:
        block.locator("button.execute").click()
    response = answered.value
    shown = block.locator(".live-responses-table tbody .response-col_status")
    sync_api.expect(shown).to_have_text(str(response.status))
    authorization = response.request.all_headers().get("authorization", "")
    assert authorization.startswith("Bearer ") if signed else authorization == "", authorization
    body: dict[str, object] = response.json()
    return response.status, body


def test_authorize_with_email_and_password_then_create_and_read_an_item(
    offline: Offline,
) -> None:
    page = offline.page
    page.goto(f"{offline.origin}/docs")
    authorize_with_password(page)

    create = try_it_out(page, "operations-items-createItem")
    create.locator("textarea.body-param__text").fill(json.dumps(ITEM))
    status, created = execute(page, create, signed=True)
    assert status == 201, created
    assert created["title"] == ITEM["title"]

    read = try_it_out(page, "operations-items-getItem")
    read.locator('input[placeholder="item_id"]').fill(str(created["id"]))
    status, got = execute(page, read, signed=False)  # getItem is public: no token sent
    assert status == 200, got
    assert got == created


def test_redoc_renders_every_operation(offline: Offline) -> None:
    page = offline.page
    page.goto(f"{offline.origin}/redoc")
    for tag, operation_id in operation_ids():
        anchor = f"tag/{tag}/operation/{operation_id}"
        sync_api.expect(page.locator(f'li[data-item-id="{anchor}"]')).to_have_count(1)  # menu
        sync_api.expect(page.locator(f'[id="{anchor}"]')).to_be_visible()  # its section
