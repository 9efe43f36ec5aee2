"""Privacy rights: export my data, delete my account.

Here and not in social because both reach into every app (social never imports videos).

Export: ``data_export_request`` records a pending DataExport and queues the build on commit;
``data_export_build`` writes a ZIP of JSON files plus the user's original media into the
"private" storage; ``data_export_claim`` hands it out once, to its owner, before it
expires; ``data_exports_cleanup`` deletes files that were downloaded or expired.

Deletion: ``account_delete`` checks the password, removes the user with everything of
theirs in one transaction, repairs the counters their rows were part of, and deletes every
stored file through the storage API (local disk or S3 alike) once the rows are gone.
"""

from __future__ import annotations

import datetime
import json
import logging
import secrets
import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import storages
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, router, transaction
from django.db.models import ProtectedError, RestrictedError
from django.db.models.deletion import Collector
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from social.models import Block, ExternalLink, Follow, FollowRequest, Notification, User

from . import counters, live
from .models import Comment, CommentLike, DataExport, Like, Share, Sound, Video

logger = logging.getLogger(__name__)

EXPORT_TTL = datetime.timedelta(days=7)
EXPORT_README = gettext_lazy("""\
This is a copy of your data from {site}, made on {date}.

profile.json          your account and profile
links.json            the links on your profile
videos.json           your videos: captions, hashtags, settings and counts
sounds.json           sounds you own
comments.json         comments you wrote
likes.json            videos you liked
comment_likes.json    comments you liked
shares.json           videos you shared
following.json        accounts you follow
followers.json        accounts that follow you
follow_requests.json  follow requests you sent and received
blocks.json           accounts you blocked
watch_history.json    what you watched, and for how long
notifications.json    your notifications
other/                anything else stored about you, one file per kind
media/                your videos as you uploaded them, your sounds and profile photo
""")

# Fields never copied into an export by the generic pass: secrets and internal keys.
SECRET_FIELDS = frozenset({"key", "session_hash", "event_key"})
SECRET_WORDS = ("password", "secret", "token")
# A row belongs to the user when one of these foreign keys points at them.
OWNER_FIELDS = ("user", "owner", "author", "reporter")
# Models the generic pass leaves alone: covered by their own file, or not the user's data.
SKIPPED_MODELS = frozenset(
    {
        "admin.logentry",
        "authtoken.token",
        "authtoken.tokenproxy",
        "sessions.session",
        "videos.dataexport",
    }
)


class ExportUnavailable(Exception):
    """The export cannot be downloaded (yet: 409; any more: 410); the message says why."""

    def __init__(self, message: str, *, status: int = 410):
        super().__init__(message)
        self.status = status


def _storage(alias: str):
    return storages[alias]


def _iso(value: datetime.datetime | datetime.date | None) -> str | None:
    return value.isoformat() if value is not None else None


# --- export: request ------------------------------------------------------------------------
def data_export_request(*, user: User) -> DataExport:
    """Queue a new export, unless one is still being prepared or one was asked for within
    DATA_EXPORT_COOLDOWN_SECONDS (building copies every original: not a button to hammer)."""
    if not user.is_authenticated or not user.is_active:
        raise ValidationError(_("This account cannot export data."))
    now = timezone.now()
    with transaction.atomic():
        # Lock the user's row so two clicks at once make one export.
        User.objects.select_for_update().filter(pk=user.pk).first()
        latest = DataExport.objects.filter(user=user).order_by("-created_at", "-id").first()
        if latest is not None and latest.status == DataExport.Status.PENDING:
            raise ValidationError(
                _("Your data is already being prepared. It will be ready soon."), code="pending"
            )
        cooldown = datetime.timedelta(seconds=settings.DATA_EXPORT_COOLDOWN_SECONDS)
        if (
            latest is not None
            and latest.status != DataExport.Status.FAILED
            and latest.created_at > now - cooldown
        ):
            raise ValidationError(
                _("You asked for a copy of your data a moment ago. Please try again later."),
                code="cooldown",
            )
        export = DataExport.objects.create(user=user, created_at=now, expires_at=now + EXPORT_TTL)
        export_id = export.pk
        transaction.on_commit(lambda: _enqueue_build(export_id))
    return export


def _enqueue_build(export_id: int) -> None:
    from .tasks import data_export_build_task

    data_export_build_task.delay(export_id)


