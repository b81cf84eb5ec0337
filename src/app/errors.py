"""Domain errors: what went wrong, in the service's words. No HTTP here; problems.py maps them."""


class DomainError(Exception):
    """Something the caller asked for cannot be done. `detail` is safe to show the caller."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidRequest(DomainError):
    """The request is well formed but cannot be carried out as asked."""


class InvalidField(DomainError):
    """A value breaks a rule the contract states but its generated models cannot check."""

    def __init__(self, detail: str, *, pointer: str = "#") -> None:
        super().__init__(detail)
        self.pointer = pointer  # a JSON Pointer fragment into the body, e.g. `#/email`


class Unauthenticated(DomainError):
    """No valid credentials: the caller must authenticate."""


class PermissionDenied(DomainError):
    """The caller is known but may not do this."""


class NotFound(DomainError):
    """No such resource, or not one the caller may see."""


class Conflict(DomainError):
    """The request clashes with the current state (a taken email, say)."""


class PreconditionFailed(DomainError):
    """The caller's precondition (If-Match) no longer holds."""


class RateLimited(DomainError):
    """Too many requests; the caller may retry after `retry_after` seconds."""

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """A dependency (the database) did not answer, or the service is saturated; the caller
    may retry after `retry_after` seconds."""

    def __init__(self, detail: str, retry_after: int = 1) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
