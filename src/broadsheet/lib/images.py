"""Pictures writers upload, made fit to serve: decoded by content, turned upright, stripped of
their metadata (EXIF, GPS, XMP) and stored in a few widths as WebP, plus one JPEG (or PNG, for
a picture with transparency) for the readers and feed readers that take no WebP.

Every file is named after the upload's content: a name never stands for other bytes, so the
files may be cached for a year. The largest fallback's name says the picture's size
(`<key>-1600x900.jpg`), which is all a page needs to list the other widths (`<key>-800.webp`).
"""

import hashlib
import io
import re
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

# The widths pages choose from: a phone, a column, a wide column, retina, a full-width screen.
WIDTHS = (480, 800, 1200, 1600, 2400)
KEY_LENGTH = 32
# Only what browsers show; anything else (TIFF, PSD, EPS…) is refused whatever its name says.
DECODED = ("JPEG", "PNG", "GIF", "WEBP")
_KEY = rf"(?P<key>[0-9a-f]{{{KEY_LENGTH}}})"
_FALLBACK_NAME = re.compile(
    rf"{_KEY}-(?P<width>[1-9][0-9]{{0,3}})x(?P<height>[1-9][0-9]{{0,4}})\.(?P<ext>jpg|png)"
)
_WEBP_NAME = rf"{_KEY}-(?P<width>[1-9][0-9]{{0,3}})\.webp"
_WEBP_FILE = re.compile(_WEBP_NAME)
_WEBP_CANDIDATE = re.compile(rf"https?://[^\s,]+/{_WEBP_NAME} (?P=width)w")
_TYPES = {"webp": "image/webp", "jpg": "image/jpeg", "png": "image/png"}


class NotAPicture(ValueError):
    """The bytes are not a picture this site takes, or one too large to open safely."""


@dataclass(frozen=True)
class StoredFile:
    name: str
    data: bytes

    @property
    def content_type(self) -> str:
        return _TYPES[self.name.rsplit(".", 1)[1]]


@dataclass(frozen=True)
class Picture:
    """An upload made ready: its content key, its size as shown, and every file to store."""

    key: str
    width: int
    height: int
    files: tuple[StoredFile, ...]

    @property
    def fallback(self) -> str:
        return self.files[-1].name


@dataclass(frozen=True)
class Sizes:
    """What a fallback's name says: where the picture's other files are, and its size."""

    key: str
    width: int
    height: int

    def webp_widths(self) -> tuple[int, ...]:
        return widths_for(self.width)

    def webp_name(self, width: int) -> str:
        return webp_name(self.key, width)


def webp_name(key: str, width: int) -> str:
    return f"{key}-{width}.webp"


def widths_for(width: int) -> tuple[int, ...]:
    """The widths stored of a picture `width` pixels wide (never wider than it)."""
    largest = min(width, WIDTHS[-1])
    return (*(step for step in WIDTHS if step < largest), largest)


def sizes_of(url: str) -> Sizes | None:
    """The picture an address stands for, if it is the address of an upload's fallback."""
    match = _FALLBACK_NAME.fullmatch(url.rpartition("/")[2])
    if match is None:
        return None
    return Sizes(match["key"], int(match["width"]), int(match["height"]))


def webp_srcset(fallback_url: str) -> str | None:
    """The WebP files beside an upload's fallback, in `srcset` notation."""
    sizes = sizes_of(fallback_url)
    if sizes is None:
        return None
    folder = fallback_url.rpartition("/")[0]
    return ", ".join(f"{folder}/{sizes.webp_name(w)} {w}w" for w in sizes.webp_widths())


def is_webp_srcset(srcset: str) -> bool:
    """Whether `srcset` lists only the WebP files of one upload, as `webp_srcset` writes it."""
    candidates = [candidate.strip() for candidate in srcset.split(",")]
    matches = [_WEBP_CANDIDATE.fullmatch(candidate) for candidate in candidates]
    return all(matches) and len({match["key"] for match in matches if match}) == 1


def is_stored_name(name: str) -> bool:
    """Whether `name` could be one of the files `prepare` writes."""
    return bool(_FALLBACK_NAME.fullmatch(name) or _WEBP_FILE.fullmatch(name))


def _opened(data: bytes, max_pixels: int) -> Image.Image:
    """The picture in `data`, decoded, after its header says it is small enough to decode."""
    too_many = f"at most {max_pixels / 1e6:g} million pixels are taken"
    try:
        with warnings.catch_warnings():
            # Pillow's own guard, for a header so large that it refuses to open it at all.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture = Image.open(io.BytesIO(data), formats=DECODED)
            width, height = picture.size
            if width * height > max_pixels:
                raise NotAPicture(f"is {width}×{height} pixels; {too_many}")
            picture.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise NotAPicture(f"has too many pixels; {too_many}") from None
    except UnidentifiedImageError:
        raise NotAPicture("is not a JPEG, PNG, GIF or WebP picture") from None
    except NotAPicture:
        raise
    except (OSError, SyntaxError, ValueError):
        raise NotAPicture("is a damaged or incomplete picture") from None
    return picture


def _has_transparency(picture: Image.Image) -> bool:
    return picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info


def _encoded(picture: Image.Image, image_format: str, **options: object) -> bytes:
    out = io.BytesIO()
    picture.save(out, image_format, **options)
    return out.getvalue()


def prepare(data: bytes, *, max_pixels: int) -> Picture:
    """Decode `data` and make the files to store; raise NotAPicture for anything else. An
    animated GIF keeps its first frame."""
    source = _opened(data, max_pixels)
    # Phones record which way up they were held; the stored files carry no such note, so the
    # turn is made now. Saving afresh leaves EXIF, GPS and XMP behind. The colour profile is
    # kept (a phone's wide-gamut photo looks dull without it): it says nothing about who took
    # the picture or where.
    profile = source.info.get("icc_profile")
    upright = ImageOps.exif_transpose(source)
    transparent = _has_transparency(upright)
    picture = upright.convert("RGBA" if transparent else "RGB")
    key = hashlib.sha256(data).hexdigest()[:KEY_LENGTH]
    widths = widths_for(picture.width)
    files = []
    for width in widths:
        webp = _encoded(_resized(picture, width), "WEBP", quality=80, icc_profile=profile)
        files.append(StoredFile(webp_name(key, width), webp))
    largest = _resized(picture, widths[-1])
    size = f"{largest.width}x{largest.height}"
    if transparent:
        fallback = _encoded(largest, "PNG", optimize=True, icc_profile=profile)
        files.append(StoredFile(f"{key}-{size}.png", fallback))
    else:
        fallback = _encoded(
            largest, "JPEG", quality=85, optimize=True, progressive=True, icc_profile=profile
        )
        files.append(StoredFile(f"{key}-{size}.jpg", fallback))
    return Picture(key, largest.width, largest.height, tuple(files))


def _resized(picture: Image.Image, width: int) -> Image.Image:
    if width >= picture.width:
        return picture
    height = max(1, round(picture.height * width / picture.width))
    return picture.resize((width, height), Image.Resampling.LANCZOS)
