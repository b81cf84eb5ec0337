"""Who is calling: the bearer token checked, and the account it names loaded and active."""

from dataclasses import dataclass

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app import request_context
from app.auth.tokens import InvalidToken, Tokens
from app.db.database import Database
from app.errors import Unauthenticated
from app.users.repository import UserRecord, UserRepository

bearer = HTTPBearer(auto_error=False, description="A JWT access token.")
NOT_BEARER = "Send the access token as `Authorization: Bearer <token>`."


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

    async def authenticate(
        self, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)
    ) -> Principal:
        if credentials is None:
            raise Unauthenticated("This operation needs a bearer access token.")
        return await self._principal(credentials.credentials)

    async def authenticate_optional(
        self, request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)
    ) -> Principal | None:
        """None for an anonymous caller; a token that is sent must still be valid."""
        if credentials is None:
            # HTTPBearer also gives None for a header it cannot read (`Basic ...`, `Bearer` and
            # nothing): that caller meant to sign in, so it is a 401, not an anonymous call.
            if "authorization" in request.headers:
                raise Unauthenticated(NOT_BEARER)
            return None
        return await self._principal(credentials.credentials)
