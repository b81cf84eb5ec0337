"""Every task of the project, one nox session each: `nox -l` lists them."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
CODEGEN = ROOT / "openapi" / "codegen"
TOOLS = ROOT / "openapi" / "tools"
# The spec tools' own small environments: PyYAML, the validator for lint_spec, and jsonschema
# for its examples-valid rule.
SPEC_TOOL_REQUIREMENTS = ["pyyaml>=6,<7", "openapi-spec-validator>=0.7,<1", "jsonschema>=4.23,<5"]
# What /docs and /redoc load, vendored from npm into the app (app/static/vendored.json records
# each package's version, licence and integrity): `nox -s vendor_docs` refreshes them.
DOCS_ASSETS = ROOT / "src" / "app" / "static"
VENDORED_FILES = {
    "swagger-ui-dist": [
        "swagger-ui-bundle.js", "swagger-ui-bundle.js.LICENSE.txt", "swagger-ui.css",
        "favicon-32x32.png", "LICENSE", "NOTICE",
    ],
    "redoc": ["bundles/redoc.standalone.js", "bundles/redoc.standalone.js.LICENSE.txt", "LICENSE"],
}  # fmt: skip
CODE = ["src", "generated", "tests", "noxfile.py", "openapi/codegen", "perf", "openapi/tools"]

nox.options.default_venv_backend = "venv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["lint_spec", "check_generated", "lint", "typecheck", "tests"]


def codegen_pythons(session: nox.Session) -> tuple[Path, Path]:
    """The interpreters of the two generator environments, made on first use.

    datamodel-code-generator and fastapi-code-generator pin conflicting versions of each other
    and of click, so each lives in its own environment with every package pinned exactly
    (openapi/codegen/requirements-*.txt); nothing of theirs leaks into the app's environment.
    """
    pythons = []
    for name in ("models", "routers"):
        requirements = CODEGEN / f"requirements-{name}.txt"
        venv = ROOT / ".nox" / f"codegen-{name}"
        python = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
        stamp = venv / "requirements.sha256"
        digest = hashlib.sha256(requirements.read_bytes()).hexdigest()
        if not (python.exists() and stamp.exists() and stamp.read_text() == digest):
            session.log(f"creating the {name} generator environment in {venv}")
            # run_install: made by `--install-only` too, which otherwise skips `run` and
            # left no environment to stamp.
            session.run_install(sys.executable, "-m", "venv", "--clear", str(venv), external=True)
            session.run_install(
                str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                "-r", str(requirements), external=True,
            )  # fmt: skip
            stamp.write_text(digest)
        pythons.append(python)
    return pythons[0], pythons[1]


def _build(session: nox.Session, *args: str) -> None:
    models, routers = codegen_pythons(session)
    session.run(
        sys.executable, str(CODEGEN / "build.py"),
        "--models-python", str(models), "--routers-python", str(routers), *args,
        external=True,
    )  # fmt: skip


@nox.session(python=False)
def generate(session: nox.Session) -> None:
    """Regenerate generated/contract/, then say what the change asks of src/.

    `nox -s generate -- --scaffold` also writes each missing service method into src/ as a
    failing stub (openapi/tools/change_guide.py); other arguments go to build.py.
    """
    scaffold = "--scaffold" in session.posargs
    args = [arg for arg in session.posargs if arg != "--scaffold"]
    contract = ROOT / "generated" / "contract"
    with tempfile.TemporaryDirectory(prefix="contract-before-") as scratch:
        before = Path(scratch) / "contract"
        if contract.exists():
            shutil.copytree(contract, before, ignore=shutil.ignore_patterns("__pycache__"))
        _build(session, *args)
        if "--out" in args or "--check" in args:
            return  # not the project's contract: nothing to tell src/
        models, _ = codegen_pythons(session)
        extra = ["--scaffold", "--ruff-python", str(models)] if scaffold else []
        session.run(
            sys.executable, str(TOOLS / "change_guide.py"), "--before", str(before), *extra,
            external=True,
        )  # fmt: skip


@nox.session(python=False)
def check_generated(session: nox.Session) -> None:
    """Fail, with a diff, when generated/ is not exactly what the spec produces."""
    _build(session, "--check")


@nox.session
def lint_spec(session: nox.Session) -> None:
    """OpenAPI 3.1 validation plus the house rules (openapi/tools/lint_spec.py; `-- --rules`)."""
    session.install(*SPEC_TOOL_REQUIREMENTS)
    session.run("python", str(TOOLS / "lint_spec.py"), *session.posargs)


@nox.session
def breaking(session: nox.Session) -> None:
    """What the spec change breaks: `nox -s breaking -- [REF]` (default: merge base with main)."""
    session.install(*SPEC_TOOL_REQUIREMENTS)
    session.run("python", str(TOOLS / "breaking.py"), *session.posargs)


@nox.session(python=False)
def vendor_docs(session: nox.Session) -> None:
    """Vendor Swagger UI and ReDoc into app/static/ with `npm pack` (npm verifies the integrity).

    `nox -s vendor_docs -- swagger-ui-dist@5.36.0 redoc@2.5.4` takes those versions; without
    arguments, the ones recorded in app/static/vendored.json again.
    """
    npm = shutil.which("npm")
    if npm is None:
        session.error("vendor_docs needs npm (apt-get install npm)")
    record_file = DOCS_ASSETS / "vendored.json"
    record = json.loads(record_file.read_text())
    asked = dict(arg.rsplit("@", 1) for arg in session.posargs)
    with tempfile.TemporaryDirectory(prefix="vendor-docs-") as scratch:
        for name, files in VENDORED_FILES.items():
            spec = f"{name}@{asked.get(name, record[name]['version'])}"
            session.log(f"npm pack {spec}")
            packed = json.loads(
                subprocess.run(
                    [npm, "pack", spec, "--json", "--pack-destination", scratch],
                    check=True, capture_output=True, text=True,
                ).stdout
            )[0]  # fmt: skip
            folder = DOCS_ASSETS / name
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            digests = {}
            with tarfile.open(Path(scratch) / packed["filename"]) as tar:
                manifest = json.load(tar.extractfile("package/package.json"))  # type: ignore[arg-type]
                for file in files:
                    data = tar.extractfile(f"package/{file}").read()  # type: ignore[union-attr]
                    (folder / Path(file).name).write_bytes(data)
                    digests[Path(file).name] = hashlib.sha256(data).hexdigest()
            record[name] = {
                "version": packed["version"],
                "license": manifest["license"],
                "integrity": packed["integrity"],
                "sha256": digests,
            }
    record_file.write_text(json.dumps(record, indent=2) + "\n")


@nox.session
def lint(session: nox.Session) -> None:
    """ruff: lint rules and formatting."""
    session.install("-e", ".[lint]")
    session.run("ruff", "check", *CODE)
    session.run("ruff", "format", "--check", *CODE)


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the app, the generated contract and the tests."""
    session.install("-e", ".[typecheck]")
    session.run(
        "mypy", "src/app", "generated/contract", "tests", "noxfile.py", "perf", "openapi/tools"
    )


