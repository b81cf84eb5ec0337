"""ETags from versions, and `If-Match` read with RFC 9110's strong comparison."""

import pytest

from app.etags import Precondition, etag, if_match


def test_etag_is_the_version_as_a_strong_tag() -> None:
    assert etag(1) == '"1"'
    assert etag(42) == '"42"'
    assert etag(1) != etag(2)


def test_no_if_match_means_no_precondition() -> None:
    assert if_match(None) is None


@pytest.mark.parametrize(
    ("header", "versions"),
    [
        ('"1"', {1}),
        ('"5", "1"', {5, 1}),
        ('"5","1"', {5, 1}),
        ('  "7"  ', {7}),
        ('"123456789012345678"', {123456789012345678}),
        # What could never match: weak tags, unquoted, empty, signs, too long, garbage.
        ('W/"1"', set()),
        ('w/"1"', set()),
        ('W/"1", "2"', {2}),
        ("1", set()),
        ('""', set()),
        ('"-1"', set()),
        ('"1.0"', set()),
        ('" 1"', set()),
        ('"1234567890123456789"', set()),
        ("garbage", set()),
        ("", set()),
        (",", set()),
    ],
)
def test_if_match_names_only_strong_tags(header: str, versions: set[int]) -> None:
    assert if_match(header) == Precondition(any_version=False, versions=frozenset(versions))


@pytest.mark.parametrize("header", ["*", " * ", '"1", *', '*, W/"1"'])
def test_star_matches_any_version(header: str) -> None:
    precondition = if_match(header)
    assert precondition is not None
    assert precondition.any_version is True


def test_what_etag_issues_if_match_reads_back() -> None:
    for version in (1, 2, 99, 10**17):
        assert if_match(etag(version)) == Precondition(False, frozenset({version}))
        assert if_match(f"W/{etag(version)}") == Precondition(False, frozenset())
