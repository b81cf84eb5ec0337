# DO NOT EDIT: generated from openapi/openapi.yaml by `nox -s generate`.
from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal
from uuid import UUID

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    StrictBool,
    StrictInt,
    StrictStr,
)


class Problem(BaseModel):
    """
    An RFC 9457 problem document.
    """

    type: Annotated[StrictStr, Field(max_length=256)]
    """
    Names the kind of problem; `about:blank` when the status says it all.
    """
    title: Annotated[StrictStr, Field(max_length=256)]
    """
    A short summary of the kind of problem; the same for every occurrence.
    """
    status: Annotated[StrictInt, Field(ge=400, le=599)]
    """
    The HTTP status code.
    """
    detail: Annotated[StrictStr | None, Field(max_length=4096)] = None
    """
    What went wrong in this occurrence, for a person to read.
    """
    instance: Annotated[StrictStr | None, Field(max_length=2048)] = None
    """
    The path of the request that failed.
    """
    request_id: Annotated[StrictStr | None, Field(max_length=128)] = None
    """
    The request's `X-Request-ID`; quote it when reporting a problem.
    """


class ValidationIssue(BaseModel):
    """
    One broken rule; `pointer` for the body, `location` for a parameter.
    """

    pointer: Annotated[StrictStr | None, Field(max_length=1024)] = None
    """
    A JSON Pointer (RFC 6901) fragment into the request body, e.g. `#/title`.
    """
    location: Annotated[StrictStr | None, Field(max_length=256)] = None
    """
    Where a parameter was sent and its name, e.g. `query.size`.
    """
    message: Annotated[StrictStr, Field(max_length=1024)]
    code: Annotated[StrictStr | None, Field(max_length=128)] = None
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

    total: Annotated[StrictInt, Field(ge=0, le=9223372036854775807)]
    """
    How many entries match, over all pages.
    """
    page: Annotated[StrictInt, Field(ge=1, le=10000)]
    size: Annotated[StrictInt, Field(ge=1, le=100)]
    pages: Annotated[StrictInt, Field(ge=0, le=9223372036854775807)]
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


class User(BaseModel):
    """
    An account. Never carries a password or its hash.
    """

    id: UUID
    email: Annotated[
        StrictStr,
        Field(
            max_length=254,
            pattern="^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$",
        ),
    ]
    """
    Lower case, as stored.
    """
    full_name: Annotated[StrictStr | None, Field(max_length=100)]
    bio: Annotated[StrictStr | None, Field(max_length=1000)]
    is_active: StrictBool
    is_superuser: StrictBool
    is_verified: StrictBool
    """
    Whether the owner has followed a link emailed to this address.
    """
    created_at: AwareDatetime
    updated_at: AwareDatetime


