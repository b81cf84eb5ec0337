# DO NOT EDIT: generated from openapi/openapi.yaml by `nox -s generate`.
"""Every tag implemented by the contract's own examples: what `nox -s mock` serves.

Each operation answers its success status with the example the spec gives its body and headers
(lint rules `examples-present` and `examples-valid` see that there is one, and that it is
valid), whatever the request asked; the generated routers in front of it validate requests
exactly as they do for the service. `ExampleProviders` is the `ServiceProviders` to pass to
`contract.api.build_routers` (app/mock.py assembles the app). An operation whose example is
missing raises `ExampleMissing`, naming what lacks one.
"""

from typing import Literal
from uuid import UUID

from contract import models
from contract.routers import auth, items, posts


class ExampleMissing(LookupError):
    """The contract gives no example for something an operation answers."""


class AuthExamples:
    """`auth.AuthApi`, answering the contract's examples."""

    async def register(self, *, body: models.UserRegister) -> auth.RegisterResult:
        """POST /api/v1/auth/register (register): its 201 example."""
        return auth.RegisterResult(
            body=models.User.model_validate_json(
                '{"id": "3f0a6c2e-8d1b-4c7e-9a52-1e6f4b2d7c90", "email": "alice@example.com", "full_name": "Alice Martin", "bio": "Collects and repairs vintage film cameras.", "is_active": true, "is_superuser": false, "is_verified": true, "created_at": "2026-01-15T09:30:00Z", "updated_at": "2026-02-02T14:05:12Z"}'
            ),
            location="/api/v1/users/3f0a6c2e-8d1b-4c7e-9a52-1e6f4b2d7c90",
        )

    async def login(self, *, body: models.LoginForm) -> models.TokenPair:
        """POST /api/v1/auth/login (login): its 200 example."""
        return models.TokenPair.model_validate_json(
            '{"access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIzZjBhNmMyZS04ZDFiLTRjN2UtOWE1Mi0xZTZmNGIyZDdjOTAiLCJ0eXBlIjoiYWNjZXNzIiwiZXhwIjoxNzY4NDcxMDAwfQ.kT3m9Qx2vB7nL0cR5sW8yZ1aD4fG6hJ2pE9uI3oK7tM", "refresh_token": "Nq4fL0c8_2T1yWm3pXvR7sKd9eHj5aBz.0f6c2a9d41e87b35", "token_type": "bearer", "expires_in": 900}'
        )

    async def refresh_tokens(self, *, body: models.RefreshRequest) -> models.TokenPair:
        """POST /api/v1/auth/refresh (refreshTokens): its 200 example."""
        return models.TokenPair.model_validate_json(
            '{"access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIzZjBhNmMyZS04ZDFiLTRjN2UtOWE1Mi0xZTZmNGIyZDdjOTAiLCJ0eXBlIjoiYWNjZXNzIiwiZXhwIjoxNzY4NDcxMDAwfQ.kT3m9Qx2vB7nL0cR5sW8yZ1aD4fG6hJ2pE9uI3oK7tM", "refresh_token": "Nq4fL0c8_2T1yWm3pXvR7sKd9eHj5aBz.0f6c2a9d41e87b35", "token_type": "bearer", "expires_in": 900}'
        )

    async def logout(self, *, body: models.RefreshRequest) -> None:
        """POST /api/v1/auth/logout (logout): its 204 example."""
        return None

    async def request_password_reset(
        self, *, body: models.PasswordResetRequest
    ) -> models.MailAccepted:
        """POST /api/v1/auth/password-reset (requestPasswordReset): its 202 example."""
        return models.MailAccepted.model_validate_json(
            '{"detail": "If an account has this email, a link to reset its password is on its way."}'
        )

    async def reset_password(self, *, body: models.PasswordReset) -> None:
        """POST /api/v1/auth/password-reset/confirm (resetPassword): its 204 example."""
        return None

    async def verify_email(self, *, body: models.EmailVerification) -> None:
        """POST /api/v1/auth/verify-email (verifyEmail): its 204 example."""
        return None


