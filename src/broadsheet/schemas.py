"""Shapes shared by every feature's schemas: camelCase on the wire, no text that cannot be
stored or written into XML."""

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, field_validator
from pydantic.alias_generators import to_camel

from broadsheet.lib.clock import isoformat

# NUL and lone surrogates cannot be stored as text by every engine (PostgreSQL refuses NUL;
# UTF-8 has no encoding for a lone surrogate); the other C0 controls but tab, line feed and
# carriage return, and U+FFFE and U+FFFF, cannot be written in XML 1.0, and any text may reach a
# feed or the sitemap. All are refused at the door.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_UNSTORABLE = re.compile(f"{XML_FORBIDDEN.pattern}|[\ud800-\udfff]")
# The same characters, for a pattern in the OpenAPI document (lone surrogates aside, below).
# The largest id a request may name: the largest whole number every JSON reader holds exactly
# (a float-based one reads 2**63 - 1 as 2**63, and would take a larger number for it).
MAX_ID = 2**53 - 1
FREE_OF_FORBIDDEN: dict[str, Any] = {
    "not": {"pattern": "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\ufffe\\uffff]"}
}


# Unicode's White_Space, as pydantic's stripping and its regex engine read it. Python's isspace()
# also counts the separators U+001C to U+001F, which are refused rather than stripped. (Every
# whitespace character lies at or below U+3000.)
WHITE_SPACE = "".join(
    character
    for character in map(chr, range(0x3001))
    if character.isspace() and character not in "\x1c\x1d\x1e\x1f"
)
# The same characters for a pattern in the OpenAPI document, spelled out because `\s` differs
# between regex dialects: ECMA-262, which JSON Schema names, leaves out U+0085 but adds U+FEFF.
WHITE_SPACE_CLASS = "".join(f"\\u{ord(character):04x}" for character in WHITE_SPACE)
# Tells the OpenAPI document what stripping and not_blank() enforce: whitespace alone is refused.
NOT_BLANK_PATTERN = f"[^{WHITE_SPACE_CLASS}]"
NOT_BLANK = Field(json_schema_extra={"pattern": NOT_BLANK_PATTERN})


def not_blank(text: str) -> str:
    """Refuse text that is only whitespace; keep any other text exactly as written."""
    if not text.strip(WHITE_SPACE):
        raise ValueError("can't be blank")
    return text


UNSTORABLE_MESSAGE = (
    "contains characters that cannot be stored"
    " (control characters, U+FFFE, U+FFFF or lone surrogates)"
)


def has_unstorable_text(value: Any) -> bool:
    if isinstance(value, str):
        return _UNSTORABLE.search(value) is not None
    if isinstance(value, list | tuple):
        return any(has_unstorable_text(item) for item in value)
    return False


def _document_refusal(node: Any) -> None:
    """Mark every text property as free of the forbidden characters, so the OpenAPI document
    says what is refused.

    Lone surrogates go unmentioned: a JSON Schema pattern matches UTF-16 code units, and a range
    of surrogates would also match the halves of every emoji.
    """
    if isinstance(node, list):
        for item in node:
            _document_refusal(item)
    elif isinstance(node, dict):
        if node.get("type") == "string":
            node.update(FREE_OF_FORBIDDEN)
        for value in node.values():
            _document_refusal(value)


def _document_unstorable_text(schema: dict[str, Any]) -> None:
    _document_refusal(schema.get("properties", {}))


class Schema(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        json_schema_extra=_document_unstorable_text,
    )

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_unstorable_text(cls, value: Any) -> Any:
        if has_unstorable_text(value):
            raise ValueError(UNSTORABLE_MESSAGE)
        return value


Timestamp = Annotated[datetime, PlainSerializer(isoformat, return_type=str)]
