"""`nox -s fuzz`: the Schemathesis CLI against the service over HTTP, every check, every phase.

Every check: the shared configuration (tests/support/fuzzing.py) turns them all on, as
`--checks all` would, except where `fuzzing.NARROWED` says; `--mode all`; all four phases.

    python -m tests.fuzz.run [--profile ci|deep] [--seed N] [--url URL] [--reports DIR]
                             [-- options for `schemathesis run`]

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
"""

import argparse
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support import fuzzing, meaning, mutants

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0
LOGIN = "/api/v1/auth/login"
REGISTER = "/api/v1/auth/register"
SELF_DELETING = "deleteCurrentUser"
EMAIL_ENV, PASSWORD_ENV, TOKEN_ENV = "FUZZ_EMAIL", "FUZZ_PASSWORD", "FUZZ_TOKEN"


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


def signing_in(profile: fuzzing.Profile, *, seed: int | None) -> str:
    """The shared settings plus dynamic auth through `login`, credentials left as placeholders."""
    bearer = {
        "path": LOGIN,
        "method": "post",
        "payload": {"username": placeholder(EMAIL_ENV), "password": placeholder(PASSWORD_ENV)},
        "payload_content_type": "application/x-www-form-urlencoded",
        "extract_selector": "/access_token",
    }
    auth = {"dynamic": {"openapi": {"bearer": bearer}}}
    return fuzzing.config_toml({**fuzzing.settings(profile, seed=seed), "auth": auth})


def with_token(profile: fuzzing.Profile, *, seed: int | None) -> str:
    """The shared settings plus one fixed bearer token, left as a placeholder."""
    auth = {"openapi": {"bearer": {"bearer": placeholder(TOKEN_ENV)}}}
    return fuzzing.config_toml({**fuzzing.settings(profile, seed=seed), "auth": auth})


def runs(
    base_url: str, superuser: Credentials, profile: fuzzing.Profile, seed: int | None
) -> Iterator[Run]:
    """The two runs, each made when the one before has finished.

    The self-deleting account is registered only then: the first run fuzzes the superuser's
    `deleteUser` and `updateUser` too, which could delete or deactivate it, and then every
    case of the second run would be a 401 (a run of `.ci/run` warned of exactly that).
    """
    every_phase = ",".join(fuzzing.PHASES)
    # One operation alone has no links to follow: no stateful phase for the second run.
    stateless = ",".join(phase for phase in fuzzing.PHASES if phase != "stateful")
    yield Run(
        "schemathesis-fuzz",
        signing_in(profile, seed=seed),
        superuser.env,
        ["--phases", every_phase, "--exclude-operation-id", SELF_DELETING],
    )
    yield Run(
        "schemathesis-fuzz-self-delete",
        with_token(profile, seed=seed),
        {TOKEN_ENV: new_account_token(base_url)},
        ["--phases", stateless, "--include-operation-id", SELF_DELETING],
    )


def cli(base_url: str, run: Run, folder: Path, reports: Path, extra: list[str]) -> int:
    config_file = folder / f"{run.name}.toml"
    config_file.write_text(run.config)
    # Every check is on through the config file, not `--checks all`: a check named on the
    # command line overrides the per-operation `enabled = false` of `fuzzing.NARROWED`.
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(config_file),
        "run", f"{base_url}/openapi.json", "--url", base_url, "--mode", "all",
        "--report", "junit,json", "--report-junit-path", str(reports / f"{run.name}.xml"),
        "--report-json-path", str(reports / f"{run.name}.json"),
        *run.options, *extra,
    ]  # fmt: skip
    print("$", " ".join(command), flush=True)
    started = time.monotonic()
    env = {**os.environ, **run.env, **hooks_env()}
    code = subprocess.run(command, env=env, check=False).returncode
    print(f"{run.name}: exit {code} after {time.monotonic() - started:.1f} s", flush=True)
    return code


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
    wait_until_ready(base_url)
    profile = fuzzing.PROFILES[args.profile]
    print(f"profile {profile}, seed {args.seed}", flush=True)
    seed(base_url, superuser)
    codes = [
        cli(base_url, run, folder, reports, args.extra)
        for run in runs(base_url, superuser, profile, args.seed)
    ]
    if max(codes):
        print(replay_note(base_url, args, local=not args.url), flush=True)
    return max(codes)


def replay_note(base_url: str, args: argparse.Namespace, *, local: bool) -> str:
    """What the printed `curl` commands need: a token for `[Filtered]`, and a service to reach."""
    login = f"curl -s -X POST {base_url}{LOGIN} -d username=$FUZZ_EMAIL -d password=$FUZZ_PASSWORD"
    # A local run signs in as fuzz-root@example.com, with $FUZZ_PASSWORD when it is set.
    lines = [
        "",
        "Reproducing a failure: the `curl` commands print `Authorization: [Filtered]` so that no",
        "token lands in a CI log. Put a token of yours there, from:",
        f"    {login}   # its access_token",
    ]
    if local:
        again = ["nox -s fuzz --", "--profile", args.profile]
        again += [f"--seed {args.seed}"] if args.seed is not None else []
        again += [f"--mutant {args.mutant}"] if args.mutant else []
        seeded = f", seed {args.seed}" if args.seed is not None else ""
        lines += [
            f"The local service on {base_url} is stopped now; its run is deterministic (profile",
            f"`{args.profile}`{seeded}), so this starts a fresh one and finds the same failures",
            "again (reports in reports/; FUZZ_EMAIL=fuzz-root@example.com, and FUZZ_PASSWORD set",
            "beforehand makes the note's curl work against it):",
            "    " + " ".join(again),
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Schemathesis CLI against the service.")
    parser.add_argument("--url", help="fuzz this deployment instead of a local service")
    parser.add_argument("--profile", choices=fuzzing.PROFILES, default=fuzzing.profile().name)
    parser.add_argument("--seed", type=int, default=fuzzing.seed(), help="replay a run")
    parser.add_argument("--reports", type=Path, default=ROOT / "reports")
    parser.add_argument(
        "--mutant", choices=mutants.CATALOGUE, help="plant this contract bug in the local service"
    )
    parser.add_argument("extra", nargs="*", help="options for `schemathesis run`, after --")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        folder = Path(tmp)
        if args.url:
            return fuzz(args.url.rstrip("/"), from_environment(os.environ), args, folder)
        # FUZZ_PASSWORD chooses the local superuser's password, for the note's `curl` to sign in.
        password = os.environ.get(PASSWORD_ENV) or secrets.token_urlsafe(16)
        superuser = Credentials("fuzz-root@example.com", password)
        with local_service(folder, superuser, args.mutant) as base_url:
            return fuzz(base_url, superuser, args, folder)


if __name__ == "__main__":
    sys.exit(main())
