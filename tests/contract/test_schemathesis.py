"""Schemathesis against `create_app(settings)` in process: every operation, every check.

The spec is loaded from openapi/openapi.yaml (the contract, not what FastAPI derives). Each
operation runs Schemathesis' examples, coverage and fuzzing phases with positive and negative
data; `test_stateful` then runs the state machine that follows the spec's `links` (and the
ones Schemathesis infers). The configuration, profiles included, is `tests.support.fuzzing`'s,
shared with `nox -s fuzz`.

Identities. Schemathesis asks for a token while it *generates* a case, which for the coverage
phase happens when pytest collects this module, before any fixture has built the app. So the
auth provider writes the role a case needs as a placeholder, and the test swaps in that role's
real token just before the call:

- operations marked `x-superuser-only` run as the first superuser;
- every other secured or token-optional operation runs as a normal user registered for that
  operation's test, so the ordinary path is what gets exercised and a fuzzed account (say,
  deactivated by `updateUser`) never leaks into the next operation;
- `deleteCurrentUser` gets a fresh account for every case: it succeeds, so it would otherwise
  delete the identity every later case uses;
- the stateful scenarios run as the superuser (again bar `deleteCurrentUser`), so links reach
  everything: the admin operations on accounts `register` created, drafts, other users' items.

Rate limits are off: thousands of `register` and `login` calls would otherwise be answered
429 after the 20th, and the stateful links from `register` would starve.
`tests/api/test_rate_limit.py` covers the limits themselves.
"""

import os
import random
import tomllib
from collections import Counter
from collections.abc import Iterator
from typing import Any, Literal, cast

import hypothesis
import pytest
import schemathesis
from hypothesis.errors import Flaky
from schemathesis import Case
from schemathesis.auths import AuthContext
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import HttpBearerAuthConfig, SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from schemathesis.core.transport import Response
from schemathesis.generation.stateful.state_machine import APIStateMachine, StepInput, StepOutput
from schemathesis.python import asgi
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.schemas import OpenApiSchema
from starlette.types import ASGIApp

from app.main import create_app
from app.settings import Settings
from tests.fuzz import run
from tests.support import catches, fuzzing, meaning, mutants
from tests.support.accounts import (
    LOGIN,
    PASSWORD,
    REGISTER,
    SUPERUSER_EMAIL,
    SUPERUSER_PASSWORD,
    new_email,
)
from tests.support.contract import SPEC_PATH, spec
from tests.support.operations import by_id, operations
from tests.support.settings import FAST_HASHING, TEST_HOSTS, TEST_SECRET

Role = Literal["user", "superuser", "throwaway"]
AnyCase = Case[Any]
PLACEHOLDER = "Bearer schemathesis-role:"
# The spec's mark of an administration operation.
SUPERUSER_ONLY = "x-superuser-only"
# Succeeds with any valid token and deletes the account behind it.
SELF_DELETING = "deleteCurrentUser"
# Schemathesis' ASGI client sends this Host; the spec's own server is a real address.
BASE_URL = f"http://{asgi.HOST}"
SUMMARY = "schemathesis-summary"
PROFILE = fuzzing.profile()
# `ci` is derandomized and needs no seed; a `deep` run picks one and prints it, for
# SCHEMATHESIS_SEED to replay the run.
SEED = fuzzing.seed()
if SEED is None and not PROFILE.deterministic:
    SEED = random.getrandbits(32)


def load_schema() -> OpenApiSchema:
    data = {**fuzzing.settings(PROFILE, seed=SEED), "base-url": BASE_URL}
    config = SchemathesisConfig.from_str(fuzzing.config_toml(data))
    return schemathesis.openapi.from_path(SPEC_PATH, config=config)


def fuzzed_schema() -> OpenApiSchema:
    """The schema `test_operation` fuzzes: every operation, or those `FUZZ_OPERATIONS` names."""
    chosen = fuzzing.operations()
    loaded = load_schema()
    return loaded.include(operation_id=chosen) if chosen else loaded  # type: ignore[return-value]


