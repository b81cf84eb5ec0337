"""The generator: reproducible, guarded against drift, and loud when the app falls behind the spec.

The expensive part, rendering a spec that grew (a new operation in `health`, a new
bearer-secured `widgets` tag), happens once per module; mypy and the app then run against that
scratch contract in subprocesses whose paths put it ahead of the installed one.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.codegen import (
    GENERATED,
    ROOT,
    TIMEOUT_S,
    Generators,
    extended,
    generators,
    load_spec,
    mypy,
    tree,
    write_spec,
)

pytestmark = pytest.mark.slow

SECRET = "codegen-test-secret-key-long-enough-0123456789"
WIDGET = "0b7c1f4e-2f4a-4f0e-9a51-6a1d2a3b4c5d"  # the one FULL_IMPLEMENTATION knows
NEW_OPERATIONS = {
    "getHealthDetails",
    "getWidget",
    "listWidgets",
    "createWidget",
    "setWidgetLabel",
    "getWidgetLabel",
}


@dataclass(frozen=True)
class Extended:
    spec: Path
    generated: Path  # the folder to put on the path; the package is generated / "contract"

    @property
    def contract(self) -> Path:
        return self.generated / "contract"


@pytest.fixture(scope="module")
def gen() -> Generators:
    return generators()


@pytest.fixture(scope="module")
def grown(gen: Generators, tmp_path_factory: pytest.TempPathFactory) -> Extended:
    """The contract of the spec plus `getHealthDetails` and the `widgets` tag, rendered once."""
    root = tmp_path_factory.mktemp("grown")
    spec = write_spec(extended(load_spec()), root / "spec" / "openapi.yaml")
    result = Extended(spec, root / "generated")
    gen.render(result.contract, spec)
    return result


def differing(first: dict[str, bytes], second: dict[str, bytes]) -> list[str]:
    return sorted(
        name for name in first.keys() | second.keys() if first.get(name) != second.get(name)
    )


def copy_of_generated(target: Path) -> Path:
    shutil.copytree(GENERATED, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


# Reproducible output


def test_rendering_twice_gives_the_committed_tree_byte_for_byte(
    gen: Generators, tmp_path: Path
) -> None:
    first, second = tmp_path / "first" / "contract", tmp_path / "second" / "contract"
    gen.render(first)
    gen.render(second)
    rendered = tree(first)
    assert {"api.py", "models.py", "routers/health.py", "openapi.yaml"} <= rendered.keys()
    assert differing(rendered, tree(second)) == []
    assert differing(rendered, tree(GENERATED)) == [], "run `nox -s generate` and commit"


def test_check_passes_on_the_committed_tree(gen: Generators) -> None:
    result = gen.build("--check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "generated/ matches the spec." in result.stdout


# Drift between the spec and generated/


def edit_a_line(contract: Path) -> list[str]:
    path = contract / "routers" / "health.py"
    lines = path.read_text().splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if 'operation_id="getLiveness"' in line)
    original = lines[index]
    lines[index] = original.replace("getLiveness", "getLivenessByHand")
    path.write_text("".join(lines))
    return [
        "--- generated/routers/health.py (on disk)",
        "+++ generated/routers/health.py (from the spec)",
        "-" + lines[index],
        "+" + original,
    ]


def add_a_file(contract: Path) -> list[str]:
    (contract / "routers" / "extra.py").write_text("EXTRA = 1\n")
    return ["not produced by the spec: routers/extra.py (added by hand?)"]


def remove_a_file(contract: Path) -> list[str]:
    (contract / "routers" / "health.py").unlink()
    return ["missing from generated/: routers/health.py (the spec produces it)"]


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(edit_a_line, id="hand-edit"),
        pytest.param(add_a_file, id="file-added"),
        pytest.param(remove_a_file, id="file-removed"),
    ],
)
def test_check_fails_on_a_tampered_copy_and_says_where(
    gen: Generators, tmp_path: Path, tamper: Callable[[Path], list[str]]
) -> None:
    contract = copy_of_generated(tmp_path / "contract")
    expected = tamper(contract)
    tampered = tree(contract)

    result = gen.build("--check", "--out", contract)

    assert result.returncode == 1, result.stdout + result.stderr
    for fragment in expected:
        assert fragment in result.stdout
    assert "1 file(s) in generated/ differ from what the spec produces" in result.stdout
    assert tree(contract) == tampered, "--check must not write"


def test_check_fails_when_the_spec_changed_without_regenerating(
    gen: Generators, grown: Extended
) -> None:
    committed = tree(GENERATED)

    result = gen.build("--check", "--spec", grown.spec)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "missing from generated/: routers/widgets.py (the spec produces it)" in result.stdout
    assert "--- generated/api.py (on disk)" in result.stdout
    assert '+        "getHealthDetails",' in result.stdout
    assert tree(GENERATED) == committed


def test_a_scheme_the_service_cannot_read_is_refused_by_name(
    gen: Generators, tmp_path: Path
) -> None:
    """Bearer and the OAuth2 password flow both arrive as `Authorization: Bearer`; a key does
    not, and the generator says so instead of emitting routers that would ignore it."""
    spec = load_spec()
    spec["components"]["securitySchemes"]["key"] = {
        "type": "apiKey", "in": "header", "name": "X-Key",
    }  # fmt: skip
    spec["security"] = [*spec["security"], {"key": []}]
    path = write_spec(spec, tmp_path / "spec" / "openapi.yaml")

    result = gen.build("--spec", path, "--out", tmp_path / "contract")

    assert result.returncode != 0
    assert (
        "security scheme 'key': only HTTP bearer and the OAuth2 password flow"
        in result.stdout + result.stderr
    )


# A spec that grew: what the generated code, mypy and the app make of it


def test_grown_spec_renders_the_new_operation_and_tag(grown: Extended) -> None:
    health = (grown.contract / "routers" / "health.py").read_text()
    widgets = (grown.contract / "routers" / "widgets.py").read_text()
    assert "    async def get_health_details(self) -> models.HealthStatus:" in health
    assert "class WidgetsApi(Protocol[P_contra]):" in widgets
    assert (
        "    async def get_widget(self, *, widget_id: UUID, principal: P_contra)"
        " -> models.HealthStatus:"
    ) in widgets
    assert "        principal: P = Depends(authenticate)," in widgets


# A typed implementation of the whole `widgets` tag (every template branch, the generic
# principal included), wired the way the app wires a tag. Run as a script it serves a few
# requests and prints what came back.
FULL_IMPLEMENTATION = '''\
"""Implements the grown contract's `widgets` tag; it must typecheck and serve."""

