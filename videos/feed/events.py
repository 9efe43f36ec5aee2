"""Writes for the recommender: watch events, "not interested", hidden creators, interests.

A watch event counts once: its idempotency key is derived from the viewer and the client's
event id, guarded by a unique constraint, and `Video.views_count` moves by an F() update in
the same transaction, by exactly the number of rows inserted. So views_count can always be
rebuilt from WatchEvent rows.
"""

from __future__ import annotations

import datetime
import hashlib
import math
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from taggit.models import Tag

from social.models import User

from ..models import HiddenCreator, Interest, NotInterested, Video, WatchEvent
from .service import session_hash

MAX_BATCH = 50
MAX_REPLAYS = 100
SLACK_SECONDS = 5.0  # timers, buffering and rounding: this much over the video's length is fine
COMPLETED_RATIO = 0.9
SKIP_SECONDS = 2.0
SKIP_RATIO = 0.2
EVENT_ID_MAX = 64
MAX_INTERESTS = 20
SOURCES = frozenset(WatchEvent.Source.values)


@dataclass(frozen=True)
class WatchInput:
    public_id: str
    watch_seconds: float
    completed: bool = False
    replays: int = 0
    source: str = WatchEvent.Source.FOR_YOU
    event_id: str = ""


@dataclass(frozen=True)
class Recorded:
    recorded: int = 0  # rows inserted (and views counted)
    duplicates: int = 0  # already counted (a resent batch)
    skipped: int = 0  # videos this viewer may no longer see (deleted, hidden, blocked)


def viewer_key(*, user: User | None, session_key: str | None) -> str:
    if user is not None and user.is_authenticated:
        return f"u:{user.pk}"
    if not session_key:
        raise ValidationError(_("Watching anonymously needs cookies enabled."))
    return f"s:{session_hash(session_key)}"


def event_key(*, viewer: str, event_id: str) -> uuid.UUID:
    """The idempotency key: the same viewer resending the same event id gets the same key;
    no event id means the event is simply counted."""
    if not event_id:
        return uuid.uuid4()
    return uuid.UUID(bytes=hashlib.sha256(f"{viewer}|{event_id}".encode()).digest()[:16])


def check_input(item: WatchInput, *, prefix: str = "") -> dict[str, list[str]]:
    """Shape errors that need no database (the API's serializers check types first)."""
    errors: dict[str, list[str]] = {}
    seconds = item.watch_seconds
    if not isinstance(seconds, int | float) or isinstance(seconds, bool):
        errors[prefix + "watch_seconds"] = [_("A number of seconds is required.")]
    elif math.isnan(seconds) or math.isinf(seconds):
        errors[prefix + "watch_seconds"] = [_("Must be a finite number.")]
    elif seconds < 0:
        errors[prefix + "watch_seconds"] = [_("Cannot be negative.")]
    if not isinstance(item.replays, int) or not 0 <= item.replays <= MAX_REPLAYS:
        errors[prefix + "replays"] = [
            _("Must be a whole number from 0 to %(max)d.") % {"max": MAX_REPLAYS}
        ]
    if item.source not in SOURCES:
        errors[prefix + "source"] = [
            _("Must be one of: %(choices)s.") % {"choices": ", ".join(sorted(SOURCES))}
        ]
    if not isinstance(item.event_id, str) or len(item.event_id) > EVENT_ID_MAX:
        errors[prefix + "event_id"] = [_("At most %(max)d characters.") % {"max": EVENT_ID_MAX}]
    return errors


def max_watch_seconds(*, duration: float, replays: int) -> float:
    """The longest a viewer can have watched: every loop in full, plus some slack. Videos
    whose length is unknown are bounded by the longest video the site accepts."""
    length = duration if duration and duration > 0 else float(settings.VIDEO_MAX_SECONDS)
    return length * (replays + 1) + SLACK_SECONDS


def derive(*, duration: float, watch_seconds: float, completed: bool) -> tuple[bool, bool]:
    """(completed, skipped) as the server sees them. With a known length, completion is
    watching at least 90 % of it; a quick skip is under 2 s or under 20 %."""
    if duration and duration > 0:
        completed = watch_seconds >= COMPLETED_RATIO * duration - 0.25
        skipped = not completed and (
            watch_seconds < SKIP_SECONDS or watch_seconds < SKIP_RATIO * duration
        )
    else:
        skipped = not completed and watch_seconds < SKIP_SECONDS
    return completed, skipped


