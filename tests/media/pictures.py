"""Pictures made for the tests, as a camera or an editor would save them."""

import io

import httpx
from PIL import Image

from tests.helpers import Writer

# A GPS position (Stockholm) and a camera, as a phone writes them into EXIF.
GPS_IFD = 0x8825
MAKE = 0x010F
ORIENTATION = 0x0112
ROTATED_RIGHT = 6


def photo(width: int = 1800, height: int = 1200, *, orientation: int = 1) -> bytes:
    """A JPEG that knows where it was taken, with what, and which way up it was held."""
    picture = Image.new("RGB", (width, height), (180, 90, 40))
    # A marker in the top-left corner, to see which way the stored picture is turned.
    picture.paste((10, 200, 10), (0, 0, width // 4, height // 4))
    exif = Image.Exif()
    exif[MAKE] = "Fieldphone"
    exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {1: "N", 2: (59.0, 19.0, 48.0), 3: "E", 4: (18.0, 4.0, 7.0)}
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif.tobytes(), xmp=b"<x:xmpmeta>Mill Lane</x:xmpmeta>")
    return out.getvalue()


def transparent_png(width: int = 300, height: int = 200) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (0, 120, 200, 100)).save(out, "PNG")
    return out.getvalue()


async def upload(
    client: httpx.AsyncClient,
    writer: Writer,
    data: bytes | None = None,
    *,
    alt: str = "A red field at dusk",
    filename: str = "field.jpg",
) -> httpx.Response:
    return await client.post(
        "/api/uploads",
        headers=writer.headers,
        files={"file": (filename, photo() if data is None else data, "image/jpeg")},
        data={"alt": alt},
    )