import asyncio
import json
from dataclasses import dataclass
from typing import Literal
from uuid import UUID, uuid4

import httpx
from fastapi import FastAPI, Header, HTTPException

import contract
from contract import models
from contract.routers import widgets
from contract.routers.widgets import CreateWidgetResult, WidgetsApi

OK = models.HealthStatus(status="ok")
WIDGET = UUID("0b7c1f4e-2f4a-4f0e-9a51-6a1d2a3b4c5d")


@dataclass(frozen=True)
class User:
    name: str


class Widgets(WidgetsApi[User]):
    def __init__(self) -> None:
        self.labels: list[tuple[str, str, str]] = []

    async def get_widget(self, *, widget_id: UUID, principal: User) -> models.HealthStatus:
        if widget_id != WIDGET or principal.name != "ada":
            raise HTTPException(404)
        return OK

    async def list_widgets(
        self,
        *,
        page: int,
        size: int,
        status: Literal["ok"] | None,
        x_trace_id: str | None,
        principal: User | None,
    ) -> models.PageMeta:
        # total: whether a caller came through; pages: the trace id's length.
        total = 0 if principal is None else 1
        return models.PageMeta(total=total, page=page, size=size, pages=len(x_trace_id or ""))

    async def create_widget(
        self, *, body: models.HealthStatus, principal: User
    ) -> CreateWidgetResult:
        return CreateWidgetResult(body=body, location=f"/api/v1/widgets/{WIDGET}")

    async def set_widget_label(
        self, *, widget_id: UUID, body: models.HealthStatus, principal: User
    ) -> None:
        self.labels.append((str(widget_id), body.status, principal.name))

    async def get_widget_label(self, *, widget_id: UUID, principal: User) -> bytes:
        return f"widget,label\\r\\n{widget_id},{principal.name}\\r\\n".encode()


