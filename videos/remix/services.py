"""Writes for sounds and remixes. Keyword-only, validated, transactional; tasks on commit.

video_create and video_process (videos/services.py) call remix_plan and remix_compose, so
the rules below hold for the upload page, the API and anything else that posts a video.
"""

from __future__ import annotations

import logging
import math
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.http import Http404
from django.utils.translation import gettext as _

from social.images import avatar_reencode
from social.models import User

from .. import media
from .. import selectors as video_selectors
from ..models import Sound, Video
from . import selectors

logger = logging.getLogger(__name__)

TITLE_MAX = 120
ORIGINAL_SOUND_TITLE = "original sound"


# --- what an upload asks for ---------------------------------------------------------------------
@dataclass(frozen=True)
class RemixRequest:
    """The remix fields of an upload, as public ids and numbers (forms and API fill it).

    sound: lay that sound under the new video from sound_offset seconds, with the video's
    own audio mixed in at original_volume (0 replaces it). duet_of / stitch_of: compose
    with that video (layout; stitch_start..stitch_end, at most 5 s of it)."""

    sound: str = ""
    sound_offset: float = 0.0
    original_volume: float = 0.0
    duet_of: str = ""
    layout: str = Video.DuetLayout.SIDE_BY_SIDE
    stitch_of: str = ""
    stitch_start: float = 0.0
    stitch_end: float = media.STITCH_MAX_SECONDS
    # A template's slug (videos/remix/templates.py) and, for text on top, the creator's
    # text (None: the template's own).
    template: str = ""
    template_text: str | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.sound or self.duet_of or self.stitch_of or self.template)


