"""Markdown to safe HTML: CommonMark with tables, footnotes, task lists, bare URLs as links,
heading anchors, highlighted code, captioned, wide and full-width pictures, and an allow-list
sanitiser.

Stories are rendered once, when saved; pages serve the stored HTML as it is. Raw HTML in the
Markdown is kept only as far as the allow-list permits, so the sanitiser is the last word on
what reaches a reader's browser.
"""

import html
import math
import re
from collections.abc import Sequence

import nh3
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from broadsheet.lib.images import is_webp_srcset, sizes_of, webp_srcset

WORDS_PER_MINUTE = 238

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "input",
    "kbd", "label", "li", "mark", "ol", "p", "pre", "s", "section", "span", "strong", "sub", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
# Ids for heading anchors and footnotes; classes for code, footnotes and task lists.
_ATTRIBUTES = {
    "a": {"href", "title", "id", "class"},
    "img": {"src", "alt", "title", "width", "height", "srcset", "sizes", "loading"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start", "class"},
    "ul": {"class"},
    "li": {"id", "class"},
    "input": {"checked", "class"},
    "code": {"class"},
    "div": {"class", "role", "aria-label", "tabindex"},
    "pre": {"class"},
    "span": {"class"},
    "sup": {"class"},
    "hr": {"class"},
    "section": {"class"},
    **{f"h{level}": {"id"} for level in range(1, 7)},
}
# A task list's boxes are the only inputs a story may hold: ticked or not, never editable.
# A code block may scroll sideways, so a keyboard can reach it to scroll it.
_FORCED_ATTRIBUTES = {
    "input": {"type": "checkbox", "disabled": "disabled"},
    "pre": {"tabindex": "0"},
}
# A table scrolls sideways inside a region a keyboard can reach: only in this shape.
_TABLE_REGION = {"role": "region", "aria-label": "Table", "tabindex": "0"}
_TABLE_REGION_OPENING = '<div class="table-scroll" {}>'.format(
    " ".join(f'{name}="{value}"' for name, value in _TABLE_REGION.items())
)
# `![alt](src){.wide}` breaks out of the text column, `{.full}` spans the screen.
LAYOUTS = ("wide", "full")
_CLASSES = {"figure": set(LAYOUTS)}
# How wide an uploaded picture is shown, for the browser to pick the file it needs.
_SIZES = {
    None: "(min-width: 720px) 680px, 100vw",
    "wide": "(min-width: 1120px) 1080px, 100vw",
    "full": "100vw",
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


def _alignment_as_attribute(state: StateCore) -> None:
    """Table cells keep their column's alignment as `align`: markdown-it writes an inline
    style, which the sanitiser drops and the pages' Content-Security-Policy would refuse."""
    for token in state.tokens:
        if token.type in ("th_open", "td_open"):
            style = token.attrs.pop("style", None)
            if isinstance(style, str) and style.startswith("text-align:"):
                token.attrs["align"] = style.removeprefix("text-align:")


def _layout(image: Token) -> str | None:
    """The layout an image asks for with `{.wide}` or `{.full}`, if any."""
    classes = str(image.attrs.get("class", "")).split()
    return next((layout for layout in LAYOUTS if layout in classes), None)


def _figures(state: StateCore) -> None:
    """An image alone in its paragraph with a title, `![alt](src "caption")`, becomes a
    figure with that caption; one asking for a layout, a figure of that layout."""
    tokens = state.tokens
    for index in range(len(tokens) - 2):
        opening, inline, closing = tokens[index : index + 3]
        if opening.type != "paragraph_open" or closing.type != "paragraph_close":
            continue
        children = inline.children or []
        if len(children) != 1 or children[0].type != "image":
            continue
        image = children[0]
        caption = str(image.attrs.get("title") or "")
        layout = _layout(image)
        if not caption.strip() and layout is None:
            continue
        opening.tag = closing.tag = "figure"
        if layout is not None:
            opening.attrs["class"] = layout
        if caption.strip():
            inline.children = [
                image,
                Token("html_inline", "", 0, content="<figcaption>"),
                Token("text", "", 0, content=caption),
                Token("html_inline", "", 0, content="</figcaption>"),
            ]


def _picture(
    self: RendererHTML, tokens: Sequence[Token], index: int, options: OptionsDict, env: EnvType
) -> str:
    """An uploaded picture is offered in each of its WebP widths (`src` stays the JPEG or PNG,
    for feed readers and mail); its size is given so the text does not jump as it loads."""
    image = tokens[index]
    src = str(image.attrs.get("src", ""))
    srcset = webp_srcset(src)
    sizes = sizes_of(src)
    if srcset is not None and sizes is not None:
        image.attrs.update(
            {
                "srcset": srcset,
                "sizes": _SIZES[_layout(image)],
                "width": str(sizes.width),
                "height": str(sizes.height),
                "loading": "lazy",
            }
        )
    return self.image(tokens, index, options, env)


def _table_opening(
    self: RendererHTML, tokens: Sequence[Token], index: int, options: OptionsDict, env: EnvType
) -> str:
    return _TABLE_REGION_OPENING + self.renderToken(tokens, index, options, env)


def _table_closing(
    self: RendererHTML, tokens: Sequence[Token], index: int, options: OptionsDict, env: EnvType
) -> str:
    return self.renderToken(tokens, index, options, env) + "</div>\n"


def _only_our_shapes(tag: str, attribute: str, value: str) -> str | None:
    """Keep `srcset`, `sizes` and `loading` only in the shapes `_picture` writes, and a div's
    region only as `_table_opening` writes it: raw HTML in a story may not smuggle other URLs
    or values through attributes the sanitiser does not check."""
    if tag == "div" and attribute in _TABLE_REGION:
        return value if value == _TABLE_REGION[attribute] else None
    if tag != "img":
        return value
    if attribute == "srcset":
        return value if is_webp_srcset(value) else None
    if attribute == "sizes":
        return value if value in _SIZES.values() else None
    if attribute == "loading":
        return value if value == "lazy" else None
    return value


_markdown = (
    MarkdownIt("commonmark", {"highlight": _highlight_code, "linkify": True})
    .enable(["table", "strikethrough", "linkify"])
    .use(footnote_plugin)
    # A box's text is its label, for a screen reader to say what is ticked.
    .use(tasklists_plugin, label=True)
    .use(anchors_plugin, min_level=1, max_level=6)
    .use(attrs_plugin, after=("image",), allowed=("class",))
)
_markdown.core.ruler.push("alignment_as_attribute", _alignment_as_attribute)
_markdown.core.ruler.push("figures", _figures)
_markdown.add_render_rule("image", _picture)
_markdown.add_render_rule("table_open", _table_opening)
_markdown.add_render_rule("table_close", _table_closing)


def sanitize(html: str) -> str:
    """Keep only the allow-listed tags, attributes and URL schemes; mark links as user content."""
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel="nofollow ugc noopener",
        set_tag_attribute_values=_FORCED_ATTRIBUTES,
        allowed_classes=_CLASSES,
        attribute_filter=_only_our_shapes,
        strip_comments=True,
    )


def render(markdown_text: str) -> str:
    """Sanitised HTML for a Markdown text."""
    return sanitize(_markdown.render(markdown_text))


# Responses take a light Markdown: emphasis, links, code, quotations and lists; no headings,
# pictures, tables or raw HTML. A line break typed is a line break shown.
_RESPONSE_TAGS = {"a", "blockquote", "br", "code", "em", "li", "ol", "p", "pre", "strong", "ul"}
# "*": none on every tag (the sanitiser would otherwise allow `lang` and `title` anywhere).
_RESPONSE_ATTRIBUTES: dict[str, set[str]] = {"*": set(), "a": {"href"}, "ol": {"start"}}
_response_markdown = MarkdownIt("zero", {"linkify": True, "breaks": True}).enable(
    [
        "emphasis",
        "link",
        "linkify",
        "autolink",
        "backticks",
        "escape",
        "newline",
        "blockquote",
        "fence",
        "code",
        "list",
    ]
)


def render_response(markdown_text: str) -> str:
    """Sanitised HTML for a response's light Markdown."""
    return nh3.clean(
        _response_markdown.render(markdown_text),
        tags=_RESPONSE_TAGS,
        attributes=_RESPONSE_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel="nofollow ugc noopener",
        set_tag_attribute_values={"pre": {"tabindex": "0"}},
        strip_comments=True,
    )


def word_count(markdown_text: str) -> int:
    return len(_WORD.findall(markdown_text))


def reading_minutes(markdown_text: str) -> int:
    """Minutes an average reader needs, never less than one."""
    return max(1, math.ceil(word_count(markdown_text) / WORDS_PER_MINUTE))


# Marks that a quoted passage's highlighted words begin and end; never part of a text itself.
QUOTE_MARKS = ("\ue000", "\ue001")
_NOT_TEXT = str.maketrans(dict.fromkeys(QUOTE_MARKS, ""))


def _inline_text(token: Token) -> str:
    if token.type in ("text", "code_inline", "image"):
        return token.content
    if token.type in ("softbreak", "hardbreak"):
        return " "
    return ""


def plain_text(markdown_text: str) -> str:
    """The words a reader reads in a Markdown text, a line a block, without markup: pictures
    count by their descriptions, code blocks as they are, raw HTML by its text."""
    blocks: list[str] = []
    for token in _markdown.parse(markdown_text):
        if token.type == "inline":
            blocks.append("".join(_inline_text(child) for child in token.children or ()))
        elif token.type in ("fence", "code_block"):
            blocks.append(token.content)
        elif token.type == "html_block":
            blocks.append(html.unescape(nh3.clean(token.content, tags=set())))
    text = "\n".join(block.strip() for block in blocks if block.strip())
    return text.translate(_NOT_TEXT)
