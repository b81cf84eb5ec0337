"""Slugs: lower-case ASCII words joined by hyphens, made once from a post's first title."""

import re
import unicodedata

MAX_BASE = 200  # leaves room for a "-12345" suffix within the column's 220
NOT_WORD = re.compile(r"[^a-z0-9]+")


def slugify(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = NOT_WORD.sub("-", ascii_title.lower()).strip("-")
    if len(slug) > MAX_BASE:
        slug = slug[:MAX_BASE].rsplit("-", 1)[0] if "-" in slug[:MAX_BASE] else slug[:MAX_BASE]
    return slug or "post"


def next_free(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3`, ...: the first that is not taken."""
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"
