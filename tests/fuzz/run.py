"""`nox -s fuzz`: the Schemathesis CLI against the service over HTTP, every check, every phase.

Every check: the shared configuration (tests/support/fuzzing.py) turns them all on, as
`--checks all` would, except where `fuzzing.NARROWED` says; `--mode all`; all four phases.

    python -m tests.fuzz.run [--profile ci|deep] [--seed N] [--url URL] [--reports DIR]
                             [--mutant NAME] [--operations ID,...] [-- `schemathesis run` options]
    python -m tests.fuzz.run --replay CASE_ID [--mutant NAME] [--url URL] [--reports DIR]

Without `--url` it starts the service with uvicorn on 127.0.0.1, on a free port, with a
throw-away SQLite database and var dir in a temporary folder, a first superuser from settings
and rate limits off; fuzzes it; and stops it however the run ends. With `--url` it fuzzes
that deployment instead, signing in as `FUZZ_EMAIL` / `FUZZ_PASSWORD` (a superuser's, for the
admin operations to get past 403). Options after `--` go to the CLI, e.g. `--rate-limit 10/s`.

The CLI authenticates a run as one identity, so there are two runs, each with its JUnit report
under `reports/`:

1. every operation but `deleteCurrentUser`, as the superuser, through the config file's
   dynamic auth: the CLI signs in with `login` itself, and again when a token expires;
   the credentials reach it as environment variables, never written to disk;
2. `deleteCurrentUser` alone, with the token of an account registered for it, as a fixed
   bearer token in the config file: the first success deletes the account, and an account
   that no longer exists cannot sign in again. Every later case is then rightly a 401.

The exit status is 0 only if both runs found nothing.

Each run keeps Schemathesis' crash files in `reports/<run>-cache/` (tests/support/crashes.py):
a failing run ends with one `--replay CASE_ID` command per failing case, which starts a fresh
local service (with the same `--mutant`), signs in to it, and has `schemathesis replay` send
the recorded requests again and re-run the checks that failed; its exit status is 1 when the
failure is still there.
"""

import argparse
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from tests.support import crashes, fuzzing, junit, meaning, mutants

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0
LOGIN = "/api/v1/auth/login"
REGISTER = "/api/v1/auth/register"
SELF_DELETING = "deleteCurrentUser"
EMAIL_ENV, PASSWORD_ENV, TOKEN_ENV = "FUZZ_EMAIL", "FUZZ_PASSWORD", "FUZZ_TOKEN"
SIGNING_IN_RUN, SELF_DELETE_RUN = "schemathesis-fuzz", "schemathesis-fuzz-self-delete"


@dataclass(frozen=True, slots=True)
class Credentials:
    email: str
    password: str

    @property
    def env(self) -> dict[str, str]:
        return {EMAIL_ENV: self.email, PASSWORD_ENV: self.password}


@dataclass(frozen=True, slots=True)
class Run:
    name: str  # of its config file and JUnit report
    config: str  # TOML
    env: dict[str, str]  # what the config's `${...}` placeholders read
    options: list[str]


def placeholder(name: str) -> str:
    return "${" + name + "}"


def cli_settings(profile: fuzzing.Profile, seed: int | None, cache: Path | None) -> dict[str, Any]:
    """The shared settings; with `cache`, Schemathesis' cache on in that folder, for the crash
    files a replay reads (a folder emptied before each run, so no earlier failure replays first)."""
    settings = fuzzing.settings(profile, seed=seed)
    if cache is not None:
        settings["cache"] = {"enabled": True, "directory": str(cache)}
    return settings


def signing_in(profile: fuzzing.Profile, *, seed: int | None, cache: Path | None = None) -> str:
    """The shared settings plus dynamic auth through `login`, credentials left as placeholders."""
    bearer = {
        "path": LOGIN,
        "method": "post",
        "payload": {"username": placeholder(EMAIL_ENV), "password": placeholder(PASSWORD_ENV)},
        "payload_content_type": "application/x-www-form-urlencoded",
        "extract_selector": "/access_token",
    }
    auth = {"dynamic": {"openapi": {"bearer": bearer}}}
    return fuzzing.config_toml({**cli_settings(profile, seed, cache), "auth": auth})


