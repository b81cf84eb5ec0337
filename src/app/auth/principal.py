"""Who is calling: the bearer token checked, and the account it names loaded and active."""

from dataclasses import dataclass

from fastapi import Request
from fastapi.security.utils import get_authorization_scheme_param

from app import request_context
from app.auth.tokens import InvalidToken, Tokens
from app.db.database import Database
from app.errors import Unauthenticated
from app.users.repository import UserRecord, UserRepository

NOT_BEARER = "Send the access token as `Authorization: Bearer <token>`."


def bearer_token(request: Request) -> str | None:
    """The token of `Authorization: Bearer <token>`; None without one, or for another scheme.

    What FastAPI's `HTTPBearer(auto_error=False)` answers, read here: as a dependency of the
    dependency that authenticates, it was one more dependency FastAPI solved on every request
    (the contract, not FastAPI, declares the security scheme).
    """
    authorization = request.headers.get("authorization")
    scheme, token = get_authorization_scheme_param(authorization)
    if not token or scheme.lower() != "bearer":
        return None
    return token


@dataclass(frozen=True, slots=True)
class Principal:
    user: UserRecord

    @property
    def is_superuser(self) -> bool:
        return self.user.is_superuser


class Authenticator:
    """The `authenticate` dependencies the generated routers ask the app for."""

    def __init__(self, database: Database, tokens: Tokens) -> None:
        self._database = database
        self._tokens = tokens

    async def _principal(self, token: str) -> Principal:
        try:
            claims = self._tokens.decode(token, "access")
        except InvalidToken as exc:
            raise Unauthenticated("The access token is invalid or expired.") from exc
        user = await self._database.read(
            lambda connection: UserRepository(connection).get(claims.user_id)
        )
        if user is None or not user.is_active:
            raise Unauthenticated("The access token is invalid or expired.")
        request_context.note_principal(user.id)  # for the request's log line
        return Principal(user)

    async def authenticate(self, request: Request) -> Principal:
        token = bearer_token(request)
        if token is None:
            raise Unauthenticated("This operation needs a bearer access token.")
        return await self._principal(token)

    async def authenticate_optional(self, request: Request) -> Principal | None:
        """None for an anonymous caller; a token that is sent must still be valid."""
        token = bearer_token(request)
        if token is None:
            # No token also for a header that holds none (`Basic ...`, `Bearer` and nothing):
            # that caller meant to sign in, so it is a 401, not an anonymous call.
            if "authorization" in request.headers:
                raise Unauthenticated(NOT_BEARER)
            return None
        return await self._principal(token)
