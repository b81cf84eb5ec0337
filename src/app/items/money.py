"""Prices as the contract writes them ("9.90") and as the database keeps them (990 cents).

Decimal and integer arithmetic only: no float ever touches a price.
"""

from decimal import Decimal


def to_cents(price: str) -> int:
    """The contract's pattern has already refused more than two decimals, signs and exponents."""
    cents = Decimal(price) * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{price!r} has more than two decimals")
    return int(cents)


def from_cents(cents: int) -> str:
    return str(Decimal(cents).scaleb(-2))
