"""Run the contract generator, mypy and the app against a contract rendered into a scratch folder.

The generators live in their own environments (see `noxfile.py`), which nox hands to the tests
session as CODEGEN_MODELS_PYTHON and CODEGEN_ROUTERS_PYTHON; without them these tests skip.
"""

import copy
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "openapi" / "codegen" / "build.py"
SPEC = ROOT / "openapi" / "openapi.yaml"
GENERATED = ROOT / "generated" / "contract"
SKIP_REASON = "generator environments come from nox (run `nox -s tests`)"
TIMEOUT_S = 300


@dataclass(frozen=True)
class Generators:
    models_python: Path
    routers_python: Path

    def build(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        """Run openapi/codegen/build.py the way `nox -s generate` does, with `args` appended."""
        command = [
            sys.executable, str(BUILD),
            "--models-python", str(self.models_python),
            "--routers-python", str(self.routers_python),
            *(str(arg) for arg in args),
        ]  # fmt: skip
        return subprocess.run(
            command, capture_output=True, text=True, cwd=ROOT, timeout=TIMEOUT_S, check=False
        )

    def render(self, out: Path, spec: Path = SPEC) -> None:
        """Generate the contract package for `spec` into `out` (created if missing)."""
        result = self.build("--spec", spec, "--out", out)
        assert result.returncode == 0, result.stdout + result.stderr


def generators() -> Generators:
    """The two generator environments, or skip the test when nox did not provide them."""
    models = os.environ.get("CODEGEN_MODELS_PYTHON", "")
    routers = os.environ.get("CODEGEN_ROUTERS_PYTHON", "")
    if not models or not routers:
        pytest.skip(SKIP_REASON)
    return Generators(Path(models), Path(routers))


def tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` (byte for byte) by its relative path, bytecode caches left out."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def load_spec() -> dict[str, Any]:
    spec: dict[str, Any] = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    return spec


def write_spec(spec: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _json(schema: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}


def _shared(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/responses/{name}"}


def extended(spec: dict[str, Any]) -> dict[str, Any]:
    """`spec` plus an operation in the existing `health` tag and a new, bearer-secured tag.

    `getHealthDetails` and `getWidget` are the two gaps the app is expected to name. The other
    `widgets` operations exist to make the templates render every branch they have (optional
    bearer, query and header parameters with constraints, JSON and form bodies, response
    headers, an empty success, a text success), so that the typecheck of the result covers all
    of them.
    """
    spec = copy.deepcopy(spec)
    spec["tags"].append({"name": "widgets", "description": "Widgets, for the generator's tests."})
    paths = spec["paths"]
    paths["/health/details"] = {
        "get": {
            "operationId": "getHealthDetails",
            "tags": ["health"],
            "summary": "Report details of the process",
            "security": [],
            "responses": {
                "200": {"description": "The details.", "content": _json("HealthStatus")},
                "500": _shared("InternalError"),
            },
        }
    }
    widget_id = {
        "name": "widget_id",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "format": "uuid"},
    }
    paths["/api/v1/widgets/{widget_id}"] = {
        "get": {
            "operationId": "getWidget",
            "tags": ["widgets"],
            "summary": "Read one widget",
            "parameters": [widget_id],
            # No `security`: the document's global `bearer` requirement applies.
            "responses": {
                "200": {"description": "The widget.", "content": _json("HealthStatus")},
                "401": _shared("Unauthorized"),
                "404": _shared("NotFound"),
                "500": _shared("InternalError"),
            },
        }
    }
    paths["/api/v1/widgets"] = {
        "get": {
            "operationId": "listWidgets",
            "tags": ["widgets"],
            "summary": "List widgets, more of them for a signed-in caller",
            "security": [{}, {"bearer": []}],
            "parameters": [
                {"$ref": "#/components/parameters/Page"},
                {"$ref": "#/components/parameters/Size"},
                {
                    "name": "status",
                    "in": "query",
                    "schema": {"type": "string", "enum": ["ok"]},
                },
                {
                    "name": "X-Trace-Id",
                    "in": "header",
                    "schema": {"type": "string", "maxLength": 64},
                },
            ],
            "responses": {
                "200": {"description": "A page of widgets.", "content": _json("PageMeta")},
                "422": _shared("UnprocessableContent"),
            },
        },
        "post": {
            "operationId": "createWidget",
            "tags": ["widgets"],
            "summary": "Create a widget",
            "requestBody": {"required": True, "content": _json("HealthStatus")},
            "responses": {
                "201": {
                    "description": "Created.",
                    "headers": {"Location": {"$ref": "#/components/headers/Location"}},
                    "content": _json("HealthStatus"),
                },
                "401": _shared("Unauthorized"),
                "415": _shared("UnsupportedMediaType"),
                "422": _shared("UnprocessableContent"),
            },
        },
    }
    paths["/api/v1/widgets/{widget_id}/label"] = {
        "parameters": [widget_id],
        "put": {
            "operationId": "setWidgetLabel",
            "tags": ["widgets"],
            "summary": "Set a widget's label from a form",
            "requestBody": {
                "required": True,
                "content": {
                    "application/x-www-form-urlencoded": {
                        "schema": {"$ref": "#/components/schemas/HealthStatus"}
                    }
                },
            },
            "responses": {"204": {"description": "Done."}, "401": _shared("Unauthorized")},
        },
        "get": {
            "operationId": "getWidgetLabel",
            "tags": ["widgets"],
            "summary": "Read a widget's label as CSV",
            "responses": {
                "200": {
                    "description": "The label.",
                    "content": {
                        "text/csv; header=present": {
                            "schema": {"type": "string", "maxLength": 1000}
                        }
                    },
                },
                "401": _shared("Unauthorized"),
            },
        },
    }
    return spec


@dataclass(frozen=True)
class Diagnostic:
    file: str  # as mypy prints it: relative to its working folder when the file is inside it
    line: int
    severity: str  # "error" or "note"; a note explains the error before it (missing members)
    message: str


_MYPY_LINE = re.compile(
    r"^(?P<file>[^:\n]+\.pyi?):(?P<line>\d+): (?P<severity>error|note): (?P<message>.*)$"
)


def mypy(
    workdir: Path, packages: list[str], mypy_path: list[Path]
) -> tuple[subprocess.CompletedProcess[str], list[Diagnostic]]:
    """mypy --strict (with the pydantic plugin) over `packages`, found only under `mypy_path`.

    A config of its own keeps the project's `mypy_path` (src/, generated/) out. Third-party
    stubs are the typecheck session's business, not this one's: missing ones are ignored here.
    Paths in the report are relative to `workdir`, so a module found anywhere else (the
    editable install, say) would show up with an absolute path.
    """
    config = workdir / "mypy.ini"
    config.write_text(
        "[mypy]\n"
        "strict = True\n"
        "python_version = 3.11\n"
        "warn_unreachable = True\n"
        "plugins = pydantic.mypy\n"
        "ignore_missing_imports = True\n"
        "show_error_codes = True\n"
        f"cache_dir = {workdir / '.mypy_cache'}\n"
        f"mypy_path = {','.join(str(path) for path in mypy_path)}\n"
    )
    args = [arg for package in packages for arg in ("-p", package)]
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(config), *args],
        capture_output=True,
        text=True,
        cwd=workdir,
        env={k: v for k, v in os.environ.items() if k != "MYPYPATH"},
        timeout=TIMEOUT_S,
        check=False,
    )
    diagnostics = [
        Diagnostic(
            Path(match["file"]).as_posix(), int(match["line"]), match["severity"], match["message"]
        )
        for match in map(_MYPY_LINE.match, result.stdout.splitlines())
        if match
    ]
    return result, diagnostics