def role_for(operation_id: str, *, stateful: bool) -> Role | None:
    """Who calls an operation: None for a public one, which is tested without a token."""
    operation = by_id(operation_id)
    definition = spec()["paths"][operation.path][operation.method.lower()]
    if not any(definition.get("security", spec().get("security", []))):
        return None  # `security: []`: nothing to authenticate
    if operation_id == SELF_DELETING:
        return "throwaway"
    return "superuser" if stateful or definition.get(SUPERUSER_ONLY) else "user"


class AppUnderTest:
    """The ASGI app Schemathesis calls: it forwards to the app the `service` fixture builds.

    Schemathesis binds each operation to an app when pytest collects this module, before any
    fixture runs; this stands in for the app until then.
    """

    def __init__(self) -> None:
        self.target: ASGIApp | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        assert self.target is not None, "the `service` fixture has not started the app"
        await self.target(scope, receive, send)


APP = AppUnderTest()


class Identities:
    """Real tokens, minted over the same in-process client Schemathesis uses."""

    def __init__(self) -> None:
        with asgi.get_client(APP) as client:
            self.superuser = self._login(client, SUPERUSER_EMAIL, SUPERUSER_PASSWORD)
        self.user = self.new_account()
        with asgi.get_client(APP) as client:
            meaning.seed(client, [self.superuser, self.user])  # lists with entries that differ

    def new_account(self) -> str:
        email = new_email("fuzz")
        with asgi.get_client(APP) as client:
            response = client.post(REGISTER, json={"email": email, "password": PASSWORD})
            assert response.status_code == 201, response.text
            return self._login(client, email, PASSWORD)

    @staticmethod
    def _login(client: asgi.ASGIClient, email: str, password: str) -> str:
        response = client.post(LOGIN, data={"username": email, "password": password})
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        return token

    def authorize(self, case: AnyCase) -> None:
        """Swap the placeholder the auth provider left for the real token of its role."""
        header = case.headers.get("Authorization")
        if not isinstance(header, str) or not header.startswith(PLACEHOLDER):
            return  # public, or a negative case that sends a broken header on purpose
        role = header.removeprefix(PLACEHOLDER)
        token = {"user": self.user, "superuser": self.superuser}.get(role) or self.new_account()
        case.headers["Authorization"] = f"Bearer {token}"


class Roles:
    """Schemathesis auth provider: marks each case with the role that should call it."""

    stateful = False

    def get(self, case: AnyCase, context: AuthContext) -> str | None:
        return role_for(case.operation.definition.raw["operationId"], stateful=self.stateful)

    def set(self, case: AnyCase, data: str, context: AuthContext) -> None:
        case.headers["Authorization"] = PLACEHOLDER + data


class StatefulRoles(Roles):
    stateful = True


class Tally:
    """What a run did, for the summary line: cases per operation, scenarios and steps."""

    def __init__(self) -> None:
        self.cases: Counter[str] = Counter()
        self.scenarios = 0
        self.steps = 0
        self.suites = 0


TALLY = Tally()
meaning.register()  # the checks of what the contract means, and the hooks that feed real data
catches.register()  # `nox -s mutants`: which phase and check caught a planted bug
schema = fuzzed_schema()
schema.app = APP
schema.auth(refresh_interval=None)(Roles)


@pytest.fixture(scope="module")
def service(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Identities]:
    """The app on a throw-away SQLite database with a first superuser; its lifespan running."""
    folder = tmp_path_factory.mktemp("schemathesis")
    settings = Settings(
        database_url=f"sqlite:///{folder / 'app.db'}",
        secret_key=TEST_SECRET,
        var_dir=folder / "var",
        rate_limit_enabled=False,
        # The app's own check of every response against the contract: a second opinion that
        # turns what Schemathesis might let pass (a 400 to an undeclared media type) into a 500.
        validate_responses=True,
        allowed_hosts=TEST_HOSTS,
        first_superuser_email=SUPERUSER_EMAIL,
        first_superuser_password=SUPERUSER_PASSWORD,
        **FAST_HASHING,
    )
    # `nox -s mutants` plants one contract bug at a time around the app (tests/support/mutants.py).
    APP.target = mutants.plant(create_app(settings), os.environ.get(mutants.MUTANT_ENV))
    if not request.config.pluginmanager.has_plugin(SUMMARY):
        request.config.pluginmanager.register(Summary(), SUMMARY)
    try:
        yield Identities()  # its first request runs the lifespan: migrations, the superuser
    finally:
        asgi.shutdown_lifespans()
        APP.target = None


