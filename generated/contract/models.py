# DO NOT EDIT: generated from openapi/openapi.yaml by `nox -s generate`.
from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, Field


class Problem(BaseModel):
    """
    An RFC 9457 problem document.
    """

    type: Annotated[str, Field(max_length=256)]
    """
    Names the kind of problem; `about:blank` when the status says it all.
    """
    title: Annotated[str, Field(max_length=256)]
    """
    A short summary of the kind of problem; the same for every occurrence.
    """
    status: Annotated[int, Field(ge=400, le=599)]
    """
    The HTTP status code.
    """
    detail: Annotated[str | None, Field(max_length=4096)] = None
    """
    What went wrong in this occurrence, for a person to read.
    """
    instance: Annotated[str | None, Field(max_length=2048)] = None
    """
    The path of the request that failed.
    """
    request_id: Annotated[str | None, Field(max_length=128)] = None
    """
    The request's `X-Request-ID`; quote it when reporting a problem.
    """


class ValidationIssue(BaseModel):
    """
    One broken rule; `pointer` for the body, `location` for a parameter.
    """

    pointer: Annotated[str | None, Field(max_length=1024)] = None
    """
    A JSON Pointer (RFC 6901) fragment into the request body, e.g. `#/title`.
    """
    location: Annotated[str | None, Field(max_length=256)] = None
    """
    Where a parameter was sent and its name, e.g. `query.size`.
    """
    message: Annotated[str, Field(max_length=1024)]
    code: Annotated[str | None, Field(max_length=128)] = None
    """
    A machine-readable name of the rule, e.g. `less_than_equal`.
    """


class ValidationProblem(Problem):
    """
    A problem document for a request that breaks the contract.
    """

    errors: Annotated[list[ValidationIssue], Field(max_length=100)]


class PageMeta(BaseModel):
    """
    What every paginated list carries besides its `items`.
    """

    total: Annotated[int, Field(ge=0, le=9223372036854775807)]
    """
    How many entries match, over all pages.
    """
    page: Annotated[int, Field(ge=1, le=10000)]
    size: Annotated[int, Field(ge=1, le=100)]
    pages: Annotated[int, Field(ge=0, le=9223372036854775807)]
    """
    How many pages there are at this size.
    """


class HealthStatus(BaseModel):
    status: Literal["ok"]


class CheckStatus(StrEnum):
    ok = "ok"


class ReadinessChecks(BaseModel):
    """
    The outcome of each dependency check.
    """

    database: CheckStatus


class ReadinessStatus(BaseModel):
    status: Literal["ok"]
    checks: ReadinessChecks
