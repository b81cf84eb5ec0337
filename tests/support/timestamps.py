"""Timestamps in response bodies: parsed, and checked to carry their offset."""

from datetime import datetime


def instant(value: str) -> datetime:
    """`value`, an ISO 8601 date-time that must name its offset, as a `datetime`."""
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, value
    return parsed