class UserRegister(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    email: Annotated[
        StrictStr,
        Field(
            max_length=254,
            pattern="^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$",
        ),
    ]
    """
    An ASCII address with at most 64 characters before the @ and a dotted domain whose last label starts with a letter (`ada@example.org`): no quoted local parts, no IP-address domains.
    """
    password: Annotated[StrictStr, Field(max_length=128, min_length=8, pattern="^[^\\u0000]*$")]
    full_name: Annotated[StrictStr | None, Field(max_length=100, pattern="^[^\\u0000]*$")] = None


class UserUpdateMe(BaseModel):
    """
    The fields you may change on your own account; absent fields stay as they are.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    full_name: Annotated[StrictStr | None, Field(max_length=100, pattern="^[^\\u0000]*$")] = None
    bio: Annotated[StrictStr | None, Field(max_length=1000, pattern="^[^\\u0000]*$")] = None


class UserUpdate(BaseModel):
    """
    What a superuser may change on any account; absent fields stay as they are.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    full_name: Annotated[StrictStr | None, Field(max_length=100, pattern="^[^\\u0000]*$")] = None
    bio: Annotated[StrictStr | None, Field(max_length=1000, pattern="^[^\\u0000]*$")] = None
    is_active: StrictBool | None = None
    is_superuser: StrictBool | None = None


class PasswordChange(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    current_password: Annotated[
        StrictStr, Field(max_length=128, min_length=1, pattern="^[^\\u0000]*$")
    ]
    new_password: Annotated[StrictStr, Field(max_length=128, min_length=8, pattern="^[^\\u0000]*$")]


class PasswordResetRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    email: Annotated[
        StrictStr,
        Field(
            max_length=254,
            pattern="^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$",
        ),
    ]
    """
    The account's email, in any case.
    """


class PasswordReset(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    token: Annotated[StrictStr, Field(max_length=512, min_length=1, pattern="^[^\\u0000]*$")]
    """
    The `token` query parameter of the emailed link.
    """
    new_password: Annotated[StrictStr, Field(max_length=128, min_length=8, pattern="^[^\\u0000]*$")]


class EmailVerification(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    token: Annotated[StrictStr, Field(max_length=512, min_length=1, pattern="^[^\\u0000]*$")]
    """
    The `token` query parameter of the emailed link.
    """


class MailAccepted(BaseModel):
    """
    An email was asked for; the same answer whether or not it is sent.
    """

    detail: Annotated[StrictStr, Field(max_length=500)]


class GrantType(StrEnum):
    password = "password"


class LoginForm(BaseModel):
    """
    The OAuth2 password grant (RFC 6749 section 4.3).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    grant_type: GrantType | None = None
    username: Annotated[StrictStr, Field(max_length=254, min_length=1, pattern="^[^\\u0000]*$")]
    """
    The account's email.
    """
    password: Annotated[StrictStr, Field(max_length=128, min_length=1, pattern="^[^\\u0000]*$")]
    scope: Annotated[StrictStr | None, Field(max_length=1000, pattern="^[^\\u0000]*$")] = None


class RefreshRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    refresh_token: Annotated[
        StrictStr, Field(max_length=4096, min_length=1, pattern="^[^\\u0000]*$")
    ]


class TokenPair(BaseModel):
    access_token: Annotated[StrictStr, Field(max_length=4096)]
    refresh_token: Annotated[StrictStr, Field(max_length=4096)]
    token_type: Literal["bearer"]
    expires_in: Annotated[StrictInt, Field(ge=1, le=86400)]
    """
    Seconds until the access token expires.
    """


class UserPage(PageMeta):
    """
    A page of accounts.
    """

    items: Annotated[list[User], Field(max_length=100)]


class Price(RootModel[StrictStr]):
    root: Annotated[
        StrictStr, Field(max_length=11, pattern="^(0|[1-9][0-9]{0,7})(\\.[0-9]{1,2})?$")
    ]
    """
    A decimal amount as a string, from `0` to `99999999.99`. Input takes at most two
    decimals (`"9.9"`, `"9.90"`, `"10"`); output always has exactly two (`"9.90"`).

    """


class Item(BaseModel):
    id: UUID
    title: Annotated[StrictStr, Field(max_length=200, min_length=1)]
    description: Annotated[StrictStr | None, Field(max_length=2000)]
    price: Annotated[StrictStr, Field(max_length=11, pattern="^(0|[1-9][0-9]{0,7})\\.[0-9]{2}$")]
    owner_id: UUID
    created_at: AwareDatetime
    updated_at: AwareDatetime


class ItemCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    title: Annotated[StrictStr, Field(max_length=200, min_length=1, pattern="^[^\\u0000]*$")]
    description: Annotated[StrictStr | None, Field(max_length=2000, pattern="^[^\\u0000]*$")] = None
    price: Price


class ItemUpdate(BaseModel):
    """
    Absent fields stay as they are.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    title: Annotated[
        StrictStr | None, Field(max_length=200, min_length=1, pattern="^[^\\u0000]*$")
    ] = None
    description: Annotated[StrictStr | None, Field(max_length=2000, pattern="^[^\\u0000]*$")] = None
    price: Price | None = None


class ItemPage(PageMeta):
    """
    A page of items.
    """

    items: Annotated[list[Item], Field(max_length=100)]


class Post(BaseModel):
    id: UUID
    title: Annotated[StrictStr, Field(max_length=200, min_length=1)]
    slug: Annotated[
        StrictStr,
        Field(max_length=220, min_length=1, pattern="^[a-z0-9]+(-[a-z0-9]+)*$"),
    ]
    content: Annotated[StrictStr, Field(max_length=50000, min_length=1)]
    excerpt: Annotated[StrictStr | None, Field(max_length=500)]
    published: StrictBool
    published_at: AwareDatetime | None
    author_id: UUID
    created_at: AwareDatetime
    updated_at: AwareDatetime


class PostCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    title: Annotated[StrictStr, Field(max_length=200, min_length=1, pattern="^[^\\u0000]*$")]
    content: Annotated[StrictStr, Field(max_length=50000, min_length=1, pattern="^[^\\u0000]*$")]
    excerpt: Annotated[StrictStr | None, Field(max_length=500, pattern="^[^\\u0000]*$")] = None
    published: StrictBool = False


class PostUpdate(BaseModel):
    """
    Absent fields stay as they are; the slug never changes.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    title: Annotated[
        StrictStr | None, Field(max_length=200, min_length=1, pattern="^[^\\u0000]*$")
    ] = None
    content: Annotated[
        StrictStr | None, Field(max_length=50000, min_length=1, pattern="^[^\\u0000]*$")
    ] = None
    excerpt: Annotated[StrictStr | None, Field(max_length=500, pattern="^[^\\u0000]*$")] = None
    published: StrictBool | None = None


class PostPage(PageMeta):
    """
    A page of posts.
    """

    items: Annotated[list[Post], Field(max_length=100)]


class ReadinessStatus(BaseModel):
    status: Literal["ok"]
    checks: ReadinessChecks
