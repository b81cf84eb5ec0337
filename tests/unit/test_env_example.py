"""`.env.example` is what app/env_example.py makes from Settings: every setting, its meaning (the
field's docstring) and its default, commented out, so that copying it to `.env` changes nothing."""

import re
from pathlib import Path

import pytest

from app import env_example
from app.__main__ import main
from app.settings import Settings, env_name

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / ".env.example"
SETTING_LINE = re.compile(r"#(APP_[A-Z0-9_]+)=(.*)")


def _shown() -> dict[str, str]:
    """Each setting's line in the rendered file, by variable name: what it shows as the value."""
    return {
        match[1]: match[2]
        for match in map(SETTING_LINE.fullmatch, env_example.render().splitlines())
        if match
    }


def test_the_file_is_what_the_current_settings_make() -> None:
    assert EXAMPLE.read_text() == env_example.render(), (
        f".env.example is not what Settings make: run `{env_example.REGENERATE}`"
    )


def test_python_m_app_env_example_prints_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["env-example"]) == 0
    assert capsys.readouterr().out == env_example.render()


def test_every_setting_is_listed_once_with_a_meaning() -> None:
    assert list(_shown()) == [env_name(name) for name in Settings.model_fields]
    assert [name for name, field in Settings.model_fields.items() if not field.description] == []


def test_secrets_are_never_given_a_value() -> None:
    secrets = [
        env_name(name) for name, f in Settings.model_fields.items() if env_example.is_secret(f)
    ]
    assert secrets == ["APP_SECRET_KEY", "APP_FIRST_SUPERUSER_PASSWORD", "APP_SMTP_URL"]
    assert {name: _shown()[name] for name in secrets} == dict.fromkeys(secrets, "")


def test_a_setting_shown_empty_says_what_empty_means() -> None:
    """Computed defaults (a database under var_dir, the CPUs less one) are stated in words."""
    empty = [name for name, value in _shown().items() if value == ""]
    assert "APP_DATABASE_URL" in empty
    for field, name in ((field, env_name(field)) for field in Settings.model_fields):
        if name in empty:
            assert "Empty" in str(Settings.model_fields[field].description), name


def test_uncommenting_every_line_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The values shown are the defaults, spelt so that `.env` reads them back as such."""
    monkeypatch.chdir(tmp_path)  # the default var_dir, `var`, is relative
    dotenv = tmp_path / ".env"
    rendered = env_example.render().splitlines()
    dotenv.write_text("\n".join(line[1:] for line in rendered if SETTING_LINE.fullmatch(line)))
    from_example = Settings(_env_file=dotenv)
    assert from_example == Settings(_env_file=None)
    # Read, not skipped: every line with a value set its setting (an empty one means the default).
    shown = {name for name, value in _shown().items() if value}
    assert shown <= {env_name(field) for field in from_example.model_fields_set}
