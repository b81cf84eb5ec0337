# DO NOT EDIT: generated from openapi/openapi.yaml by `nox -s generate`.
"""The contract's component schemas as JSON Schema data, for checks that validate JSON.

`SCHEMAS[name]` is `#/components/schemas/<name>` of the spec, as written; the references between
them stay `$ref`s, for a JSON Schema library to follow.
"""

from collections.abc import Mapping
from typing import Any

SCHEMAS: Mapping[str, Any] = {
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
            "scope": {"type": "string", "maxLength": 1000, "pattern": "^[^\\u0000]*$"},
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
        "required": ["access_token", "refresh_token", "token_type", "expires_in"],
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
}
