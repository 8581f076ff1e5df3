"""Readable URL slugs made from titles."""

import re
import secrets
import unicodedata

MAX_SLUG_WORDS_LENGTH = 80


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens: "Héllo, World!" → "hello-world"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return words[:MAX_SLUG_WORDS_LENGTH].rstrip("-")


def unique_slug(title: str) -> str:
    """A readable slug with a short random suffix, so equal titles never collide."""
    suffix = secrets.token_hex(4)
    words = slugify(title)
    return f"{words}-{suffix}" if words else suffix


def retitled_slug(slug: str, title: str) -> str:
    """The slug for a new title, keeping the old random suffix so it stays unique."""
    suffix = slug.rsplit("-", 1)[-1]
    words = slugify(title)
    return f"{words}-{suffix}" if words else suffix
