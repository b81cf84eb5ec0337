"""Every task of the project, one nox session each: `nox -l` lists them."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
CODEGEN = ROOT / "openapi" / "codegen"
CODE = ["src", "generated", "tests", "noxfile.py", "openapi/codegen"]

nox.options.default_venv_backend = "venv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["check_generated", "lint", "typecheck", "tests"]


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
            session.run(sys.executable, "-m", "venv", "--clear", str(venv), external=True)
            session.run(
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
    """Regenerate generated/contract/ from openapi/openapi.yaml."""
    _build(session, *session.posargs)


@nox.session(python=False)
def check_generated(session: nox.Session) -> None:
    """Fail, with a diff, when generated/ is not exactly what the spec produces."""
    _build(session, "--check")


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
    session.run("mypy", "src/app", "generated/contract", "tests", "noxfile.py")


@nox.session
def tests(session: nox.Session) -> None:
    """The whole test suite; PostgreSQL tests run when APP_TEST_POSTGRES_URL is set."""
    session.install("-e", ".[test]")
    models, routers = codegen_pythons(session)
    session.run(
        "pytest",
        *session.posargs,
        env={
            "CODEGEN_MODELS_PYTHON": str(models),
            "CODEGEN_ROUTERS_PYTHON": str(routers),
        },
    )


@nox.session
def serve(session: nox.Session) -> None:
    """Run the service with uvicorn on SQLite under var/; arguments go to uvicorn."""
    session.install("-e", ".")
    session.run("uvicorn", "--factory", "app.main:create_app", *session.posargs)
