"""Avatar pipeline: open only allowed formats, refuse bombs, re-encode to a square JPEG.

Nothing a user uploads is served as uploaded: the stored file is always our own encode.
"""

import io
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")
# Anything larger than ~40 MP is not a profile picture; Pillow raises DecompressionBombError
# at twice this and warns above it, and we turn the warning into a refusal too.
MAX_IMAGE_PIXELS = 40_000_000
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
AVATAR_SIZE = 400


def avatar_too_large_error() -> ValidationError:
    """The one refusal for an avatar over settings.AVATAR_MAX_BYTES (views check early too)."""
    return ValidationError(
        _("The image is larger than %(size)s.")
        % {"size": filesizeformat(settings.AVATAR_MAX_BYTES)},
        code="too_large",
    )


def _bomb_error() -> ValidationError:
    return ValidationError(
        _("The image has too many pixels. Please use a smaller picture."), code="bomb"
    )


def avatar_reencode(*, data: bytes) -> bytes:
    """Return a square AVATAR_SIZE JPEG made from the uploaded bytes, or raise ValidationError."""
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    if len(data) > settings.AVATAR_MAX_BYTES:
        raise avatar_too_large_error()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS) as probe:
                # Pillow only warns between 1x and 2x its limit, and the warning filter above
                # is process-wide (another thread may reset it): check the header ourselves.
                width, height = probe.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise _bomb_error()
                probe.verify()
            image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
            image.load()
            image = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _bomb_error() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, TypeError, KeyError):
        raise ValidationError(
            _("That is not a JPEG, PNG or WebP image we can read."), code="not_image"
        ) from None
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, (0, 0, 0))
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    image = ImageOps.fit(image.convert("RGB"), (AVATAR_SIZE, AVATAR_SIZE), Image.Resampling.LANCZOS)
    # Pillow copies .info through resize/crop, and the JPEG encoder writes info["comment"] back
    # out: a COM segment holding "<script>…" would survive. Drop every piece of metadata.
    image.info = {}
    out = io.BytesIO()
    # A fresh encode carries no EXIF (location, device) from the original.
    image.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue()