@nox.session
def tests(session: nox.Session) -> None:
    """The whole test suite; PostgreSQL tests run when APP_TEST_POSTGRES_URL is set."""
    session.install("-e", ".[test]")
    models, routers = codegen_pythons(session)
    session.run(
        "pytest",
        # For CI to show each failure by test: reports/ holds the fuzz runs' reports too.
        f"--junitxml={ROOT / 'reports' / 'tests.xml'}",
        *session.posargs,
        env={
            "CODEGEN_MODELS_PYTHON": str(models),
            "CODEGEN_ROUTERS_PYTHON": str(routers),
        },
    )


def install_once(session: nox.Session, *args: str) -> None:
    """`pip install ARGS` in the session's environment, pip's progress shown, unless it has them.

    A stamp of the arguments and pyproject.toml says it does: installing again would only say
    "Requirement already satisfied" for a few seconds (an editable install follows src/ itself).
    The first time, pip downloads and builds every dependency (~40 s): its lines show which.
    """
    stamp = session.env_dir / "installed.sha256"
    digest = hashlib.sha256("\0".join([*args, (ROOT / "pyproject.toml").read_text()]).encode())
    if stamp.exists() and stamp.read_text() == digest.hexdigest():
        session.log(f"{session.env_dir} has the service installed (pyproject.toml unchanged)")
        return
    session.log(
        f"installing the service and its dependencies into {session.env_dir} "
        "(the first time: about 40 s of downloads)"
    )
    session.install(*args, silent=False)
    stamp.write_text(digest.hexdigest())


