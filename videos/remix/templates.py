"""Templates ("one-tap formats"): the rules for using one, and applying its layout.

A template pre-fills the upload (caption scaffold, hashtag, sound, layout inputs); the
server applies its layout while processing, after the sound is laid under the video:
- side_by_side: a duet of the template's original (remix_plan's duet rules hold);
- green_screen: the creator's green is keyed out over the template's picture;
- text_on_top: the template's lines (or the creator's edit of them) over the top.

Placeholders in a caption scaffold are square brackets: "Best food in [your city]". A
caption that still holds one of its template's placeholders, word for word, is refused, so
nobody posts "[your city]" by mistake; other brackets in a caption are the creator's own.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import unicodedata
from dataclasses import replace
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils.translation import gettext as _

from social.models import User

from .. import media
from ..models import Template, Video
from . import selectors

PLACEHOLDER_RE = re.compile(r"\[[^\[\]\n]{1,40}\]")
# Characters that would draw as boxes or move the text around: refused in template text.
_CONTROL = {"Cc", "Cf", "Co", "Cs"}


def placeholders(scaffold: str) -> list[str]:
    """The scaffold's placeholders with their brackets, each once, in order."""
    seen: list[str] = []
    for match in PLACEHOLDER_RE.findall(scaffold or ""):
        if match not in seen:
            seen.append(match)
    return seen


def unfilled_placeholders(*, template: Template, caption: str) -> list[str]:
    return [p for p in placeholders(template.caption_scaffold) if p in (caption or "")]


def template_text_clean(text: str) -> str:
    """The text to draw on top: NFC, trimmed lines, at most 3 lines of 120 characters in
    all, no control characters. Raises ValidationError({"template_text": …})."""
    text = unicodedata.normalize("NFC", (text or "").replace("\r\n", "\n").replace("\r", "\n"))
    if any(unicodedata.category(ch) in _CONTROL for ch in text if ch != "\n"):
        raise ValidationError({"template_text": _("This contains characters we cannot show.")})
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if len(lines) > Template.TEXT_MAX_LINES:
        raise ValidationError(
            {"template_text": _("At most %(n)d lines.") % {"n": Template.TEXT_MAX_LINES}}
        )
    text = "\n".join(lines)
    if len(text) > Template.TEXT_MAX_LENGTH:
        raise ValidationError(
            {"template_text": _("At most %(n)d characters.") % {"n": Template.TEXT_MAX_LENGTH}}
        )
    return text


def template_get_usable(*, slug) -> Template:
    """The active, complete template with that slug, or ValidationError({"template": …})."""
    template = selectors.template_by_slug(slug)
    if template is None or not selectors.templates_usable().filter(pk=template.pk).exists():
        raise ValidationError({"template": _("This template is not available.")})
    return template


def template_default_sound(*, slug) -> str:
    """The public id of the template's sound ("" when none or unknown): what the API uses
    when a client names a template and no sound, as the upload page pre-fills it."""
    template = selectors.template_by_slug(slug)
    return template.sound.public_id if template is not None and template.sound_id else ""


def template_plan(*, author: User, request, caption: str, base_plan) -> dict:
    """Validate an upload that uses a template; return the Video fields it sets.

    request is a RemixRequest with .template set; base_plan is remix_plan itself (for the
    sound or the duet part, whose rules are the same as without a template)."""
    template = template_get_usable(slug=request.template)
    missing = unfilled_placeholders(template=template, caption=caption)
    if missing:
        raise ValidationError(
            {
                "caption": _("Fill in %(placeholders)s in the caption before posting.")
                % {"placeholders": ", ".join(missing)}
            }
        )
    fields: dict = {"template": template, "template_layout": template.layout}
    if template.layout == Template.Layout.SIDE_BY_SIDE:
        original_id = template.original.public_id
        if request.stitch_of or request.sound or request.duet_of not in ("", original_id):
            raise ValidationError(
                {
                    "template": _(
                        "This template is a duet of its own video: nothing else can be added."
                    )
                }
            )
        duet = replace(
            request, template="", duet_of=original_id, layout=Video.DuetLayout.SIDE_BY_SIDE
        )
        return {**base_plan(author=author, request=duet), **fields}
    if request.duet_of or request.stitch_of:
        raise ValidationError({"template": _("A template cannot be used in a duet or a stitch.")})
    if template.layout == Template.Layout.TEXT_ON_TOP:
        text = request.template_text if request.template_text is not None else template.text
        text = template_text_clean(text)
        if not text:
            raise ValidationError({"template_text": _("Enter the text to show on top.")})
        fields["template_text"] = text
    return {**base_plan(author=author, request=replace(request, template="")), **fields}


