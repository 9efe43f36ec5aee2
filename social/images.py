"""Avatar pipeline: open only allowed formats, refuse bombs, re-encode to a square JPEG.

Nothing a user uploads is served as uploaded: the stored file is always our own encode.
"""

import io
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")
# Anything larger than ~40 MP is not a profile picture; Pillow raises DecompressionBombError
# at twice this and warns above it, and we turn the warning into a refusal too.
MAX_IMAGE_PIXELS = 40_000_000
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
AVATAR_SIZE = 400


def avatar_reencode(*, data: bytes) -> bytes:
    """Return a square AVATAR_SIZE JPEG made from the uploaded bytes, or raise ValidationError."""
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    if len(data) > settings.AVATAR_MAX_BYTES:
        raise ValidationError(
            _("The image is larger than %(mb)d MB.") % {"mb": settings.AVATAR_MAX_BYTES // 2**20},
            code="too_large",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS) as probe:
                probe.verify()
            image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            _("The image has too many pixels. Please use a smaller picture."), code="bomb"
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("That is not a JPEG, PNG or WebP image we can read."), code="not_image"
        ) from None
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, (0, 0, 0))
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    image = ImageOps.fit(image.convert("RGB"), (AVATAR_SIZE, AVATAR_SIZE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # A fresh encode carries no EXIF (location, device) from the original.
    image.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue()
