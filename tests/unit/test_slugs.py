"""Slugs from titles: lower-case ASCII words joined by hyphens, and the first free number."""

import re

import pytest

from app.posts.slugs import MAX_BASE, next_free, slugify

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")  # the contract's pattern for Post.slug


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Hello World", "hello-world"),
        ("Héllo, Wörld!", "hello-world"),
        ("!!!", "post"),
        ("", "post"),
        ("   ", "post"),
        ("日本語のタイトル", "post"),
        ("Ünïcödé 2024", "unicode-2024"),
        ("  --Leading and trailing--  ", "leading-and-trailing"),
        ("many   spaces\tand\nlines", "many-spaces-and-lines"),
        ("snake_case and kebab-case", "snake-case-and-kebab-case"),
        ("100% off", "100-off"),
        ("C'est déjà l'été", "c-est-deja-l-ete"),
        ("ﬁne ligature", "fine-ligature"),  # NFKD splits the ligature into "fi"
        ("ALL CAPS", "all-caps"),
        ("Café 日本 bar", "cafe-bar"),
        ("a", "a"),
        ("42", "42"),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug
    assert SLUG.fullmatch(slug)


def test_a_long_title_is_cut_at_a_word_boundary() -> None:
    title = " ".join(["word"] * 60)  # 299 characters
    slug = slugify(title)
    assert len(slug) <= MAX_BASE
    assert slug == "-".join(["word"] * 40)  # 199 characters: the 41st word would not fit
    assert SLUG.fullmatch(slug)


def test_a_cut_never_leaves_a_partial_word_or_a_trailing_hyphen() -> None:
    for length in range(1, 12):
        title = " ".join(["x" * length] * (2 * MAX_BASE // length + 1))
        slug = slugify(title)
        assert SLUG.fullmatch(slug), slug
        assert len(slug) <= MAX_BASE
        assert set(slug.split("-")) == {"x" * length}, length
        assert len(slug) >= MAX_BASE - 2 * (length + 1)  # at most a word short of the limit


def test_a_title_within_200_characters_can_still_need_a_cut() -> None:
    """NFKD lengthens some characters: "½" becomes 1, fraction slash, 2; "ﬃ" becomes "ffi"."""
    assert slugify("½" * 200) == "12" * (MAX_BASE // 2)
    assert slugify("ﬃ" * 200) == ("ffi" * 200)[:MAX_BASE]
    words = slugify(" ".join(["ﬃ"] * 100))  # 199 characters, 299 once decomposed
    assert SLUG.fullmatch(words)
    assert set(words.split("-")) == {"ffi"}
    assert len(words) <= MAX_BASE


def test_one_long_word_is_cut_at_the_limit() -> None:
    assert slugify("y" * 500) == "y" * MAX_BASE


def test_every_slug_fits_the_column_with_a_number() -> None:
    base = slugify("z" * 500)
    taken = {base} | {f"{base}-{n}" for n in range(2, 99999)}
    slug = next_free(base, taken)
    assert slug == "z" * MAX_BASE + "-99999"
    assert len(slug) <= 220  # the column's length


@pytest.mark.parametrize(
    ("taken", "expected"),
    [
        (set(), "news"),
        ({"other"}, "news"),
        ({"news-2"}, "news"),
        ({"news"}, "news-2"),
        ({"news", "news-2"}, "news-3"),
        ({"news", "news-2", "news-3", "news-4"}, "news-5"),
        ({"news", "news-3"}, "news-2"),  # the first gap
        ({"news", "news-2-2", "news-x"}, "news-2"),
    ],
)
def test_next_free(taken: set[str], expected: str) -> None:
    assert next_free("news", taken) == expected


def test_next_free_counts_to_twenty() -> None:
    taken: set[str] = set()
    for _ in range(20):
        taken.add(next_free("same", taken))
    assert taken == {"same"} | {f"same-{n}" for n in range(2, 21)}
