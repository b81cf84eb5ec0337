"""Entity tags from a resource's version, and `If-Match` read as RFC 9110 says.

`If-Match` uses the strong comparison: weak tags (`W/"3"`) never match, `*` matches any
existing resource, and a header that names no tag we could have issued matches nothing.
"""

import re
from dataclasses import dataclass

STRONG_TAG = re.compile(r'^"(\d{1,18})"$')


def etag(version: int) -> str:
    return f'"{version}"'


@dataclass(frozen=True, slots=True)
class Precondition:
    """What `If-Match` allows: any version, or only these."""

    any_version: bool
    versions: frozenset[int]


def if_match(header: str | None) -> Precondition | None:
    """None when there is no `If-Match` (the change applies unconditionally)."""
    if header is None:
        return None
    tags = [tag.strip() for tag in header.split(",")]
    if "*" in tags:
        return Precondition(any_version=True, versions=frozenset())
    versions = frozenset(int(m.group(1)) for tag in tags if (m := STRONG_TAG.match(tag)))
    return Precondition(any_version=False, versions=versions)
