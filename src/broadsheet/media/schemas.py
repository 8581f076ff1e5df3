"""Shapes of uploaded pictures on the wire."""

from pydantic import Field

from broadsheet.lib.images import sizes_of, webp_srcset
from broadsheet.schemas import Schema


class PictureOut(Schema):
    """A picture as pages show it: a JPEG or PNG every reader opens, and WebP widths."""

    url: str = Field(description="The JPEG (or PNG, for transparency), at the largest width")
    alt: str = Field(description="The picture described, for readers who cannot see it")
    width: int
    height: int
    srcset: str = Field(description="The same picture as WebP in several widths, for srcset")

    @classmethod
    def at(cls, url: str, *, alt: str) -> "PictureOut | None":
        """The picture whose fallback is at `url`, if it is an upload's."""
        sizes = sizes_of(url)
        srcset = webp_srcset(url)
        if sizes is None or srcset is None:
            return None
        return cls(url=url, alt=alt, width=sizes.width, height=sizes.height, srcset=srcset)


class UploadOut(PictureOut):
    markdown: str = Field(description="What to put in a story's body to show the picture")


class UploadResponse(Schema):
    upload: UploadOut
