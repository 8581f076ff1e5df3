"""Reading what a reader typed into a search box, and marking the words found in a passage."""

import re

from hypothesis import given
from hypothesis import strategies as st

from broadsheet.lib.markdown import QUOTE_MARKS
from broadsheet.lib.search_terms import MAX_TERMS, marked, parse, passage_around

START, END = QUOTE_MARKS


def test_words_are_wanted_quoted_words_go_together_and_minus_words_are_unwanted():
    terms = parse('Blue "Whale song" -grey -"sperm whale" krill')

    assert terms.wanted == (("blue",), ("whale", "song"), ("krill",))
    assert terms.unwanted == (("grey",), ("sperm", "whale"))
    assert terms.words == ["blue", "whale", "song", "krill"]


def test_punctuation_splits_words_as_the_indexes_split_them():
    terms = parse("don't co-op e-mail:x")

    assert terms.wanted == (("don", "t"), ("co", "op"), ("e", "mail", "x"))


def test_an_unclosed_quote_runs_to_the_end_and_empty_ones_count_for_nothing():
    assert parse('"tide pools').wanted == (("tide", "pools"),)
    assert parse('"" - -"" !!').wanted == ()
    assert not parse("-only -unwanted")


def test_terms_beyond_the_limit_are_left_out():
    terms = parse(" ".join(f"w{number}" for number in range(MAX_TERMS + 5)))

    assert len(terms.wanted) == MAX_TERMS


def test_a_passage_is_cut_around_the_first_word_found_with_every_one_marked():
    text = " ".join(f"w{number}" for number in range(100)) + " Kelp and kelp."

    passage = passage_around(text, ["kelp"], length=10)

    assert passage == f"… w97 w98 w99 {START}Kelp{END} and {START}kelp{END}."


def test_a_passage_of_a_text_without_the_words_is_its_opening():
    passage = passage_around("one two three four", ["absent"], length=3)

    assert passage == "one two three …"
    assert passage_around("", ["absent"]) == ""


def test_marked_passages_escape_the_text_and_mark_only_the_words():
    passage = f'<script>alert("x")</script> {START}tide{END} & <b>{START}pool{END}'

    assert str(marked(passage)) == (
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; <mark>tide</mark> &amp; "
        "&lt;b&gt;<mark>pool</mark>"
    )


@given(st.text())
def test_no_text_becomes_a_tag_other_than_mark(text):
    tags = re.findall(r"<[^>]*>", str(marked(text)))

    assert set(tags) <= {"<mark>", "</mark>"}