# --- export: build --------------------------------------------------------------------------
def data_export_build(*, export_id: int) -> DataExport:
    """Write the ZIP for a pending export; ready or failed(reason). Run by a task."""
    export = DataExport.objects.select_related("user").get(pk=export_id)
    if export.status != DataExport.Status.PENDING:
        return export  # a retried task after success must not redo the work
    storage = _storage("private")
    name = ""
    try:
        with tempfile.TemporaryFile(prefix="repeater-export-") as tmp:
            with zipfile.ZipFile(tmp, "w", allowZip64=True) as archive:
                _write_export(archive, export.user)
            size = tmp.tell()
            tmp.seek(0)
            name = storage.save(
                f"exports/{export.public_id}/{secrets.token_urlsafe(12)}.zip", File(tmp)
            )
    except Exception:
        logger.exception("data export %s failed", export.public_id)
        if name:
            _delete_quietly([("private", name)])
        DataExport.objects.filter(pk=export.pk, status=DataExport.Status.PENDING).update(
            status=DataExport.Status.FAILED,
            failure_reason=_("Something went wrong while preparing your data. Please try again."),
        )
        export.refresh_from_db()
        return export
    updated = DataExport.objects.filter(pk=export.pk, status=DataExport.Status.PENDING).update(
        status=DataExport.Status.READY, file_name=name, size=size, ready_at=timezone.now()
    )
    if not updated:  # deleted (with its account) while it was being built
        _delete_quietly([("private", name)])
        return export
    export.refresh_from_db()
    return export


def _dump(data) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode("utf-8")


def _write_json(archive: zipfile.ZipFile, name: str, data) -> None:
    archive.writestr(name, _dump(data), compress_type=zipfile.ZIP_DEFLATED)


def _copy_file(archive: zipfile.ZipFile, arcname: str, field_file) -> bool:
    """Stream a stored file into the archive (stored, not deflated: media are compressed)."""
    try:
        with (
            field_file.storage.open(field_file.name, "rb") as src,
            archive.open(arcname, "w", force_zip64=True) as dest,
        ):
            shutil.copyfileobj(src, dest, length=1024 * 1024)
    except FileNotFoundError:
        logger.warning("export: %s is missing from storage", field_file.name)
        return False
    return True


def _video_extension(field_file) -> str:
    """The original's container, from its first bytes (originals are stored without one)."""
    try:
        with field_file.storage.open(field_file.name, "rb") as handle:
            head = handle.read(16)
    except OSError:
        return ".bin"
    if head[4:8] == b"ftyp":
        return ".mov" if head[8:12] == b"qt  " else ".mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return ".webm"
    return ".bin"


def export_media_name(video: Video) -> str:
    return f"media/videos/{video.public_id}/original{_video_extension(video.original)}"


