# DO NOT EDIT: generated from openapi/openapi.yaml by `nox -s generate`.
"""The spec as data: what /openapi.json serves, and the schemas responses are checked against.

`DOCUMENT` is openapi/openapi.yaml as JSON data, so that nothing at run time parses YAML.
`SCHEMAS[name]` is its `#/components/schemas/<name>`; the references between schemas stay
`$ref`s, for a JSON Schema library to follow.
"""

from collections.abc import Mapping
from typing import Any

DOCUMENT: Mapping[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Contract-first API",
        "version": "0.1.0",
        "summary": "Users, JWT authentication, items and posts, served from this contract.",
        "description": "This document is the single source of truth for the service. Pydantic models and FastAPI\nrouters are generated from it (`nox -s generate`); the running service serves this file\nitself at `/openapi.json`.\n\nErrors: every 4xx and 5xx body is an RFC 9457 problem document\n(`application/problem+json`). `type` is a URN naming the kind of problem\n(`urn:problem-type:<slug>`); `about:blank` means the HTTP status says it all.\nValidation failures (422) add `errors`, one entry per failed rule, with a JSON\n`pointer` into the request body or a `location` (`query.size`, `path.item_id`,\n`header.if-match`) for parameters.\n\nUnavailable: every operation that needs the database (all but `getLiveness` and\n`getMetrics`) may answer\n503 with `Retry-After` when it cannot serve (the database is down, slow, read-only or\nfull; the process is busy hashing passwords or shutting down). Retry after that many seconds.\n\nText: no string the service stores or searches may contain U+0000 (NUL), which PostgreSQL\ncannot store. Each such string carries the pattern `^[^\\u0000]*$`, and a NUL is a 422\npointing at the field, whichever database serves the request.\n\nHosts: the service answers only requests whose `Host` names one of the hosts it is\nconfigured for (`APP_ALLOWED_HOSTS`). Any other `Host`, or none, is refused with a 400\nproblem (`urn:problem-type:invalid-request`) before any operation runs, whichever\noperation the request was for.\n\nCompression: a response of 1 KiB or more is gzip-encoded when `Accept-Encoding` allows\nit, and says `Vary: Accept-Encoding`. A response that carries an `ETag` is never encoded:\nits strong tag names the one representation every client gets, so `If-Match` works\nwhatever the client accepts.\n",
        "license": {"name": "MIT", "identifier": "MIT"},
    },
    "servers": [
        {
            "url": "http://127.0.0.1:8000",
            "description": "Local development server (`nox -s serve`).",
        }
    ],
    "tags": [
        {
            "name": "health",
            "description": "Liveness and readiness probes for orchestrators and load balancers.",
        },
        {
            "name": "metrics",
            "description": "Prometheus metrics of the process (its workers together), for a scraper.",
        },
        {
            "name": "auth",
            "description": "Registration, tokens, password resets and email verification. Access tokens last 15 minutes, refresh tokens 7 days (both settings); refresh tokens rotate on every use.",
        },
        {
            "name": "users",
            "description": "Your own account, and account administration for superusers.",
        },
        {
            "name": "items",
            "description": "Things users offer, with a price. Anyone may read them; only the owner (or a superuser) may change them.",
        },
        {
            "name": "posts",
            "description": "Articles with a unique slug. Drafts are visible only to their author (and superusers).",
        },
    ],
    "security": [{"bearer": []}, {"oauth2": []}],
    "paths": {
        "/health/live": {
            "get": {
                "operationId": "getLiveness",
                "tags": ["health"],
                "summary": "Report that the process is up",
                "description": "Never touches the database; a 200 means the process can serve HTTP.",
                "security": [],
                "x-uses-database": False,
                "responses": {
                    "200": {
                        "description": "The process is alive.",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/HealthStatus"},
                                "example": {"status": "ok"},
                            }
                        },
                    },
                    "500": {"$ref": "#/components/responses/InternalError"},
                },
            }
        },
        "/health/ready": {
            "get": {
                "operationId": "getReadiness",
                "tags": ["health"],
                "summary": "Report whether the service can serve requests",
                "description": "Ready means able to serve writes too: 503 while the database does not answer, refuses\nwrites (read-only, in recovery, or a full disk), or the process is shutting down.\n",
                "security": [],
                "responses": {
                    "200": {
                        "description": "Every dependency answered.",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/ReadinessStatus"},
                                "example": {
                                    "status": "ok",
                                    "checks": {"database": "ok"},
                                },
                            }
                        },
                    },
                    "500": {"$ref": "#/components/responses/InternalError"},
                    "503": {"$ref": "#/components/responses/ServiceUnavailable"},
                },
            }
        },
        "/metrics": {
            "get": {
                "operationId": "getMetrics",
                "tags": ["metrics"],
                "summary": "Export the metrics for Prometheus",
                "description": "The Prometheus text exposition format (version 0.0.4): requests by operationId and\nstatus, request latency per operationId, requests in progress, database connections in\nuse and the waits for one, rate-limit refusals and the password-hashing queue. With\nseveral workers (`python -m app serve --workers N`) the numbers are those of all the\nworkers together. Public, like a scrape target usually is: it names no user and no\nsecret, but it does tell how busy the service is, so restrict it at the proxy or\nnetwork. 404 when metrics are turned off (`APP_METRICS_ENABLED=false`). Never touches\nthe database.\n",
                "security": [],
                "x-uses-database": False,
                "responses": {
                    "200": {
                        "description": "The metrics, in the Prometheus text exposition format.",
                        "content": {
                            "text/plain; version=0.0.4": {
                                "schema": {"type": "string", "maxLength": 10485760},
                                "example": '# HELP app_requests_total Requests answered, by operationId (or route, or `unmatched`) and status code.\n# TYPE app_requests_total counter\napp_requests_total{operation="getItem",status="200"} 1027.0\napp_requests_total{operation="createItem",status="201"} 48.0\n',
                            }
                        },
                    },
                    "404": {"$ref": "#/components/responses/NotFound"},
                    "500": {"$ref": "#/components/responses/InternalError"},
                },
            }
        },
        "/api/v1/auth/register": {
            "post": {
                "operationId": "register",
                "tags": ["auth"],
                "summary": "Create an account",
                "description": "Emails are unique regardless of case and are stored in lower case.",
                "security": [],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/UserRegister"},
                            "example": {
                                "email": "alice@example.com",
                                "password": "correct-horse-battery-staple",
                                "full_name": "Alice Martin",
                            },
                        }
                    },
                },
                "responses": {
                    "201": {
                        "description": "The account was created.",
                        "headers": {"Location": {"$ref": "#/components/headers/UserLocation"}},
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/User"},
                                "examples": {"User": {"$ref": "#/components/examples/User"}},
                            }
                        },
                        "links": {
                            "GetUserById": {
                                "operationId": "getUser",
                                "parameters": {"user_id": "$response.body#/id"},
                            },
                            "UpdateUserById": {
                                "operationId": "updateUser",
                                "parameters": {"user_id": "$response.body#/id"},
                            },
                            "DeleteUserById": {
                                "operationId": "deleteUser",
                                "parameters": {"user_id": "$response.body#/id"},
                            },
                        },
                    },
                    "409": {"$ref": "#/components/responses/Conflict"},
                    "413": {"$ref": "#/components/responses/PayloadTooLarge"},
                    "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
                    "422": {"$ref": "#/components/responses/UnprocessableContent"},
                    "429": {"$ref": "#/components/responses/TooManyRequests"},
                    "500": {"$ref": "#/components/responses/InternalError"},
                    "503": {"$ref": "#/components/responses/ServiceUnavailable"},
                },
            }
        },
        "/api/v1/auth/login": {
            "post": {
                "operationId": "login",
                "tags": ["auth"],
                "summary": "Exchange an email and password for tokens",
                "description": "The OAuth2 password flow: a form with `username` (the email) and `password`. An\nunknown email, a wrong password and an inactive account all get the same 401.\n",
                "security": [],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {"$ref": "#/components/schemas/LoginForm"},
                            "example": {
                                "grant_type": "password",
                                "username": "alice@example.com",
                                "password": "correct-horse-battery-staple",
                            },
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "A new token pair, starting a new refresh-token family.",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/TokenPair"},
                                "examples": {
                                    "TokenPair": {"$ref": "#/components/examples/TokenPair"}
                                },
                            }
                        },
                    },
                    "401": {"$ref": "#/components/responses/Unauthorized"},
                    "413": {"$ref": "#/components/responses/PayloadTooLarge"},
                    "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
                    "422": {"$ref": "#/components/responses/UnprocessableContent"},
                    "429": {"$ref": "#/components/responses/TooManyRequests"},
                    "500": {"$ref": "#/components/responses/InternalError"},
                    "503": {"$ref": "#/components/responses/ServiceUnavailable"},
                },
            }
        },
        "/api/v1/auth/refresh": {
            "post": {
                "operationId": "refreshTokens",
                "tags": ["auth"],
                "summary": "Trade a refresh token for a new token pair",
                "description": "The refresh token is used up. Presenting one that was already used is treated as\ntheft: the answer is 401 and every token of its family is revoked, so of several\nconcurrent refreshes with one token exactly one succeeds.\n",
                "security": [],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/RefreshRequest"},
                            "example": {
                                "refresh_token": "Nq4fL0c8_2T1yWm3pXvR7sKd9eHj5aBz.0f6c2a9d41e87b35"
                            },
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "A new token pair in the same family.",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/TokenPair"},
                                "examples": {
                                    "TokenPair": {"$ref": "#/components/examples/TokenPair"}
                                },
                            }
                        },
                    },
                    "401": {"$ref": "#/components/responses/Unauthorized"},
                    "413": {"$ref": "#/components/responses/PayloadTooLarge"},
                    "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
                    "422": {"$ref": "#/components/responses/UnprocessableContent"},
                    "429": {"$ref": "#/components/responses/TooManyRequests"},
                    "500": {"$ref": "#/components/responses/InternalError"},
                    "503": {"$ref": "#/components/responses/ServiceUnavailable"},
                },
            }
        },
        "/api/v1/auth/logout": {
            "post": {
                "operationId": "logout",
                "tags": ["auth"],
                "summary": "Revoke a refresh token and its whole family",
                "description": "Idempotent; an unknown, expired or already revoked token also gets 204.",
                "security": [],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/RefreshRequest"},
                            "example": {
                                "refresh_token": "Nq4fL0c8_2T1yWm3pXvR7sKd9eHj5aBz.0f6c2a9d41e87b35"
                            },
                        }
                    },
                },
                "responses": {
                    "204": {"description": "The token's family is revoked (or never existed)."},
                    "413": {"$ref": "#/components/responses/PayloadTooLarge"},
                    "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
                    "422": {"$ref": "#/components/responses/UnprocessableContent"},
                    "500": {"$ref": "#/components/responses/InternalError"},
                    "503": {"$ref": "#/components/responses/ServiceUnavailable"},
                },
            }
        },
        "/api/v1/auth/password-reset": {
            "post": {
                "operationId": "requestPasswordReset",
                "tags": ["auth"],
                "summary": "Email a password-reset link",
                "description": "Answers 202 with the same body whether or not an account has this email (and as fast),\nso the answer tells no one which emails have accounts. When an active account has it,\nan email with a single-use link (`APP_FRONTEND_URL` + `/reset-password?token=...`) is\nsent; the token lasts `APP_PASSWORD_RESET_MINUTES`. Rate limited per client address,\nand per email address (`APP_MAILS_PER_ACCOUNT`, counted for unknown emails too).\n",
                "security": [],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/PasswordResetRequest"},
                            "example": {"email": "alice@example.com"},
                        }
                    },
                },
                "responses": {
                    "202": {
                        "description": "If an account has this email, a reset link is on its way to it.",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/MailAccepted"},
                                "examples": {
                                    "MailAccepted": {"$ref": "#/components/examples/ResetAccepted"}
                                },
                            }
                        },
                    },
                    "413": {"$ref": "#/components/responses/PayloadTooLarge"},
                    "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
                    "422": {"$ref": "#/components/responses/UnprocessableContent"},
                    "429": {"$ref": "#/components/responses/TooManyRequests"},
                    "500": {"$ref": "#/components/responses/InternalError"},
                    "503": {"$ref": "#/components/responses/ServiceUnavailable"},
                },
            }
        },
        "/api/v1/auth/password-reset/confirm": {
            "post": {
                "operationId": "resetPassword",
                "tags": ["auth"],
                "x-emailed-token": "requestPasswordReset",
                "summary": "Set a new password with an emailed reset token",
                "description": "The token comes from the link `requestPasswordReset` emailed. It works once, and not\nafter it expires. The new password replaces the old one, every refresh token of the\naccount is revoked (sign in again everywhere), and the email counts as verified.\n",
                "security": [],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/PasswordReset"},
                            "example": {
                                "token": "q1Wm8Rk2bX7dT0vLc5yNf3GhJ9sPa4Ze6UoKiE1rD2w",
                                "new_password": "Glacier-trombone-47-kettle",
                            },
                        }
                    },
                },
                "responses": {
                    "204": {
                        "description": "The password is changed; every session of the account has ended."
                    },
                    "400": {"$ref": "#/components/responses/InvalidMailToken"},
                    "413": {"$ref": "#/components/responses/PayloadTooLarge"},
                    "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
                    "422": {"$ref": "#/components/responses/UnprocessableContent"},
                    "429": {"$ref": "#/components/responses/TooManyRequests"},
                    "500": {"$ref": "#/components/responses/InternalError"},
                    "503": {"$ref": "#/components/responses/ServiceUnavailable"},
                },
            }
        },
        "/api/v1/auth/verify-email": {
            "post": {
                "operationId": "verifyEmail",
                "tags": ["auth"],
                "x-emailed-token": "requestEmailVerification",
                "summary": "Confirm an email address with an emailed verification token",
                "description": "The token comes from the link in the welcome email, or in the one\n`requestEmailVerification` sends (`APP_FRONTEND_URL` + `/verify-email?token=...`). It\nworks once, and not after `APP_EMAIL_VERIFICATION_HOURS`; the account's `is_verified`\nbecomes true.\n",
                "security": [],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/EmailVerification"},
                            "example": {"token": "q1Wm8Rk2bX7dT0vLc5yNf3GhJ9sPa4Ze6UoKiE1rD2w"},
                        }
                    },
                },
                "responses": {
                    "204": {"description": "The account's email is verified."},
                    "400": {"$ref": "#/components/responses/InvalidMailToken"},
                    "413": {"$ref": "#/components/responses/PayloadTooLarge"},
                    "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
                    "422": {"$ref": "#/components/responses/UnprocessableContent"},
                    "429": {"$ref": "#/components/responses/TooManyRequests"},
                    "500": {"$ref": "#/components/responses/InternalError"},
                    "503": {"$ref": "#/components/responses/ServiceUnavailable"},
                },
            }
        },
        "/api/v1/users/me": {
            "get": {
                "operationId": "getCurrentUser",
                "tags": ["users"],
                "summary": "Read your own account",
                "responses": {
                    "200": {
                        "description": "Your account.",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/User"},
                                "examples": {"User": {"$ref": "#/components/examples/User"}},
                            }
                        },
                    },
                    "401": {"$ref": "#/components/responses/Unauthorized"},
                    "500": {"$ref": "#/components/responses/InternalError"},
                    "503": {"$ref": "#/components/responses/ServiceUnavailable"},
                },
            },
            "patch": {
                "operationId": "updateCurrentUser",
                "tags": ["users"],
                "summary": "Change your own name or bio",
                "description": "Only `full_name` and `bio`; any other field (`is_superuser`, say) is a 422.",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/UserUpdateMe"},
                            "example": {
                                "full_name": "Alice Martin",
                                "bio": "Collects and repairs vintage film cameras.",
                            },
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "Your updated account.",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/User"},
                                "examples": {"User": {"$ref": "#/components/examples/User"}},
                            }
                        },
                    },
                    "401": {"$ref": "#/components/responses/Unauthorized"},
                    "413": {"$ref": "#/components/responses/PayloadTooLarge"},
                    "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
                    "422": {"$ref": "#/components/responses/UnprocessableContent"},
                    "500": {"$ref": "#/components/responses/InternalError"},
                    "503": {"$ref": "#/components/responses/ServiceUnavailable"},
                },
            },
            "delete": {
                "operationId": "deleteCurrentUser",
                "tags": ["users"],
                "summary": "Delete your own account, with your items and posts",
                "responses": {
                    "204": {"description": "The account and everything it owned are gone."},
                    "401": {"$ref": "#/components/responses/Unauthorized"},
                    "500": {"$ref": "#/components/responses/InternalError"},
                    "503": {"$ref": "#/components/responses/ServiceUnavailable"},
                },
            },
        },
        "/api/v1/users/me/password": {
            "put": {
                "operationId": "changePassword",
                "tags": ["users"],
                "summary": "Change your password",
                "description": "Revokes every refresh token of the account; sign in again everywhere. It checks the\ncurrent password, so it is rate limited like sign-in (per client address): a stolen\naccess token must not buy unlimited password guesses.\n",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/PasswordChange"},
                            "example": {
                                "current_password": "correct-horse-battery-staple",
                                "new_password": "Glacier-trombone-47-kettle",
                            },
                        }
                    },
                },
                "responses": {
                    "204": {"description": "The password is changed."},
                    "400": {"$ref": "#/components/responses/BadRequest"},
                    "401": {"$ref": "#/components/responses/Unauthorized"},
                    "413": {"$ref": "#/components/responses/PayloadTooLarge"},
                    "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
                    "422": {"$ref": "#/components/responses/UnprocessableContent"},
                    "429": {"$ref": "#/components/responses/TooManyRequests"},
                    "500": {"$ref": "#/components/responses/InternalError"},
                    "503": {"$ref": "#/components/responses/ServiceUnavailable"},
                },
            }
        },
        "/api/v1/users/me/verification": {
            "post": {
                "operationId": "requestEmailVerification",
                "tags": ["users"],
                "summary": "Email a new verification link to your own address",
                "description": "Sends a verification email like the welcome email's link, unless the account is\nalready verified (then nothing is sent, with the same answer). Rate limited per client\naddress, and per account (`APP_MAILS_PER_ACCOUNT`).\n",
                "responses": {
                    "202": {
                        "description": "A verification link is on its way, unless the email is already verified.",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/MailAccepted"},
                                "examples": {
                                    "MailAccepted": {
                                        "$ref": "#/components/examples/VerificationAccepted"
                                    }
                                },
                            }
                        },
                    },
                    "401": {"$ref": "#/components/responses/Unauthorized"},
                    "413": {"$ref": "#/components/responses/PayloadTooLarge"},
                    "429": {"$ref": "#/components/responses/TooManyRequests"},
                    "500": {"$ref": "#/components/responses/InternalError"},
                    "503": {"$ref": "#/components/responses/ServiceUnavailable"},
                },
            }
        },
        "/api/v1/users": {
            "get": {
                "operationId": "listUsers",
                "tags": ["users"],
                "x-superuser-only": True,
                "summary": "List accounts (superusers only)",
                "description": "Ordered by creation time, oldest first, ties broken by id.",
                "parameters": [
                    {"$ref": "#/components/parameters/Page"},
                    {"$ref": "#/components/parameters/Size"},
                ],
                "responses": {
                    "200": {
                        "description": "A page of accounts.",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/UserPage"},
                                "examples": {
                                    "UserPage": {"$ref": "#/components/examples/UserPage"}
                                },
                            }
                        },
                    },
                    "401": {"$ref": "#/components/responses/Unauthorized"},
                    "403": {"$ref": "#/components/responses/Forbidden"},
                    "422": {"$ref": "#/components/responses/UnprocessableContent"},
                    "500": {"$ref": "#/components/responses/InternalError"},
                    "503": {"$ref": "#/components/responses/ServiceUnavailable"},
                },
            }
        },
        "/api/v1/users/{user_id}": {
            "parameters": [{"$ref": "#/components/parameters/UserId"}],
            "get": {
                "operationId": "getUser",
                "tags": ["users"],
                "summary": "Read an account (your own, or any as a superuser)",
                "description": "Another user's account is a 404 to anyone but a superuser.",
                "responses": {
                    "200": {
                        "description": "The account.",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/User"},
                                "examples": {"User": {"$ref": "#/components/examples/User"}},
                            }
                        },
                    },
                    "401": {"$ref": "#/components/responses/Unauthorized"},
                    "404": {"$ref": "#/components/responses/NotFound"},
                    "422": {"$ref": "#/components/responses/UnprocessableContent"},
                    "500": {"$ref": "#/components/responses/InternalError"},
                    "503": {"$ref": "#/components/responses/ServiceUnavailable"},
                },
            },
            "patch": {
                "operationId": "updateUser",
                "tags": ["users"],
                "x-superuser-only": True,
                "summary": "Change an account (superusers only)",
                "description": "May also set `is_active` and `is_superuser`, except to deactivate or demote your own\naccount (403): that could leave no one to administer the service.\n",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/UserUpdate"},
                            "example": {
                                "full_name": "Alice Martin",
                                "is_active": True,
                                "is_superuser": False,
                            },
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "The updated account.",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/User"},
                                "examples": {"User": {"$ref": "#/components/examples/User"}},
                            }
                        },
                    },
                    "401": {"$ref": "#/components/responses/Unauthorized"},
                    "403": {"$ref": "#/components/responses/Forbidden"},
                    "404": {"$ref": "#/components/responses/NotFound"},
                    "413": {"$ref": "#/components/responses/PayloadTooLarge"},
                    "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
                    "422": {"$ref": "#/components/responses/UnprocessableContent"},
                    "500": {"$ref": "#/components/responses/InternalError"},
                    "503": {"$ref": "#/components/responses/ServiceUnavailable"},
                },
            },
            "delete": {
                "operationId": "deleteUser",
                "tags": ["users"],
                "x-superuser-only": True,
                "summary": "Delete an account (superusers only)",
                "description": "Not your own account (403); `deleteCurrentUser` is the deliberate way to do that.",
                "responses": {
                    "204": {"description": "The account and everything it owned are gone."},
                    "401": {"$ref": "#/components/responses/Unauthorized"},
                    "403": {"$ref": "#/components/responses/Forbidden"},
                    "404": {"$ref": "#/components/responses/NotFound"},
                    "422": {"$ref": "#/components/responses/UnprocessableContent"},
                    "500": {"$ref": "#/components/responses/InternalError"},
                    "503": {"$ref": "#/components/responses/ServiceUnavailable"},
                },
            },
        },
        "/api/v1/users/{user_id}/items": {
            "parameters": [{"$ref": "#/components/parameters/UserId"}],
            "get": {
                "operationId": "listUserItems",
                "tags": ["items"],
                "summary": "List one user's items",
                "description": "Newest first, ties broken by id.",
                "security": [],
                "parameters": [
                    {"$ref": "#/components/parameters/Page"},
                    {"$ref": "#/components/parameters/Size"},
                ],
                "responses": {
                    "200": {
                        "description": "A page of the user's items.",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/ItemPage"},
                                "examples": {
                                    "ItemPage": {"$ref": "#/components/examples/ItemPage"}
                                },
                            }
                        },
                    },
                    "404": {"$ref": "#/components/responses/NotFound"},
                    "422": {"$ref": "#/components/responses/UnprocessableContent"},
                    "500": {"$ref": "#/components/responses/InternalError"},
                    "503": {"$ref": "#/components/responses/ServiceUnavailable"},
                },
            },
        },
        "/api/v1/items": {
            "get": {
                "operationId": "listItems",
                "tags": ["items"],
                "summary": "List items",
                "description": "Filters combine. `q` matches titles containing it, ignoring case; `%` and `_` match\nthemselves. Sorting ties are broken by id, so pages never overlap.\n",
                "security": [],
                "parameters": [
                    {"$ref": "#/components/parameters/Page"},
                    {"$ref": "#/components/parameters/Size"},
                    {
                        "name": "owner_id",
                        "in": "query",
                        "required": False,
                        "description": "Only this user's items.",
                        "schema": {"type": "string", "format": "uuid"},
                        "example": "3f0a6c2e-8d1b-4c7e-9a52-1e6f4b2d7c90",
                    },
                    {"$ref": "#/components/parameters/Query"},
                    {
                        "name": "sort",
                        "in": "query",
                        "required": False,
                        "description": "The order; a leading `-` means descending.",
                        "schema": {
                            "type": "string",
                            "enum": ["created_at", "-created_at", "price", "-price"],
                            "default": "-created_at",
                        },
                        "example": "price",
                    },
                ],
                "responses": {
                    "200": {
                        "description": "A page of items.",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/ItemPage"},
                                "examples": {
                                    "ItemPage": {"$ref": "#/components/examples/ItemPage"}
                                },
                            }
                        },
                    },
                    "422": {"$ref": "#/components/responses/UnprocessableContent"},
                    "500": {"$ref": "#/components/responses/InternalError"},
                    "503": {"$ref": "#/components/responses/ServiceUnavailable"},
                },
            },
            "post": {
                "operationId": "createItem",
                "tags": ["items"],
                "summary": "Offer an item",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/ItemCreate"},
                            "example": {
                                "title": "Canon AE-1 film camera",
                                "description": "Working condition, with a 50 mm f/1.8 lens and a new light seal.",
                                "price": "149.90",
                            },
                        }
                    },
                },
                "responses": {
                    "201": {
                        "description": "The item was created.",
                        "headers": {
                            "Location": {"$ref": "#/components/headers/Location"},
                            "ETag": {"$ref": "#/components/headers/ETag"},
                        },
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Item"},
                                "examples": {"Item": {"$ref": "#/components/examples/Item"}},
                            }
                        },
                        "links": {
                            "GetItemById": {
                                "operationId": "getItem",
                                "parameters": {"item_id": "$response.body#/id"},
                            },
                            "UpdateItemById": {
                                "operationId": "updateItem",
                                "parameters": {"item_id": "$response.body#/id"},
                            },
                            "DeleteItemById": {
                                "operationId": "deleteItem",
                                "parameters": {"item_id": "$response.body#/id"},
                            },
                        },
                    },
                    "401": {"$ref": "#/components/responses/Unauthorized"},
                    "413": {"$ref": "#/components/responses/PayloadTooLarge"},
                    "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
                    "422": {"$ref": "#/components/responses/UnprocessableContent"},
                    "500": {"$ref": "#/components/responses/InternalError"},
                    "503": {"$ref": "#/components/responses/ServiceUnavailable"},
                },
            },
        },
        "/api/v1/items/{item_id}": {
            "parameters": [{"$ref": "#/components/parameters/ItemId"}],
            "get": {
                "operationId": "getItem",
                "tags": ["items"],
                "summary": "Read an item",
                "security": [],
                "responses": {
                    "200": {
                        "description": "The item.",
                        "headers": {"ETag": {"$ref": "#/components/headers/ETag"}},
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Item"},
                                "examples": {"Item": {"$ref": "#/components/examples/Item"}},
                            }
                        },
                    },
                    "404": {"$ref": "#/components/responses/NotFound"},
                    "422": {"$ref": "#/components/responses/UnprocessableContent"},
                    "500": {"$ref": "#/components/responses/InternalError"},
                    "503": {"$ref": "#/components/responses/ServiceUnavailable"},
                },
            },
            "patch": {
                "operationId": "updateItem",
                "tags": ["items"],
                "summary": "Change an item (its owner or a superuser)",
                "description": "Absent fields stay as they are. Send the `ETag` you read as `If-Match` to change\nonly what you saw: if the item changed since, the answer is 412 and nothing changes.\nAnother user's item is a 404.\n",
                "parameters": [{"$ref": "#/components/parameters/IfMatch"}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/ItemUpdate"},
                            "example": {"price": "149.90"},
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "The updated item.",
                        "headers": {"ETag": {"$ref": "#/components/headers/ETag"}},
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Item"},
                                "examples": {"Item": {"$ref": "#/components/examples/Item"}},
                            }
                        },
                    },
                    "401": {"$ref": "#/components/responses/Unauthorized"},
                    "404": {"$ref": "#/components/responses/NotFound"},
                    "412": {"$ref": "#/components/responses/PreconditionFailed"},
                    "413": {"$ref": "#/components/responses/PayloadTooLarge"},
                    "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
                    "422": {"$ref": "#/components/responses/UnprocessableContent"},
                    "500": {"$ref": "#/components/responses/InternalError"},
                    "503": {"$ref": "#/components/responses/ServiceUnavailable"},
                },
            },
            "delete": {
                "operationId": "deleteItem",
                "tags": ["items"],
                "summary": "Delete an item (its owner or a superuser)",
                "description": "Another user's item is a 404.",
                "responses": {
                    "204": {"description": "The item is gone."},
                    "401": {"$ref": "#/components/responses/Unauthorized"},
                    "404": {"$ref": "#/components/responses/NotFound"},
                    "422": {"$ref": "#/components/responses/UnprocessableContent"},
                    "500": {"$ref": "#/components/responses/InternalError"},
                    "503": {"$ref": "#/components/responses/ServiceUnavailable"},
                },
            },
        },
        "/api/v1/posts": {
            "get": {
                "operationId": "listPosts",
                "tags": ["posts"],
                "summary": "List posts",
                "description": "Anonymous callers see published posts; a signed-in caller also sees their own drafts.\nNewest first, ties broken by id. `q` matches titles containing it, ignoring case.\n",
                "security": [{}, {"bearer": []}, {"oauth2": []}],
                "parameters": [
                    {"$ref": "#/components/parameters/Page"},
                    {"$ref": "#/components/parameters/Size"},
                    {
                        "name": "author_id",
                        "in": "query",
                        "required": False,
                        "description": "Only this user's posts.",
                        "schema": {"type": "string", "format": "uuid"},
                        "example": "3f0a6c2e-8d1b-4c7e-9a52-1e6f4b2d7c90",
                    },
                    {"$ref": "#/components/parameters/Query"},
                ],
                "responses": {
                    "200": {
                        "description": "A page of posts.",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/PostPage"},
                                "examples": {
                                    "PostPage": {"$ref": "#/components/examples/PostPage"}
                                },
                            }
                        },
                    },
                    "401": {"$ref": "#/components/responses/Unauthorized"},
                    "422": {"$ref": "#/components/responses/UnprocessableContent"},
                    "500": {"$ref": "#/components/responses/InternalError"},
                    "503": {"$ref": "#/components/responses/ServiceUnavailable"},
                },
            },
            "post": {
                "operationId": "createPost",
                "tags": ["posts"],
                "summary": "Write a post",
                "description": "The slug is made from the title (lower-case ASCII words joined by hyphens) and never\nchanges; a taken slug gets `-2`, `-3`, ... appended.\n",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/PostCreate"},
                            "example": {
                                "title": "Restoring a 1976 Canon AE-1",
                                "content": "The shutter squealed, the light seals had turned to tar and the meter needle would not move. Here is how a weekend and a few spare parts brought it back.",
                                "excerpt": "A weekend, a few spare parts and a camera that works again.",
                                "published": True,
                            },
                        }
                    },
                },
                "responses": {
                    "201": {
                        "description": "The post was created.",
                        "headers": {
                            "Location": {"$ref": "#/components/headers/PostLocation"},
                            "ETag": {"$ref": "#/components/headers/ETag"},
                        },
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Post"},
                                "examples": {"Post": {"$ref": "#/components/examples/Post"}},
                            }
                        },
                        "links": {
                            "GetPostById": {
                                "operationId": "getPost",
                                "parameters": {"post_id": "$response.body#/id"},
                            },
                            "GetPostBySlug": {
                                "operationId": "getPostBySlug",
                                "parameters": {"slug": "$response.body#/slug"},
                            },
                            "UpdatePostById": {
                                "operationId": "updatePost",
                                "parameters": {"post_id": "$response.body#/id"},
                            },
                            "DeletePostById": {
                                "operationId": "deletePost",
                                "parameters": {"post_id": "$response.body#/id"},
                            },
                        },
                    },
                    "401": {"$ref": "#/components/responses/Unauthorized"},
                    "413": {"$ref": "#/components/responses/PayloadTooLarge"},
                    "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
                    "422": {"$ref": "#/components/responses/UnprocessableContent"},
                    "500": {"$ref": "#/components/responses/InternalError"},
                    "503": {"$ref": "#/components/responses/ServiceUnavailable"},
                },
            },
        },
        "/api/v1/posts/slug/{slug}": {
            "get": {
                "operationId": "getPostBySlug",
                "tags": ["posts"],
                "summary": "Read a post by its slug",
                "description": "As `getPost`.",
                "security": [{}, {"bearer": []}, {"oauth2": []}],
                "parameters": [
                    {
                        "name": "slug",
                        "in": "path",
                        "required": True,
                        "schema": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": 220,
                            "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$",
                        },
                        "example": "restoring-a-1976-canon-ae-1",
                    }
                ],
                "responses": {
                    "200": {
                        "description": "The post.",
                        "headers": {"ETag": {"$ref": "#/components/headers/ETag"}},
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Post"},
                                "examples": {"Post": {"$ref": "#/components/examples/Post"}},
                            }
                        },
                    },
                    "401": {"$ref": "#/components/responses/Unauthorized"},
                    "404": {"$ref": "#/components/responses/NotFound"},
                    "422": {"$ref": "#/components/responses/UnprocessableContent"},
                    "500": {"$ref": "#/components/responses/InternalError"},
                    "503": {"$ref": "#/components/responses/ServiceUnavailable"},
                },
            }
        },
        "/api/v1/posts/{post_id}": {
            "parameters": [{"$ref": "#/components/parameters/PostId"}],
            "get": {
                "operationId": "getPost",
                "tags": ["posts"],
                "summary": "Read a post",
                "description": "A published post is public; a draft is a 404 to anyone but its author and superusers.",
                "security": [{}, {"bearer": []}, {"oauth2": []}],
                "responses": {
                    "200": {
                        "description": "The post.",
                        "headers": {"ETag": {"$ref": "#/components/headers/ETag"}},
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Post"},
                                "examples": {"Post": {"$ref": "#/components/examples/Post"}},
                            }
                        },
                    },
                    "401": {"$ref": "#/components/responses/Unauthorized"},
                    "404": {"$ref": "#/components/responses/NotFound"},
                    "422": {"$ref": "#/components/responses/UnprocessableContent"},
                    "500": {"$ref": "#/components/responses/InternalError"},
                    "503": {"$ref": "#/components/responses/ServiceUnavailable"},
                },
            },
            "patch": {
                "operationId": "updatePost",
                "tags": ["posts"],
                "summary": "Change a post (its author or a superuser)",
                "description": "Absent fields stay as they are; the slug never changes. Publishing sets\n`published_at`, unpublishing clears it. `If-Match` as for items.\n",
                "parameters": [{"$ref": "#/components/parameters/IfMatch"}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/PostUpdate"},
                            "example": {"published": True},
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "The updated post.",
                        "headers": {"ETag": {"$ref": "#/components/headers/ETag"}},
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Post"},
                                "examples": {"Post": {"$ref": "#/components/examples/Post"}},
                            }
                        },
                    },
                    "401": {"$ref": "#/components/responses/Unauthorized"},
                    "404": {"$ref": "#/components/responses/NotFound"},
                    "412": {"$ref": "#/components/responses/PreconditionFailed"},
                    "413": {"$ref": "#/components/responses/PayloadTooLarge"},
                    "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
                    "422": {"$ref": "#/components/responses/UnprocessableContent"},
                    "500": {"$ref": "#/components/responses/InternalError"},
                    "503": {"$ref": "#/components/responses/ServiceUnavailable"},
                },
            },
            "delete": {
                "operationId": "deletePost",
                "tags": ["posts"],
                "summary": "Delete a post (its author or a superuser)",
                "responses": {
                    "204": {"description": "The post is gone."},
                    "401": {"$ref": "#/components/responses/Unauthorized"},
                    "404": {"$ref": "#/components/responses/NotFound"},
                    "422": {"$ref": "#/components/responses/UnprocessableContent"},
                    "500": {"$ref": "#/components/responses/InternalError"},
                    "503": {"$ref": "#/components/responses/ServiceUnavailable"},
                },
            },
        },
    },
    "components": {
        "securitySchemes": {
            "bearer": {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT",
                "description": "A JWT access token from `login` or `refreshTokens`.",
            },
            "oauth2": {
                "type": "oauth2",
                "description": 'The same bearer token, got by signing in with an email (as `username`) and a password:\nwhat an OAuth2 client such as Swagger UI\'s "Authorize" does, through `login`.\n',
                "flows": {"password": {"tokenUrl": "/api/v1/auth/login", "scopes": {}}},
            },
        },
        "parameters": {
            "Page": {
                "name": "page",
                "in": "query",
                "required": False,
                "description": "The 1-based page number.",
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 10000,
                    "default": 1,
                },
                "example": 1,
            },
            "Size": {
                "name": "size",
                "in": "query",
                "required": False,
                "description": "How many entries a page holds.",
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 100,
                    "default": 20,
                },
                "example": 20,
            },
            "UserId": {
                "name": "user_id",
                "in": "path",
                "required": True,
                "description": "The account's id.",
                "schema": {"type": "string", "format": "uuid"},
                "example": "3f0a6c2e-8d1b-4c7e-9a52-1e6f4b2d7c90",
            },
            "ItemId": {
                "name": "item_id",
                "in": "path",
                "required": True,
                "description": "The item's id.",
                "schema": {"type": "string", "format": "uuid"},
                "example": "6b1d2f4e-5a3c-4e8b-b7d9-0c2a9e8f1a34",
            },
            "PostId": {
                "name": "post_id",
                "in": "path",
                "required": True,
                "description": "The post's id.",
                "schema": {"type": "string", "format": "uuid"},
                "example": "9c4e7a21-3b5d-4f60-8e1a-2d7b6c9f0e58",
            },
            "Query": {
                "name": "q",
                "in": "query",
                "required": False,
                "description": "Only entries whose title contains this text, ignoring case.",
                "schema": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 200,
                    "pattern": "^[^\\u0000]*$",
                },
                "example": "camera",
            },
            "IfMatch": {
                "name": "If-Match",
                "in": "header",
                "required": False,
                "description": "Apply the change only if the resource's current `ETag` is one of these (or `*`).",
                "schema": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 1024,
                    "pattern": "^[^\\u0000]*$",
                },
                "example": '"3"',
            },
        },
        "headers": {
            "UserLocation": {
                "description": "The URL of the new account.",
                "required": True,
                "schema": {
                    "type": "string",
                    "format": "uri-reference",
                    "maxLength": 2048,
                },
                "example": "/api/v1/users/3f0a6c2e-8d1b-4c7e-9a52-1e6f4b2d7c90",
            },
            "Location": {
                "description": "The URL of the created resource.",
                "required": True,
                "schema": {
                    "type": "string",
                    "format": "uri-reference",
                    "maxLength": 2048,
                },
                "example": "/api/v1/items/6b1d2f4e-5a3c-4e8b-b7d9-0c2a9e8f1a34",
            },
            "PostLocation": {
                "description": "The URL of the new post.",
                "required": True,
                "schema": {
                    "type": "string",
                    "format": "uri-reference",
                    "maxLength": 2048,
                },
                "example": "/api/v1/posts/9c4e7a21-3b5d-4f60-8e1a-2d7b6c9f0e58",
            },
            "ETag": {
                "description": "The current entity tag of the resource; send it back in `If-Match`.",
                "required": True,
                "schema": {"type": "string", "maxLength": 128},
                "example": '"3"',
            },
            "WWW-Authenticate": {
                "description": "The authentication scheme to use (`Bearer`).",
                "required": True,
                "schema": {"type": "string", "maxLength": 512},
                "example": "Bearer",
            },
            "Retry-After": {
                "description": "Seconds to wait before trying again.",
                "required": True,
                "schema": {"type": "integer", "minimum": 0, "maximum": 86400},
                "example": 5,
            },
            "Allow": {
                "description": "The methods this path accepts.",
                "required": True,
                "schema": {"type": "string", "maxLength": 256},
                "example": "GET, PATCH, DELETE",
            },
        },
        "responses": {
            "BadRequest": {
                "description": "The request is well formed but cannot be carried out.",
                "content": {
                    "application/problem+json": {
                        "schema": {"$ref": "#/components/schemas/Problem"},
                        "example": {
                            "type": "urn:problem-type:invalid-request",
                            "title": "Bad Request",
                            "status": 400,
                            "detail": "The current password is not correct.",
                            "instance": "/api/v1/users/me/password",
                            "request_id": "8f14e45fceea167a5a36dedd4bea2543",
                        },
                    }
                },
            },
            "InvalidMailToken": {
                "description": "The emailed token is unknown, already used or expired; ask for a new email.",
                "content": {
                    "application/problem+json": {
                        "schema": {"$ref": "#/components/schemas/Problem"},
                        "example": {
                            "type": "urn:problem-type:invalid-request",
                            "title": "Bad Request",
                            "status": 400,
                            "detail": "The link is invalid, already used or expired; ask for a new one.",
                            "instance": "/api/v1/auth/password-reset/confirm",
                            "request_id": "8f14e45fceea167a5a36dedd4bea2543",
                        },
                    }
                },
            },
            "Unauthorized": {
                "description": "The bearer token is missing, invalid or expired.",
                "headers": {"WWW-Authenticate": {"$ref": "#/components/headers/WWW-Authenticate"}},
                "content": {
                    "application/problem+json": {
                        "schema": {"$ref": "#/components/schemas/Problem"},
                        "example": {
                            "type": "urn:problem-type:unauthenticated",
                            "title": "Unauthorized",
                            "status": 401,
                            "detail": "The access token has expired; refresh it or sign in again.",
                            "instance": "/api/v1/users/me",
                            "request_id": "8f14e45fceea167a5a36dedd4bea2543",
                        },
                    }
                },
            },
            "Forbidden": {
                "description": "The caller is authenticated but may not do this.",
                "content": {
                    "application/problem+json": {
                        "schema": {"$ref": "#/components/schemas/Problem"},
                        "example": {
                            "type": "urn:problem-type:permission-denied",
                            "title": "Forbidden",
                            "status": 403,
                            "detail": "Only a superuser may do this.",
                            "instance": "/api/v1/users",
                            "request_id": "8f14e45fceea167a5a36dedd4bea2543",
                        },
                    }
                },
            },
            "NotFound": {
                "description": "No such resource, or not one the caller may see.",
                "content": {
                    "application/problem+json": {
                        "schema": {"$ref": "#/components/schemas/Problem"},
                        "example": {
                            "type": "urn:problem-type:not-found",
                            "title": "Not Found",
                            "status": 404,
                            "detail": "No item with this id.",
                            "instance": "/api/v1/items/6b1d2f4e-5a3c-4e8b-b7d9-0c2a9e8f1a34",
                            "request_id": "8f14e45fceea167a5a36dedd4bea2543",
                        },
                    }
                },
            },
            "Conflict": {
                "description": "The request conflicts with the current state of a resource.",
                "content": {
                    "application/problem+json": {
                        "schema": {"$ref": "#/components/schemas/Problem"},
                        "example": {
                            "type": "urn:problem-type:conflict",
                            "title": "Conflict",
                            "status": 409,
                            "detail": "An account with this email already exists.",
                            "instance": "/api/v1/auth/register",
                            "request_id": "8f14e45fceea167a5a36dedd4bea2543",
                        },
                    }
                },
            },
            "PreconditionFailed": {
                "description": "`If-Match` no longer matches the resource's current `ETag`.",
                "content": {
                    "application/problem+json": {
                        "schema": {"$ref": "#/components/schemas/Problem"},
                        "example": {
                            "type": "urn:problem-type:precondition-failed",
                            "title": "Precondition Failed",
                            "status": 412,
                            "detail": "The item changed since you read it: read it again, then retry with its new ETag.",
                            "instance": "/api/v1/items/6b1d2f4e-5a3c-4e8b-b7d9-0c2a9e8f1a34",
                            "request_id": "8f14e45fceea167a5a36dedd4bea2543",
                        },
                    }
                },
            },
            "PayloadTooLarge": {
                "description": "The request body is larger than the service accepts.",
                "content": {
                    "application/problem+json": {
                        "schema": {"$ref": "#/components/schemas/Problem"},
                        "example": {
                            "type": "about:blank",
                            "title": "Request Entity Too Large",
                            "status": 413,
                            "detail": "The request body is larger than 1048576 bytes.",
                            "instance": "/api/v1/posts",
                            "request_id": "8f14e45fceea167a5a36dedd4bea2543",
                        },
                    }
                },
            },
            "UnsupportedMediaType": {
                "description": "The request body's `Content-Type` is not one the operation accepts.",
                "content": {
                    "application/problem+json": {
                        "schema": {"$ref": "#/components/schemas/Problem"},
                        "example": {
                            "type": "about:blank",
                            "title": "Unsupported Media Type",
                            "status": 415,
                            "detail": "Send the body as application/json, not text/plain.",
                            "instance": "/api/v1/items",
                            "request_id": "8f14e45fceea167a5a36dedd4bea2543",
                        },
                    }
                },
            },
            "UnprocessableContent": {
                "description": "The request breaks the contract; `errors` lists each rule it broke.",
                "content": {
                    "application/problem+json": {
                        "schema": {"$ref": "#/components/schemas/ValidationProblem"},
                        "example": {
                            "type": "urn:problem-type:validation-error",
                            "title": "Unprocessable Entity",
                            "status": 422,
                            "detail": "The request breaks the contract in 1 place(s).",
                            "instance": "/api/v1/items",
                            "request_id": "8f14e45fceea167a5a36dedd4bea2543",
                            "errors": [
                                {
                                    "pointer": "#/price",
                                    "message": "String should match pattern '^(0|[1-9][0-9]{0,7})(\\.[0-9]{1,2})?$'",
                                    "code": "string_pattern_mismatch",
                                }
                            ],
                        },
                    }
                },
            },
            "TooManyRequests": {
                "description": "The caller sent too many requests; retry after `Retry-After` seconds.",
                "headers": {"Retry-After": {"$ref": "#/components/headers/Retry-After"}},
                "content": {
                    "application/problem+json": {
                        "schema": {"$ref": "#/components/schemas/Problem"},
                        "example": {
                            "type": "urn:problem-type:rate-limited",
                            "title": "Too Many Requests",
                            "status": 429,
                            "detail": "Too many attempts from this address; retry after Retry-After seconds.",
                            "instance": "/api/v1/auth/login",
                            "request_id": "8f14e45fceea167a5a36dedd4bea2543",
                        },
                    }
                },
            },
            "InternalError": {
                "description": "An unexpected error; the body carries a request id and no internals.",
                "content": {
                    "application/problem+json": {
                        "schema": {"$ref": "#/components/schemas/Problem"},
                        "example": {
                            "type": "about:blank",
                            "title": "Internal Server Error",
                            "status": 500,
                            "detail": "Something went wrong on our side; quote the request id when you report it.",
                            "instance": "/api/v1/items",
                            "request_id": "8f14e45fceea167a5a36dedd4bea2543",
                        },
                    }
                },
            },
            "ServiceUnavailable": {
                "description": "The service cannot serve this now: the database is unreachable, timing out, read-only\nor full, too many passwords are being hashed at once, or the process is shutting down.\nRetry after `Retry-After` seconds.\n",
                "headers": {"Retry-After": {"$ref": "#/components/headers/Retry-After"}},
                "content": {
                    "application/problem+json": {
                        "schema": {"$ref": "#/components/schemas/Problem"},
                        "example": {
                            "type": "urn:problem-type:unavailable",
                            "title": "Service Unavailable",
                            "status": 503,
                            "detail": "The database is not answering; retry after Retry-After seconds.",
                            "instance": "/api/v1/items",
                            "request_id": "8f14e45fceea167a5a36dedd4bea2543",
                        },
                    }
                },
            },
        },
        "examples": {
            "User": {
                "summary": "Alice's account",
                "value": {
                    "id": "3f0a6c2e-8d1b-4c7e-9a52-1e6f4b2d7c90",
                    "email": "alice@example.com",
                    "full_name": "Alice Martin",
                    "bio": "Collects and repairs vintage film cameras.",
                    "is_active": True,
                    "is_superuser": False,
                    "is_verified": True,
                    "created_at": "2026-01-15T09:30:00Z",
                    "updated_at": "2026-02-02T14:05:12Z",
                },
            },
            "UserPage": {
                "summary": "The first page of accounts",
                "value": {
                    "total": 2,
                    "page": 1,
                    "size": 20,
                    "pages": 1,
                    "items": [
                        {
                            "id": "c81d4e2e-bcf2-4b1a-9d3e-5f6a7b8c9d01",
                            "email": "bob@example.org",
                            "full_name": "Bob Okafor",
                            "bio": None,
                            "is_active": True,
                            "is_superuser": True,
                            "is_verified": False,
                            "created_at": "2025-11-03T08:00:00Z",
                            "updated_at": "2025-11-03T08:00:00Z",
                        },
                        {
                            "id": "3f0a6c2e-8d1b-4c7e-9a52-1e6f4b2d7c90",
                            "email": "alice@example.com",
                            "full_name": "Alice Martin",
                            "bio": "Collects and repairs vintage film cameras.",
                            "is_active": True,
                            "is_superuser": False,
                            "is_verified": True,
                            "created_at": "2026-01-15T09:30:00Z",
                            "updated_at": "2026-02-02T14:05:12Z",
                        },
                    ],
                },
            },
            "ResetAccepted": {
                "summary": "The same answer for every email",
                "value": {
                    "detail": "If an account has this email, a link to reset its password is on its way."
                },
            },
            "VerificationAccepted": {
                "summary": "A verification link is on its way",
                "value": {
                    "detail": "Unless your email is already verified, a link to verify it is on its way."
                },
            },
            "TokenPair": {
                "summary": "A fresh token pair",
                "value": {
                    "access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIzZjBhNmMyZS04ZDFiLTRjN2UtOWE1Mi0xZTZmNGIyZDdjOTAiLCJ0eXBlIjoiYWNjZXNzIiwiZXhwIjoxNzY4NDcxMDAwfQ.kT3m9Qx2vB7nL0cR5sW8yZ1aD4fG6hJ2pE9uI3oK7tM",
                    "refresh_token": "Nq4fL0c8_2T1yWm3pXvR7sKd9eHj5aBz.0f6c2a9d41e87b35",
                    "token_type": "bearer",
                    "expires_in": 900,
                },
            },
            "Item": {
                "summary": "Alice's camera",
                "value": {
                    "id": "6b1d2f4e-5a3c-4e8b-b7d9-0c2a9e8f1a34",
                    "title": "Canon AE-1 film camera",
                    "description": "Working condition, with a 50 mm f/1.8 lens and a new light seal.",
                    "price": "149.90",
                    "owner_id": "3f0a6c2e-8d1b-4c7e-9a52-1e6f4b2d7c90",
                    "created_at": "2026-02-01T10:12:45Z",
                    "updated_at": "2026-02-03T16:40:02Z",
                },
            },
            "ItemPage": {
                "summary": "A page of items",
                "value": {
                    "total": 1,
                    "page": 1,
                    "size": 20,
                    "pages": 1,
                    "items": [
                        {
                            "id": "6b1d2f4e-5a3c-4e8b-b7d9-0c2a9e8f1a34",
                            "title": "Canon AE-1 film camera",
                            "description": "Working condition, with a 50 mm f/1.8 lens and a new light seal.",
                            "price": "149.90",
                            "owner_id": "3f0a6c2e-8d1b-4c7e-9a52-1e6f4b2d7c90",
                            "created_at": "2026-02-01T10:12:45Z",
                            "updated_at": "2026-02-03T16:40:02Z",
                        }
                    ],
                },
            },
            "Post": {
                "summary": "Alice's published post",
                "value": {
                    "id": "9c4e7a21-3b5d-4f60-8e1a-2d7b6c9f0e58",
                    "title": "Restoring a 1976 Canon AE-1",
                    "slug": "restoring-a-1976-canon-ae-1",
                    "content": "The shutter squealed, the light seals had turned to tar and the meter needle would not move. Here is how a weekend and a few spare parts brought it back.",
                    "excerpt": "A weekend, a few spare parts and a camera that works again.",
                    "published": True,
                    "published_at": "2026-02-04T07:00:00Z",
                    "author_id": "3f0a6c2e-8d1b-4c7e-9a52-1e6f4b2d7c90",
                    "created_at": "2026-02-03T21:15:30Z",
                    "updated_at": "2026-02-04T07:00:00Z",
                },
            },
            "PostPage": {
                "summary": "A page of posts",
                "value": {
                    "total": 1,
                    "page": 1,
                    "size": 20,
                    "pages": 1,
                    "items": [
                        {
                            "id": "9c4e7a21-3b5d-4f60-8e1a-2d7b6c9f0e58",
                            "title": "Restoring a 1976 Canon AE-1",
                            "slug": "restoring-a-1976-canon-ae-1",
                            "content": "The shutter squealed, the light seals had turned to tar and the meter needle would not move. Here is how a weekend and a few spare parts brought it back.",
                            "excerpt": "A weekend, a few spare parts and a camera that works again.",
                            "published": True,
                            "published_at": "2026-02-04T07:00:00Z",
                            "author_id": "3f0a6c2e-8d1b-4c7e-9a52-1e6f4b2d7c90",
                            "created_at": "2026-02-03T21:15:30Z",
                            "updated_at": "2026-02-04T07:00:00Z",
                        }
                    ],
                },
            },
        },
        "schemas": {
            "Problem": {
                "type": "object",
                "description": "An RFC 9457 problem document.",
                "required": ["type", "title", "status"],
                "properties": {
                    "type": {
                        "type": "string",
                        "format": "uri-reference",
                        "maxLength": 256,
                        "description": "Names the kind of problem; `about:blank` when the status says it all.",
                    },
                    "title": {
                        "type": "string",
                        "maxLength": 256,
                        "description": "A short summary of the kind of problem; the same for every occurrence.",
                    },
                    "status": {
                        "type": "integer",
                        "minimum": 400,
                        "maximum": 599,
                        "description": "The HTTP status code.",
                    },
                    "detail": {
                        "type": "string",
                        "maxLength": 4096,
                        "description": "What went wrong in this occurrence, for a person to read.",
                    },
                    "instance": {
                        "type": "string",
                        "format": "uri-reference",
                        "maxLength": 2048,
                        "description": "The path of the request that failed.",
                    },
                    "request_id": {
                        "type": "string",
                        "maxLength": 128,
                        "description": "The request's `X-Request-ID`; quote it when reporting a problem.",
                    },
                },
            },
            "ValidationIssue": {
                "type": "object",
                "description": "One broken rule; `pointer` for the body, `location` for a parameter.",
                "required": ["message"],
                "properties": {
                    "pointer": {
                        "type": "string",
                        "maxLength": 1024,
                        "description": "A JSON Pointer (RFC 6901) fragment into the request body, e.g. `#/title`.",
                    },
                    "location": {
                        "type": "string",
                        "maxLength": 256,
                        "description": "Where a parameter was sent and its name, e.g. `query.size`.",
                    },
                    "message": {"type": "string", "maxLength": 1024},
                    "code": {
                        "type": "string",
                        "maxLength": 128,
                        "description": "A machine-readable name of the rule, e.g. `less_than_equal`.",
                    },
                },
            },
            "ValidationProblem": {
                "description": "A problem document for a request that breaks the contract.",
                "allOf": [
                    {"$ref": "#/components/schemas/Problem"},
                    {
                        "type": "object",
                        "required": ["errors"],
                        "properties": {
                            "errors": {
                                "type": "array",
                                "maxItems": 100,
                                "items": {"$ref": "#/components/schemas/ValidationIssue"},
                            }
                        },
                    },
                ],
            },
            "PageMeta": {
                "type": "object",
                "description": "What every paginated list carries besides its `items`.",
                "required": ["total", "page", "size", "pages"],
                "properties": {
                    "total": {
                        "type": "integer",
                        "minimum": 0,
                        "maximum": 9223372036854775807,
                        "description": "How many entries match, over all pages.",
                    },
                    "page": {"type": "integer", "minimum": 1, "maximum": 10000},
                    "size": {"type": "integer", "minimum": 1, "maximum": 100},
                    "pages": {
                        "type": "integer",
                        "minimum": 0,
                        "maximum": 9223372036854775807,
                        "description": "How many pages there are at this size.",
                    },
                },
            },
            "HealthStatus": {
                "type": "object",
                "required": ["status"],
                "properties": {"status": {"type": "string", "const": "ok"}},
            },
            "CheckStatus": {"type": "string", "enum": ["ok"]},
            "ReadinessStatus": {
                "type": "object",
                "required": ["status", "checks"],
                "properties": {
                    "status": {"type": "string", "const": "ok"},
                    "checks": {"$ref": "#/components/schemas/ReadinessChecks"},
                },
            },
            "ReadinessChecks": {
                "type": "object",
                "description": "The outcome of each dependency check.",
                "required": ["database"],
                "properties": {"database": {"$ref": "#/components/schemas/CheckStatus"}},
            },
            "User": {
                "type": "object",
                "description": "An account. Never carries a password or its hash.",
                "required": [
                    "id",
                    "email",
                    "full_name",
                    "bio",
                    "is_active",
                    "is_superuser",
                    "is_verified",
                    "created_at",
                    "updated_at",
                ],
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "email": {
                        "type": "string",
                        "format": "email",
                        "maxLength": 254,
                        "pattern": "^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$",
                        "description": "Lower case, as stored.",
                    },
                    "full_name": {"type": ["string", "null"], "maxLength": 100},
                    "bio": {"type": ["string", "null"], "maxLength": 1000},
                    "is_active": {"type": "boolean"},
                    "is_superuser": {"type": "boolean"},
                    "is_verified": {
                        "type": "boolean",
                        "description": "Whether the owner has followed a link emailed to this address.",
                    },
                    "created_at": {"type": "string", "format": "date-time"},
                    "updated_at": {"type": "string", "format": "date-time"},
                },
            },
            "UserRegister": {
                "type": "object",
                "additionalProperties": False,
                "required": ["email", "password"],
                "properties": {
                    "email": {
                        "type": "string",
                        "format": "email",
                        "maxLength": 254,
                        "pattern": "^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$",
                        "description": "An ASCII address with at most 64 characters before the @ and a dotted domain whose last label starts with a letter (`ada@example.org`): no quoted local parts, no IP-address domains.",
                    },
                    "password": {
                        "type": "string",
                        "minLength": 8,
                        "maxLength": 128,
                        "pattern": "^[^\\u0000]*$",
                    },
                    "full_name": {
                        "type": ["string", "null"],
                        "maxLength": 100,
                        "pattern": "^[^\\u0000]*$",
                    },
                },
            },
            "UserUpdateMe": {
                "type": "object",
                "additionalProperties": False,
                "description": "The fields you may change on your own account; absent fields stay as they are.",
                "properties": {
                    "full_name": {
                        "type": ["string", "null"],
                        "maxLength": 100,
                        "pattern": "^[^\\u0000]*$",
                    },
                    "bio": {
                        "type": ["string", "null"],
                        "maxLength": 1000,
                        "pattern": "^[^\\u0000]*$",
                    },
                },
            },
            "UserUpdate": {
                "type": "object",
                "additionalProperties": False,
                "description": "What a superuser may change on any account; absent fields stay as they are.",
                "properties": {
                    "full_name": {
                        "type": ["string", "null"],
                        "maxLength": 100,
                        "pattern": "^[^\\u0000]*$",
                    },
                    "bio": {
                        "type": ["string", "null"],
                        "maxLength": 1000,
                        "pattern": "^[^\\u0000]*$",
                    },
                    "is_active": {"type": "boolean"},
                    "is_superuser": {"type": "boolean"},
                },
            },
            "PasswordChange": {
                "type": "object",
                "additionalProperties": False,
                "required": ["current_password", "new_password"],
                "properties": {
                    "current_password": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": 128,
                        "pattern": "^[^\\u0000]*$",
                    },
                    "new_password": {
                        "type": "string",
                        "minLength": 8,
                        "maxLength": 128,
                        "pattern": "^[^\\u0000]*$",
                    },
                },
            },
            "PasswordResetRequest": {
                "type": "object",
                "additionalProperties": False,
                "required": ["email"],
                "properties": {
                    "email": {
                        "type": "string",
                        "format": "email",
                        "maxLength": 254,
                        "pattern": "^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$",
                        "description": "The account's email, in any case.",
                    }
                },
            },
            "PasswordReset": {
                "type": "object",
                "additionalProperties": False,
                "required": ["token", "new_password"],
                "properties": {
                    "token": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": 512,
                        "pattern": "^[^\\u0000]*$",
                        "description": "The `token` query parameter of the emailed link.",
                    },
                    "new_password": {
                        "type": "string",
                        "minLength": 8,
                        "maxLength": 128,
                        "pattern": "^[^\\u0000]*$",
                    },
                },
            },
            "EmailVerification": {
                "type": "object",
                "additionalProperties": False,
                "required": ["token"],
                "properties": {
                    "token": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": 512,
                        "pattern": "^[^\\u0000]*$",
                        "description": "The `token` query parameter of the emailed link.",
                    }
                },
            },
            "MailAccepted": {
                "type": "object",
                "description": "An email was asked for; the same answer whether or not it is sent.",
                "required": ["detail"],
                "properties": {"detail": {"type": "string", "maxLength": 500}},
            },
            "LoginForm": {
                "type": "object",
                "additionalProperties": False,
                "description": "The OAuth2 password grant (RFC 6749 section 4.3).",
                "required": ["username", "password"],
                "properties": {
                    "grant_type": {"type": "string", "enum": ["password"]},
                    "username": {
                        "type": "string",
                        "description": "The account's email.",
                        "minLength": 1,
                        "maxLength": 254,
                        "pattern": "^[^\\u0000]*$",
                    },
                    "password": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": 128,
                        "pattern": "^[^\\u0000]*$",
                    },
                    "scope": {
                        "type": "string",
                        "maxLength": 1000,
                        "pattern": "^[^\\u0000]*$",
                    },
                },
            },
            "RefreshRequest": {
                "type": "object",
                "additionalProperties": False,
                "required": ["refresh_token"],
                "properties": {
                    "refresh_token": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": 4096,
                        "pattern": "^[^\\u0000]*$",
                    }
                },
            },
            "TokenPair": {
                "type": "object",
                "required": [
                    "access_token",
                    "refresh_token",
                    "token_type",
                    "expires_in",
                ],
                "properties": {
                    "access_token": {"type": "string", "maxLength": 4096},
                    "refresh_token": {"type": "string", "maxLength": 4096},
                    "token_type": {"type": "string", "const": "bearer"},
                    "expires_in": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": 86400,
                        "description": "Seconds until the access token expires.",
                    },
                },
            },
            "UserPage": {
                "description": "A page of accounts.",
                "allOf": [
                    {"$ref": "#/components/schemas/PageMeta"},
                    {
                        "type": "object",
                        "required": ["items"],
                        "properties": {
                            "items": {
                                "type": "array",
                                "maxItems": 100,
                                "items": {"$ref": "#/components/schemas/User"},
                            }
                        },
                    },
                ],
            },
            "Price": {
                "type": "string",
                "description": 'A decimal amount as a string, from `0` to `99999999.99`. Input takes at most two\ndecimals (`"9.9"`, `"9.90"`, `"10"`); output always has exactly two (`"9.90"`).\n',
                "maxLength": 11,
                "pattern": "^(0|[1-9][0-9]{0,7})(\\.[0-9]{1,2})?$",
            },
            "Item": {
                "type": "object",
                "required": [
                    "id",
                    "title",
                    "description",
                    "price",
                    "owner_id",
                    "created_at",
                    "updated_at",
                ],
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "title": {"type": "string", "minLength": 1, "maxLength": 200},
                    "description": {"type": ["string", "null"], "maxLength": 2000},
                    "price": {
                        "type": "string",
                        "maxLength": 11,
                        "pattern": "^(0|[1-9][0-9]{0,7})\\.[0-9]{2}$",
                    },
                    "owner_id": {"type": "string", "format": "uuid"},
                    "created_at": {"type": "string", "format": "date-time"},
                    "updated_at": {"type": "string", "format": "date-time"},
                },
            },
            "ItemCreate": {
                "type": "object",
                "additionalProperties": False,
                "required": ["title", "price"],
                "properties": {
                    "title": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": 200,
                        "pattern": "^[^\\u0000]*$",
                    },
                    "description": {
                        "type": ["string", "null"],
                        "maxLength": 2000,
                        "pattern": "^[^\\u0000]*$",
                    },
                    "price": {"$ref": "#/components/schemas/Price"},
                },
            },
            "ItemUpdate": {
                "type": "object",
                "additionalProperties": False,
                "description": "Absent fields stay as they are.",
                "properties": {
                    "title": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": 200,
                        "pattern": "^[^\\u0000]*$",
                    },
                    "description": {
                        "type": ["string", "null"],
                        "maxLength": 2000,
                        "pattern": "^[^\\u0000]*$",
                    },
                    "price": {"$ref": "#/components/schemas/Price"},
                },
            },
            "ItemPage": {
                "description": "A page of items.",
                "allOf": [
                    {"$ref": "#/components/schemas/PageMeta"},
                    {
                        "type": "object",
                        "required": ["items"],
                        "properties": {
                            "items": {
                                "type": "array",
                                "maxItems": 100,
                                "items": {"$ref": "#/components/schemas/Item"},
                            }
                        },
                    },
                ],
            },
            "Post": {
                "type": "object",
                "required": [
                    "id",
                    "title",
                    "slug",
                    "content",
                    "excerpt",
                    "published",
                    "published_at",
                    "author_id",
                    "created_at",
                    "updated_at",
                ],
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "title": {"type": "string", "minLength": 1, "maxLength": 200},
                    "slug": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": 220,
                        "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$",
                    },
                    "content": {"type": "string", "minLength": 1, "maxLength": 50000},
                    "excerpt": {"type": ["string", "null"], "maxLength": 500},
                    "published": {"type": "boolean"},
                    "published_at": {"type": ["string", "null"], "format": "date-time"},
                    "author_id": {"type": "string", "format": "uuid"},
                    "created_at": {"type": "string", "format": "date-time"},
                    "updated_at": {"type": "string", "format": "date-time"},
                },
            },
            "PostCreate": {
                "type": "object",
                "additionalProperties": False,
                "required": ["title", "content"],
                "properties": {
                    "title": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": 200,
                        "pattern": "^[^\\u0000]*$",
                    },
                    "content": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": 50000,
                        "pattern": "^[^\\u0000]*$",
                    },
                    "excerpt": {
                        "type": ["string", "null"],
                        "maxLength": 500,
                        "pattern": "^[^\\u0000]*$",
                    },
                    "published": {"type": "boolean", "default": False},
                },
            },
            "PostUpdate": {
                "type": "object",
                "additionalProperties": False,
                "description": "Absent fields stay as they are; the slug never changes.",
                "properties": {
                    "title": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": 200,
                        "pattern": "^[^\\u0000]*$",
                    },
                    "content": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": 50000,
                        "pattern": "^[^\\u0000]*$",
                    },
                    "excerpt": {
                        "type": ["string", "null"],
                        "maxLength": 500,
                        "pattern": "^[^\\u0000]*$",
                    },
                    "published": {"type": "boolean"},
                },
            },
            "PostPage": {
                "description": "A page of posts.",
                "allOf": [
                    {"$ref": "#/components/schemas/PageMeta"},
                    {
                        "type": "object",
                        "required": ["items"],
                        "properties": {
                            "items": {
                                "type": "array",
                                "maxItems": 100,
                                "items": {"$ref": "#/components/schemas/Post"},
                            }
                        },
                    },
                ],
            },
        },
    },
}
SCHEMAS: Mapping[str, Any] = DOCUMENT["components"]["schemas"]
