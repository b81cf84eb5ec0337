"""gzip: large lists compressed for clients that ask, small bodies and tagged resources not.

The size rules are checked on a real server (`python -m app serve`, its default settings) with
the raw bytes read off the socket; the ETag rule in-process, on both databases, where it meets
`If-Match`.
"""

import gzip
import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.accounts import Account
from tests.support.contract import assert_matches
from tests.support.resources import ITEMS, POSTS, STRONG_ETAG, create_post, post_url
from tests.support.served import Served, served

LONG = "A description long enough that a page of these is tens of KiB. " * 30  # ~1.9 KB
SHORT = "Short"
GZIP = {"Accept-Encoding": "gzip"}
REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with served(tmp_path_factory.mktemp("compression")) as running:
        yield running


@pytest.fixture(scope="module")
def listed(server: Served) -> str:
    """20 items of ~2 KB each and a short one; the URL of the page of them all."""
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        account = {"email": "compression@example.com", "password": "compression password"}
        assert client.post(REGISTER, json=account).status_code == 201
        form = {"username": account["email"], "password": account["password"]}
        token = client.post(LOGIN, data=form).json()["access_token"]
        owner = {"Authorization": f"Bearer {token}"}
        bodies = [{"title": f"Item {n}", "description": LONG, "price": "9.90"} for n in range(20)]
        bodies.append({"title": SHORT, "price": "1.00"})
        for body in bodies:
            assert client.post(ITEMS, json=body, headers=owner).status_code == 201
    return f"{server.base_url}{ITEMS}?size=100"


def raw_get(url: str, headers: dict[str, str]) -> tuple[httpx.Response, bytes]:
    """GET with exactly these headers (httpx's own Accept-Encoding removed); the bytes as sent."""
    with httpx.Client(timeout=10) as client:
        del client.headers["accept-encoding"]
        with client.stream("GET", url, headers=headers) as response:
            return response, b"".join(response.iter_raw())


def test_a_30_kib_list_is_gzip_for_a_client_that_accepts_it(listed: str) -> None:
    plain, identity = raw_get(listed, {})
    compressed, gzipped = raw_get(listed, GZIP)
    assert plain.status_code == compressed.status_code == 200
    assert len(identity) > 30 * 1024
    assert compressed.headers["content-encoding"] == "gzip"
    assert compressed.headers["vary"] == "Accept-Encoding"
    assert int(compressed.headers["content-length"]) == len(gzipped) < len(identity) // 5
    page: dict[str, Any] = json.loads(gzip.decompress(gzipped))
    assert page == json.loads(identity)
    assert len(page["items"]) == 21
    assert_matches(page, "ItemPage")


def test_without_accept_encoding_nothing_is_compressed(listed: str) -> None:
    for headers in ({}, {"Accept-Encoding": "identity"}, {"Accept-Encoding": "gzip;q=0"}):
        response, body = raw_get(listed, headers)
        assert "content-encoding" not in response.headers
        assert response.headers["vary"] == "Accept-Encoding"  # another client might get gzip
        assert len(body) == int(response.headers["content-length"]) > 30 * 1024
        json.loads(body)


def test_a_small_body_is_not_compressed(listed: str) -> None:
    response, body = raw_get(f"{listed}&q={SHORT}", GZIP)
    assert response.status_code == 200
    assert 150 < len(body) < 1024, len(body)  # about 200 bytes
    assert "content-encoding" not in response.headers
    assert "vary" not in response.headers
    assert [item["title"] for item in json.loads(body)["items"]] == [SHORT]


@pytest.mark.anyio
async def test_a_tagged_post_is_sent_as_it_is_so_if_match_works_for_gzip_clients(
    api: httpx.AsyncClient, alice: Account
) -> None:
    """The choice in app/middleware/compression.py: a strong ETag names the identity bytes."""
    post = await create_post(api, alice, content="Many words. " * 2000)  # ~24 KB
    read = await api.get(post_url(post["id"]), headers={**alice.headers, **GZIP})
    assert read.status_code == 200
    assert "content-encoding" not in read.headers
    assert int(read.headers["content-length"]) == len(read.content) > 20_000
    tag = read.headers["etag"]
    assert re.fullmatch(STRONG_ETAG, tag)
    changed = await api.patch(
        post_url(post["id"]),
        json={"title": "Renamed"},
        headers={**alice.headers, **GZIP, "If-Match": tag},
    )
    assert changed.status_code == 200, changed.text
    assert changed.headers["etag"] != tag
    assert "content-encoding" not in changed.headers
    # Their collection has no tag: that is compressed.
    page = await api.get(POSTS, params={"size": 100}, headers={**alice.headers, **GZIP})
    assert page.status_code == 200
    assert page.headers["content-encoding"] == "gzip"
