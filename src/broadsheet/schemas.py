"""Shapes shared by every feature's schemas: camelCase on the wire, limits on every string."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, PlainSerializer
from pydantic.alias_generators import to_camel

from broadsheet.lib.clock import isoformat


class Schema(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, validate_by_name=True, validate_by_alias=True
    )


Timestamp = Annotated[datetime, PlainSerializer(isoformat, return_type=str)]
