"""Writes about the social graph: follows, follow requests, blocks, notifications.

Counters move only through F() updates next to a row that a unique constraint guards, and
only when that row was really inserted or deleted, so concurrent and repeated calls can
never drift a count away from its rows.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Block, Follow, FollowRequest, Notification, User
from .selectors import is_blocked_between

logger = logging.getLogger(__name__)

# Hooks the videos app fills in at startup (social never imports videos): called on commit.
on_notification = []  # callables(notification: Notification, unread: int)
on_blocks_changed = []  # callables(user_ids: list[int])
on_unread_changed = []  # callables(user_id: int, unread: int)


def _insert(model, **fields) -> bool:
    """Insert a row guarded by a unique constraint; False if it already existed."""
    try:
        with transaction.atomic():
            model.objects.create(**fields)
        return True
    except IntegrityError:
        return False


def _bump(user_id: int, field: str, delta: int) -> None:
    User.objects.filter(pk=user_id).update(**{field: F(field) + delta})


# --- notifications ------------------------------------------------------------------------
def notification_create(
    *,
    recipient: User,
    actor: User,
    kind: str,
    video_public_id: str = "",
    comment_public_id: str = "",
    snippet: str = "",
    dedupe: bool = False,
) -> Notification | None:
    """Record and push a notification; nothing for yourself or across a block."""
    if recipient.pk == actor.pk or not recipient.is_active:
        return None
    if is_blocked_between(a=recipient, b=actor):
        return None
    fields = {
        "recipient": recipient,
        "actor": actor,
        "kind": kind,
        "video_public_id": video_public_id,
        "comment_public_id": comment_public_id,
    }
    if dedupe and Notification.objects.filter(**fields).exists():
        return None
    notification = Notification.objects.create(**fields, snippet=snippet[:120])
    transaction.on_commit(lambda: _push(notification))
    return notification


def _push(notification: Notification) -> None:
    unread = Notification.objects.filter(
        recipient_id=notification.recipient_id, read_at__isnull=True
    ).count()
    for hook in on_notification:
        try:
            hook(notification, unread)
        except Exception:
            logger.exception("notification hook failed")


def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    count = qs.update(read_at=timezone.now())
    if count:
        user_id = user.pk

        def push():
            unread = Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()
            for hook in on_unread_changed:
                hook(user_id, unread)

        transaction.on_commit(push)
    return count


# --- follows ----------------------------------------------------------------------------
def follow_create(*, follower: User, followee: User) -> str:
    """Follow followee, or ask to when the account is private. Returns 'following',
    'requested' or 'already'."""
    if follower.pk == followee.pk:
        raise ValidationError(_("You cannot follow yourself."))
    if not followee.is_active or is_blocked_between(a=follower, b=followee):
        raise PermissionDenied(_("You cannot follow this account."))
    if Follow.objects.filter(follower=follower, followee=followee).exists():
        return "already"
    with transaction.atomic():
        if followee.is_private:
            if _insert(FollowRequest, follower=follower, followee=followee):
                notification_create(
                    recipient=followee,
                    actor=follower,
                    kind=Notification.Kind.FOLLOW_REQUEST,
                    dedupe=True,
                )
            return "requested"
        if _insert(Follow, follower=follower, followee=followee):
            _bump(follower.pk, "following_count", 1)
            _bump(followee.pk, "followers_count", 1)
            # A request left from when the account was private is answered by this follow.
            FollowRequest.objects.filter(follower=follower, followee=followee).delete()
            notification_create(
                recipient=followee, actor=follower, kind=Notification.Kind.FOLLOW, dedupe=True
            )
            return "following"
    return "already"


def _unfollow(follower_id: int, followee_id: int) -> bool:
    deleted, _detail = Follow.objects.filter(
        follower_id=follower_id, followee_id=followee_id
    ).delete()
    if deleted:
        _bump(follower_id, "following_count", -1)
        _bump(followee_id, "followers_count", -1)
    return bool(deleted)


@transaction.atomic
def follow_delete(*, follower: User, followee: User) -> bool:
    """Unfollow, or withdraw a pending request. True if anything changed."""
    removed = _unfollow(follower.pk, followee.pk)
    withdrawn, _detail = FollowRequest.objects.filter(follower=follower, followee=followee).delete()
    return removed or bool(withdrawn)


@transaction.atomic
def follow_request_accept(*, followee: User, follower: User) -> bool:
    deleted, _detail = FollowRequest.objects.filter(follower=follower, followee=followee).delete()
    if not deleted:
        return False
    if _insert(Follow, follower=follower, followee=followee):
        _bump(follower.pk, "following_count", 1)
        _bump(followee.pk, "followers_count", 1)
        notification_create(
            recipient=follower, actor=followee, kind=Notification.Kind.FOLLOW_ACCEPTED
        )
    return True


def follow_request_decline(*, followee: User, follower: User) -> bool:
    deleted, _detail = FollowRequest.objects.filter(follower=follower, followee=followee).delete()
    return bool(deleted)


# --- blocks -----------------------------------------------------------------------------
@transaction.atomic
def block_create(*, blocker: User, blocked: User) -> bool:
    """Block: follows and requests both ways go, and both sides' open pages update live."""
    if blocker.pk == blocked.pk:
        raise ValidationError(_("You cannot block yourself."))
    created = _insert(Block, blocker=blocker, blocked=blocked)
    _unfollow(blocker.pk, blocked.pk)
    _unfollow(blocked.pk, blocker.pk)
    FollowRequest.objects.filter(
        Q(follower=blocker, followee=blocked) | Q(follower=blocked, followee=blocker)
    ).delete()
    ids = [blocker.pk, blocked.pk]
    transaction.on_commit(lambda: [hook(ids) for hook in on_blocks_changed])
    return created


@transaction.atomic
def block_delete(*, blocker: User, blocked: User) -> bool:
    deleted, _detail = Block.objects.filter(blocker=blocker, blocked=blocked).delete()
    if deleted:
        ids = [blocker.pk, blocked.pk]
        transaction.on_commit(lambda: [hook(ids) for hook in on_blocks_changed])
    return bool(deleted)
