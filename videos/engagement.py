"""Writes about engagement: likes, comments, comment likes, shares.

Every counter moves by an F() update in the same transaction as the insert or delete of the
row a unique constraint guards, and only if that row really changed. Live events go out on
commit; a channel layer that is down never fails the write.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from social import graph
from social.models import Notification, User
from social.selectors import are_friends, is_blocked_between

from . import live, selectors
from .models import Comment, CommentLike, FilteredTerm, Like, Share, Video
from .text import extract_mentions

COMMENT_MAX = Comment.MAX_LENGTH


def _insert(model, **fields) -> bool:
    try:
        with transaction.atomic():
            model.objects.create(**fields)
        return True
    except IntegrityError:
        return False


def _require_visible(*, user: User | None, video: Video) -> None:
    """The video is ready, the viewer may see it, and no block stands between them and its
    author. A processing or failed video has nothing to engage with, even for its author."""
    if video.status != Video.Status.READY:
        raise PermissionDenied(_("This video is not available."))
    if not selectors.can_view_video(viewer=user, video=video):
        raise PermissionDenied(_("This video is not available."))
    if is_blocked_between(a=user, b=video.author):
        raise PermissionDenied(_("This video is not available."))


def _require_interaction(*, user: User, video: Video) -> None:
    """Who may touch a video at all: signed in, may see it, no block with its author."""
    if user is None or not user.is_authenticated or not user.is_active:
        raise PermissionDenied(_("Log in to do that."))
    _require_visible(user=user, video=video)


def _stats_on_commit(video_pk: int) -> None:
    transaction.on_commit(lambda: live.video_stats_changed(video_pk))


# --- likes --------------------------------------------------------------------------------
def like_create(*, user: User, video: Video) -> bool:
    """Like once; repeated calls are idempotent. True if a like was added."""
    _require_interaction(user=user, video=video)
    with transaction.atomic():
        if not _insert(Like, user=user, video=video):
            return False
        Video.objects.filter(pk=video.pk).update(likes_count=F("likes_count") + 1)
        User.objects.filter(pk=video.author_id).update(
            likes_received_count=F("likes_received_count") + 1
        )
        graph.notification_create(
            recipient=video.author,
            actor=user,
            kind=Notification.Kind.LIKE,
            video_public_id=video.public_id,
            dedupe=True,
        )
        _stats_on_commit(video.pk)
    return True


def like_delete(*, user: User, video: Video) -> bool:
    if user is None or not user.is_authenticated:
        raise PermissionDenied(_("Log in to do that."))
    with transaction.atomic():
        deleted, _detail = Like.objects.filter(user=user, video=video).delete()
        if not deleted:
            return False
        Video.objects.filter(pk=video.pk).update(likes_count=F("likes_count") - 1)
        User.objects.filter(pk=video.author_id).update(
            likes_received_count=F("likes_received_count") - 1
        )
        _stats_on_commit(video.pk)
    return True


# --- comments -----------------------------------------------------------------------------
def _clean_text(text: str) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise ValidationError({"text": _("Write something first.")})
    if len(text) > COMMENT_MAX:
        raise ValidationError(
            {"text": _("Comments can be at most %(n)d characters.") % {"n": COMMENT_MAX}}
        )
    if "\x00" in text:
        raise ValidationError({"text": _("The comment contains characters we cannot store.")})
    return text


def comment_permission(*, user: User, video: Video) -> None:
    _require_interaction(user=user, video=video)
    if not video.allow_comments and user.pk != video.author_id:
        raise PermissionDenied(_("Comments are turned off for this video."))
    author = video.author
    # Teens 13–15 hear only from friends (mutual follows).
    is_teen = author.age is not None and author.age < 16
    if user.pk != author.pk and is_teen and not are_friends(a=user, b=author):
        raise PermissionDenied(_("Only friends can comment on this video."))


def comment_hold_status(*, user: User, video: Video, text: str) -> str:
    """The status a new comment starts with: held for moderators when it matches the
    site-wide list (FilteredTerm), held for the creator when it matches their own filtered
    words (their own comments excepted), else visible."""
    from social.wordfilter import text_matches

    terms = list(FilteredTerm.objects.values_list("term", flat=True))
    if terms and text_matches(text, terms):
        return Comment.Status.HELD_FOR_REVIEW
    words = video.author.filtered_words
    if words and user.pk != video.author_id and text_matches(text, words.splitlines()):
        return Comment.Status.HELD_BY_CREATOR
    return Comment.Status.VISIBLE


def comment_create(
    *, user: User, video: Video, text: str, parent: Comment | None = None
) -> Comment:
    """Comment on video, or reply to parent. Replies are one level deep: a reply to a reply
    joins that reply's thread (its top-level comment), and the person replied to is told.

    A comment that matches a filter (comment_hold_status) is stored held: only its author
    (and, for the creator's own filter, the creator) sees it; it is not counted, pushed or
    notified until comment_approve."""
    comment_permission(user=user, video=video)
    text = _clean_text(text)
    replied_to = parent
    if replied_to is not None:
        if replied_to.video_id != video.pk or replied_to.is_removed or replied_to.is_held:
            raise ValidationError({"parent": _("That comment is not available.")})
        if is_blocked_between(a=user, b=replied_to.author):
            raise PermissionDenied(_("You cannot reply to this comment."))
    with transaction.atomic():
        if replied_to is not None:
            # Lock the thread's top comment (comment_delete locks it first too): a reply
            # cannot join a thread that is being deleted, and the counts stay exact.
            parent = (
                Comment.objects.select_for_update()
                .filter(
                    pk=replied_to.parent_id or replied_to.pk,
                    video=video,
                    is_removed=False,
                    status=Comment.Status.VISIBLE,
                )
                .first()
            )
            if parent is None:
                raise ValidationError({"parent": _("That comment is not available.")})
            if parent.pk != replied_to.pk and is_blocked_between(a=user, b=parent.author):
                raise PermissionDenied(_("You cannot reply to this comment."))
        status = comment_hold_status(user=user, video=video, text=text)
        comment = Comment.objects.create(
            video=video, author=user, parent=parent, text=text, status=status
        )
        if status == Comment.Status.VISIBLE:
            _comment_publish(comment=comment, video=video, replied_to=replied_to, actor=user)
    return comment


def _comment_publish(
    *, comment: Comment, video: Video, replied_to: Comment | None, actor: User
) -> None:
    """What a comment does once people may see it: counters, notifications, webhooks and the
    live push. Inside the caller's transaction; the pushes go out on commit."""
    parent = comment.parent
    text = comment.text
    user = actor
    Video.objects.filter(pk=video.pk).update(comments_count=F("comments_count") + 1)
    if parent is not None:
        Comment.objects.filter(pk=parent.pk).update(replies_count=F("replies_count") + 1)
        graph.notification_create(
            recipient=replied_to.author,
            actor=user,
            kind=Notification.Kind.REPLY,
            video_public_id=video.public_id,
            comment_public_id=comment.public_id,
            snippet=text,
        )
    if replied_to is None or replied_to.author_id != video.author_id:
        graph.notification_create(
            recipient=video.author,
            actor=user,
            kind=Notification.Kind.COMMENT,
            video_public_id=video.public_id,
            comment_public_id=comment.public_id,
            snippet=text,
        )
    _notify_mentions(text=text, actor=user, video=video, comment=comment)
    from .webhooks import comment_created_on_commit

    comment_created_on_commit(comment, video)
    payload = comment_payload(comment)
    transaction.on_commit(
        lambda: live.comment_new(video_public_id=video.public_id, payload=payload)
    )
    _stats_on_commit(video.pk)


def comment_can_approve(*, user: User | None, comment: Comment) -> bool:
    """The creator approves what their own filter held; moderators (staff) approve anything
    held. (The admin's held-comments list calls comment_approve for moderators.)"""
    if user is None or not user.is_authenticated or not comment.is_held:
        return False
    if user.is_staff:
        return True
    return comment.status == Comment.Status.HELD_BY_CREATOR and user.pk == comment.video.author_id


def comment_approve(*, user: User, comment: Comment) -> bool:
    """Make a held comment visible: it is counted, pushed and notified as if just posted.
    False when it was no longer held (approved twice, or deleted meanwhile)."""
    if not comment_can_approve(user=user, comment=comment):
        raise PermissionDenied(_("You cannot approve this comment."))
    with transaction.atomic():
        # A reply whose thread went away or is itself held cannot be shown on its own.
        if comment.parent_id is not None:
            parent_ok = Comment.objects.filter(
                pk=comment.parent_id, is_removed=False, status=Comment.Status.VISIBLE
            ).exists()
            if not parent_ok:
                raise ValidationError(_("Approve the comment this one replies to first."))
        updated = Comment.objects.filter(
            pk=comment.pk, status=comment.status, is_removed=False
        ).update(status=Comment.Status.VISIBLE)
        if not updated:
            return False
        comment.status = Comment.Status.VISIBLE
        video = Video.objects.select_related("author").get(pk=comment.video_id)
        replied_to = comment.parent
        _comment_publish(comment=comment, video=video, replied_to=replied_to, actor=comment.author)
    return True


def _notify_mentions(*, text: str, actor: User, video: Video, comment: Comment | None) -> None:
    names = extract_mentions(text)[:10]
    if not names:
        return
    query = Q()
    for name in names:
        query |= Q(username__iexact=name)
    for mentioned in User.objects.filter(query, is_active=True):
        if not selectors.can_view_video(viewer=mentioned, video=video):
            continue
        graph.notification_create(
            recipient=mentioned,
            actor=actor,
            kind=Notification.Kind.MENTION,
            video_public_id=video.public_id,
            comment_public_id=comment.public_id if comment else "",
            snippet=text,
            dedupe=True,
        )


def caption_mentions_notify(*, video: Video) -> None:
    """Called when a video becomes ready: mentions in its caption notify those people."""
    _notify_mentions(text=video.caption, actor=video.author, video=video, comment=None)


def comment_payload(comment: Comment) -> dict:
    return {
        "id": comment.public_id,
        "author": comment.author.username,
        "author_id": comment.author_id,  # consumers drop it before sending (block filtering)
        "text": comment.text,
        "parent": comment.parent.public_id if comment.parent_id else None,
        "likes": comment.likes_count,
        "created_at": comment.created_at.isoformat(),
    }


def comment_hold_remove(*, user: User, comment: Comment) -> bool:
    """A moderator turns down a held comment: it stays removed (kept for the record, seen by
    nobody). It was never counted, so no counter moves. False if it was not held any more."""
    if not comment_can_approve(user=user, comment=comment):
        raise PermissionDenied(_("You cannot remove this comment."))
    updated = (
        Comment.objects.filter(pk=comment.pk, is_removed=False)
        .exclude(status=Comment.Status.VISIBLE)
        .update(is_removed=True)
    )
    return bool(updated)


def comment_delete(*, user: User, comment: Comment) -> int:
    """The comment's author or the video's owner (or staff) deletes it with its replies.
    Returns how many comments went: 0 when it was already gone (a double click, or the
    author and the owner at once), and then no counter moves."""
    video = comment.video
    if user.pk not in (comment.author_id, video.author_id) and not user.is_staff:
        raise PermissionDenied(_("You cannot delete this comment."))
    with transaction.atomic():
        # Lock the thread's top comment first, in the same order as comment_create.
        thread = Comment.objects.select_for_update().filter(pk=comment.parent_id or comment.pk)
        if not list(thread.values_list("pk", flat=True)):
            return 0
        rows = {
            pk: not removed and status == Comment.Status.VISIBLE
            for pk, removed, status in Comment.objects.filter(
                Q(pk=comment.pk) | Q(parent_id=comment.pk)
            ).values_list("pk", "is_removed", "status")
        }
        if comment.pk not in rows:
            return 0
        Comment.objects.filter(pk__in=list(rows)).delete()
        # Counters count what readers see: comments removed by moderation or held by a
        # filter are not in them.
        visible = sum(1 for shown in rows.values() if shown)
        if visible:
            Video.objects.filter(pk=video.pk).update(comments_count=F("comments_count") - visible)
        if comment.parent_id and rows[comment.pk]:
            Comment.objects.filter(pk=comment.parent_id).update(
                replies_count=F("replies_count") - 1
            )
        public_id = comment.public_id
        if rows[comment.pk]:
            # A held comment was never pushed: nothing to take back (and no id to leak).
            transaction.on_commit(
                lambda: live.comment_removed(
                    video_public_id=video.public_id, comment_public_id=public_id
                )
            )
        _stats_on_commit(video.pk)
    return len(rows)


def comments_set_enabled(*, user: User, video: Video, enabled: bool) -> Video:
    if user.pk != video.author_id:
        raise PermissionDenied(_("Only the author can change this."))
    Video.objects.filter(pk=video.pk).update(allow_comments=enabled)
    video.allow_comments = enabled
    return video


def comment_like_create(*, user: User, comment: Comment) -> bool:
    _require_interaction(user=user, video=comment.video)
    if comment.is_removed or comment.is_held or is_blocked_between(a=user, b=comment.author):
        raise PermissionDenied(_("You cannot like this comment."))
    with transaction.atomic():
        if not _insert(CommentLike, user=user, comment=comment):
            return False
        Comment.objects.filter(pk=comment.pk).update(likes_count=F("likes_count") + 1)
    return True


def comment_like_delete(*, user: User, comment: Comment) -> bool:
    with transaction.atomic():
        deleted, _detail = CommentLike.objects.filter(user=user, comment=comment).delete()
        if deleted:
            Comment.objects.filter(pk=comment.pk).update(likes_count=F("likes_count") - 1)
    return bool(deleted)


# --- shares -------------------------------------------------------------------------------
def viewer_key(*, user: User | None, session_key: str | None) -> str:
    if user is not None and user.is_authenticated:
        return f"u:{user.pk}"
    if not session_key:
        raise ValidationError(_("Sharing needs cookies enabled."))
    return "s:" + hashlib.sha256(session_key.encode()).hexdigest()[:40]


def share_record(*, video: Video, key: str, user: User | None, channel: str = "link") -> bool:
    """Count one share per viewer and video, of a video that viewer may see."""
    _require_visible(user=user, video=video)
    if channel not in {"link", "native", "embed"}:
        channel = "link"
    with transaction.atomic():
        created = _insert(
            Share,
            video=video,
            viewer_key=key,
            channel=channel,
            user=user if user is not None and user.is_authenticated else None,
        )
        if created:
            Video.objects.filter(pk=video.pk).update(shares_count=F("shares_count") + 1)
            _stats_on_commit(video.pk)
    return created


# --- counters -------------------------------------------------------------------------------
def liked_video_ids(*, user: User | None, video_ids: list[int]) -> set[int]:
    if user is None or not user.is_authenticated or not video_ids:
        return set()
    return set(
        Like.objects.filter(user=user, video_id__in=video_ids).values_list("video_id", flat=True)
    )