def _write_export(archive: zipfile.ZipFile, user: User) -> None:
    """Every file of the export, in a fixed order (tests read exactly this)."""
    now = timezone.now()
    archive.writestr(
        "README.txt",
        str(EXPORT_README).format(site=settings.SITE_NAME, date=now.date().isoformat()),
        compress_type=zipfile.ZIP_DEFLATED,
    )
    avatar = None
    if user.avatar:
        avatar = "media/avatar.jpg"
        if not _copy_file(archive, avatar, user.avatar):
            avatar = None
    _write_json(archive, "profile.json", _profile(user, avatar=avatar))
    _write_json(
        archive,
        "links.json",
        [
            {"platform": link.platform, "url": link.url}
            for link in ExternalLink.objects.filter(user=user).order_by("position", "id")
        ],
    )
    videos = []
    qs = (
        Video.objects.filter(author=user)
        .select_related("sound", "duet_of", "stitch_of")
        .prefetch_related("tags")
        .order_by("created_at", "id")
    )
    for video in qs.iterator(chunk_size=200):
        original = None
        if video.original:
            original = export_media_name(video)
            if not _copy_file(archive, original, video.original):
                original = None
        videos.append(_video(video, original=original))
    _write_json(archive, "videos.json", videos)
    sounds = []
    for sound in Sound.objects.filter(owner=user).order_by("created_at", "id"):
        audio = None
        if sound.audio:
            suffix = "." + sound.audio.name.rsplit(".", 1)[-1] if "." in sound.audio.name else ""
            audio = f"media/sounds/{sound.public_id}{suffix}"
            if not _copy_file(archive, audio, sound.audio):
                audio = None
        # The file as the person uploaded it (a music upload), kept privately.
        uploaded = None
        original_file = getattr(sound, "original", None)
        if original_file:
            uploaded = f"media/sounds/{sound.public_id}-original"
            if not _copy_file(archive, uploaded, original_file):
                uploaded = None
        sounds.append(
            {
                "public_id": sound.public_id,
                "title": sound.title,
                "artist": sound.artist,
                "duration": sound.duration,
                "is_original": sound.is_original,
                "is_reusable": sound.is_reusable,
                "uses": sound.uses_count,
                "created_at": _iso(sound.created_at),
                "audio": audio,
                "original": uploaded,
            }
        )
    _write_json(archive, "sounds.json", sounds)
    _write_json(
        archive,
        "comments.json",
        [
            {
                "public_id": c.public_id,
                "video": c.video.public_id,
                "reply_to": c.parent.public_id if c.parent_id else None,
                "text": c.text,
                "likes": c.likes_count,
                "removed_by_moderation": c.is_removed,
                "status": c.status,
                "created_at": _iso(c.created_at),
            }
            for c in Comment.objects.filter(author=user)
            .select_related("video", "parent")
            .order_by("created_at", "id")
        ],
    )
    _write_json(
        archive,
        "likes.json",
        [
            {"video": like.video.public_id, "created_at": _iso(like.created_at)}
            for like in Like.objects.filter(user=user)
            .select_related("video")
            .order_by("created_at", "id")
        ],
    )
    _write_json(
        archive,
        "comment_likes.json",
        [
            {"comment": like.comment.public_id, "created_at": _iso(like.created_at)}
            for like in CommentLike.objects.filter(user=user)
            .select_related("comment")
            .order_by("created_at", "id")
        ],
    )
    _write_json(
        archive,
        "shares.json",
        [
            {"video": s.video.public_id, "channel": s.channel, "created_at": _iso(s.created_at)}
            for s in Share.objects.filter(user=user)
            .select_related("video")
            .order_by("created_at", "id")
        ],
    )
    _write_json(
        archive,
        "following.json",
        [
            {"username": f.followee.username, "since": _iso(f.created_at)}
            for f in Follow.objects.filter(follower=user)
            .select_related("followee")
            .order_by("created_at", "id")
        ],
    )
    _write_json(
        archive,
        "followers.json",
        [
            {"username": f.follower.username, "since": _iso(f.created_at)}
            for f in Follow.objects.filter(followee=user)
            .select_related("follower")
            .order_by("created_at", "id")
        ],
    )
    _write_json(
        archive,
        "follow_requests.json",
        {
            "sent": [
                {"username": r.followee.username, "created_at": _iso(r.created_at)}
                for r in FollowRequest.objects.filter(follower=user)
                .select_related("followee")
                .order_by("created_at", "id")
            ],
            "received": [
                {"username": r.follower.username, "created_at": _iso(r.created_at)}
                for r in FollowRequest.objects.filter(followee=user)
                .select_related("follower")
                .order_by("created_at", "id")
            ],
        },
    )
    _write_json(
        archive,
        "blocks.json",
        [
            {"username": b.blocked.username, "created_at": _iso(b.created_at)}
            for b in Block.objects.filter(blocker=user)
            .select_related("blocked")
            .order_by("created_at", "id")
        ],
    )
    _write_json(archive, "watch_history.json", _watch_history(user))
    _write_json(
        archive,
        "notifications.json",
        [
            {
                "kind": n.kind,
                "text": str(n.get_kind_display()),
                "from": n.actor.username,
                "video": n.video_public_id or None,
                "comment": n.comment_public_id or None,
                "snippet": n.snippet,
                "created_at": _iso(n.created_at),
                "read_at": _iso(n.read_at),
            }
            for n in Notification.objects.filter(recipient=user)
            .select_related("actor")
            .order_by("created_at", "id")
        ],
    )
    for name, rows in _other_rows(user):
        _write_json(archive, name, rows)


def _profile(user: User, *, avatar: str | None) -> dict:
    return {
        "username": user.username,
        "email": user.email,
        "display_name": user.display_name,
        "bio": user.bio,
        "birthdate": _iso(user.birthdate),
        "is_private": user.is_private,
        "remix_audience": user.remix_audience or None,
        "filtered_words": [w for w in user.filtered_words.splitlines() if w],
        "date_joined": _iso(user.date_joined),
        "last_login": _iso(user.last_login),
        "followers": user.followers_count,
        "following": user.following_count,
        "likes_received": user.likes_received_count,
        "avatar": avatar,
    }


