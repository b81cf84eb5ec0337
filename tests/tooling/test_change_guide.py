"""change_guide: what a regenerated contract asks of src/, and the stubs `--scaffold` writes.

Most tests build two small contract packages shaped like the generator's output (a Protocol
per router, `OPERATIONS` in api.py, models) and a small src/ tree, so each case is exact. The
slow test at the end runs the real generators on a grown spec and checks that the scaffolded
src/ typechecks and that the app still refuses to start on a stub.
"""

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from change_guide import main, read_contract, report, scaffold

from app.contract_check import STUB_MARK, stub
from tests.support.codegen import ROOT, TIMEOUT_S, extended, generators, load_spec, mypy, write_spec

HEADER = '''\
"""The `{tag}` operations."""

from typing import Literal, NamedTuple, Protocol, TypeVar
from uuid import UUID

from contract import models

P_contra = TypeVar("P_contra", contravariant=True)
'''


@dataclass(frozen=True)
class Op:
    operation_id: str
    http: str  # "GET /api/v1/gadgets"
    method: str  # the Protocol method, e.g. "list_gadgets"
    params: str  # what follows `self` in the signature
    returns: str


GET = Op(
    "getGadget",
    "GET /api/v1/gadgets/{gadget_id}",
    "get_gadget",
    "*, gadget_id: UUID, principal: P_contra",
    "models.Gadget",
)
LIST = Op(
    "listGadgets",
    "GET /api/v1/gadgets",
    "list_gadgets",
    "*, page: int, size: int",
    "models.GadgetPage",
)
COUNT = Op("countGadgets", "GET /api/v1/gadgets/count", "count_gadgets", "", "models.Count")
DELETE = Op(
    "deleteGadget",
    "DELETE /api/v1/gadgets/{gadget_id}",
    "delete_gadget",
    "*, gadget_id: UUID, principal: P_contra",
    "None",
)
CREATE = Op(
    "createGadget",
    "POST /api/v1/gadgets",
    "create_gadget",
    "*, body: models.GadgetCreate, principal: P_contra",
    "CreateGadgetResult",
)
HEALTH = Op("getLiveness", "GET /health/live", "get_liveness", "", "models.HealthStatus")
GADGET_FIELDS = {"id": "UUID", "name": "str"}


def contract(
    folder: Path, ops: dict[str, list[Op]], gadget: dict[str, str] = GADGET_FIELDS
) -> Path:
    """A contract package with one router per tag in `ops` and a `Gadget` model of `gadget`."""
    (folder / "routers").mkdir(parents=True)
    infos = []
    for tag, tag_ops in ops.items():
        protocol = tag.capitalize() + "Api"
        generic = any("P_contra" in op.params for op in tag_ops)
        text = HEADER.format(tag=tag)
        if any(op.returns == "CreateGadgetResult" for op in tag_ops):
            text += (
                "\n\nclass CreateGadgetResult(NamedTuple):\n"
                "    body: models.Gadget\n"
                "    location: str\n"
            )
        text += f"\n\nclass {protocol}(Protocol{'[P_contra]' if generic else ''}):\n"
        for op in tag_ops:
            params = f"self, {op.params}" if op.params else "self"
            text += (
                f"    async def {op.method}({params}) -> {op.returns}:\n"
                f'        """{op.http} ({op.operation_id}): Do it."""\n'
                "        ...\n\n"
            )
            method, path = op.http.split(" ")
            infos.append(
                f"    OperationInfo({op.operation_id!r}, {method!r}, {path!r}, {tag!r}, "
                f"{op.method!r}, 'contract.routers.{tag}.{protocol}', 'app.{tag}.service', "
                f"'{tag.capitalize()}Service'),\n"
            )
        (folder / "routers" / f"{tag}.py").write_text(text)
    (folder / "api.py").write_text("OPERATIONS = (\n" + "".join(infos) + ")\n")
    fields = "".join(f"    {name}: {annotation}\n" for name, annotation in gadget.items())
    (folder / "models.py").write_text(
        "from pydantic import BaseModel\n\n\nclass Gadget(BaseModel):\n" + fields
    )
    return folder


SERVICE = '''\
"""Hand-written: implements `contract.routers.gadgets.GadgetsApi`."""

import uuid

from app.auth.principal import Principal
from contract import models
from contract.routers.gadgets import GadgetsApi


class GadgetsService(GadgetsApi[Principal]):
    """Hand-written."""

    def __init__(self, database: object) -> None:
        self._database = database

    async def get_gadget(self, *, gadget_id: uuid.UUID, principal: Principal) -> models.Gadget:
        # A comment the scaffold must keep.
        return models.Gadget(id=gadget_id, name="x")


def helper() -> int:
    return 1
'''

