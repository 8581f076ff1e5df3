"""Pictures made fit to serve: judged by content, upright, without metadata, in widths."""

import io

import pytest
from PIL import Image

from broadsheet.lib import images
from tests.media.pictures import GPS_IFD, MAKE, ROTATED_RIGHT, photo, transparent_png


def opened(file: images.StoredFile) -> Image.Image:
    return Image.open(io.BytesIO(file.data))


def test_a_photo_is_stored_as_webp_in_each_width_up_to_its_own_and_one_jpeg():
    picture = images.prepare(photo(1800, 1200), max_pixels=10_000_000)

    names = [file.name for file in picture.files]
    assert names == [
        f"{picture.key}-480.webp",
        f"{picture.key}-800.webp",
        f"{picture.key}-1200.webp",
        f"{picture.key}-1600.webp",
        f"{picture.key}-1800.webp",
        f"{picture.key}-1800x1200.jpg",
    ]
    assert [opened(file).format for file in picture.files] == ["WEBP"] * 5 + ["JPEG"]
    assert [opened(file).size for file in picture.files[:3]] == [
        (480, 320),
        (800, 533),
        (1200, 800),
    ]
    assert (picture.width, picture.height) == (1800, 1200)


def test_no_stored_file_keeps_the_camera_the_place_or_the_xmp_of_the_photo():
    picture = images.prepare(photo(), max_pixels=10_000_000)

    for file in picture.files:
        exif = opened(file).getexif()
        assert GPS_IFD not in exif
        assert MAKE not in exif
        assert b"Fieldphone" not in file.data
        assert b"Mill Lane" not in file.data


def test_a_photo_held_sideways_is_stored_upright():
    picture = images.prepare(photo(1800, 1200, orientation=ROTATED_RIGHT), max_pixels=10_000_000)

    fallback = opened(picture.files[-1])
    assert fallback.size == (1200, 1800)
    # The green corner was top left as saved; turned a quarter right, it is top right.
    red, green, _blue = fallback.convert("RGB").getpixel((1200 - 20, 20))
    assert green > 150
    assert red < 80


def test_a_picture_with_transparency_keeps_it_in_a_png_fallback():
    picture = images.prepare(transparent_png(), max_pixels=10_000_000)

    assert picture.files[-1].name.endswith("-300x200.png")
    assert opened(picture.files[-1]).mode == "RGBA"
    assert opened(picture.files[0]).mode == "RGBA"


def test_a_wide_picture_is_kept_no_wider_than_the_widest_width():
    picture = images.prepare(photo(3000, 1000), max_pixels=10_000_000)

    assert picture.fallback.endswith("-2400x800.jpg")
    assert [file.name.split("-")[1] for file in picture.files][-2:] == ["2400.webp", "2400x800.jpg"]


def test_the_names_follow_the_content():
    first = images.prepare(photo(900, 600), max_pixels=10_000_000)
    again = images.prepare(photo(900, 600), max_pixels=10_000_000)
    other = images.prepare(photo(901, 600), max_pixels=10_000_000)

    assert first.key == again.key != other.key
    assert len(first.key) == images.KEY_LENGTH


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.7 not a picture", "is not a JPEG, PNG, GIF or WebP picture"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "is not a JPEG, PNG, GIF or WebP picture"),
        (photo()[:2000], "is a damaged or incomplete picture"),
    ],
)
def test_what_is_not_a_whole_picture_is_refused_whatever_it_is_called(data, message):
    with pytest.raises(images.NotAPicture, match=message):
        images.prepare(data, max_pixels=10_000_000)


def test_a_tiff_is_refused_though_pillow_could_read_it():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "TIFF")

    with pytest.raises(images.NotAPicture, match="is not a JPEG, PNG, GIF or WebP"):
        images.prepare(out.getvalue(), max_pixels=10_000_000)


def test_a_small_file_that_would_unpack_into_too_many_pixels_is_refused_before_decoding():
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, "PNG", optimize=True)
    bomb = out.getvalue()
    assert len(bomb) < 200_000  # small to send: 400 million pixels once decoded

    with pytest.raises(
        images.NotAPicture, match="has too many pixels; at most 40 million pixels are taken"
    ):
        images.prepare(bomb, max_pixels=40_000_000)


def test_a_picture_over_the_pixel_limit_is_refused_with_its_size():
    with pytest.raises(images.NotAPicture, match="is 1800×1200 pixels; at most 2 million pixels"):
        images.prepare(photo(1800, 1200), max_pixels=2_000_000)


def test_a_fallback_name_says_where_the_webp_files_are():
    url = f"https://cdn.example/media/{'a' * 32}-1600x900.jpg"

    assert images.webp_srcset(url) == ", ".join(
        f"https://cdn.example/media/{'a' * 32}-{width}.webp {width}w"
        for width in (480, 800, 1200, 1600)
    )
    assert images.webp_srcset("https://elsewhere.example/photo-1600x900.jpg") is None