class Providers:
    def __init__(self) -> None:
        self.service = Widgets()

    def widgets(self) -> Widgets:
        return self.service


async def authenticate_optional(authorization: str | None = Header(None)) -> User | None:
    if authorization is None:
        return None
    if authorization != "Bearer ada-token":
        raise HTTPException(401)
    return User("ada")


async def authenticate(authorization: str | None = Header(None)) -> User:
    user = await authenticate_optional(authorization)
    if user is None:
        raise HTTPException(401)
    return user


async def serve() -> dict[str, object]:
    providers = Providers()
    app = FastAPI()
    router = widgets.build_router(
        providers.widgets(), authenticate=authenticate, authenticate_optional=authenticate_optional
    )
    app.include_router(router)
    base = "/api/v1/widgets"
    auth = {"Authorization": "Bearer ada-token"}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        answers = {
            "widget": await client.get(f"{base}/{WIDGET}", headers=auth),
            "other_widget": await client.get(f"{base}/{uuid4()}", headers=auth),
            "widget_anonymous": await client.get(f"{base}/{WIDGET}"),
            "widget_bad_id": await client.get(f"{base}/not-a-uuid", headers=auth),
            "list_anonymous": await client.get(base, params={"page": 2, "size": 5}),
            "list_signed_in": await client.get(base, headers={**auth, "X-Trace-Id": "abc"}),
            "list_too_big": await client.get(base, params={"size": 101}),
            "create": await client.post(base, json={"status": "ok"}, headers=auth),
            "create_as_text": await client.post(
                base, content=b"ok", headers={**auth, "Content-Type": "text/plain"}
            ),
            "label": await client.put(
                f"{base}/{WIDGET}/label", data={"status": "ok"}, headers=auth
            ),
            "label_csv": await client.get(f"{base}/{WIDGET}/label", headers=auth),
        }
    found: dict[str, object] = {
        name: {
            "status": answer.status_code,
            "body": (
                answer.json()
                if answer.content and "json" in answer.headers["content-type"]
                else answer.text or None
            ),
            "location": answer.headers.get("location"),
            "content_type": answer.headers.get("content-type"),
        }
        for name, answer in answers.items()
    }
    found["labels"] = providers.service.labels
    found["contract"] = contract.__file__
    return found


if __name__ == "__main__":
    print(json.dumps(asyncio.run(serve())))
