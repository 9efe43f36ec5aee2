"""Rebuild every denormalised counter from its rows and report the drift that was fixed."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from social.models import Follow, User

from .models import Comment, CommentLike, Like, Share, Sound, Template, Video, WatchEvent


def _count(model, field: str, **extra):
    return Coalesce(
        Subquery(
            model.objects.filter(**{field: OuterRef("pk")}, **extra)
            .order_by()
            .values(field)
            .annotate(n=Count("pk"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


# Comment counters count what readers see: comments removed by moderation are left out.
SPECS = [
    (Video, "likes_count", lambda: _count(Like, "video")),
    (
        Video,
        "comments_count",
        lambda: _count(Comment, "video", is_removed=False, status=Comment.Status.VISIBLE),
    ),
    (Video, "shares_count", lambda: _count(Share, "video")),
    (Video, "views_count", lambda: _count(WatchEvent, "video")),
    (Comment, "likes_count", lambda: _count(CommentLike, "comment")),
    (
        Comment,
        "replies_count",
        lambda: _count(Comment, "parent", is_removed=False, status=Comment.Status.VISIBLE),
    ),
    (User, "followers_count", lambda: _count(Follow, "followee")),
    (User, "following_count", lambda: _count(Follow, "follower")),
    (User, "likes_received_count", lambda: _count(Like, "video__author")),
    # Every video row that links to the sound, its original video included.
    (Sound, "uses_count", lambda: _count(Video, "sound")),
    # Every video row that links to the template (side-by-side ones too).
    (Template, "uses_count", lambda: _count(Video, "template")),
]


@dataclass(frozen=True)
class Drift:
    rows: int = 0  # rows whose counter was wrong
    amount: int = 0  # the sum of |stored - true| over those rows


def _fix_row(model, field: str, expression, pk: int) -> int:
    """Recount one row under its lock and store the true value; returns how far off it was.

    The lock comes first: every service bumps a counter inside the transaction that inserted
    or deleted its row, so once this transaction holds the counter's row lock, a recount
    sees exactly the rows whose bumps are already in the stored value (a write still in
    flight bumps after us, on top of the value we store). Counting before locking could
    store a stale number and create the very drift this command repairs."""
    with transaction.atomic():
        locked = list(model.objects.select_for_update().filter(pk=pk).values_list(field, flat=True))
        if not locked:
            return 0
        true = (
            model.objects.filter(pk=pk)
            .annotate(_true=expression())
            .values_list("_true", flat=True)[0]
        )
        if locked[0] == true:
            return 0
        model.objects.filter(pk=pk).update(**{field: true})
        return abs(locked[0] - true)


def spec_key(model, field: str) -> str:
    return f"{model.__name__}.{field}"


def recount_rows(*, key: str, pks) -> Drift:
    """Recount one counter ("Model.field", as in SPECS) on the given rows only: the targeted
    repair after a bulk delete (an account deletion) whose rows are known."""
    for model, field, expression in SPECS:
        if spec_key(model, field) == key:
            rows = amount = 0
            for pk in sorted(set(pks)):
                off = _fix_row(model, field, expression, pk)
                if off:
                    rows += 1
                    amount += off
            return Drift(rows=rows, amount=amount)
    raise KeyError(key)


def rebuild_counters(*, only=None) -> dict[str, Drift]:
    """Returns {"Model.field": Drift} after fixing every wrong counter (or those named in
    only). Candidates are found with one query per counter and fixed one row at a time,
    each in its own short transaction, so the site keeps running meanwhile."""
    drift: dict[str, Drift] = {}
    for model, field, expression in SPECS:
        if only is not None and spec_key(model, field) not in only:
            continue
        candidates = (
            model.objects.annotate(_true=expression())
            .filter(~Q(**{field: F("_true")}))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        rows = amount = 0
        for pk in list(candidates):
            off = _fix_row(model, field, expression, pk)
            if off:
                rows += 1
                amount += off
        drift[f"{model.__name__}.{field}"] = Drift(rows=rows, amount=amount)
    return drift
