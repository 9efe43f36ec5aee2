"""Rebuild every denormalised counter from its rows and report the drift that was fixed."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from social.models import Follow, User

from .models import Comment, CommentLike, Like, Share, Video


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


SPECS = [
    (Video, "likes_count", lambda: _count(Like, "video")),
    (Video, "comments_count", lambda: _count(Comment, "video", is_removed=False)),
    (Video, "shares_count", lambda: _count(Share, "video")),
    (Comment, "likes_count", lambda: _count(CommentLike, "comment")),
    (Comment, "replies_count", lambda: _count(Comment, "parent")),
    (User, "followers_count", lambda: _count(Follow, "followee")),
    (User, "following_count", lambda: _count(Follow, "follower")),
    (User, "likes_received_count", lambda: _count(Like, "video__author")),
]


def rebuild_counters() -> dict[str, int]:
    """Returns {"Model.field": rows that were wrong} after fixing them, in one transaction
    per counter so the site keeps running."""
    drift: dict[str, int] = {}
    for model, field, expression in SPECS:
        with transaction.atomic():
            qs = model.objects.annotate(_true=expression())
            wrong = qs.filter(~Q(**{field: F("_true")}))
            ids_values = list(wrong.values_list("pk", "_true"))
            for pk, value in ids_values:
                model.objects.filter(pk=pk).update(**{field: value})
            drift[f"{model.__name__}.{field}"] = len(ids_values)
    return drift