PROVIDERS = '''\
"""Providers."""

from app.auth.principal import Principal
from app.gadgets.service import GadgetsService
from contract.api import ServiceProviders


class Providers(ServiceProviders[Principal]):
    def __init__(self, database: object) -> None:
        self.database = database

    def gadgets(self) -> GadgetsService:
        return GadgetsService(self.database)
'''


@pytest.fixture
def src(tmp_path: Path) -> Path:
    """src/ with a hand-written `gadgets` service implementing get_gadget only."""
    root = tmp_path / "src"
    (root / "app" / "gadgets").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "gadgets" / "__init__.py").write_text("")
    (root / "app" / "gadgets" / "service.py").write_text(SERVICE)
    (root / "app" / "providers.py").write_text(PROVIDERS)
    return root


def guide(
    tmp_path: Path,
    src: Path,
    before: dict[str, list[Op]],
    after: dict[str, list[Op]],
    gadget_after: dict[str, str] = GADGET_FIELDS,
) -> list[str]:
    old = contract(tmp_path / "before", before)
    new = contract(tmp_path / "after", after, gadget_after)
    lines, _ = report(read_contract(old), read_contract(new), src)
    return lines


def test_a_new_operation_gets_its_signature_and_its_file(tmp_path: Path, src: Path) -> None:
    lines = guide(tmp_path, src, {"gadgets": [GET]}, {"gadgets": [GET, LIST]})
    assert lines == [
        "  new     listGadgets (GET /api/v1/gadgets) -> list_gadgets",
        "      async def list_gadgets(self, *, page: int, size: int) -> models.GadgetPage",
        "      in src/app/gadgets/service.py, class GadgetsService: missing; "
        "`nox -s generate -- --scaffold` writes a failing stub for it",
    ]


def test_the_principal_is_written_as_the_service_writes_it(tmp_path: Path, src: Path) -> None:
    lines = guide(tmp_path, src, {"gadgets": [GET]}, {"gadgets": [GET, DELETE]})
    assert (
        "      async def delete_gadget(self, *, gadget_id: UUID, principal: Principal) -> None"
        in lines
    )


def test_a_changed_signature_shows_before_and_after_and_what_the_service_lacks(
    tmp_path: Path, src: Path
) -> None:
    changed = Op(
        GET.operation_id, GET.http, GET.method, GET.params + ", fields: str | None", GET.returns
    )
    lines = guide(tmp_path, src, {"gadgets": [GET]}, {"gadgets": [changed]})
    assert lines == [
        "  changed getGadget (GET /api/v1/gadgets/{gadget_id}) -> get_gadget",
        "      was: async def get_gadget(self, *, gadget_id: UUID, principal: Principal)"
        " -> models.Gadget",
        "      now: async def get_gadget(self, *, gadget_id: UUID, principal: Principal,"
        " fields: str | None) -> models.Gadget",
        "      in src/app/gadgets/service.py, class GadgetsService: its parameters differ: "
        "add fields",
    ]


def test_a_removed_operation_says_which_method_to_delete(tmp_path: Path, src: Path) -> None:
    lines = guide(tmp_path, src, {"gadgets": [GET, LIST]}, {"gadgets": [LIST]})
    assert lines[:2] == [
        "  removed getGadget (GET /api/v1/gadgets/{gadget_id}) -> get_gadget",
        "      src/app/gadgets/service.py, class GadgetsService: delete the method; "
        "nothing calls it now",
    ]


def test_a_new_tag_points_at_a_file_that_does_not_exist_yet(tmp_path: Path, src: Path) -> None:
    lines = guide(tmp_path, src, {"gadgets": [GET]}, {"gadgets": [GET], "health": [HEALTH]})
    assert lines[-1] == (
        "      in src/app/health/service.py, class HealthService: the file does not exist yet; "
        "`nox -s generate -- --scaffold` writes a failing stub for it"
    )


def test_a_model_change_names_the_fields_and_the_files_using_the_model(
    tmp_path: Path, src: Path
) -> None:
    new_fields = {"id": "UUID", "name": "str | None = None", "colour": "str | None = None"}
    lines = guide(tmp_path, src, {"gadgets": [GET]}, {"gadgets": [GET]}, new_fields)
    assert lines == [
        "  model   models.Gadget (used in src/app/gadgets/service.py):",
        "      + colour: str | None = None",
        "      ~ name: str -> str | None = None",
    ]