def watch_events_record(
    *,
    user: User | None,
    session_key: str | None,
    events: Sequence[WatchInput],
    batch: bool = False,
) -> Recorded:
    """Record watch events. All or nothing on bad input: a ValidationError names the bad
    fields as "events.<i>.<field>" for a batch, or just "<field>" for one event. Videos the
    viewer may no longer see are skipped, not errors."""
    from ..selectors import visible_videos

    if not events:
        raise ValidationError({"events": [_("Send at least one event.")]})
    if len(events) > MAX_BATCH:
        raise ValidationError(
            {"events": [_("At most %(max)d events at a time.") % {"max": MAX_BATCH}]}
        )
    single = not batch and len(events) == 1
    errors: dict[str, list[str]] = {}
    for index, item in enumerate(events):
        errors.update(check_input(item, prefix="" if single else f"events.{index}."))
    if errors:
        raise ValidationError(errors)
    viewer = viewer_key(user=user, session_key=session_key)
    authed = user is not None and user.is_authenticated
    public_ids = {item.public_id for item in events if isinstance(item.public_id, str)}
    videos = {
        public_id: (pk, duration)
        for public_id, pk, duration in visible_videos(viewer=user if authed else None)
        .filter(public_id__in=[p[:16] for p in public_ids])
        .values_list("public_id", "pk", "duration")
    }
    rows: list[WatchEvent] = []
    skipped_rows = 0
    now = timezone.now()
    for index, item in enumerate(events):
        found = videos.get(item.public_id)
        if found is None:
            skipped_rows += 1
            continue
        pk, duration = found
        limit = max_watch_seconds(duration=duration, replays=item.replays)
        if item.watch_seconds > limit:
            field = "watch_seconds" if single else f"events.{index}.watch_seconds"
            errors[field] = [
                _("At most %(max).1f seconds for this video and number of replays.")
                % {"max": limit}
            ]
            continue
        completed, skipped = derive(
            duration=duration, watch_seconds=item.watch_seconds, completed=item.completed
        )
        rows.append(
            WatchEvent(
                user=user if authed else None,
                session_hash="" if authed else viewer[2:],
                video_id=pk,
                watch_seconds=round(float(item.watch_seconds), 2),
                completed=completed,
                replays=item.replays,
                skipped=skipped,
                source=item.source,
                event_key=event_key(viewer=viewer, event_id=item.event_id),
                created_at=now,
            )
        )
    if errors:
        raise ValidationError(errors)
    # The same event id twice in one batch is one event.
    unique: dict[uuid.UUID, WatchEvent] = {}
    for row in rows:
        unique.setdefault(row.event_key, row)
    duplicates = len(rows) - len(unique)
    with transaction.atomic():
        known = set(
            WatchEvent.objects.filter(event_key__in=list(unique)).values_list(
                "event_key", flat=True
            )
        )
        fresh = [row for key, row in unique.items() if key not in known]
        duplicates += len(unique) - len(fresh)
        inserted = _insert(fresh)
        duplicates += len(fresh) - len(inserted)
        for video_id, n in Counter(row.video_id for row in inserted).items():
            Video.objects.filter(pk=video_id).update(views_count=F("views_count") + n)
    return Recorded(recorded=len(inserted), duplicates=duplicates, skipped=skipped_rows)


def _insert(rows: list[WatchEvent]) -> list[WatchEvent]:
    """Insert rows; those a concurrent request inserted first are left out of the result."""
    if not rows:
        return []
    try:
        with transaction.atomic():
            WatchEvent.objects.bulk_create(rows)
        return rows
    except IntegrityError:
        pass  # someone else won a race for one of the keys: go row by row
    inserted = []
    for row in rows:
        row.pk = None
        try:
            with transaction.atomic():
                row.save(force_insert=True)
            inserted.append(row)
        except IntegrityError:
            continue
    return inserted


# --- "not interested", hidden creators, interests ----------------------------------------------
def _require_user(user: User | None) -> User:
    if user is None or not user.is_authenticated or not user.is_active:
        raise PermissionDenied(_("Log in to do that."))
    return user


def not_interested_create(*, user: User, video: Video) -> bool:
    """Never show this video again, and rank its kind lower. Idempotent."""
    _require_user(user)
    try:
        with transaction.atomic():
            NotInterested.objects.create(user=user, video=video)
        return True
    except IntegrityError:
        return False


def not_interested_delete(*, user: User, video: Video) -> bool:
    _require_user(user)
    deleted, _detail = NotInterested.objects.filter(user=user, video=video).delete()
    return bool(deleted)


def creator_hide(*, user: User, creator: User) -> bool:
    """Keep this creator out of the viewer's For You. Idempotent."""
    _require_user(user)
    if creator.pk == user.pk:
        raise ValidationError(_("You cannot hide yourself."))
    try:
        with transaction.atomic():
            HiddenCreator.objects.create(user=user, creator=creator)
        return True
    except IntegrityError:
        return False


def creator_unhide(*, user: User, creator: User) -> bool:
    _require_user(user)
    deleted, _detail = HiddenCreator.objects.filter(user=user, creator=creator).delete()
    return bool(deleted)


def interests_set(*, user: User, tag_ids: Sequence[int]) -> int:
    """Store the hashtags picked on the first visit (existing tags only, at most 20)."""
    _require_user(user)
    wanted = [t for t in dict.fromkeys(tag_ids) if isinstance(t, int)][:MAX_INTERESTS]
    tags = list(Tag.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    with transaction.atomic():
        Interest.objects.bulk_create(
            [Interest(user=user, tag_id=t) for t in tags], ignore_conflicts=True
        )
    return len(tags)


TAP_DEDUPE_SECONDS = 600


def topic_tap_record(*, user: User | None, tag: Tag | None = None, sound=None) -> bool:
    """A signed-in viewer opened a hashtag or a sound: a light taste signal for For You.
    Repeats within TAP_DEDUPE_SECONDS (reloads, paging) count once. Anonymous viewers are
    not recorded: their session learns from watches only."""
    from ..models import TopicTap

    if user is None or not user.is_authenticated or (tag is None) == (sound is None):
        return False
    since = timezone.now() - datetime.timedelta(seconds=TAP_DEDUPE_SECONDS)
    recent = TopicTap.objects.filter(user=user, tag=tag, sound=sound, created_at__gte=since)
    if recent.exists():
        return False
    TopicTap.objects.create(user=user, tag=tag, sound=sound)
    return True
