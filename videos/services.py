"""Every write about content. Keyword-only, validated, transactional; tasks go out on commit."""

from __future__ import annotations

import logging
import shutil
import tempfile
import unicodedata
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from taggit.models import Tag

from social.models import User

from . import media
from .models import CAPTION_MAX_LENGTH, Sound, Video
from .remix.services import (
    RemixRequest,
    original_sound_prepare,
    remix_compose,
    remix_plan,
    sound_files,
    uses_bump,
)
from .remix.templates import template_uses_bump
from .text import extract_hashtags

logger = logging.getLogger(__name__)


def _validate_caption(caption: str) -> str:
    # NFC: one spelling per character, so lengths and hashtags do not depend on the keyboard.
    caption = unicodedata.normalize("NFC", (caption or "").replace("\r\n", "\n")).strip()
    if len(caption) > CAPTION_MAX_LENGTH:
        raise ValidationError(
            {"caption": _("Captions can be at most %(n)d characters.") % {"n": CAPTION_MAX_LENGTH}}
        )
    if "\x00" in caption:
        raise ValidationError({"caption": _("The caption contains characters we cannot store.")})
    return caption


def _hashtags(caption: str) -> list[Tag | str]:
    """The caption's hashtags as existing Tags where one matches case-insensitively, else
    names for taggit to create.

    taggit's own case-insensitive lookup is ``name__iexact``, which SQLite applies to ASCII
    only: "#über" after "#Über" would make a second tag. Tags are matched here by
    casefolded name among the candidates found by iexact or by slug (taggit's slug is the
    lowercased name), which works on every database.
    """
    names = extract_hashtags(caption)
    if not names:
        return []
    query = Q()
    for name in names:
        query |= Q(name__iexact=name) | Q(slug=Tag().slugify(name))
    existing: dict[str, Tag] = {}
    for tag in Tag.objects.filter(query).order_by("pk"):
        existing.setdefault(tag.name.casefold(), tag)
    return [existing.get(name.casefold(), name) for name in names]


def video_create(
    *,
    author: User,
    upload: IO[bytes],
    size: int,
    caption: str = "",
    visibility: str = Video.Visibility.PUBLIC,
    allow_comments: bool = True,
    allow_duet: bool = True,
    allow_stitch: bool = True,
    allow_sound_reuse: bool = True,
    allow_download: bool | None = None,
    remix: RemixRequest | None = None,
) -> Video:
    """Store the original privately, create the Video as processing and queue processing.

    remix: use a sound, duet or stitch another video (videos/remix/services.py checks who
    may, and processing composes)."""
    caption = _validate_caption(caption)
    if not author.is_active:
        raise PermissionDenied(_("This account cannot post."))
    plan = remix_plan(author=author, request=remix, caption=caption)
    if size <= 0:
        raise ValidationError({"file": _("The file is empty.")})
    if size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            {
                "file": _("The file is larger than %(mb)d MB.")
                % {"mb": settings.UPLOAD_MAX_BYTES // 2**20}
            }
        )
    if visibility not in Video.Visibility.values:
        raise ValidationError({"visibility": _("Choose who can watch this video.")})
    video = Video(
        author=author,
        caption=caption,
        visibility=visibility,
        original_size=size,
        allow_comments=allow_comments,
        allow_duet=allow_duet,
        allow_stitch=allow_stitch,
        allow_sound_reuse=allow_sound_reuse,
        # Not given: on for adults, off for minors ("Save video"; never for 13–15 anyway).
        allow_download=_download_default(author) if allow_download is None else allow_download,
        **plan,
    )
    video.original.save("source", File(upload), save=False)
    try:
        with transaction.atomic():
            video.save()
            uses_bump(sound_id=video.sound_id, by=1)
            template_uses_bump(template_id=video.template_id, by=1)
            tags = _hashtags(caption)
            if tags:
                video.tags.set(tags)
            transaction.on_commit(lambda: _enqueue_processing(video.pk))
    except BaseException:
        # The row is gone with the transaction: do not leave its file behind.
        _delete_files([(video.original.storage, video.original.name)])
        raise
    return video


def _enqueue_processing(video_id: int) -> None:
    from .tasks import video_process_task

    video_process_task.delay(video_id)


