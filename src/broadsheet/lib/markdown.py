"""Markdown to safe HTML: CommonMark with tables, highlighted code, and an allow-list sanitiser.

Stories are rendered once, when saved; pages serve the stored HTML as it is. Raw HTML in the
Markdown is kept only as far as the allow-list permits, so the sanitiser is the last word on
what reaches a reader's browser.
"""

import math
import re

import nh3
from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

WORDS_PER_MINUTE = 238

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd",
    "li", "mark", "ol", "p", "pre", "s", "span", "strong", "sub", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
    "code": {"class"},
    "div": {"class"},
    "pre": {"class"},
    "span": {"class"},
}
_URL_SCHEMES = {"http", "https", "mailto"}
_CODE_FORMATTER = HtmlFormatter(nowrap=True)
_WORD = re.compile(r"\w+")


def _highlight_code(code: str, language: str, _attrs: str) -> str:
    try:
        lexer = get_lexer_by_name(language) if language else None
    except ClassNotFound:
        lexer = None
    if lexer is None:
        return ""  # markdown-it escapes and wraps the code itself
    return highlight(code, lexer, _CODE_FORMATTER)


_markdown = MarkdownIt("commonmark", {"highlight": _highlight_code}).enable(
    ["table", "strikethrough"]
)


def sanitize(html: str) -> str:
    """Keep only the allow-listed tags, attributes and URL schemes; mark links as user content."""
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel="nofollow ugc noopener",
        strip_comments=True,
    )


def render(markdown_text: str) -> str:
    """Sanitised HTML for a Markdown text."""
    return sanitize(_markdown.render(markdown_text))


def reading_minutes(markdown_text: str) -> int:
    """Minutes an average reader needs, never less than one."""
    return max(1, math.ceil(len(_WORD.findall(markdown_text)) / WORDS_PER_MINUTE))
