"""`.env.example`: every setting with its meaning and default, written from `Settings`.

The meanings are the fields' docstrings and the defaults their defaults, so the file cannot say
anything `Settings` does not. `python -m app env-example` prints it (also where the service is
installed without this repository); `nox -s env_example` rewrites the repository's copy, and
tests/unit/test_env_example.py fails when that copy is not what this module makes.
"""

import json
import re
import textwrap
from pathlib import Path

from pydantic import SecretStr
from pydantic.fields import FieldInfo

from app.settings import ENV_FILE, Settings, env_name

WIDTH = 100
REGENERATE = "nox -s env_example"
# Shown bare; anything else (spaces, JSON's quotes) single-quoted, which python-dotenv and
# compose's env_file both read literally.
BARE = re.compile(r"[A-Za-z0-9_.,/:@+-]*")

HEADER = """\
Every setting of the service, commented out at its default: copy this file to `{env_file}` and
uncomment what you change. Written from src/app/settings.py by `{regenerate}` (`python -m app
env-example` prints it); edit the docstrings there, not this file.

`{env_file}` is read from the working directory the service starts in, and an environment variable
wins over the same name in it. Lines not starting with APP_ are ignored (compose reads the same
file), and an APP_ name that is no setting stops the service at start. An empty value (`APP_X=`)
means the default. Secrets ({secrets}) are never given a value here."""


def render() -> str:
    """The text of `.env.example` for the current `Settings`."""
    secrets = [env_name(name) for name, field in Settings.model_fields.items() if is_secret(field)]
    header = HEADER.format(env_file=ENV_FILE, regenerate=REGENERATE, secrets=", ".join(secrets))
    lines = _comment(header)
    for name, field in Settings.model_fields.items():
        if not field.description:
            raise ValueError(f"Settings.{name} has no docstring: say what the setting means")
        lines += ["", *_comment(field.description), f"#{env_name(name)}={_default(name, field)}"]
    return "\n".join(lines) + "\n"


def write(path: Path) -> None:
    path.write_text(render())


def _comment(text: str) -> list[str]:
    """`# ` lines, each paragraph of `text` refilled to the width (docstrings are indented)."""
    lines: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        if lines:
            lines.append("#")
        words = " ".join(paragraph.split())
        wrapped = textwrap.wrap(words, WIDTH - 2, break_long_words=False, break_on_hyphens=False)
        lines += [f"# {line}" for line in wrapped]
    return lines


def is_secret(field: FieldInfo) -> bool:
    return field.annotation is SecretStr


def _default(name: str, field: FieldInfo) -> str:
    """The default as `.env` spells it; empty where the docstring says what empty means."""
    if is_secret(field):
        return ""  # never a value for a secret, not even an empty-looking one
    value = field.get_default(call_default_factory=True, validated_data={})
    if value is None or value == []:
        return ""
    if isinstance(value, bool):
        text = str(value).lower()
    elif isinstance(value, float):
        text = f"{value:g}"
    elif isinstance(value, list):
        text = json.dumps(value, separators=(",", ":"))
    else:
        text = str(value)
    if BARE.fullmatch(text):
        return text
    if "'" in text or "\n" in text:
        raise ValueError(f"Settings.{name}: no way to quote its default {text!r} in {ENV_FILE}")
    return f"'{text}'"
