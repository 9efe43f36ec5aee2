"""Every write about content. Keyword-only, validated, transactional; tasks go out on commit."""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from social.models import User

from . import media
from .models import CAPTION_MAX_LENGTH, Video
from .text import extract_hashtags

logger = logging.getLogger(__name__)


def _validate_caption(caption: str) -> str:
    caption = (caption or "").replace("\r\n", "\n").strip()
    if len(caption) > CAPTION_MAX_LENGTH:
        raise ValidationError(
            {"caption": _("Captions can be at most %(n)d characters.") % {"n": CAPTION_MAX_LENGTH}}
        )
    if "\x00" in caption:
        raise ValidationError({"caption": _("The caption contains characters we cannot store.")})
    return caption


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
) -> Video:
    """Store the original privately, create the Video as processing and queue processing."""
    caption = _validate_caption(caption)
    if not author.is_active:
        raise PermissionDenied(_("This account cannot post."))
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
    with transaction.atomic():
        video = Video(
            author=author,
            caption=caption,
            visibility=visibility,
            original_size=size,
            allow_comments=allow_comments,
            allow_duet=allow_duet,
            allow_stitch=allow_stitch,
        )
        video.original.save("source", File(upload), save=False)
        video.save()
        tags = extract_hashtags(caption)
        if tags:
            video.tags.set(tags)
        transaction.on_commit(lambda: _enqueue_processing(video.pk))
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
    try:
        src = workdir / "source"
        with video.original.open("rb") as stored, src.open("wb") as local:
            shutil.copyfileobj(stored, local, length=1024 * 1024)
        result = media.process_video(src, workdir)
        with result.path.open("rb") as mp4, result.poster.open("rb") as jpg:
            video.file.save("video.mp4", File(mp4), save=False)
            video.poster.save("poster.jpg", File(jpg), save=False)
        video.duration = result.duration
        video.width, video.height = result.width, result.height
        video.transcoded = result.transcoded
        video.processing_seconds = round(result.seconds, 3)
        video.status = Video.Status.READY
        video.failure_reason = ""
    except media.MediaError as exc:
        video.status = Video.Status.FAILED
        video.failure_reason = exc.reason[:300]
        logger.info("video %s failed: %s", video.public_id, exc.code)
    except Exception:
        video.status = Video.Status.FAILED
        video.failure_reason = _("Something went wrong while processing. Please try again.")
        logger.exception("video %s crashed in processing", video.public_id)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    video.processed_at = timezone.now()
    # Only the pipeline's fields: a caption edit made meanwhile must not be overwritten.
    video.save(
        update_fields=[
            "file",
            "poster",
            "duration",
            "width",
            "height",
            "transcoded",
            "processing_seconds",
            "status",
            "failure_reason",
            "processed_at",
        ]
    )
    return video


def video_update(
    *,
    video: Video,
    editor: User,
    caption: str | None = None,
    visibility: str | None = None,
    allow_comments: bool | None = None,
    allow_duet: bool | None = None,
    allow_stitch: bool | None = None,
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
    ):
        if value is not None:
            setattr(video, name, bool(value))
            fields.append(name)
    with transaction.atomic():
        if fields:
            video.save(update_fields=fields)
        if caption is not None:
            video.tags.set(extract_hashtags(video.caption), clear=True)
    return video


def video_delete(*, video: Video, actor: User) -> None:
    if actor.pk != video.author_id and not actor.is_staff:
        raise PermissionDenied(_("Only the author can delete this video."))
    files = [f for f in (video.file, video.poster, video.original) if f]
    names = [(f.storage, f.name) for f in files]
    with transaction.atomic():
        video.delete()
        transaction.on_commit(lambda: _delete_files(names))


def _delete_files(names) -> None:
    for storage, name in names:
        try:
            storage.delete(name)
        except Exception:  # a missing file must not stop the others
            logger.exception("could not delete %s", name)
