"""Shapes shared by every feature's schemas: camelCase on the wire, no unstorable text."""

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainSerializer, field_validator
from pydantic.alias_generators import to_camel

from broadsheet.lib.clock import isoformat

# NUL and lone surrogates cannot be stored as text by every engine (PostgreSQL refuses NUL;
# UTF-8 has no encoding for a lone surrogate), so they are refused at the door.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _has_unstorable_text(value: Any) -> bool:
    if isinstance(value, str):
        return _UNSTORABLE.search(value) is not None
    if isinstance(value, list | tuple):
        return any(_has_unstorable_text(item) for item in value)
    return False


class Schema(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, validate_by_name=True, validate_by_alias=True
    )

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_unstorable_text(cls, value: Any) -> Any:
        if _has_unstorable_text(value):
            raise ValueError("contains characters that cannot be stored (NUL or lone surrogates)")
        return value


Timestamp = Annotated[datetime, PlainSerializer(isoformat, return_type=str)]
