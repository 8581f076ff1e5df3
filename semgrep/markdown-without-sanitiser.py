import nh3
# ruleid: markdown-without-sanitiser
from markdown_it import MarkdownIt


def sanitize(html):
    return nh3.clean(html)


# ruleid: markdown-without-sanitiser
_markdown = MarkdownIt("commonmark")


def unsafe(text):
    # ruleid: markdown-render-unsanitised
    return _markdown.render(text)


def safe(text):
    # ok: markdown-render-unsanitised
    return sanitize(_markdown.render(text))