@pytest.fixture
def identities(service: Identities) -> Identities:
    """The module's identities with a normal user of this test's own."""
    service.user = service.new_account()
    return service


@schema.parametrize()
# One account per operation, shared by its examples, is the point of the function-scoped fixture.
@hypothesis.settings(suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture])
def test_operation(case: AnyCase, identities: Identities) -> None:
    identities.authorize(case)
    TALLY.cases[case.operation.label] += 1
    case.call_and_validate()


def test_stateful(identities: Identities) -> None:
    stateful_schema = load_schema()
    stateful_schema.app = APP
    stateful_schema.auth(refresh_interval=None)(StatefulRoles)
    failures: list[BaseException] = []

    class Instrumented(APIStateMachine):
        """Real tokens in, every check failure kept: Hypothesis may abandon a run (below)."""

        def before_call(self, case: AnyCase) -> None:
            identities.authorize(case)

        def step(self, input: StepInput) -> StepOutput:
            TALLY.steps += 1
            return super().step(input)

        def validate_response(
            self, response: Response, case: AnyCase, additional_checks: Any = None, **kwargs: Any
        ) -> None:
            try:
                super().validate_response(response, case, additional_checks, **kwargs)
            except (Exception, FailureGroup) as failure:  # a FailureGroup is no Exception
                failures.append(failure)
                raise

        def teardown(self) -> None:
            TALLY.scenarios += 1
            super().teardown()

    machine = cast(
        type[APIStateMachine],
        type("Machine", (Instrumented, stateful_schema.as_state_machine()), {}),
    )
    base_seed = SEED or 0
    # The database outlives each scenario, so a later scenario can find the rules it may take
    # changed under the same choices; Hypothesis then stops with `Flaky`. The Schemathesis CLI
    # counts that as the end of a suite and starts another, and so does this, with the next seed.
    while TALLY.scenarios < PROFILE.scenarios and TALLY.suites < PROFILE.scenarios:
        suite = hypothesis.seed(base_seed + TALLY.suites)(machine)
        TALLY.suites += 1
        try:
            suite.run(settings=_stateful_settings(PROFILE.scenarios - TALLY.scenarios))
        except Flaky:
            if failures:
                raise failures[0] from None
    assert not failures, failures[0]
    assert TALLY.steps > TALLY.scenarios, "the state machine made no calls past the first step"


def _stateful_settings(scenarios: int) -> hypothesis.settings:
    return hypothesis.settings(
        max_examples=scenarios,
        stateful_step_count=PROFILE.max_steps,
        phases=[hypothesis.Phase.generate],  # a replay against a changed database proves little
        database=None,
        deadline=None,
        suppress_health_check=list(hypothesis.HealthCheck),
    )


class Summary:
    """A pytest plugin that ends the run with one line on what Schemathesis did."""

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not TALLY.cases:
            return
        seed_note = f", seed {SEED}" if SEED is not None else ""
        terminalreporter.write_line(
            f"schemathesis ({PROFILE.name} profile{seed_note}): {len(TALLY.cases)} operations, "
            f"{sum(TALLY.cases.values())} stateless cases, {TALLY.scenarios} stateful scenarios "
            f"({TALLY.steps} calls in {TALLY.suites} suites)"
        )


# The configuration itself


def spec_operations() -> list[APIOperation[Any, Any, Any, Any]]:
    """The operations Schemathesis found in the spec; an operation it cannot read fails here."""
    return [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]


