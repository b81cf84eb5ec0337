"""How Schemathesis fuzzes the service: one configuration for the in-process suite and the CLI.

Both read the TOML text `config_toml` renders, so a check switched on or an expected status
added here holds for both. Every check Schemathesis has is on, bar the operations in
`NARROWED`; `max_response_time` needs a limit, so it gets one. A profile trades depth for
time: `ci` is deterministic and bounded, `deep` random and long; the environment variable
`SCHEMATHESIS_PROFILE` picks one, and `SCHEMATHESIS_SEED` replays a `deep` run.
"""

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PROFILE_ENV = "SCHEMATHESIS_PROFILE"
# Comma-separated operationIds the in-process suite is narrowed to (`nox -s mutants -- --quick`).
OPERATIONS_ENV = "FUZZ_OPERATIONS"
SEED_ENV = "SCHEMATHESIS_SEED"
# argon2 at the OWASP floor, a database on a loaded CI machine: generous, yet a hang still fails.
MAX_RESPONSE_TIME_S = 5.0
# Schemathesis' default for `positive_data_acceptance`: what a schema-valid request may get.
POSITIVE_DEFAULT = ("2xx", "3xx", "401", "403", "404", "409", "429", "5xx")
# A schema-valid request that still gets a status the contract declares for a reason no schema
# can express. These widen `positive_data_acceptance` for one operation each.
DECLARED_REFUSALS: Mapping[str, tuple[str, str]] = {
    "changePassword": ("400", "a generated current_password is not the account's password"),
    "resetPassword": ("400", "a generated token is no emailed link's"),
    "verifyEmail": ("400", "a generated token is no emailed link's"),
    "updateItem": ("412", "a generated If-Match is not the item's current ETag"),
    "updatePost": ("412", "a generated If-Match is not the post's current ETag"),
}
# Checks switched off for one operation each, because they misread it: the README lists each
# with its Schemathesis issue.
NARROWED: Mapping[str, tuple[str, str]] = {
    # A post is one resource at two URIs. After `DELETE /posts/{post_id}` the slug URI rightly
    # answers 404, but the check only counts a DELETE of a prefix of the URI read as a removal.
    "getPostBySlug": ("ensure_resource_availability", "deleted through /posts/{post_id}"),
}
# Phases as the CLI names them; the in-process suite runs the first three per operation and
# the stateful one as a state machine.
PHASES = ("examples", "coverage", "fuzzing", "stateful")


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    max_examples: int  # per operation, in the fuzzing phase; the coverage phase adds its own
    scenarios: int  # stateful scenarios the in-process state machine runs
    max_steps: int  # API calls per stateful scenario at most
    deterministic: bool  # derandomized: the same cases on every run, no seed needed


PROFILES: Mapping[str, Profile] = {
    "ci": Profile("ci", max_examples=100, scenarios=300, max_steps=10, deterministic=True),
    "deep": Profile("deep", max_examples=500, scenarios=2000, max_steps=20, deterministic=False),
}


def profile(environ: Mapping[str, str] = os.environ) -> Profile:
    name = environ.get(PROFILE_ENV, "ci")
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"{PROFILE_ENV}={name!r}: use one of {', '.join(PROFILES)}") from None


def operations(environ: Mapping[str, str] = os.environ) -> list[str]:
    """The operationIds `FUZZ_OPERATIONS` narrows the in-process suite to; empty: all."""
    return [name for name in environ.get(OPERATIONS_ENV, "").split(",") if name]


def seed(environ: Mapping[str, str] = os.environ) -> int | None:
    """The seed `SCHEMATHESIS_SEED` asks for, to replay a run; None lets Hypothesis pick."""
    value = environ.get(SEED_ENV)
    return int(value) if value else None


def settings(chosen: Profile, *, seed: int | None = None) -> dict[str, Any]:
    """The Schemathesis configuration shared by both runs, as the data its TOML file holds."""
    config: dict[str, Any] = {
        "generation": {
            "mode": "all",  # positive and negative data
            "max-examples": chosen.max_examples,
            "deterministic": chosen.deterministic and seed is None,
            # Hypothesis' example database would replay old failures: a run depends only on its
            # profile and seed.
            "database": "none",
        },
        # The CLI's crash cache (`.schemathesis/`) would replay earlier failures first: off.
        "cache": {"enabled": False},
        "checks": {"max_response_time": MAX_RESPONSE_TIME_S},
        "phases": {
            "stateful": {"max-steps": chosen.max_steps},
            # Off in the fuzzing phase: with the ids earlier responses captured it drew existing
            # resources 4 times in 5, and under Hypothesis' bias to simple draws every time, so
            # a path parameter never named a missing resource and `getItem` answering 412 for
            # one passed (README "Fuzzing against the contract"). The examples, coverage and
            # stateful phases still use real ids, and tests/support/meaning.py feeds ETags.
            "fuzzing": {"extra-data-sources": {"responses": False}},
        },
        "operations": [
            *(
                {
                    "include-operation-id": operation_id,
                    "checks": {
                        "positive_data_acceptance": {
                            "expected-statuses": [*POSITIVE_DEFAULT, status]
                        }
                    },
                }
                for operation_id, (status, _why) in DECLARED_REFUSALS.items()
            ),
            *(
                {"include-operation-id": operation_id, "checks": {check: {"enabled": False}}}
                for operation_id, (check, _why) in NARROWED.items()
            ),
        ],
    }
    if seed is not None:
        config["seed"] = seed
    return config


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def config_toml(data: Mapping[str, Any]) -> str:
    """`data` as TOML: tables of scalars and lists, and arrays of tables (`[[operations]]`).

    Python reads TOML but cannot write it; this is enough for the configuration above.
    """
    lines: list[str] = []
    _table(lines, [], data)
    return "\n".join(lines).strip() + "\n"


def _table(lines: list[str], path: list[str], data: Mapping[str, Any]) -> None:
    arrays = {k: v for k, v in data.items() if _is_array_of_tables(v)}
    tables = {k: v for k, v in data.items() if isinstance(v, Mapping) and not path}
    for key, value in data.items():
        if key not in arrays and key not in tables:
            lines.extend(_assignments([key], value))
    for key, value in tables.items():
        lines += ["", f"[{_key([*path, key])}]"]
        _table(lines, [*path, key], value)
    for key, entries in arrays.items():
        for entry in entries:
            lines += ["", f"[[{_key([*path, key])}]]"]
            _table(lines, [*path, key], entry)


def _assignments(keys: list[str], value: Any) -> list[str]:
    """Nested tables inside a table become dotted keys: `checks.x.expected-statuses = [...]`."""
    if isinstance(value, Mapping):
        return [line for k, v in value.items() for line in _assignments([*keys, k], v)]
    return [f"{_key(keys)} = {_value(value)}"]


def _is_array_of_tables(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)


def _key(parts: list[str]) -> str:
    return ".".join(part if _BARE_KEY.fullmatch(part) else json.dumps(part) for part in parts)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"no TOML for {type(value).__name__}: {value!r}")
