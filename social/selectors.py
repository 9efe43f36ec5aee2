"""Reads about people that carry rules: blocks, follows, notifications."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from .models import Block, Follow, FollowRequest, Notification, User


def _authed(user: User | None) -> bool:
    return user is not None and user.is_authenticated


def blocked_user_ids(*, user: User | None) -> set[int]:
    """Everyone on the other side of a block with user, in either direction."""
    if not _authed(user):
        return set()
    rows = Block.objects.filter(Q(blocker=user) | Q(blocked=user)).values_list(
        "blocker_id", "blocked_id"
    )
    return {a if b == user.pk else b for a, b in rows}


def is_blocked_between(*, a: User | None, b: User | None) -> bool:
    if not (_authed(a) and _authed(b)) or a.pk == b.pk:
        return False
    return Block.objects.filter(Q(blocker=a, blocked=b) | Q(blocker=b, blocked=a)).exists()


def is_following(*, follower: User | None, followee: User) -> bool:
    if not _authed(follower):
        return False
    return Follow.objects.filter(follower=follower, followee=followee).exists()


def has_requested(*, follower: User | None, followee: User) -> bool:
    if not _authed(follower):
        return False
    return FollowRequest.objects.filter(follower=follower, followee=followee).exists()


def are_friends(*, a: User, b: User) -> bool:
    """Mutual follows."""
    return (
        Follow.objects.filter(follower=a, followee=b).exists()
        and Follow.objects.filter(follower=b, followee=a).exists()
    )


def following_ids(*, user: User | None) -> set[int]:
    if not _authed(user):
        return set()
    return set(Follow.objects.filter(follower=user).values_list("followee_id", flat=True))


def _without_blocked_actors(qs: QuerySet[Notification], *, user: User) -> QuerySet[Notification]:
    # Subqueries, not id lists: still one query however many blocks there are.
    return qs.exclude(actor__in=Block.objects.filter(blocker=user).values("blocked")).exclude(
        actor__in=Block.objects.filter(blocked=user).values("blocker")
    )


def notifications_for(*, user: User) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user).select_related("actor")
    return _without_blocked_actors(qs, user=user)


def notifications_unread_count(*, user: User | None) -> int:
    if not _authed(user):
        return 0
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    return _without_blocked_actors(qs, user=user).count()


def follow_requests_for(*, user: User) -> QuerySet[FollowRequest]:
    return FollowRequest.objects.filter(followee=user).select_related("follower")


@dataclass(frozen=True)
class Relation:
    """How the viewer stands to another account, in one or two queries."""

    following: bool = False
    requested: bool = False
    blocked_by_me: bool = False
    blocked_by_them: bool = False


def relation(*, viewer: User | None, other: User) -> Relation:
    if not _authed(viewer) or viewer.pk == other.pk:
        return Relation()
    blocks = set(
        Block.objects.filter(
            Q(blocker=viewer, blocked=other) | Q(blocker=other, blocked=viewer)
        ).values_list("blocker_id", flat=True)
    )
    if blocks:
        return Relation(blocked_by_me=viewer.pk in blocks, blocked_by_them=other.pk in blocks)
    following = Follow.objects.filter(follower=viewer, followee=other).exists()
    requested = (
        not following and FollowRequest.objects.filter(follower=viewer, followee=other).exists()
    )
    return Relation(following=following, requested=requested)