class HealthExamples:
    """`health.HealthApi`, answering the contract's examples."""

    async def get_liveness(self) -> models.HealthStatus:
        """GET /health/live (getLiveness): its 200 example."""
        return models.HealthStatus.model_validate_json('{"status": "ok"}')

    async def get_readiness(self) -> models.ReadinessStatus:
        """GET /health/ready (getReadiness): its 200 example."""
        return models.ReadinessStatus.model_validate_json(
            '{"status": "ok", "checks": {"database": "ok"}}'
        )


class ItemsExamples:
    """`items.ItemsApi`, answering the contract's examples."""

    async def list_user_items(self, *, user_id: UUID, page: int, size: int) -> models.ItemPage:
        """GET /api/v1/users/{user_id}/items (listUserItems): its 200 example."""
        return models.ItemPage.model_validate_json(
            '{"total": 1, "page": 1, "size": 20, "pages": 1, "items": [{"id": "6b1d2f4e-5a3c-4e8b-b7d9-0c2a9e8f1a34", "title": "Canon AE-1 film camera", "description": "Working condition, with a 50 mm f/1.8 lens and a new light seal.", "price": "149.90", "owner_id": "3f0a6c2e-8d1b-4c7e-9a52-1e6f4b2d7c90", "created_at": "2026-02-01T10:12:45Z", "updated_at": "2026-02-03T16:40:02Z"}]}'
        )

    async def list_items(
        self,
        *,
        page: int,
        size: int,
        owner_id: UUID | None,
        q: str | None,
        sort: Literal["created_at", "-created_at", "price", "-price"],
    ) -> models.ItemPage:
        """GET /api/v1/items (listItems): its 200 example."""
        return models.ItemPage.model_validate_json(
            '{"total": 1, "page": 1, "size": 20, "pages": 1, "items": [{"id": "6b1d2f4e-5a3c-4e8b-b7d9-0c2a9e8f1a34", "title": "Canon AE-1 film camera", "description": "Working condition, with a 50 mm f/1.8 lens and a new light seal.", "price": "149.90", "owner_id": "3f0a6c2e-8d1b-4c7e-9a52-1e6f4b2d7c90", "created_at": "2026-02-01T10:12:45Z", "updated_at": "2026-02-03T16:40:02Z"}]}'
        )

    async def create_item(
        self, *, body: models.ItemCreate, principal: object
    ) -> items.CreateItemResult:
        """POST /api/v1/items (createItem): its 201 example."""
        return items.CreateItemResult(
            body=models.Item.model_validate_json(
                '{"id": "6b1d2f4e-5a3c-4e8b-b7d9-0c2a9e8f1a34", "title": "Canon AE-1 film camera", "description": "Working condition, with a 50 mm f/1.8 lens and a new light seal.", "price": "149.90", "owner_id": "3f0a6c2e-8d1b-4c7e-9a52-1e6f4b2d7c90", "created_at": "2026-02-01T10:12:45Z", "updated_at": "2026-02-03T16:40:02Z"}'
            ),
            etag='"3"',
            location="/api/v1/items/6b1d2f4e-5a3c-4e8b-b7d9-0c2a9e8f1a34",
        )

    async def get_item(self, *, item_id: UUID) -> items.GetItemResult:
        """GET /api/v1/items/{item_id} (getItem): its 200 example."""
        return items.GetItemResult(
            body=models.Item.model_validate_json(
                '{"id": "6b1d2f4e-5a3c-4e8b-b7d9-0c2a9e8f1a34", "title": "Canon AE-1 film camera", "description": "Working condition, with a 50 mm f/1.8 lens and a new light seal.", "price": "149.90", "owner_id": "3f0a6c2e-8d1b-4c7e-9a52-1e6f4b2d7c90", "created_at": "2026-02-01T10:12:45Z", "updated_at": "2026-02-03T16:40:02Z"}'
            ),
            etag='"3"',
        )

    async def delete_item(self, *, item_id: UUID, principal: object) -> None:
        """DELETE /api/v1/items/{item_id} (deleteItem): its 204 example."""
        return None

    async def update_item(
        self,
        *,
        item_id: UUID,
        if_match: str | None,
        body: models.ItemUpdate,
        principal: object,
    ) -> items.UpdateItemResult:
        """PATCH /api/v1/items/{item_id} (updateItem): its 200 example."""
        return items.UpdateItemResult(
            body=models.Item.model_validate_json(
                '{"id": "6b1d2f4e-5a3c-4e8b-b7d9-0c2a9e8f1a34", "title": "Canon AE-1 film camera", "description": "Working condition, with a 50 mm f/1.8 lens and a new light seal.", "price": "149.90", "owner_id": "3f0a6c2e-8d1b-4c7e-9a52-1e6f4b2d7c90", "created_at": "2026-02-01T10:12:45Z", "updated_at": "2026-02-03T16:40:02Z"}'
            ),
            etag='"3"',
        )