def _video(video: Video, *, original: str | None) -> dict:
    return {
        "public_id": video.public_id,
        "url": video.get_absolute_url() if video.is_ready else None,
        "caption": video.caption,
        "hashtags": video.hashtag_names,
        "status": video.status,
        "visibility": video.visibility,
        "hidden_by_moderation": video.is_hidden,
        "allow_comments": video.allow_comments,
        "allow_duet": video.allow_duet,
        "allow_stitch": video.allow_stitch,
        "allow_download": video.allow_download,
        "duration": video.duration,
        "width": video.width,
        "height": video.height,
        "sound": video.sound.public_id if video.sound_id else None,
        "duet_of": video.duet_of.public_id if video.duet_of_id else None,
        "stitch_of": video.stitch_of.public_id if video.stitch_of_id else None,
        "created_at": _iso(video.created_at),
        "stats": {
            "likes": video.likes_count,
            "comments": video.comments_count,
            "views": video.views_count,
            "shares": video.shares_count,
        },
        "original": original,
    }


def _watch_event_model():
    try:
        return apps.get_model("videos", "WatchEvent")
    except LookupError:
        return None


def _watch_history(user: User) -> list[dict]:
    model = _watch_event_model()
    if model is None:
        return []
    names = {f.name for f in model._meta.concrete_fields}
    rows = []
    for event in model.objects.filter(user=user).select_related("video").order_by("created_at"):
        row = {"video": event.video.public_id, "watched_at": _iso(event.created_at)}
        for field in ("watch_seconds", "completed", "replays", "skipped", "source"):
            if field in names:
                row[field] = getattr(event, field)
        rows.append(row)
    return rows


COVERED_MODELS = frozenset(
    {
        "social.user",
        "social.externallink",
        "social.follow",
        "social.followrequest",
        "social.block",
        "social.notification",
        "videos.video",
        "videos.sound",
        "videos.comment",
        "videos.like",
        "videos.commentlike",
        "videos.share",
        "videos.watchevent",
    }
)


def _user_foreign_keys(model) -> list[models.ForeignKey]:
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.ForeignKey) and field.related_model is user_model
    ]


def _other_rows(user: User) -> Iterable[tuple[str, list[dict]]]:
    """Rows of every other model that belong to the user (a foreign key named user, owner,
    author or reporter points at them), so data added by later features is exported too.
    Only models with rows for this user produce a file."""
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in COVERED_MODELS or label in SKIPPED_MODELS or model._meta.proxy:
            continue
        owners = [f for f in _user_foreign_keys(model) if f.name in OWNER_FIELDS]
        if not owners:
            continue
        query = models.Q()
        for field in owners:
            query |= models.Q(**{field.name: user})
        related = [f.name for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]
        rows = [
            _generic_row(obj, skip={f.name for f in owners})
            for obj in model.objects.filter(query).select_related(*related).order_by("pk")
        ]
        if rows:
            yield f"other/{label}.json", rows


def _generic_row(obj, *, skip: set[str]) -> dict:
    row = {}
    for field in obj._meta.concrete_fields:
        secret = field.name in SECRET_FIELDS or any(w in field.name for w in SECRET_WORDS)
        if field.primary_key or field.name in skip or secret:
            continue
        if isinstance(field, models.ForeignKey):
            target = getattr(obj, field.name)
            if target is None:
                row[field.name] = None
            elif hasattr(target, "public_id"):
                row[field.name] = target.public_id
            elif isinstance(target, User):
                row[field.name] = target.username
            elif hasattr(target, "name"):
                row[field.name] = str(target.name)
            else:
                row[field.name] = str(target)
        elif isinstance(field, models.FileField):
            continue  # files of other kinds are not copied; their rows say they exist
        else:
            value = getattr(obj, field.attname)
            row[field.name] = _iso(value) if isinstance(value, datetime.date) else value
    return row