def test_nothing_changed_and_all_implemented_means_nothing_to_say(
    tmp_path: Path, src: Path
) -> None:
    assert guide(tmp_path, src, {"gadgets": [GET]}, {"gadgets": [GET]}) == []


def test_an_unchanged_but_unimplemented_method_is_still_listed(tmp_path: Path, src: Path) -> None:
    lines = guide(tmp_path, src, {"gadgets": [GET, LIST]}, {"gadgets": [GET, LIST]})
    assert lines[0] == "  todo    listGadgets (GET /api/v1/gadgets) -> list_gadgets"


# Scaffolding


def scaffolded(tmp_path: Path, src: Path, after: dict[str, list[Op]]) -> list[Path]:
    new = read_contract(contract(tmp_path / "after", after))
    _, missing = report(read_contract(contract(tmp_path / "before", {})), new, src)
    return scaffold(new, missing, src)


def test_scaffold_appends_stubs_and_keeps_every_hand_written_line(
    tmp_path: Path, src: Path
) -> None:
    service = src / "app" / "gadgets" / "service.py"

    written = scaffolded(tmp_path, src, {"gadgets": [GET, LIST, CREATE, DELETE]})

    assert written == [service]
    text = service.read_text()
    kept = [line for line in SERVICE.splitlines() if line]
    assert [line for line in text.splitlines() if line in kept] == kept  # all, in order
    assert "from app.contract_check import stub\n" in text
    assert "from contract.routers.gadgets import CreateGadgetResult\n" in text
    assert text.count("    @stub\n") == 3
    # The module writes `uuid.UUID` (it has `import uuid`): the stub follows it.
    assert (
        "    async def delete_gadget(self, *, gadget_id: uuid.UUID, principal: Principal)"
        " -> None:\n"
    ) in text
    assert "from uuid import UUID" not in text
    assert (
        "    async def create_gadget(self, *, body: models.GadgetCreate, principal: Principal)"
        " -> CreateGadgetResult:\n"
    ) in text
    assert (
        "        raise NotImplementedError(\n"
        "            'createGadget (POST /api/v1/gadgets): '\n"
        "            'implement GadgetsService.create_gadget in src/app/gadgets/service.py'\n"
        "        )\n"
    ) in text
    # Inside the class, before the module's own code after it.
    assert text.index("async def list_gadgets") < text.index("def helper()")
    compile(text, str(service), "exec")


def test_scaffold_never_touches_a_method_that_exists(tmp_path: Path, src: Path) -> None:
    service = src / "app" / "gadgets" / "service.py"
    assert scaffolded(tmp_path, src, {"gadgets": [GET]}) == []
    assert service.read_text() == SERVICE


def test_scaffold_twice_adds_nothing_the_second_time(tmp_path: Path, src: Path) -> None:
    scaffolded(tmp_path / "one", src, {"gadgets": [GET, LIST]})
    once = (src / "app" / "gadgets" / "service.py").read_text()
    assert scaffolded(tmp_path / "two", src, {"gadgets": [GET, LIST]}) == []
    assert (src / "app" / "gadgets" / "service.py").read_text() == once


def test_scaffold_creates_a_new_tags_package_service_and_provider(
    tmp_path: Path, src: Path
) -> None:
    written = scaffolded(tmp_path, src, {"gadgets": [GET], "health": [HEALTH]})

    health = src / "app" / "health"
    providers = src / "app" / "providers.py"
    assert written == [health / "__init__.py", health / "service.py", providers]
    service = (health / "service.py").read_text()
    assert "class HealthService(HealthApi):\n" in service  # not generic: no principal
    assert "    @stub\n    async def get_liveness(self) -> models.HealthStatus:\n" in service
    assert "from contract.routers.health import HealthApi\n" in service
    compile(service, "service.py", "exec")
    text = providers.read_text()
    assert text.startswith(PROVIDERS.split("\n\n\nclass")[0])  # the imports it had, kept
    assert "from app.health.service import HealthService\n" in text
    assert text.endswith(
        "    def health(self) -> HealthService:\n        return HealthService(self.database)\n"
    )