def _number(value, *, field: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError({field: _("Enter a number.")}) from None
    if not math.isfinite(number):
        raise ValidationError({field: _("Enter a number.")})
    return number


def _remix_source(*, author: User, public_id: str, field: str) -> Video:
    """The video to duet or stitch, if the author may see it (blocks, privacy) and it is
    ready; missing and forbidden give the same answer, so nothing leaks."""
    try:
        original = video_selectors.video_get_visible(viewer=author, public_id=public_id)
    except Http404:
        original = None
    if original is None or not original.is_ready:
        raise ValidationError({field: _("This video is not available.")})
    return original


def sound_check_usable(*, user: User, sound: Sound) -> None:
    """Raise ValidationError({"sound": …}) unless user may lay sound under a video."""
    if not selectors.can_view_sound(viewer=user, sound=sound) or not sound.audio:
        raise ValidationError({"sound": _("This sound is not available.")})
    if not sound.is_ready:
        raise ValidationError({"sound": _("This sound is still being processed.")})
    if not sound.is_reusable and sound.owner_id != user.pk:
        raise ValidationError(
            {"sound": _("The owner of this sound does not allow others to use it.")}
        )


def remix_plan(*, author: User, request: RemixRequest | None, caption: str = "") -> dict:
    """Validate the remix part of an upload; return the Video fields it sets.

    Raises ValidationError keyed by the form field at fault. caption: the upload's, for a
    template's placeholders."""
    if request is None or request.is_empty:
        return {}
    if request.template:
        from .templates import template_plan

        return template_plan(author=author, request=request, caption=caption, base_plan=remix_plan)
    chosen = [name for name in ("sound", "duet_of", "stitch_of") if getattr(request, name)]
    if len(chosen) > 1:
        raise ValidationError(
            _("Choose one: use a sound, duet or stitch. A video cannot be several at once.")
        )
    if request.sound:
        sound = selectors.sound_by_public_id(request.sound)
        if sound is None:
            raise ValidationError({"sound": _("This sound is not available.")})
        sound_check_usable(user=author, sound=sound)
        offset = _number(request.sound_offset, field="sound_offset")
        if offset < 0 or (sound.duration and offset >= sound.duration):
            raise ValidationError(
                {
                    "sound_offset": _("Start somewhere between 0 and %(s)d seconds.")
                    % {"s": max(int(sound.duration) - 1, 0)}
                }
            )
        volume = _number(request.original_volume, field="original_volume")
        if not 0 <= volume <= 1:
            raise ValidationError({"original_volume": _("Choose a volume between 0 and 1.")})
        return {"sound": sound, "sound_offset": round(offset, 3), "original_volume": volume}
    if request.duet_of:
        original = _remix_source(author=author, public_id=request.duet_of, field="duet_of")
        refusal = selectors.remix_refusal(viewer=author, video=original, kind="duet")
        if refusal:
            raise ValidationError({"duet_of": refusal}, code="remix_refused")
        if request.layout not in Video.DuetLayout.values:
            raise ValidationError({"layout": _("Choose side by side or top and bottom.")})
        return {"duet_of": original, "duet_layout": request.layout}
    original = _remix_source(author=author, public_id=request.stitch_of, field="stitch_of")
    refusal = selectors.remix_refusal(viewer=author, video=original, kind="stitch")
    if refusal:
        raise ValidationError({"stitch_of": refusal}, code="remix_refused")
    start = _number(request.stitch_start, field="stitch_start")
    end = _number(request.stitch_end, field="stitch_end")
    if start < 0 or end <= start:
        raise ValidationError({"stitch_end": _("The end must come after the start.")})
    if end - start > media.STITCH_MAX_SECONDS + 1e-6:
        raise ValidationError(
            {
                "stitch_end": _("A stitch takes at most %(s)d seconds of the original.")
                % {"s": int(media.STITCH_MAX_SECONDS)}
            }
        )
    if start >= original.duration:
        raise ValidationError({"stitch_start": _("The start is past the end of the video.")})
    return {"stitch_of": original, "stitch_start": round(start, 3), "stitch_end": round(end, 3)}


def uses_bump(*, sound_id: int | None, by: int) -> None:
    """Move a sound's uses_count next to the video row that uses it (same transaction)."""
    if sound_id is None:
        return
    if by >= 0:
        Sound.objects.filter(pk=sound_id).update(uses_count=F("uses_count") + by)
    else:
        Sound.objects.filter(pk=sound_id).update(uses_count=Greatest(F("uses_count") + by, 0))


# --- composing during processing ------------------------------------------------------------------
def _fetch(field_file, dst: Path) -> Path:
    with field_file.open("rb") as stored, dst.open("wb") as local:
        shutil.copyfileobj(stored, local, length=1024 * 1024)
    return dst


def remix_compose(
    *, video: Video, result: media.ProcessedVideo, workdir: Path
) -> media.ProcessedVideo:
    """Apply what the uploader asked for (sound, duet, stitch, then a template's layout) to
    the processed upload.

    The rules are checked again: the original or the sound may have changed (made private,
    duets switched off, deleted) between the upload and its turn in the queue."""
    from .templates import template_compose

    result = _remix_compose(video=video, result=result, workdir=workdir)
    return template_compose(video=video, result=result, workdir=workdir)


def _remix_compose(
    *, video: Video, result: media.ProcessedVideo, workdir: Path
) -> media.ProcessedVideo:
    author = video.author
    if video.sound_offset is not None:
        sound = (
            Sound.objects.select_related("owner", "source_video__author")
            .filter(pk=video.sound_id)
            .first()
            if video.sound_id
            else None
        )
        if sound is None:
            raise media.MediaError(_("The sound you chose is no longer available."), code="gone")
        try:
            sound_check_usable(user=author, sound=sound)
        except ValidationError as exc:
            raise media.MediaError(exc.messages[0], code="sound") from None
        path = _fetch(sound.audio, workdir / "chosen-sound.m4a")
        return media.lay_sound(
            result, path, workdir, offset=video.sound_offset, volume=video.original_volume
        )
    kind = "duet" if video.duet_layout else "stitch" if video.stitch_start is not None else ""
    if not kind:
        return result
    source_id = video.duet_of_id if kind == "duet" else video.stitch_of_id
    original = Video.objects.select_related("author").filter(pk=source_id).first()
    allowed = (
        original is not None
        and original.is_ready
        and bool(original.file)
        and video_selectors.can_view_video(viewer=author, video=original)
        # The author may have had a birthday, changed who may remix, or unfriended since.
        and selectors.can_remix(viewer=author, video=original, kind=kind)
    )
    if not allowed:
        raise media.MediaError(
            _("The original video is no longer available for this."), code="gone"
        )
    path = _fetch(original.file, workdir / "remix-original.mp4")
    if kind == "duet":
        return media.compose_duet(result, path, workdir, layout=video.duet_layout)
    return media.compose_stitch(
        result, path, workdir, start=video.stitch_start, end=video.stitch_end
    )


def original_sound_prepare(
    *, video: Video, result: media.ProcessedVideo, workdir: Path
) -> Sound | None:
    """The unsaved original sound of a video about to be ready, its audio file stored; None
    when the video has no audio or already uses a sound. The caller saves it (or deletes
    its file) with the video's status update."""
    if video.sound_id is not None or video.sound_offset is not None:
        return None
    try:
        extracted = media.extract_sound(result.path, workdir)
    except media.MediaError as exc:
        logger.warning("video %s: no original sound (%s)", video.public_id, exc.code)
        return None
    if extracted is None:
        return None
    sound = Sound(
        title=ORIGINAL_SOUND_TITLE,
        owner=video.author,
        is_original=True,
        source_video=video,
        is_reusable=video.allow_sound_reuse,
        duration=extracted.duration,
        status=Sound.Status.READY,
        uses_count=1,
    )
    with extracted.path.open("rb") as m4a:
        sound.audio.save("sound.m4a", File(m4a), save=False)
    return sound


# --- uploaded music -------------------------------------------------------------------------------
def _clean_text(value: str, *, field: str, required: bool) -> str:
    value = unicodedata.normalize("NFC", (value or "").strip())
    if "\x00" in value:
        raise ValidationError({field: _("This contains characters we cannot store.")})
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    if len(value) > TITLE_MAX:
        raise ValidationError({field: _("At most %(n)d characters.") % {"n": TITLE_MAX}})
    return value


def sound_create(
    *,
    owner: User,
    upload: IO[bytes],
    size: int,
    title: str,
    artist: str = "",
    cover: bytes | None = None,
    is_reusable: bool = True,
) -> Sound:
    """Store an uploaded sound privately and queue its processing (probe, limits, AAC)."""
    if not owner.is_active:
        raise PermissionDenied(_("This account cannot post."))
    title = _clean_text(title, field="title", required=True)
    artist = _clean_text(artist, field="artist", required=False)
    if size <= 0:
        raise ValidationError({"file": _("The file is empty.")})
    if size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            {
                "file": _("The file is larger than %(mb)d MB.")
                % {"mb": settings.UPLOAD_MAX_BYTES // 2**20}
            }
        )
    cover_jpeg = None
    if cover:
        try:
            cover_jpeg = avatar_reencode(data=cover)
        except ValidationError as exc:
            raise ValidationError({"cover": exc.messages}) from None
    sound = Sound(
        owner=owner,
        title=title,
        artist=artist,
        is_reusable=is_reusable,
        status=Sound.Status.PROCESSING,
    )
    sound.original.save("source", File(upload), save=False)
    stored = [(sound.original.storage, sound.original.name)]
    try:
        if cover_jpeg:
            sound.cover.save("cover.jpg", ContentFile(cover_jpeg), save=False)
            stored.append((sound.cover.storage, sound.cover.name))
        with transaction.atomic():
            sound.save()
            transaction.on_commit(lambda: _enqueue_sound(sound.pk))
    except BaseException:
        _delete_files(stored)
        raise
    return sound


def _enqueue_sound(sound_id: int) -> None:
    from ..tasks import sound_process_task

    sound_process_task.delay(sound_id)


def sound_process(*, sound_id: int) -> Sound:
    """Turn a stored upload into the sound's AAC/M4A; ready or failed(reason). Temporary
    files go whatever happens; the row is updated only while it is still processing."""
    sound = Sound.objects.get(pk=sound_id)
    if sound.status != Sound.Status.PROCESSING:
        return sound
    workdir = Path(tempfile.mkdtemp(prefix="repeater-sound-"))
    saved: list = []
    try:
        src = _fetch(sound.original, workdir / "source")
        result = media.process_audio(src, workdir)
        with result.path.open("rb") as m4a:
            sound.audio.save("sound.m4a", File(m4a), save=False)
            saved.append((sound.audio.storage, sound.audio.name))
        sound.duration = result.duration
        sound.status = Sound.Status.READY
        sound.failure_reason = ""
    except Exception as exc:
        _delete_files(saved)
        saved = []
        sound.audio = ""
        sound.status = Sound.Status.FAILED
        if isinstance(exc, media.MediaError):
            sound.failure_reason = exc.reason[:300]
            logger.info("sound %s failed: %s", sound.public_id, exc.code)
        else:
            sound.failure_reason = _("Something went wrong while processing. Please try again.")
            logger.exception("sound %s crashed in processing", sound.public_id)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    updated = Sound.objects.filter(pk=sound.pk, status=Sound.Status.PROCESSING).update(
        audio=sound.audio.name or "",
        duration=sound.duration,
        status=sound.status,
        failure_reason=sound.failure_reason,
    )
    if not updated:
        _delete_files(saved)
        return Sound.objects.filter(pk=sound.pk).first() or sound
    return sound


def sound_update(
    *,
    sound: Sound,
    editor: User,
    title: str | None = None,
    artist: str | None = None,
    is_reusable: bool | None = None,
) -> Sound:
    if editor.pk != sound.owner_id:
        raise PermissionDenied(_("Only the owner can change this sound."))
    fields = []
    if title is not None and not sound.is_original:
        sound.title = _clean_text(title, field="title", required=True)
        fields.append("title")
    if artist is not None and not sound.is_original:
        sound.artist = _clean_text(artist, field="artist", required=False)
        fields.append("artist")
    if is_reusable is not None:
        sound.is_reusable = bool(is_reusable)
        fields.append("is_reusable")
    with transaction.atomic():
        if fields:
            sound.save(update_fields=fields)
        if is_reusable is not None and sound.source_video_id:
            # The video's switch and its sound's say the same thing.
            Video.objects.filter(pk=sound.source_video_id).update(
                allow_sound_reuse=sound.is_reusable
            )
    return sound


def sound_delete(*, sound: Sound, actor: User) -> None:
    """Remove a sound. Videos that used it keep playing: their audio is in their own MP4;
    they simply stop linking to it."""
    if actor.pk != sound.owner_id and not actor.is_staff:
        raise PermissionDenied(_("Only the owner can remove this sound."))
    names = [(f.storage, f.name) for f in (sound.audio, sound.cover, sound.original) if f]
    with transaction.atomic():
        sound.delete()
        transaction.on_commit(lambda: _delete_files(names))


def sound_files(sound: Sound) -> list:
    return [(f.storage, f.name) for f in (sound.audio, sound.cover, sound.original) if f]


def _delete_files(names) -> None:
    for storage, name in names:
        try:
            storage.delete(name)
        except Exception:
            logger.exception("could not delete %s", name)