# --- export: download -------------------------------------------------------------------
def data_export_claim(*, user: User, public_id: str) -> DataExport:
    """Mark the user's ready export downloaded and return it; it cannot be claimed again.

    DataExport.DoesNotExist for someone else's export (nobody learns it exists);
    ExportUnavailable when it is not ready, was downloaded already, or has expired."""
    export = DataExport.objects.get(user=user, public_id=str(public_id)[:16])
    if export.status == DataExport.Status.PENDING:
        raise ExportUnavailable(_("Your data is still being prepared."), status=409)
    if export.status == DataExport.Status.FAILED:
        raise ExportUnavailable(export.failure_reason or _("This export failed."))
    if export.downloaded_at is not None:
        raise ExportUnavailable(
            _("This export was already downloaded. Ask for a new one if you need it again.")
        )
    if export.status == DataExport.Status.EXPIRED or export.is_expired or not export.file_name:
        raise ExportUnavailable(_("This export has expired. Ask for a new one."))
    now = timezone.now()
    claimed = DataExport.objects.filter(
        pk=export.pk,
        status=DataExport.Status.READY,
        downloaded_at__isnull=True,
        expires_at__gt=now,
    ).update(downloaded_at=now)
    if not claimed:  # a second request won the race
        raise ExportUnavailable(
            _("This export was already downloaded. Ask for a new one if you need it again.")
        )
    export.downloaded_at = now
    return export


def data_export_discard_file(*, export: DataExport) -> None:
    """After its one download the file goes (the cleanup catches any that stay behind)."""
    if not export.file_name:
        return
    name = export.file_name
    DataExport.objects.filter(pk=export.pk, file_name=name).update(file_name="")
    _delete_quietly([("private", name)])