class MetricsExamples:
    """`metrics.MetricsApi`, answering the contract's examples."""

    async def get_metrics(self) -> bytes:
        """GET /metrics (getMetrics): its 200 example."""
        return b'# HELP app_requests_total Requests answered, by operationId (or route, or `unmatched`) and status code.\n# TYPE app_requests_total counter\napp_requests_total{operation="getItem",status="200"} 1027.0\napp_requests_total{operation="createItem",status="201"} 48.0\n'


class PostsExamples:
    """`posts.PostsApi`, answering the contract's examples."""

    async def list_posts(
        self,
        *,
        page: int,
        size: int,
        author_id: UUID | None,
        q: str | None,
        principal: object | None,
    ) -> models.PostPage:
        """GET /api/v1/posts (listPosts): its 200 example."""
        return models.PostPage.model_validate_json(
            '{"total": 1, "page": 1, "size": 20, "pages": 1, "items": [{"id": "9c4e7a21-3b5d-4f60-8e1a-2d7b6c9f0e58", "title": "Restoring a 1976 Canon AE-1", "slug": "restoring-a-1976-canon-ae-1", "content": "The shutter squealed, the light seals had turned to tar and the meter needle would not move. Here is how a weekend and a few spare parts brought it back.", "excerpt": "A weekend, a few spare parts and a camera that works again.", "published": true, "published_at": "2026-02-04T07:00:00Z", "author_id": "3f0a6c2e-8d1b-4c7e-9a52-1e6f4b2d7c90", "created_at": "2026-02-03T21:15:30Z", "updated_at": "2026-02-04T07:00:00Z"}]}'
        )

    async def create_post(
        self, *, body: models.PostCreate, principal: object
    ) -> posts.CreatePostResult:
        """POST /api/v1/posts (createPost): its 201 example."""
        return posts.CreatePostResult(
            body=models.Post.model_validate_json(
                '{"id": "9c4e7a21-3b5d-4f60-8e1a-2d7b6c9f0e58", "title": "Restoring a 1976 Canon AE-1", "slug": "restoring-a-1976-canon-ae-1", "content": "The shutter squealed, the light seals had turned to tar and the meter needle would not move. Here is how a weekend and a few spare parts brought it back.", "excerpt": "A weekend, a few spare parts and a camera that works again.", "published": true, "published_at": "2026-02-04T07:00:00Z", "author_id": "3f0a6c2e-8d1b-4c7e-9a52-1e6f4b2d7c90", "created_at": "2026-02-03T21:15:30Z", "updated_at": "2026-02-04T07:00:00Z"}'
            ),
            etag='"3"',
            location="/api/v1/posts/9c4e7a21-3b5d-4f60-8e1a-2d7b6c9f0e58",
        )

    async def get_post_by_slug(
        self, *, slug: str, principal: object | None
    ) -> posts.GetPostBySlugResult:
        """GET /api/v1/posts/slug/{slug} (getPostBySlug): its 200 example."""
        return posts.GetPostBySlugResult(
            body=models.Post.model_validate_json(
                '{"id": "9c4e7a21-3b5d-4f60-8e1a-2d7b6c9f0e58", "title": "Restoring a 1976 Canon AE-1", "slug": "restoring-a-1976-canon-ae-1", "content": "The shutter squealed, the light seals had turned to tar and the meter needle would not move. Here is how a weekend and a few spare parts brought it back.", "excerpt": "A weekend, a few spare parts and a camera that works again.", "published": true, "published_at": "2026-02-04T07:00:00Z", "author_id": "3f0a6c2e-8d1b-4c7e-9a52-1e6f4b2d7c90", "created_at": "2026-02-03T21:15:30Z", "updated_at": "2026-02-04T07:00:00Z"}'
            ),
            etag='"3"',
        )

    async def get_post(self, *, post_id: UUID, principal: object | None) -> posts.GetPostResult:
        """GET /api/v1/posts/{post_id} (getPost): its 200 example."""
        return posts.GetPostResult(
            body=models.Post.model_validate_json(
                '{"id": "9c4e7a21-3b5d-4f60-8e1a-2d7b6c9f0e58", "title": "Restoring a 1976 Canon AE-1", "slug": "restoring-a-1976-canon-ae-1", "content": "The shutter squealed, the light seals had turned to tar and the meter needle would not move. Here is how a weekend and a few spare parts brought it back.", "excerpt": "A weekend, a few spare parts and a camera that works again.", "published": true, "published_at": "2026-02-04T07:00:00Z", "author_id": "3f0a6c2e-8d1b-4c7e-9a52-1e6f4b2d7c90", "created_at": "2026-02-03T21:15:30Z", "updated_at": "2026-02-04T07:00:00Z"}'
            ),
            etag='"3"',
        )

    async def delete_post(self, *, post_id: UUID, principal: object) -> None:
        """DELETE /api/v1/posts/{post_id} (deletePost): its 204 example."""
        return None

    async def update_post(
        self,
        *,
        post_id: UUID,
        if_match: str | None,
        body: models.PostUpdate,
        principal: object,
    ) -> posts.UpdatePostResult:
        """PATCH /api/v1/posts/{post_id} (updatePost): its 200 example."""
        return posts.UpdatePostResult(
            body=models.Post.model_validate_json(
                '{"id": "9c4e7a21-3b5d-4f60-8e1a-2d7b6c9f0e58", "title": "Restoring a 1976 Canon AE-1", "slug": "restoring-a-1976-canon-ae-1", "content": "The shutter squealed, the light seals had turned to tar and the meter needle would not move. Here is how a weekend and a few spare parts brought it back.", "excerpt": "A weekend, a few spare parts and a camera that works again.", "published": true, "published_at": "2026-02-04T07:00:00Z", "author_id": "3f0a6c2e-8d1b-4c7e-9a52-1e6f4b2d7c90", "created_at": "2026-02-03T21:15:30Z", "updated_at": "2026-02-04T07:00:00Z"}'
            ),
            etag='"3"',
        )