def with_token(profile: fuzzing.Profile, *, seed: int | None, cache: Path | None = None) -> str:
    """The shared settings plus one fixed bearer token, left as a placeholder."""
    auth = {"openapi": {"bearer": {"bearer": placeholder(TOKEN_ENV)}}}
    return fuzzing.config_toml({**cli_settings(profile, seed, cache), "auth": auth})


def cache_of(reports: Path, run_name: str) -> Path:
    """Where a CLI run keeps its crash files: `reports/<run>-cache/`."""
    return reports / f"{run_name}-cache"


def runs(
    base_url: str,
    superuser: Credentials,
    profile: fuzzing.Profile,
    seed: int | None,
    reports: Path,
    only: list[str] | None = None,
) -> Iterator[Run]:
    """The two runs, each made when the one before has finished.

    The self-deleting account is registered only then: the first run fuzzes the superuser's
    `deleteUser` and `updateUser` too, which could delete or deactivate it, and then every
    case of the second run would be a 401 (a run of `.ci/run` warned of exactly that).
    `only` narrows the runs to those operationIds (the second run is left out unless named),
    without the stateful phase, whose links lead to operations left out (`-- --phases ...`
    puts it back).
    """
    every_phase = ",".join(fuzzing.PHASES)
    # One operation alone has no links to follow: no stateful phase for the second run.
    stateless = ",".join(phase for phase in fuzzing.PHASES if phase != "stateful")
    chosen = [f"--include-operation-id={name}" for name in only or () if name != SELF_DELETING]
    if chosen or not only:
        yield Run(
            SIGNING_IN_RUN,
            signing_in(profile, seed=seed, cache=cache_of(reports, SIGNING_IN_RUN)),
            superuser.env,
            [
                "--phases",
                stateless if only else every_phase,
                "--exclude-operation-id",
                SELF_DELETING,
                *chosen,
            ],
        )
    if not only or SELF_DELETING in only:
        yield Run(
            SELF_DELETE_RUN,
            with_token(profile, seed=seed, cache=cache_of(reports, SELF_DELETE_RUN)),
            {TOKEN_ENV: new_account_token(base_url)},
            ["--phases", stateless, "--include-operation-id", SELF_DELETING],
        )


def cli(base_url: str, run: Run, folder: Path, args: argparse.Namespace) -> int:
    reports: Path = args.reports
    config_file = folder / f"{run.name}.toml"
    config_file.write_text(run.config)
    shutil.rmtree(cache_of(reports, run.name), ignore_errors=True)  # this run's failures only
    # Every check is on through the config file, not `--checks all`: a check named on the
    # command line overrides the per-operation `enabled = false` of `fuzzing.NARROWED`.
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(config_file),
        "run", f"{base_url}/openapi.json", "--url", base_url, "--mode", "all",
        "--report", "junit,json", "--report-junit-path", str(reports / f"{run.name}.xml"),
        "--report-json-path", str(reports / f"{run.name}.json"),
        *run.options, *args.extra,
    ]  # fmt: skip
    print("$", " ".join(command), flush=True)
    started = time.monotonic()
    env = {**os.environ, **run.env, **hooks_env()}
    code = subprocess.run(command, env=env, check=False).returncode
    print(f"{run.name}: exit {code} after {time.monotonic() - started:.1f} s", flush=True)
    regroup(reports / f"{run.name}.xml", cache_of(reports, run.name), args)
    return code


def regroup(report: Path, cache: Path, replay_args: argparse.Namespace) -> None:
    """The JUnit report with its stateful failures under the operations that failed."""
    if not report.exists():
        return
    operations = {failure.case_id: failure.operation for failure in crashes.failures(cache)}
    paths = yaml.safe_load((ROOT / "openapi" / "openapi.yaml").read_text())["paths"]
    moved = junit.by_operation(
        report, operations, junit.label_rules(paths), lambda case: replay_command(case, replay_args)
    )
    if moved:
        print(f"{report.name}: {moved} stateful failure(s) filed under their operations")