@nox.session
def serve(session: nox.Session) -> None:
    """Run the service (`python -m app serve`: uvicorn configured from APP_* settings, draining
    on SIGTERM) on SQLite under var/; arguments go to it (`-- --help` lists them)."""
    install_once(session, "-e", ".")
    session.log("starting the service; it says where it is once it is up (Ctrl+C stops it)")
    session.run("python", "-m", "app", "serve", *session.posargs)


@nox.session
def worker(session: nox.Session) -> None:
    """Deliver the email outbox in a process of its own (`python -m app worker`), for a service
    run with APP_OUTBOX_DISPATCHER=false, or beside it for more throughput; start as many as
    needed (on PostgreSQL they claim rows with FOR UPDATE SKIP LOCKED). Ctrl+C stops it."""
    install_once(session, "-e", ".")
    session.run("python", "-m", "app", "worker", *session.posargs)


@nox.session
def mock(session: nox.Session) -> None:
    """The contract served from its examples, no database (app/mock.py): the generated routers
    validate requests as the service does; arguments go to `python -m app serve` (`-- --port N`)."""
    session.install("-e", ".")
    session.run(
        "python", "-m", "app", "serve", "--factory", "app.mock:create_app", *session.posargs
    )


@nox.session
def env_example(session: nox.Session) -> None:
    """Rewrite .env.example from the settings' docstrings and defaults (app/env_example.py)."""
    session.install("-e", ".")
    session.run("python", "-m", "app", "env-example", "--output", str(ROOT / ".env.example"))


@nox.session
def fuzz(session: nox.Session) -> None:
    """Schemathesis CLI, every check and phase, against a local service or `-- --url URL`.

    JUnit reports land in reports/; SCHEMATHESIS_PROFILE=deep digs longer (tests/fuzz/run.py).
    """
    session.install("-e", ".[test]")
    session.run("python", "-m", "tests.fuzz.run", *session.posargs)


@nox.session
def mutants(session: nox.Session) -> None:
    """Plant each contract bug of tests/support/mutants.py in turn, fuzz in process, print the
    catch rate and the phase and check that caught each (tests/fuzz/mutants.py; `-- --quick`:
    only the operations each bug is planted in, `-- --only NAME ...`: those bugs)."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "tests.fuzz.mutants", *session.posargs)


@nox.session
def load(session: nox.Session) -> None:
    """Locust against a local service, e.g. `nox -s load -- -u 50 -r 10 -t 60s` (perf/run_load.py).

    `-- --workers N`: a Locust master and N workers. Fails on any error or a judged p95 over
    perf/thresholds.toml; reports land in perf/reports/.
    """
    session.install("-e", ".[perf]")
    session.run("python", "-m", "perf.run_load", *session.posargs)


@nox.session
def locust(session: nox.Session) -> None:
    """The `locust` command itself, for a service running elsewhere: master or worker of a
    many-machine run, e.g. `nox -s locust -- -f perf/locustfile.py --worker --master-host HOST`."""
    session.install("-e", ".[perf]")
    session.run("locust", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Requests/s of one uvicorn worker per route against a bare route, by wrk (perf/bench.py)."""
    session.install("-e", ".")
    session.run("python", "-m", "perf.bench", *session.posargs)


@nox.session
def request_cost(session: nox.Session) -> None:
    """Microseconds one request of each bench route takes in-process: commits compared steadily."""
    session.install("-e", ".")
    session.run("python", "-m", "perf.request_cost", *session.posargs)
