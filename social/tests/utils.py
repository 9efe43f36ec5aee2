"""Helpers shared by the social tests: dates, signup payloads and images made with Pillow."""

from __future__ import annotations

import datetime
import io
import struct
import zlib

from PIL import Image

SIGNUP_URL = "/accounts/signup/"
LOGIN_URL = "/accounts/login/"
LOGOUT_URL = "/accounts/logout/"
SETTINGS_URL = "/settings/"
STRONG_PASSWORD = "violet-tangerine-43-kayak"


def years_ago(today: datetime.date, years: int) -> datetime.date:
    """The latest birthdate that makes someone exactly `years` old on `today`.

    On 29 February, `years` ago may have no 29 February: the birthday then is the 28th.
    """
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def signup_data(**overrides: str) -> dict[str, str]:
    data = {
        "username": "newcomer_1",
        "email": "newcomer.1@example.org",
        "password1": STRONG_PASSWORD,
        "password2": STRONG_PASSWORD,
        "birthdate": "1990-06-15",
    }
    data.update(overrides)
    return data


def image_bytes(
    fmt: str, *, mode: str = "RGB", size: tuple[int, int] = (640, 480), color=None, **save
) -> bytes:
    image = Image.new(mode, size, color if color is not None else _default_color(mode))
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


def _default_color(mode: str):
    return {
        "RGBA": (200, 30, 30, 255),
        "CMYK": (10, 200, 30, 0),
        "LA": (128, 200),
        "L": 128,
        "I;16": 30_000,
        "1": 1,
    }.get(mode, (200, 30, 30))


def png_header_only(width: int, height: int) -> bytes:
    """A few hundred bytes of PNG whose header claims width x height pixels (a pixel bomb).

    Pillow reads the size from IHDR when the file is opened, before any pixel is decoded,
    so this stands in for a highly compressed bomb without building one in memory first.
    """

    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    idat = zlib.compressobj(9).compress(row * 16)  # a deliberately unfinished stream
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