class UsersExamples:
    """`users.UsersApi`, answering the contract's examples."""

    async def get_current_user(self, *, principal: object) -> models.User:
        """GET /api/v1/users/me (getCurrentUser): its 200 example."""
        return models.User.model_validate_json(
            '{"id": "3f0a6c2e-8d1b-4c7e-9a52-1e6f4b2d7c90", "email": "alice@example.com", "full_name": "Alice Martin", "bio": "Collects and repairs vintage film cameras.", "is_active": true, "is_superuser": false, "is_verified": true, "created_at": "2026-01-15T09:30:00Z", "updated_at": "2026-02-02T14:05:12Z"}'
        )

    async def delete_current_user(self, *, principal: object) -> None:
        """DELETE /api/v1/users/me (deleteCurrentUser): its 204 example."""
        return None

    async def update_current_user(
        self, *, body: models.UserUpdateMe, principal: object
    ) -> models.User:
        """PATCH /api/v1/users/me (updateCurrentUser): its 200 example."""
        return models.User.model_validate_json(
            '{"id": "3f0a6c2e-8d1b-4c7e-9a52-1e6f4b2d7c90", "email": "alice@example.com", "full_name": "Alice Martin", "bio": "Collects and repairs vintage film cameras.", "is_active": true, "is_superuser": false, "is_verified": true, "created_at": "2026-01-15T09:30:00Z", "updated_at": "2026-02-02T14:05:12Z"}'
        )

    async def change_password(self, *, body: models.PasswordChange, principal: object) -> None:
        """PUT /api/v1/users/me/password (changePassword): its 204 example."""
        return None

    async def request_email_verification(self, *, principal: object) -> models.MailAccepted:
        """POST /api/v1/users/me/verification (requestEmailVerification): its 202 example."""
        return models.MailAccepted.model_validate_json(
            '{"detail": "Unless your email is already verified, a link to verify it is on its way."}'
        )

    async def list_users(self, *, page: int, size: int, principal: object) -> models.UserPage:
        """GET /api/v1/users (listUsers): its 200 example."""
        return models.UserPage.model_validate_json(
            '{"total": 2, "page": 1, "size": 20, "pages": 1, "items": [{"id": "c81d4e2e-bcf2-4b1a-9d3e-5f6a7b8c9d01", "email": "bob@example.org", "full_name": "Bob Okafor", "bio": null, "is_active": true, "is_superuser": true, "is_verified": false, "created_at": "2025-11-03T08:00:00Z", "updated_at": "2025-11-03T08:00:00Z"}, {"id": "3f0a6c2e-8d1b-4c7e-9a52-1e6f4b2d7c90", "email": "alice@example.com", "full_name": "Alice Martin", "bio": "Collects and repairs vintage film cameras.", "is_active": true, "is_superuser": false, "is_verified": true, "created_at": "2026-01-15T09:30:00Z", "updated_at": "2026-02-02T14:05:12Z"}]}'
        )

    async def get_user(self, *, user_id: UUID, principal: object) -> models.User:
        """GET /api/v1/users/{user_id} (getUser): its 200 example."""
        return models.User.model_validate_json(
            '{"id": "3f0a6c2e-8d1b-4c7e-9a52-1e6f4b2d7c90", "email": "alice@example.com", "full_name": "Alice Martin", "bio": "Collects and repairs vintage film cameras.", "is_active": true, "is_superuser": false, "is_verified": true, "created_at": "2026-01-15T09:30:00Z", "updated_at": "2026-02-02T14:05:12Z"}'
        )

    async def delete_user(self, *, user_id: UUID, principal: object) -> None:
        """DELETE /api/v1/users/{user_id} (deleteUser): its 204 example."""
        return None

    async def update_user(
        self, *, user_id: UUID, body: models.UserUpdate, principal: object
    ) -> models.User:
        """PATCH /api/v1/users/{user_id} (updateUser): its 200 example."""
        return models.User.model_validate_json(
            '{"id": "3f0a6c2e-8d1b-4c7e-9a52-1e6f4b2d7c90", "email": "alice@example.com", "full_name": "Alice Martin", "bio": "Collects and repairs vintage film cameras.", "is_active": true, "is_superuser": false, "is_verified": true, "created_at": "2026-01-15T09:30:00Z", "updated_at": "2026-02-02T14:05:12Z"}'
        )


class ExampleProviders:
    """One provider per tag, each building that tag's example implementation."""

    def auth(self) -> AuthExamples:
        return AuthExamples()

    def health(self) -> HealthExamples:
        return HealthExamples()

    def items(self) -> ItemsExamples:
        return ItemsExamples()

    def metrics(self) -> MetricsExamples:
        return MetricsExamples()

    def posts(self) -> PostsExamples:
        return PostsExamples()

    def users(self) -> UsersExamples:
        return UsersExamples()