def video_process(*, video_id: int) -> Video:
    """Turn the stored original into the playable MP4 and poster; ready or failed(reason).

    Work happens in a temporary folder that is removed on success and on failure.
    """
    video = Video.objects.select_related("author").get(pk=video_id)
    if video.status != Video.Status.PROCESSING:
        return video  # a retried task after success must not redo work
    workdir = Path(tempfile.mkdtemp(prefix="repeater-"))
    saved: list = []  # (storage, name) of the files this run stored
    sound: Sound | None = None  # the original sound, saved with the status update
    try:
        src = workdir / "source"
        with video.original.open("rb") as stored, src.open("wb") as local:
            shutil.copyfileobj(stored, local, length=1024 * 1024)
        result = media.process_video(src, workdir)
        # Use a sound, duet, stitch: composed from the checked upload and our own files.
        result = remix_compose(video=video, result=result, workdir=workdir)
        sound = original_sound_prepare(video=video, result=result, workdir=workdir)
        if sound is not None:
            saved.append((sound.audio.storage, sound.audio.name))
        with result.path.open("rb") as mp4:
            video.file.save("video.mp4", File(mp4), save=False)
            saved.append((video.file.storage, video.file.name))
        with result.poster.open("rb") as jpg:
            video.poster.save("poster.jpg", File(jpg), save=False)
            saved.append((video.poster.storage, video.poster.name))
        video.duration = result.duration
        video.width, video.height = result.width, result.height
        video.transcoded = result.transcoded
        video.processing_seconds = round(result.seconds, 3)
        video.status = Video.Status.READY
        video.failure_reason = ""
    except Exception as exc:
        _delete_files(saved)
        saved = []
        sound = None
        video.file, video.poster = "", ""
        video.status = Video.Status.FAILED
        if isinstance(exc, media.MediaError):
            video.failure_reason = exc.reason[:300]
            logger.info("video %s failed: %s", video.public_id, exc.code)
        else:
            video.failure_reason = _("Something went wrong while processing. Please try again.")
            logger.exception("video %s crashed in processing", video.public_id)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    video.processed_at = timezone.now()
    # Only the pipeline's fields, so a caption edit made meanwhile is kept; and only while
    # the row is still processing: deleted meanwhile (or finished by a retried task), the
    # files this run stored belong to nobody.
    with transaction.atomic():
        updated = Video.objects.filter(pk=video.pk, status=Video.Status.PROCESSING).update(
            file=video.file.name or "",
            poster=video.poster.name or "",
            duration=video.duration,
            width=video.width,
            height=video.height,
            transcoded=video.transcoded,
            processing_seconds=video.processing_seconds,
            status=video.status,
            failure_reason=video.failure_reason,
            processed_at=video.processed_at,
        )
        if updated and sound is not None:
            # Its original sound, attributed to the author; the video is its first use.
            # The switch is read again: it may have been turned off while processing.
            sound.is_reusable = Video.objects.filter(pk=video.pk).values_list(
                "allow_sound_reuse", flat=True
            )[0]
            sound.save()
            Video.objects.filter(pk=video.pk).update(sound=sound)
            video.sound = sound
    if not updated:
        _delete_files(saved)
        logger.info("video %s changed while processing; result dropped", video.public_id)
        return Video.objects.filter(pk=video.pk).first() or video
    from .webhooks import video_processed_on_commit

    video_processed_on_commit(video)  # video.ready / video.failed to the author's apps
    if video.status == Video.Status.READY:
        from .engagement import caption_mentions_notify

        # Now that people can watch it, @mentions in the caption tell them.
        caption_mentions_notify(video=video)
    return video


def _download_default(author: User) -> bool:
    from social.selectors import ADULT_AGE, user_age

    age = user_age(author)
    return age is None or age >= ADULT_AGE


def video_update(
    *,
    video: Video,
    editor: User,
    caption: str | None = None,
    visibility: str | None = None,
    allow_comments: bool | None = None,
    allow_duet: bool | None = None,
    allow_stitch: bool | None = None,
    allow_sound_reuse: bool | None = None,
    allow_download: bool | None = None,
) -> Video:
    if editor.pk != video.author_id:
        raise PermissionDenied(_("Only the author can edit this video."))
    fields: list[str] = []
    if caption is not None:
        video.caption = _validate_caption(caption)
        fields.append("caption")
    if visibility is not None:
        if visibility not in Video.Visibility.values:
            raise ValidationError({"visibility": _("Choose who can watch this video.")})
        video.visibility = visibility
        fields.append("visibility")
    for name, value in (
        ("allow_comments", allow_comments),
        ("allow_duet", allow_duet),
        ("allow_stitch", allow_stitch),
        ("allow_sound_reuse", allow_sound_reuse),
        ("allow_download", allow_download),
    ):
        if value is not None:
            setattr(video, name, bool(value))
            fields.append(name)
    with transaction.atomic():
        if fields:
            video.save(update_fields=fields)
        if allow_sound_reuse is not None:
            # Its original sound follows the switch ("use this sound" checks the sound).
            Sound.objects.filter(source_video=video).update(is_reusable=bool(allow_sound_reuse))
        if caption is not None:
            video.tags.set(_hashtags(video.caption), clear=True)
        if visibility is not None:
            _access_changed_on_commit(video)
    return video


def _access_changed_on_commit(video: Video) -> None:
    """Live subscribers who may no longer see the video stop hearing about it."""
    from . import live

    public_id = video.public_id
    transaction.on_commit(lambda: live.video_access_changed(video_public_id=public_id))


def video_set_hidden(*, video: Video, hidden: bool) -> Video:
    """Moderation: hide or unhide everywhere (feeds, pages, API, media, live pushes)."""
    with transaction.atomic():
        Video.objects.filter(pk=video.pk).update(is_hidden=hidden)
        video.is_hidden = hidden
        _access_changed_on_commit(video)
    return video


def video_delete(*, video: Video, actor: User) -> None:
    if actor.pk != video.author_id and not actor.is_staff:
        raise PermissionDenied(_("Only the author can delete this video."))
    files = [f for f in (video.file, video.poster, video.original) if f]
    names = [(f.storage, f.name) for f in files]
    # Its original sound goes with it (a cascade); videos that used it keep their audio.
    for own_sound in Sound.objects.filter(source_video=video):
        names += sound_files(own_sound)
    with transaction.atomic():
        _access_changed_on_commit(video)
        uses_bump(sound_id=video.sound_id, by=-1)
        template_uses_bump(template_id=video.template_id, by=-1)
        # The likes go with the video, so its author's total must drop by them too.
        User.objects.filter(pk=video.author_id).update(
            likes_received_count=Greatest(F("likes_received_count") - video.likes_count, 0)
        )
        video.delete()
        transaction.on_commit(lambda: _delete_files(names))


def _delete_files(names) -> None:
    for storage, name in names:
        try:
            storage.delete(name)
        except Exception:  # a missing file must not stop the others
            logger.exception("could not delete %s", name)
