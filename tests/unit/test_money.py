"""Prices: the contract's decimal strings to integer cents and back, with no float anywhere."""

from decimal import Decimal

import pytest

from app.items.money import from_cents, to_cents


@pytest.mark.parametrize(
    ("price", "cents"),
    [
        ("0", 0),
        ("0.0", 0),
        ("0.00", 0),
        ("0.01", 1),
        ("0.1", 10),
        ("0.10", 10),
        ("0.29", 29),  # 0.29 * 100 == 28.999999999999996 in floats
        ("1.15", 115),  # round(1.15 * 100) is fine, int(1.15 * 100) is 114
        ("9.9", 990),
        ("10", 1000),
        ("99999999.99", 9_999_999_999),
        ("99999999", 9_999_999_900),
    ],
)
def test_to_cents(price: str, cents: int) -> None:
    assert to_cents(price) == cents
    assert isinstance(to_cents(price), int)


@pytest.mark.parametrize("price", ["1.234", "0.001", "99999999.999"])
def test_to_cents_refuses_fractions_of_a_cent(price: str) -> None:
    with pytest.raises(ValueError, match="more than two decimals"):
        to_cents(price)


@pytest.mark.parametrize(
    ("cents", "price"),
    [
        (0, "0.00"),
        (1, "0.01"),
        (10, "0.10"),
        (990, "9.90"),
        (1000, "10.00"),
        (100_000_000, "1000000.00"),  # never "1.000000E+6"
        (9_999_999_999, "99999999.99"),
    ],
)
def test_from_cents_always_has_two_decimals(cents: int, price: str) -> None:
    assert from_cents(cents) == price


def test_every_cent_up_to_a_thousand_round_trips() -> None:
    for cents in range(100_001):
        price = from_cents(cents)
        assert to_cents(price) == cents
        assert Decimal(price) * 100 == cents
        whole, fraction = price.split(".")
        assert len(fraction) == 2
        assert whole == str(cents // 100)


@pytest.mark.parametrize("cents", [10**n - 1 for n in range(1, 11)] + [10**n for n in range(10)])
def test_powers_of_ten_round_trip(cents: int) -> None:
    assert to_cents(from_cents(cents)) == cents
    assert "E" not in from_cents(cents)
