"""Reads about people that carry rules: blocks, follows, notifications."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Value
from django.utils import timezone

from .models import Block, Follow, FollowRequest, Notification, RemixAudience, User, age_on


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


# --- minors (issue 7): one place for the age rules, used by services, selectors and the API --
# 13–15: nobody can duet, stitch or download their videos, they are never suggested, and their
# videos stay out of strangers' For You. 16–17: remixes from friends only unless they loosen it.
PROTECTED_UNDER = 16  # 13, 14 and 15 year olds
ADULT_AGE = 18


def birthdate_cutoff(*, years: int, today: datetime.date | None = None) -> datetime.date:
    """The latest birthdate of someone at least `years` old on `today` (a 29 February
    birthday turns over on 1 March, as in age_on)."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # today is 29 February
        return datetime.date(today.year - years, 2, 28)


def age_at_least_q(*, years: int, prefix: str = "", today: datetime.date | None = None) -> Q:
    """Users (through `prefix`, e.g. "author__") at least `years` old, or without a birthdate
    (staff accounts made by createsuperuser)."""
    cutoff = birthdate_cutoff(years=years, today=today)
    return Q(**{f"{prefix}birthdate__isnull": True}) | Q(**{f"{prefix}birthdate__lte": cutoff})


def user_age(user: User, *, today: datetime.date | None = None) -> int | None:
    if user.birthdate is None:
        return None
    return age_on(birthdate=user.birthdate, today=today or timezone.localdate())


def is_protected_minor(user: User, *, today: datetime.date | None = None) -> bool:
    """13–15 (the youngest who may sign up): the strictest rules apply."""
    age = user_age(user, today=today)
    return age is not None and age < PROTECTED_UNDER


def remix_audience_default(user: User, *, today: datetime.date | None = None) -> str:
    age = user_age(user, today=today)
    if age is None or age >= ADULT_AGE:
        return RemixAudience.EVERYONE
    if age >= PROTECTED_UNDER:
        return RemixAudience.FRIENDS
    return RemixAudience.NOBODY


def remix_audience_choices(user: User, *, today: datetime.date | None = None) -> list[str]:
    """What the person may choose in settings: nothing at 13–15 (it is always nobody)."""
    if is_protected_minor(user, today=today):
        return []
    return list(RemixAudience.values)


def remix_audience_for(user: User, *, today: datetime.date | None = None) -> str:
    """Who may duet or stitch user's videos: the stored choice when their age allows it,
    else the default for their age. 13–15 is always nobody, whatever is stored (an old row,
    the admin, a birthday the other way round after a correction)."""
    if is_protected_minor(user, today=today):
        return RemixAudience.NOBODY
    stored = user.remix_audience
    if stored in RemixAudience.values:
        return stored
    return remix_audience_default(user, today=today)


def remix_open_to_everyone_q(*, prefix: str = "", today: datetime.date | None = None) -> Q:
    """Users (through `prefix`) whose videos anyone may duet or stitch: remix_audience_for
    as a filter. Chosen "everyone" from 16, or no choice made as an adult."""
    chose_everyone = Q(**{f"{prefix}remix_audience": RemixAudience.EVERYONE}) & age_at_least_q(
        years=PROTECTED_UNDER, prefix=prefix, today=today
    )
    adult_default = Q(**{f"{prefix}remix_audience": ""}) & age_at_least_q(
        years=ADULT_AGE, prefix=prefix, today=today
    )
    return chose_everyone | adult_default


def friend_ids_among(*, user: User | None, other_ids) -> set[int]:
    """Those of other_ids who are user's friends (mutual follows): one query."""
    other_ids = set(other_ids)
    if not _authed(user) or not other_ids:
        return set()
    rows = Follow.objects.filter(
        Q(follower=user, followee_id__in=other_ids) | Q(followee=user, follower_id__in=other_ids)
    ).values_list("follower_id", "followee_id")
    i_follow = {b for a, b in rows if a == user.pk}
    follow_me = {a for a, b in rows if b == user.pk}
    return i_follow & follow_me


# --- suggested accounts ------------------------------------------------------------------------
SUGGESTED_MAX = 30


def users_suggested(
    *, viewer: User | None, limit: int = 10, today: datetime.date | None = None
) -> list[User]:
    """Accounts to follow: people followed by people the viewer follows (most such links
    first), then popular creators. Never the viewer, anyone they follow or asked to follow,
    anyone blocked either way, inactive, banned or suspended accounts, or 13–15 year olds
    (issue 7). One query.

    Each user carries `mutuals`: how many of the viewer's follows follow them."""
    limit = max(0, min(int(limit), SUGGESTED_MAX))
    if limit == 0:
        return []
    # Banned and currently suspended accounts are not offered either (moderation, issue 7).
    qs = (
        User.objects.filter(is_active=True, banned_at__isnull=True)
        .exclude(suspended_until__gt=timezone.now())
        .filter(age_at_least_q(years=PROTECTED_UNDER, today=today))
    )
    if _authed(viewer):
        followed = Follow.objects.filter(follower=viewer).values("followee_id")
        qs = (
            qs.exclude(pk=viewer.pk)
            .exclude(pk__in=followed)
            .exclude(pk__in=FollowRequest.objects.filter(follower=viewer).values("followee_id"))
            .exclude(pk__in=Block.objects.filter(blocker=viewer).values("blocked_id"))
            .exclude(pk__in=Block.objects.filter(blocked=viewer).values("blocker_id"))
            .annotate(
                mutuals=Count(
                    "follower_set", filter=Q(follower_set__follower__in=followed), distinct=True
                )
            )
        )
        order = ["-mutuals", "-followers_count", "-likes_received_count", "pk"]
    else:
        qs = qs.annotate(mutuals=Value(0))
        order = ["-followers_count", "-likes_received_count", "pk"]
    return list(qs.order_by(*order)[:limit])