def test_every_operation_of_the_spec_is_tested() -> None:
    tested = {operation.label for operation in spec_operations()}
    assert tested == {f"{op.method} {op.path}" for op in operations()}


def test_the_shared_configuration_survives_toml() -> None:
    data = {**fuzzing.settings(fuzzing.PROFILES["deep"], seed=7), "auth": {"x": {"y": "${Z}"}}}
    assert tomllib.loads(fuzzing.config_toml(data)) == data


def test_every_check_schemathesis_has_is_on_everywhere_but_where_narrowed() -> None:
    load_all_checks()
    names = [check.__name__ for check in CHECKS.get_all()]
    assert "negative_data_rejection" in names  # the registry is loaded
    for operation in spec_operations():
        operation_id = operation.definition.raw["operationId"]
        narrowed = [fuzzing.NARROWED[operation_id][0]] if operation_id in fuzzing.NARROWED else []
        for phase in fuzzing.PHASES:
            config = schema.config.checks_config_for(operation=operation, phase=phase)
            assert [n for n in names if not config.get_by_name(name=n).enabled] == narrowed
            assert config.max_response_time.limit == fuzzing.MAX_RESPONSE_TIME_S


def test_the_cli_configuration_signs_in_and_checks_what_the_suite_checks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    credentials = {
        run.EMAIL_ENV: "root@example.com",
        run.PASSWORD_ENV: "secret",
        run.TOKEN_ENV: "t",
    }
    for name, value in credentials.items():
        monkeypatch.setenv(name, value)
    signing_in = SchemathesisConfig.from_str(run.signing_in(PROFILE, seed=SEED))
    bearer = signing_in.projects.get_default().auth.dynamic.schemes["bearer"]
    assert (bearer.path, bearer.method, bearer.payload_content_type, bearer.extract_selector) == (
        run.LOGIN,
        "post",
        "application/x-www-form-urlencoded",
        "/access_token",
    )
    assert bearer.payload == {"username": "root@example.com", "password": "secret"}
    with_token = SchemathesisConfig.from_str(run.with_token(PROFILE, seed=SEED))
    token = with_token.projects.get_default().auth.openapi.schemes["bearer"]
    assert isinstance(token, HttpBearerAuthConfig)
    assert token.bearer == "t"
    for cli_config in (signing_in, with_token):
        project = cli_config.projects.get_default()
        for operation in spec_operations():
            for phase in fuzzing.PHASES:
                ours = schema.config.checks_config_for(operation=operation, phase=phase)
                theirs = project.checks_config_for(operation=operation, phase=phase)
                assert theirs == ours, (operation.label, phase)


def test_declared_refusals_name_statuses_their_operations_declare() -> None:
    for operation_id, (status, _why) in fuzzing.DECLARED_REFUSALS.items():
        assert by_id(operation_id).declares(int(status)), (operation_id, status)


def test_roles() -> None:
    assert role_for("getLiveness", stateful=False) is None
    assert role_for("listItems", stateful=True) is None
    assert role_for("listUsers", stateful=False) == "superuser"
    assert role_for("deleteUser", stateful=False) == "superuser"
    assert role_for("getCurrentUser", stateful=False) == "user"
    assert role_for("listPosts", stateful=False) == "user"  # a token is optional there
    assert role_for("getCurrentUser", stateful=True) == "superuser"
    assert role_for(SELF_DELETING, stateful=True) == "throwaway"


def test_the_profile_comes_from_the_environment() -> None:
    assert fuzzing.profile({}) == fuzzing.PROFILES["ci"]
    assert fuzzing.profile({fuzzing.PROFILE_ENV: "deep"}) == fuzzing.PROFILES["deep"]
    with pytest.raises(ValueError, match="use one of ci, deep"):
        fuzzing.profile({fuzzing.PROFILE_ENV: "quick"})
    assert fuzzing.seed({fuzzing.SEED_ENV: "42"}) == 42
    assert fuzzing.seed({}) is None
