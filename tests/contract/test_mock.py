"""`nox -s mock` (app/mock.py) in a real server process: the contract answered from its examples.

Every operation, sent the request its examples make, answers its success status with the
examples of its body and headers, and the answer is one the contract allows (checked here by the
same `ResponseContract` the service's response validation uses). Requests are validated as the
service validates them, and nothing opens a database.
"""

from collections.abc import Iterator

import httpx
import pytest

from app.middleware.response_validation import ResponseContract
from tests.support.contract import assert_problem
from tests.support.examples import contract_violations, example_request, success
from tests.support.operations import Operation, by_id, operations
from tests.support.served import SERVE, Served, served

MOCK = (*SERVE, "--factory", "app.mock:create_app")
OPERATIONS = operations()


@pytest.fixture(scope="module")
def mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with served(tmp_path_factory.mktemp("mock"), command=MOCK) as running:
        yield running


@pytest.fixture(scope="module")
def client(mock: Served) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=mock.base_url, timeout=10) as opened:
        yield opened


@pytest.fixture(scope="module")
def contract() -> ResponseContract:
    return ResponseContract()


@pytest.mark.slow
@pytest.mark.parametrize("op", OPERATIONS, ids=str)
def test_every_operation_answers_its_example(
    op: Operation, client: httpx.Client, contract: ResponseContract
) -> None:
    expected = success(op)

    response = example_request(op).send(client)

    assert response.status_code == expected.status, response.text
    violations = contract_violations(contract, op, response)
    assert violations == [], violations
    for name, value in expected.headers.items():
        assert response.headers[name] == str(value)
    if expected.media_type is None:
        assert response.content == b""
    elif expected.media_type.startswith("text/"):
        assert response.text == expected.body
    else:
        assert response.json() == expected.body


@pytest.mark.slow
def test_a_request_that_breaks_the_contract_gets_the_services_422(client: httpx.Client) -> None:
    request = example_request(by_id("createItem"))
    response = client.post(
        request.path, headers=request.headers, json={"title": "Camera", "price": "9.999"}
    )

    problem = assert_problem(response, 422, "ValidationProblem")
    assert [issue["pointer"] for issue in problem["errors"]] == ["#/price"]


@pytest.mark.slow
def test_an_operation_that_needs_a_token_answers_401_without_one(client: httpx.Client) -> None:
    request = example_request(by_id("createItem"), token=None)

    response = request.send(client)

    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.slow
def test_a_body_of_the_wrong_media_type_gets_415(client: httpx.Client) -> None:
    request = example_request(by_id("createItem"))
    headers = {**request.headers, "Content-Type": "text/plain"}

    assert_problem(client.post(request.path, headers=headers, content=b"camera"), 415)


@pytest.mark.slow
def test_the_mock_opens_no_database(mock: Served, client: httpx.Client) -> None:
    for op in OPERATIONS:
        example_request(op).send(client)

    assert not mock.database.exists()