def hooks_env() -> dict[str, str]:
    """The checks and hooks of tests/support/meaning.py, loaded by the CLI from tests/fuzz/hooks.py
    (the project root on the path, so `tests` imports however the CLI is started)."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return {"SCHEMATHESIS_HOOKS": "tests.fuzz.hooks", "PYTHONPATH": path}


def new_account_token(base_url: str) -> str:
    """The access token of an account registered just now."""
    email, password = f"fuzz-{secrets.token_hex(6)}@example.com", secrets.token_urlsafe(16)
    with httpx.Client(base_url=base_url, timeout=30) as client:
        registered = client.post(REGISTER, json={"email": email, "password": password})
        if registered.status_code != 201:
            raise SystemExit(f"registering {email}: {registered.status_code} {registered.text}")
    return sign_in(base_url, Credentials(email, password))


def sign_in(base_url: str, who: Credentials) -> str:
    with httpx.Client(base_url=base_url, timeout=30) as client:
        login = client.post(LOGIN, data={"username": who.email, "password": who.password})
        if login.status_code != 200:
            raise SystemExit(f"signing in as {who.email}: {login.status_code} {login.text}")
    token: str = login.json()["access_token"]
    return token


def seed(base_url: str, superuser: Credentials) -> None:
    """Items and posts of two accounts, for the checks of filters and order to bite on."""
    tokens = [sign_in(base_url, superuser), new_account_token(base_url)]
    with httpx.Client(base_url=base_url, timeout=30) as client:
        meaning.seed(client, tokens)


def wait_until_ready(base_url: str, process: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise SystemExit(f"the service exited with {process.returncode} before it was ready")
        try:
            if httpx.get(f"{base_url}/health/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{base_url}/health/ready did not answer 200 within {READY_TIMEOUT_S:.0f} s")


@contextmanager
def local_service(folder: Path, superuser: Credentials, mutant: str | None = None) -> Iterator[str]:
    """`python -m app serve` on 127.0.0.1 with its own SQLite database under `folder`; yields the
    base URL.

    The socket is bound here and handed to the server (`--fd`), so no other process can take the
    port between choosing it and serving on it.
    """
    settings = {
        "APP_VAR_DIR": str(folder / "var"),
        "APP_SECRET_KEY": secrets.token_urlsafe(48),
        "APP_FIRST_SUPERUSER_EMAIL": superuser.email,
        "APP_FIRST_SUPERUSER_PASSWORD": superuser.password,
        # Fuzzing sends thousands of `register` and `login` calls: no 429 after the 20th.
        "APP_RATE_LIMIT_ENABLED": "false",
        # Every response checked against the contract by the service too: a violation is a 500.
        "APP_VALIDATE_RESPONSES": "true",
        # A throw-away database: the hashing cost the floor asks for only slows the run down.
        "APP_INSECURE_FAST_PASSWORD_HASHING": "true",
        "APP_ARGON2_MEMORY_KIB": "64",
        "APP_ARGON2_TIME_COST": "1",
        "APP_SHUTDOWN_DRAIN_S": "0",  # no load balancer to drain: stop at once when done
    }
    factory = []
    if mutant:  # one planted contract bug (tests/support/mutants.py), never in a real service
        factory = ["--factory", "tests.support.mutants:create_app"]
        path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
        settings |= {mutants.MUTANT_ENV: mutant, "PYTHONPATH": path}
    env = {k: v for k, v in os.environ.items() if not k.startswith("APP_")} | settings
    (folder / "var").mkdir()  # the default database goes there; only a dev secret creates it
    log = folder / "uvicorn.log"
    with socket.socket() as listener, log.open("wb") as output:
        listener.bind((HOST, 0))
        listener.listen(128)
        base_url = f"http://{HOST}:{listener.getsockname()[1]}"
        process = subprocess.Popen(
            [sys.executable, "-m", "app", "serve",
             "--fd", str(listener.fileno()), "--log-level", "warning", *factory],
            env=env, cwd=folder, stdout=output, stderr=subprocess.STDOUT,  # no one's `.env`
            pass_fds=[listener.fileno()],
        )  # fmt: skip
        try:
            try:
                wait_until_ready(base_url, process)
            except SystemExit:
                sys.stderr.write(log.read_text(errors="replace")[-4000:])
                raise
            print(f"service on {base_url}, database in {folder}", flush=True)
            yield base_url
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(STOP_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def from_environment(environ: Mapping[str, str]) -> Credentials:
    missing = [name for name in (EMAIL_ENV, PASSWORD_ENV) if not environ.get(name)]
    if missing:
        raise SystemExit(f"--url needs {' and '.join(missing)}: a superuser's email and password")
    return Credentials(environ[EMAIL_ENV], environ[PASSWORD_ENV])


def fuzz(base_url: str, superuser: Credentials, args: argparse.Namespace, folder: Path) -> int:
    reports: Path = args.reports
    reports.mkdir(parents=True, exist_ok=True)
    for name in (SIGNING_IN_RUN, SELF_DELETE_RUN):  # a narrowed run leaves no stale failures
        shutil.rmtree(cache_of(reports, name), ignore_errors=True)
    wait_until_ready(base_url)
    profile = fuzzing.PROFILES[args.profile]
    print(f"profile {profile}, seed {args.seed}", flush=True)
    seed(base_url, superuser)
    codes = [
        cli(base_url, run, folder, args)
        for run in runs(base_url, superuser, profile, args.seed, reports, args.operations)
    ]
    if max(codes):
        print(replay_note(base_url, args, local=not args.url), flush=True)
    return max(codes)


def replay_command(case_id: str, args: argparse.Namespace) -> str:
    command = ["nox -s fuzz --", "--replay", case_id]
    command += [f"--mutant {args.mutant}"] if args.mutant else []
    command += [f"--url {args.url}"] if args.url else []
    command += [f"--reports {args.reports}"] if args.reports != ROOT / "reports" else []
    return " ".join(command)


def replay_note(base_url: str, args: argparse.Namespace, *, local: bool) -> str:
    """How to replay each failure, and what the printed `curl` commands need: a token for
    `[Filtered]`, and a service to reach."""
    found = [
        failure
        for name in (SIGNING_IN_RUN, SELF_DELETE_RUN)
        for failure in crashes.failures(cache_of(args.reports, name))
    ]
    lines = [
        "",
        f"Replaying a failure: {len(found)} failing case(s) kept in {args.reports}/*-cache/. Each",
        "command below starts a fresh local service"
        + (f" (with the mutant {args.mutant})" if args.mutant else "")
        + ", signs in to it, sends the case's",
        "requests again and says whether the same checks fail (Schemathesis' `st replay ID` hint",
        "above needs a service and a token; these bring their own):",
    ]
    if not local:
        lines[2] = f"command below signs in to {args.url} as $FUZZ_EMAIL, sends the case's"
    lines += [
        f"    {replay_command(f.case_id, args)}   # {f.operation}, {f.phase}: {', '.join(f.checks)}"
        for f in found
    ]
    login = f"curl -s -X POST {base_url}{LOGIN} -d username=$FUZZ_EMAIL -d password=$FUZZ_PASSWORD"
    # A local run signs in as fuzz-root@example.com, with $FUZZ_PASSWORD when it is set.
    lines += [
        "",
        "The `curl` commands print `Authorization: [Filtered]` so that no token lands in a CI",
        "log. Against a service you run, put a token of yours there, from:",
        f"    {login}   # its access_token",
    ]
    if local:
        again = ["nox -s fuzz --", "--profile", args.profile]
        again += [f"--seed {args.seed}"] if args.seed is not None else []
        again += [f"--mutant {args.mutant}"] if args.mutant else []
        seeded = f", seed {args.seed}" if args.seed is not None else ""
        lines += [
            f"The local service on {base_url} is stopped now; the run is deterministic (profile",
            f"`{args.profile}`{seeded}), so this runs it all again and finds the same failures:",
            "    " + " ".join(again),
        ]
    return "\n".join(lines)


def replay(base_url: str, superuser: Credentials, args: argparse.Namespace, folder: Path) -> int:
    """`--replay CASE_ID`: `schemathesis replay` of a kept failing case against `base_url`, signed
    in the way the run that found it was. Exit status 1: the failure is still there."""
    reports: Path = args.reports
    caches = [cache_of(reports, name) for name in (SIGNING_IN_RUN, SELF_DELETE_RUN)]
    cache = crashes.holding(caches, args.replay)
    if cache is None:
        raise SystemExit(
            f"no failing case {args.replay} in {reports}/*-cache/ (a later run replaced it?)"
        )
    [failure] = [f for f in crashes.failures(cache) if f.case_id == args.replay]
    wait_until_ready(base_url)
    seed(base_url, superuser)  # the data the run saw: the checks of filters and order bite on it
    profile = fuzzing.PROFILES[args.profile]
    name = SIGNING_IN_RUN if cache == caches[0] else SELF_DELETE_RUN
    only = [SELF_DELETING] if name == SELF_DELETE_RUN else None
    [run] = [r for r in runs(base_url, superuser, profile, None, reports, only) if r.name == name]
    config_file = folder / f"{run.name}-replay.toml"
    config_file.write_text(run.config)
    # The case's crash files only, with the links the run did not follow taken out.
    kept = crashes.for_replay(cache, args.replay, folder / "crashes")
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(config_file),
        "replay", str(kept), "--url", base_url,
        "--schema-location", f"{base_url}/openapi.json",
    ]  # fmt: skip
    what = f"{failure.steps} request(s), failed {', '.join(failure.checks)}"
    print(
        f"replaying {args.replay}: {failure.operation}, {failure.phase} phase, {what}", flush=True
    )
    print("$", " ".join(command), flush=True)
    env = {**os.environ, **run.env, **hooks_env()}
    code = subprocess.run(command, env=env, check=False).returncode
    verdict = {0: "passes now: the failure is gone", 1: "fails again: the failure reproduces"}
    print(f"replay of {args.replay}: {verdict.get(code, f'could not replay (exit {code})')}")
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Schemathesis CLI against the service.")
    parser.add_argument("--url", help="fuzz this deployment instead of a local service")
    parser.add_argument("--profile", choices=fuzzing.PROFILES, default=fuzzing.profile().name)
    parser.add_argument("--seed", type=int, default=fuzzing.seed(), help="replay a run")
    parser.add_argument("--reports", type=Path, default=ROOT / "reports")
    parser.add_argument(
        "--mutant", choices=mutants.catalogue(), help="plant this contract bug in the local service"
    )
    parser.add_argument(
        "--operations",
        type=lambda value: [name for name in value.split(",") if name],
        help="only these operationIds, comma-separated",
    )
    parser.add_argument("--replay", metavar="CASE_ID", help="replay a failing case of the last run")
    parser.add_argument("extra", nargs="*", help="options for `schemathesis run`, after --")
    args = parser.parse_args(argv)
    act = replay if args.replay else fuzz
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        folder = Path(tmp)
        if args.url:
            return act(args.url.rstrip("/"), from_environment(os.environ), args, folder)
        # FUZZ_PASSWORD chooses the local superuser's password, for the note's `curl` to sign in.
        password = os.environ.get(PASSWORD_ENV) or secrets.token_urlsafe(16)
        superuser = Credentials("fuzz-root@example.com", password)
        with local_service(folder, superuser, args.mutant) as base_url:
            return act(base_url, superuser, args, folder)


if __name__ == "__main__":
    sys.exit(main())