def template_uses_bump(*, template_id: int | None, by: int) -> None:
    """Move a template's uses_count next to the video row that uses it (same transaction)."""
    if template_id is None:
        return
    qs = Template.objects.filter(pk=template_id)
    if by >= 0:
        qs.update(uses_count=F("uses_count") + by)
    else:
        qs.update(uses_count=Greatest(F("uses_count") + by, 0))


def _fetch(field_file, dst: Path) -> Path:
    with field_file.open("rb") as stored, dst.open("wb") as local:
        shutil.copyfileobj(stored, local, length=1024 * 1024)
    return dst


def template_compose(
    *, video: Video, result: media.ProcessedVideo, workdir: Path
) -> media.ProcessedVideo:
    """Apply a template's green screen or text on top to the processed (and sound-laid)
    upload. Side by side was composed as a duet already."""
    layout = video.template_layout
    if layout not in (Template.Layout.GREEN_SCREEN, Template.Layout.TEXT_ON_TOP):
        return result
    if layout == Template.Layout.TEXT_ON_TOP:
        return media.compose_text_on_top(result, video.template_text, workdir)
    template = Template.objects.filter(pk=video.template_id).first() if video.template_id else None
    if template is None or not template.background:
        raise media.MediaError(_("The template you chose is no longer available."), code="gone")
    background = _fetch(template.background, workdir / "template-background.jpg")
    return media.compose_green_screen(result, background, workdir, key_color=template.key_color)


def template_background_encode(*, data: bytes) -> ContentFile:
    """A staff upload as our own JPEG (never served as uploaded). Raises ValidationError."""
    try:
        return ContentFile(media.image_reencode(data), name="background.jpg")
    except media.MediaError as exc:
        raise ValidationError(exc.reason, code=exc.code) from None


PREVIEW_SIZE = (360, 640)


def template_preview_render(*, template: Template) -> Template:
    """Render the gallery picture from the layout itself: a short generated clip through
    the same recipe as a real upload, then its poster. For seed data and the admin."""
    from ..testing import make_clip

    workdir = Path(tempfile.mkdtemp(prefix="repeater-template-"))
    try:
        width, height = PREVIEW_SIZE
        pattern = "greenscreen" if template.layout == Template.Layout.GREEN_SCREEN else "gradients"
        clip = make_clip(
            workdir / "clip.mp4",
            width=width,
            height=height,
            seconds=1,
            audio=False,
            pattern=pattern,
        )
        result = media.process_video(clip, workdir)
        if template.layout == Template.Layout.SIDE_BY_SIDE and template.original_id:
            original = _fetch(template.original.file, workdir / "original.mp4")
            result = media.compose_duet(result, original, workdir)
        elif template.layout == Template.Layout.GREEN_SCREEN and template.background:
            background = _fetch(template.background, workdir / "background.jpg")
            result = media.compose_green_screen(
                result, background, workdir, key_color=template.key_color
            )
        elif template.layout == Template.Layout.TEXT_ON_TOP:
            text = template_text_clean(template.text) or template.name
            result = media.compose_text_on_top(result, text, workdir)
        with result.poster.open("rb") as jpg:
            template.preview.save("preview.jpg", ContentFile(jpg.read()), save=False)
        Template.objects.filter(pk=template.pk).update(preview=template.preview.name)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return template
