"""The refresh's precomputed state: FeedState rows are the truth, the Django cache a copy.

Reads go to the cache first and fetch whatever is missing with one query (then cache it for
READ_TTL seconds), so a page costs at most one query for all its precomputed keys, and none
when the cache holds them. The refresh writes both, so with a shared cache (Redis) a
refresh is visible at once, and with a per-process cache (the embedded default) within
READ_TTL.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from ..models import FeedState

PREFIX = "feed:v1:"
READ_TTL = 60  # seconds a process trusts its cached copy of a key it read from the table
WRITE_TTL = 3 * 3600  # what the refresh writes straight into the cache

REFRESHED = "refreshed_at"
TRENDING = "trending"
POOL = "pool"
PRIORS = "priors"
POPULAR_TAGS = "popular_tags"


def tag_key(tag_id: int) -> str:
    return f"tag:{tag_id}"


def sound_key(sound_id: int) -> str:
    return f"sound:{sound_id}"


def neighbour_key(video_id: int) -> str:
    return f"nn:{video_id}"


def get_many(keys: Iterable[str]) -> dict[str, object]:
    keys = list(dict.fromkeys(keys))
    if not keys:
        return {}
    got = cache.get_many([PREFIX + k for k in keys])
    out = {k: got[PREFIX + k] for k in keys if PREFIX + k in got}
    missing = [k for k in keys if k not in out]
    if missing:
        found = dict(FeedState.objects.filter(key__in=missing).values_list("key", "value"))
        if found:
            cache.set_many({PREFIX + k: v for k, v in found.items()}, READ_TTL)
        out.update(found)
    return out


def replace_all(values: Mapping[str, object], *, batch: int = 1000) -> None:
    """Swap the whole state for `values` in one transaction, then copy it into the cache.
    Keys the refresh no longer produces (a hashtag with no recent videos) go away."""
    now = timezone.now()
    rows = [FeedState(key=k, value=v, updated_at=now) for k, v in values.items()]
    with transaction.atomic():
        FeedState.objects.all().delete()
        for start in range(0, len(rows), batch):
            FeedState.objects.bulk_create(rows[start : start + batch])
    items = list(values.items())
    for start in range(0, len(items), batch):
        cache.set_many({PREFIX + k: v for k, v in items[start : start + batch]}, WRITE_TTL)
    # A key the refresh stopped producing may linger in the cache until WRITE_TTL: harmless,
    # since every candidate passes the visibility query again.


def clear() -> None:
    """Forget everything (tests, and `feed_refresh --clear`)."""
    keys = [PREFIX + k for k in FeedState.objects.values_list("key", flat=True)]
    FeedState.objects.all().delete()
    cache.delete_many(keys)
