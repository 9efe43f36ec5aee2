"""The avatar pipeline: only JPEG/PNG/WebP in, always our own square JPEG out."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from social.images import AVATAR_SIZE, MAX_IMAGE_PIXELS, avatar_reencode

from .utils import image_bytes, png_header_only

NOT_IMAGE = "That is not a JPEG, PNG or WebP image we can read."
BOMB = "The image has too many pixels. Please use a smaller picture."


def refusal(data: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        avatar_reencode(data=data)
    return caught.value


def decoded(jpeg: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(jpeg))
    image.load()
    return image


def exif_with_secrets(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "SpyCamMaker"  # Make
    exif[0x0110] = "SpyCam 3000"  # Model
    exif[0x0112] = orientation
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 26.0), 3: "W", 4: (0.0, 7.0, 39.0)}  # GPS IFD
    return exif


def assert_clean_avatar(jpeg: bytes) -> Image.Image:
    assert jpeg[:3] == b"\xff\xd8\xff"
    image = decoded(jpeg)
    assert image.format == "JPEG"
    assert image.size == (AVATAR_SIZE, AVATAR_SIZE) == (400, 400)
    assert image.mode == "RGB"
    assert len(image.getexif()) == 0
    assert "exif" not in image.info
    assert "comment" not in image.info
    assert b"Exif\x00\x00" not in jpeg
    assert b"SpyCam" not in jpeg
    return image


@pytest.mark.parametrize(
    ("fmt", "mode", "size"),
    [
        ("JPEG", "RGB", (640, 480)),
        ("JPEG", "L", (120, 900)),
        ("JPEG", "CMYK", (300, 300)),
        ("PNG", "RGBA", (480, 640)),
        ("PNG", "P", (50, 70)),
        ("PNG", "LA", (333, 111)),
        ("PNG", "I;16", (64, 64)),
        ("WEBP", "RGB", (800, 450)),
        ("WEBP", "RGBA", (10, 10)),
    ],
)
def test_allowed_formats_become_a_square_400px_jpeg(fmt, mode, size):
    data = image_bytes(fmt, mode=mode, size=size, color=None if mode != "P" else 3)
    assert Image.open(io.BytesIO(data)).format == fmt

    assert_clean_avatar(avatar_reencode(data=data))


def test_jpeg_exif_is_dropped_and_orientation_applied():
    # Left half red, right half blue; EXIF orientation 6 means "rotate 90° clockwise to show".
    image = Image.new("RGB", (600, 400), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 300, 400))
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif_with_secrets(orientation=6), quality=95)
    data = out.getvalue()
    assert b"SpyCam" in data and b"Exif\x00\x00" in data  # the input really carries them

    result = assert_clean_avatar(avatar_reencode(data=data))

    # After the rotation the red half is on top and the blue half at the bottom.
    red, green, blue = result.getpixel((200, 40))
    assert red > 200 and green < 50 and blue < 50
    red, green, blue = result.getpixel((200, 360))
    assert red < 50 and green < 50 and blue > 200


def test_png_and_webp_exif_are_dropped():
    for fmt in ("PNG", "WEBP"):
        data = image_bytes(fmt, exif=exif_with_secrets())
        assert b"SpyCam" in data
        assert_clean_avatar(avatar_reencode(data=data))


def test_transparent_png_is_flattened_onto_black():
    image = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    image.paste((255, 255, 255, 255), (100, 100, 300, 300))
    out = io.BytesIO()
    image.save(out, "PNG")

    result = assert_clean_avatar(avatar_reencode(data=out.getvalue()))

    assert max(result.getpixel((10, 10))) < 16
    assert min(result.getpixel((200, 200))) > 240


def test_non_square_images_are_centre_cropped():
    # A wide image: red | white | blue thirds. The square crop keeps the white middle.
    image = Image.new("RGB", (1200, 400), (255, 255, 255))
    image.paste((255, 0, 0), (0, 0, 400, 400))
    image.paste((0, 0, 255), (800, 0, 1200, 400))
    out = io.BytesIO()
    image.save(out, "PNG")

    result = assert_clean_avatar(avatar_reencode(data=out.getvalue()))

    assert min(result.getpixel((5, 200))) > 230
    assert min(result.getpixel((395, 200))) > 230


def test_header_only_bomb_is_refused_as_bomb():
    data = png_header_only(20_000, 20_000)
    assert len(data) < 1_000

    error = refusal(data)

    assert error.code == "bomb"
    assert error.messages == [BOMB]


@pytest.mark.parametrize(
    "size",
    [
        (9_000, 9_000),  # over twice the limit: Pillow raises DecompressionBombError itself
        (6_500, 6_500),  # between one and two times the limit: Pillow only warns
    ],
)
def test_compressed_bomb_made_by_pillow_is_refused(size):
    data = image_bytes("PNG", mode="1", size=size, color=0)
    assert len(data) < 20_000
    assert size[0] * size[1] > MAX_IMAGE_PIXELS

    error = refusal(data)

    assert error.code == "bomb"
    assert error.messages == [BOMB]


def test_an_image_just_under_the_pixel_limit_is_not_a_bomb():
    data = png_header_only(6_000, 6_000)  # 36 MP: allowed size, but the pixel data is broken
    assert refusal(data).code == "not_image"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(image_bytes("GIF", mode="P", size=(32, 32), color=1), id="gif"),
        pytest.param(image_bytes("BMP", size=(32, 32)), id="bmp"),
        pytest.param(image_bytes("TIFF", size=(32, 32)), id="tiff"),
        pytest.param(b"just some text, definitely not a picture\n" * 20, id="text"),
        pytest.param(
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" '
            b'height="10"><script>alert(1)</script><rect width="10" height="10"/></svg>',
            id="svg",
        ),
        pytest.param(b"<html><script>alert(1)</script></html>", id="html"),
        pytest.param(image_bytes("PNG")[:60], id="truncated-png"),
        pytest.param(image_bytes("JPEG")[:200], id="truncated-jpeg"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, id="png-magic-only"),
    ],
)
def test_anything_else_is_not_an_image(data):
    error = refusal(data)

    assert error.code == "not_image"
    assert error.messages == [NOT_IMAGE]


def test_polyglot_jpeg_with_html_after_the_image_is_reencoded_clean():
    data = image_bytes("JPEG") + b"<html><script>alert(1)</script></html>"
    assert Image.open(io.BytesIO(data)).format == "JPEG"

    out = avatar_reencode(data=data)

    assert_clean_avatar(out)
    assert b"<script" not in out
    assert b"alert(1)" not in out
    assert b"<html" not in out


def test_polyglot_with_html_in_the_jpeg_comment_segment_is_reencoded_clean():
    data = image_bytes("JPEG", comment=b"<html><script>alert(1)</script></html>")
    assert Image.open(io.BytesIO(data)).info["comment"].startswith(b"<html>")

    out = avatar_reencode(data=data)

    assert_clean_avatar(out)
    assert b"<script" not in out
    assert b"alert(1)" not in out


def test_polyglot_with_html_in_a_png_text_chunk_is_reencoded_clean():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    data = image_bytes("PNG", pnginfo=info)

    out = avatar_reencode(data=data)

    assert_clean_avatar(out)
    assert b"<script" not in out


def test_larger_than_avatar_max_bytes_is_too_large(settings):
    assert settings.AVATAR_MAX_BYTES == 10 * 1024 * 1024
    data = image_bytes("PNG")
    data += b"\x00" * (settings.AVATAR_MAX_BYTES + 1 - len(data))
    assert len(data) == settings.AVATAR_MAX_BYTES + 1

    error = refusal(data)

    assert error.code == "too_large"
    assert error.messages == ["The image is larger than 10.0\xa0MB."]


def test_exactly_avatar_max_bytes_is_not_too_large(settings):
    settings.AVATAR_MAX_BYTES = 4096
    data = image_bytes("JPEG", size=(64, 64))
    data += b"\x00" * (4096 - len(data))  # trailing bytes after EOI are ignored by decoders

    assert_clean_avatar(avatar_reencode(data=data))
    data += b"\x00"
    assert refusal(data).code == "too_large"


def test_empty_file_is_refused_as_empty():
    error = refusal(b"")

    assert error.code == "empty"
    assert error.messages == ["The file is empty."]