def data_exports_cleanup(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of exports that expired or were downloaded; mark expired ones.
    Returns how many files were deleted."""
    now = now or timezone.now()
    deleted = 0
    stale = DataExport.objects.exclude(file_name="").filter(
        models.Q(expires_at__lte=now) | models.Q(downloaded_at__isnull=False)
    )
    for export in stale.iterator():
        _delete_quietly([("private", export.file_name)])
        DataExport.objects.filter(pk=export.pk).update(file_name="")
        deleted += 1
    DataExport.objects.filter(expires_at__lte=now).exclude(status=DataExport.Status.EXPIRED).update(
        status=DataExport.Status.EXPIRED
    )
    # An export stuck in "pending" for a day (a lost task) is failed, so a new one can start.
    DataExport.objects.filter(
        status=DataExport.Status.PENDING, created_at__lte=now - datetime.timedelta(days=1)
    ).update(status=DataExport.Status.FAILED, failure_reason=_("This export did not finish."))
    return deleted


# --- account deletion -------------------------------------------------------------------
@dataclass
class _Plan:
    files: list[tuple[str, str]]  # (storage alias, name)
    recount: dict[str, set[int]]  # "Model.field" -> pks
    video_public_ids: list[str]
    stats_video_ids: set[int]


def _storage_alias(field: models.FileField) -> str:
    """Which configured storage a file field writes to (the task gets names, not objects)."""
    from .models import private_storage

    if getattr(field, "_storage_callable", None) is private_storage:
        return "private"
    return "private" if field.storage is storages["private"] else "default"


def _stored_files(collector: Collector) -> list[tuple[str, str]]:
    """Every file named by a row the collector is about to delete, whatever its model: the
    videos' MP4s, posters and originals, sounds, the avatar, and file fields added later."""
    files: list[tuple[str, str]] = []
    for model, instances in collector.data.items():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                alias = _storage_alias(field)
                names = (getattr(obj, field.attname).name for obj in instances)
                files += [(alias, name) for name in names if name]
    for qs in collector.fast_deletes:
        fields = [f for f in qs.model._meta.concrete_fields if isinstance(f, models.FileField)]
        for field in fields:
            names = qs.exclude(**{field.attname: ""}).values_list(field.attname, flat=True)
            files += [(_storage_alias(field), n) for n in names if n]
    return files


def _plan(user: User, collector: Collector) -> _Plan:
    """Everything deleting the user touches, read before anything is deleted."""
    public_ids = list(Video.objects.filter(author=user).values_list("public_id", flat=True))
    files = _stored_files(collector)
    # Exports name their file in a plain field (it lives in the private storage).
    exports = DataExport.objects.filter(user=user).exclude(file_name="")
    files += [("private", name) for name in exports.values_list("file_name", flat=True)]

    def ids(qs, field: str) -> set[int]:
        return set(qs.values_list(field, flat=True).distinct())

    liked = ids(Like.objects.filter(user=user), "video_id")
    commented = ids(Comment.objects.filter(author=user), "video_id")
    shared = ids(Share.objects.filter(user=user), "video_id")
    recount = {
        "Video.likes_count": liked,
        "Video.comments_count": commented,
        "Video.shares_count": shared,
        "Comment.likes_count": ids(CommentLike.objects.filter(user=user), "comment_id"),
        "Comment.replies_count": ids(
            Comment.objects.filter(author=user, parent__isnull=False), "parent_id"
        ),
        "User.followers_count": ids(Follow.objects.filter(follower=user), "followee_id"),
        "User.following_count": ids(Follow.objects.filter(followee=user), "follower_id"),
        "User.likes_received_count": ids(Like.objects.filter(user=user), "video__author_id"),
        # Other people's sounds that the user's videos used.
        "Sound.uses_count": ids(Video.objects.filter(author=user, sound__isnull=False), "sound_id"),
        "Template.uses_count": ids(
            Video.objects.filter(author=user, template__isnull=False), "template_id"
        ),
    }
    return _Plan(
        files=files,
        recount=recount,
        video_public_ids=public_ids,
        stats_video_ids=liked | commented | shared,
    )


def account_delete(*, user: User, password: str) -> None:
    """Delete the account and everything of the user's, after checking their password.

    Rows: the user and, by cascade, their videos (with their comments, likes, shares, watch
    events, tags), sounds (other people's videos that used one keep playing: Video.sound is
    SET_NULL), comments (with the replies in their threads), likes, follows, requests,
    blocks, notifications both ways, API tokens and exports. Notifications elsewhere that
    point at the user's videos go too. Counters that counted their rows are recounted.
    Files: every video file, poster and original, sound, avatar and export, through the
    storage API once the transaction has committed."""
    if not isinstance(password, str) or not password or not user.check_password(password):
        raise ValidationError({"password": _("That password is not right.")}, code="password")
    user_pk = user.pk
    with transaction.atomic():
        # Lock the row: a like or follow written meanwhile waits, then finds no user.
        User.objects.select_for_update().filter(pk=user_pk).first()
        # Other people's notifications about the user's videos (a mention in a comment…).
        Notification.objects.filter(
            video_public_id__in=Video.objects.filter(author_id=user_pk).values("public_id")
        ).delete()
        # What user.delete() does, in two steps, so that the files of every row that goes
        # can be read in between. (A fresh instance: the caller's may be request.user.)
        target = User.objects.get(pk=user_pk)
        collector = Collector(using=router.db_for_write(User), origin=target)
        try:
            collector.collect([target])
        except (ProtectedError, RestrictedError):
            # Some record (an audit log entry) must outlive the account: an admin decides.
            logger.warning("account %s cannot be deleted: protected rows", user_pk)
            raise ValidationError(
                _("This account cannot be deleted here. Please contact the site's team."),
                code="protected",
            ) from None
        plan = _plan(target, collector)
        collector.delete()
        _recount(plan.recount)
        files = plan.files
        public_ids = plan.video_public_ids
        stats_ids = sorted(plan.stats_video_ids)[:100]
        transaction.on_commit(lambda: _enqueue_file_deletion(files))
        transaction.on_commit(lambda: _push_live(public_ids, stats_ids))
    logger.info("account %s deleted with %d files", user_pk, len(plan.files))


def _recount(targets: dict[str, set[int]]) -> None:
    keys = {counters.spec_key(model, field) for model, field, _expr in counters.SPECS}
    for key, pks in targets.items():
        if key in keys and pks:
            counters.recount_rows(key=key, pks=pks)
    # Counters added later that this function does not know how to target: rebuild them.
    unknown = keys - set(targets)
    if unknown:
        counters.rebuild_counters(only=unknown)


def _push_live(public_ids: list[str], stats_ids: list[int]) -> None:
    for public_id in public_ids:
        live.video_access_changed(video_public_id=public_id)
    for video_id in stats_ids:
        live.video_stats_changed(video_id)


def _enqueue_file_deletion(files: list[tuple[str, str]]) -> None:
    from .tasks import storage_files_delete_task

    storage_files_delete_task.delay([[alias, name] for alias, name in files])


def storage_files_delete(*, files: Iterable[tuple[str, str] | list[str]]) -> int:
    """Delete stored files by (storage alias, name); a missing file does not stop the rest."""
    return _delete_quietly([(alias, name) for alias, name in files])


def _delete_quietly(files: list[tuple[str, str]]) -> int:
    deleted = 0
    for alias, name in files:
        if alias not in ("default", "private") or not name:
            continue
        try:
            _storage(alias).delete(name)
            deleted += 1
        except Exception:  # a missing file must not stop the others
            logger.exception("could not delete %s from %s storage", name, alias)
    return deleted