def test_main_prints_the_report_and_what_it_scaffolded(
    tmp_path: Path, src: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = contract(tmp_path / "before", {"gadgets": [GET]})
    after = contract(tmp_path / "after", {"gadgets": [GET, COUNT]})
    args = ["--before", str(before), "--after", str(after), "--src", str(src)]

    assert main(args) == 0
    assert capsys.readouterr().out.startswith(
        "What the change asks of src/:\n  new     countGadgets (GET /api/v1/gadgets/count)"
    )
    assert main([*args, "--scaffold"]) == 0
    out = capsys.readouterr().out
    assert f"scaffolded {src / 'app' / 'gadgets' / 'service.py'}\n" in out
    assert "the app refuses to start while one is left" in out
    assert main([*args]) == 0
    assert "class GadgetsService: a stub (`@stub`); implement it" in capsys.readouterr().out


def test_main_with_nothing_to_do(
    tmp_path: Path, src: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    same = contract(tmp_path / "c", {"gadgets": [GET]})
    assert main(["--before", str(same), "--after", str(same), "--src", str(src)]) == 0
    assert capsys.readouterr().out == (
        "Nothing for src/: no Protocol method or model changed, and all are implemented.\n"
    )


def test_the_stub_marker_is_what_the_start_up_check_reads() -> None:
    class Service:
        async def written(self) -> int:
            return 1

        @stub
        async def scaffolded(self) -> int:
            raise NotImplementedError

    assert getattr(Service.scaffolded, STUB_MARK) is True
    assert not hasattr(Service.written, STUB_MARK)


# The real generators, a grown spec, mypy and the app


START = """\
import json

from app.main import create_app
from app.settings import Settings

try:
    create_app(Settings())
    print(json.dumps(None))
except Exception as exc:
    print(json.dumps(str(exc)))
"""


@pytest.mark.slow
def test_scaffolded_src_typechecks_and_the_app_still_refuses_to_start(tmp_path: Path) -> None:
    gen = generators()
    spec = write_spec(extended(load_spec()), tmp_path / "spec" / "openapi.yaml")
    grown = tmp_path / "generated"
    gen.render(grown / "contract", spec)
    src = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "app", src / "app", ignore=shutil.ignore_patterns("__pycache__"))
    tool = ROOT / "openapi" / "tools" / "change_guide.py"

    result = subprocess.run(
        [
            sys.executable, str(tool), "--before", str(ROOT / "generated" / "contract"),
            "--after", str(grown / "contract"), "--src", str(src), "--scaffold",
            "--ruff-python", str(gen.models_python),
        ],
        capture_output=True, text=True, check=False, timeout=TIMEOUT_S,
    )  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "  new     getHealthDetails (GET /health/details) -> get_health_details\n" in out
    assert (
        "      async def get_widget(self, *, widget_id: UUID, principal: Principal)"
        " -> models.HealthStatus\n"
    ) in out
    for written in (
        "health/service.py",
        "widgets/__init__.py",
        "widgets/service.py",
        "providers.py",
    ):
        assert f"scaffolded {src / 'app' / written}\n" in out

    checked, diagnostics = mypy(tmp_path, ["app"], [src, grown])
    assert (checked.returncode, diagnostics) == (0, []), checked.stdout

    lint = subprocess.run(
        [
            str(gen.models_python), "-m", "ruff", "check",
            "--config", str(ROOT / "pyproject.toml"), str(src),
        ],
        capture_output=True, text=True, check=False, timeout=TIMEOUT_S,
    )  # fmt: skip
    assert lint.returncode == 0, lint.stdout + lint.stderr

    env = {k: v for k, v in os.environ.items() if not k.startswith("APP_")}
    env |= {
        "PYTHONPATH": os.pathsep.join([str(grown), str(src)]),
        "APP_DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
        "APP_SECRET_KEY": "change-guide-test-secret-key-long-enough-0123",
        "APP_VAR_DIR": str(tmp_path / "var"),
    }
    started = subprocess.run(
        [sys.executable, "-c", START], capture_output=True, text=True, cwd=tmp_path, env=env,
        check=False, timeout=TIMEOUT_S,
    )  # fmt: skip
    assert started.returncode == 0, started.stderr
    failure = json.loads(started.stdout)
    assert failure is not None, "the app started with stubs in it"
    assert (
        "getHealthDetails (GET /health/details) is only a scaffolded stub (`@stub`) on "
        "`app.health.service.HealthService`"
    ) in failure
    assert "createWidget (POST /api/v1/widgets) is only a scaffolded stub" in failure