'''


def test_grown_contract_typechecks_strict_and_serves_a_full_implementation(
    grown: Extended, tmp_path: Path
) -> None:
    """The templates' every branch, the generic bearer/principal path included, is typed code.

    mypy --strict over the generated package, and over an implementation of the new tag wired
    to its router; then that implementation answers requests.
    """
    (tmp_path / "full_implementation.py").write_text(FULL_IMPLEMENTATION)

    result, diagnostics = mypy(tmp_path, ["contract", "full_implementation"], [grown.generated])
    assert (result.returncode, diagnostics) == (0, []), result.stdout + result.stderr
    checked = len(list(grown.contract.rglob("*.py"))) + 1
    assert f"Success: no issues found in {checked} source files" in result.stdout

    served = subprocess.run(
        [sys.executable, str(tmp_path / "full_implementation.py")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(grown.generated)},
        timeout=TIMEOUT_S,
        check=False,
    )
    assert served.returncode == 0, served.stderr
    found = json.loads(served.stdout)
    assert Path(found.pop("contract")).is_relative_to(grown.contract)
    assert found.pop("labels") == [[WIDGET, "ok", "ada"]]
    statuses = {name: answer["status"] for name, answer in found.items()}
    assert statuses == {
        "widget": 200,
        "other_widget": 404,
        "widget_anonymous": 401,
        "widget_bad_id": 422,
        "list_anonymous": 200,
        "list_signed_in": 200,
        "list_too_big": 422,
        "create": 201,
        "create_as_text": 415,
        "label": 204,
        "label_csv": 200,
    }
    assert found["widget"]["body"] == {"status": "ok"}
    assert found["list_anonymous"]["body"] == {"total": 0, "page": 2, "size": 5, "pages": 0}
    assert found["list_signed_in"]["body"] == {"total": 1, "page": 1, "size": 20, "pages": 3}
    assert found["create"]["location"] == f"/api/v1/widgets/{WIDGET}"
    # A text success: the service's bytes, with the media type the spec declares.
    assert found["label_csv"]["body"] == f"widget,label\r\n{WIDGET},ada\r\n"
    assert found["label_csv"]["content_type"] == "text/csv; header=present; charset=utf-8"


def test_mypy_names_the_missing_operation_and_the_missing_provider(
    grown: Extended, tmp_path: Path
) -> None:
    src = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "app", src / "app", ignore=shutil.ignore_patterns("__pycache__"))

    result, diagnostics = mypy(tmp_path, ["app"], [src, grown.generated])

    assert result.returncode == 1, result.stdout + result.stderr
    by_file: dict[str, str] = {}
    for diagnostic in diagnostics:
        by_file[diagnostic.file] = by_file.get(diagnostic.file, "") + diagnostic.message + "\n"
    # Relative paths: the scratch copies were checked, not the editable install's src/.
    # The gaps show where the app wires its services, and nowhere else.
    wiring = {"src/app/main.py", "src/app/providers.py"}
    assert set(by_file) <= wiring, result.stdout
    # The service lacks the operation (its Protocol's new member), the providers lack the tag.
    reported = "".join(by_file.values())
    assert "get_health_details" in reported, result.stdout
    assert '"HealthService"' in reported, result.stdout
    assert re.search(r"\bwidgets\b", by_file.get("src/app/main.py", "")), result.stdout
    assert "Providers" in by_file.get("src/app/main.py", ""), result.stdout


START = """\
import json

import app
import contract
from app.main import create_app
from app.settings import Settings

try:
    create_app(Settings())
    failure = None
except Exception as exc:
    failure = {"type": f"{type(exc).__module__}.{type(exc).__qualname__}", "message": str(exc)}
print(json.dumps({"contract": contract.__file__, "app": app.__file__, "failure": failure}))
"""


def test_app_refuses_to_start_and_names_each_unserved_operation(
    grown: Extended, tmp_path: Path
) -> None:
    env = {name: value for name, value in os.environ.items() if not name.startswith("APP_")}
    env |= {
        # PYTHONPATH comes before the editable install's .pth entries.
        "PYTHONPATH": os.pathsep.join([str(grown.generated), str(ROOT / "src")]),
        "APP_DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
        "APP_SECRET_KEY": SECRET,
        "APP_VAR_DIR": str(tmp_path / "var"),
    }
    started = subprocess.run(
        [sys.executable, "-c", START],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=TIMEOUT_S,
        check=False,
    )
    assert started.returncode == 0, started.stderr
    found = json.loads(started.stdout)
    assert Path(found["contract"]).is_relative_to(grown.contract)
    assert Path(found["app"]).is_relative_to(ROOT / "src" / "app")
    failure = found["failure"]
    assert failure is not None, "create_app started although the contract grew"
    assert failure["type"] == "app.contract_check.ContractNotServed", failure
    gaps = {
        line.split(" ", 1)[0]: line for line in failure["message"].split("\n- ")[1:]
    }  # one line per unserved operation, starting with its operationId
    assert set(gaps) == NEW_OPERATIONS, failure["message"]

    details = gaps["getHealthDetails"]
    assert details.startswith("getHealthDetails (GET /health/details) ")
    for fragment in (
        "`async def get_health_details(self, ...)`",
        "`contract.routers.health.HealthApi`",
        "class `HealthService`",
        "`app.health.service`",
    ):
        assert fragment in details

    widget = gaps["getWidget"]
    assert widget.startswith("getWidget (GET /api/v1/widgets/{widget_id}) ")
    for fragment in (
        "`async def get_widget(self, ...)`",
        "`contract.routers.widgets.WidgetsApi`",
        "class `WidgetsService`",
        "`app.widgets.service`",
    ):
        assert fragment in widget
