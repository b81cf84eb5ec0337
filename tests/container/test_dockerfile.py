"""What the Dockerfile promises, read from its text; tests/container/test_image.py builds it."""

import re
from pathlib import Path

from app.settings import Settings

PROJECT = Path(__file__).resolve().parents[2]
DOCKERFILE = (PROJECT / "Dockerfile").read_text()


def instructions(name: str) -> list[str]:
    """The arguments of every `name` instruction, continuation lines joined."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE)
    return [line.split(None, 1)[1] for line in joined.splitlines() if line.startswith(f"{name} ")]


def test_the_base_is_an_argument_defaulting_to_python_slim() -> None:
    assert instructions("ARG")[0] == "BASE=python:3.12-slim"
    assert instructions("FROM") == ["${BASE} AS build", "${BASE} AS runtime"]


def test_the_settings_it_sets_exist() -> None:
    fields = {f"APP_{name.upper()}" for name in Settings.model_fields}
    names = set(re.findall(r"\b(APP_[A-Z0-9_]+)=", " ".join(instructions("ENV"))))
    assert names, "the image sets APP_VAR_DIR at least"
    assert names <= fields, names - fields


def test_it_runs_as_a_user_of_its_own_with_a_health_check() -> None:
    (user,) = instructions("USER")
    assert user.split(":")[0] not in {"root", "0"}
    (health,) = instructions("HEALTHCHECK")
    assert "/health/ready" in health
    assert DOCKERFILE.index("USER ") > DOCKERFILE.index("COPY --from=build")


def test_secrets_and_local_state_stay_out_of_the_build_context() -> None:
    """.dockerignore is an allowlist: only what the Dockerfile copies is sent to the builder."""
    lines = [
        line
        for line in (PROJECT / ".dockerignore").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert lines[0] == "*"
    allowed = {line[1:].rstrip("/") for line in lines if line.startswith("!")}
    copied = {
        source.rstrip("/")
        for arguments in instructions("COPY")
        if not arguments.startswith("--from")
        for source in arguments.split()[:-1]
    }
    assert copied <= allowed, copied - allowed
    assert not allowed & {".env", "var", ".git", ".nox", "reports", "tests"}
