"""Readable slugs from titles."""

import re

import pytest

from broadsheet.lib.slugs import MAX_SLUG_WORDS_LENGTH, retitled_slug, slugify, unique_slug

SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


@pytest.mark.parametrize(
    ("title", "words"),
    [
        ("Hello, World!", "hello-world"),
        ("  How to   train your DRAGON  ", "how-to-train-your-dragon"),
        ("Héllo wörld, ça va?", "hello-world-ca-va"),
        ("C++ & Rust: 2024 edition", "c-rust-2024-edition"),
        ("snake_case and kebab-case", "snake-case-and-kebab-case"),
        ("ﬁne ligatures", "fine-ligatures"),
        ("Привет, мир", ""),
        ("!!!", ""),
        ("", ""),
    ],
)
def test_slugify_keeps_lower_case_ascii_words(title, words):
    assert slugify(title) == words


def test_slugify_cuts_long_titles_without_a_trailing_hyphen():
    words = slugify("word " * 100)

    assert len(words) <= MAX_SLUG_WORDS_LENGTH
    assert SLUG.fullmatch(words)


def test_unique_slug_starts_with_the_title_words():
    slug = unique_slug("Breaking News")

    assert slug.startswith("breaking-news-")
    assert SLUG.fullmatch(slug)


def test_equal_titles_give_different_slugs():
    assert len({unique_slug("Same") for _ in range(1000)}) == 1000


@pytest.mark.parametrize("title", ["Привет, мир", "東京", "???", "🦀"])
def test_title_without_latin_words_still_gets_a_slug(title):
    slug = unique_slug(title)

    assert SLUG.fullmatch(slug)
    assert unique_slug(title) != slug


def test_retitled_slug_keeps_the_suffix():
    slug = unique_slug("Old title")

    retitled = retitled_slug(slug, "New title")

    assert retitled == "new-title-" + slug.rsplit("-", 1)[-1]


def test_retitling_to_a_title_without_words_keeps_the_suffix():
    slug = unique_slug("Old title")

    assert retitled_slug(slug, "???") == slug.rsplit("-", 1)[-1]


def test_retitling_a_slug_without_words_adds_them():
    slug = unique_slug("???")

    assert retitled_slug(slug, "Now with words") == f"now-with-words-{slug}"
