"""Engagement services: likes, comments, replies, comment likes, shares, notifications, and
the permission matrix of who may touch which video. Real database, no mocks."""

from __future__ import annotations

import hashlib

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from social import graph
from social.models import Block, Follow, Notification, User
from videos import engagement
from videos.models import Comment, CommentLike, Like, Share, Video

V = Video.Visibility
S = Video.Status
K = Notification.Kind


# --- helpers -----------------------------------------------------------------------------
def fresh(obj):
    obj.refresh_from_db()
    return obj


def notes(user: User) -> list[tuple[str, str]]:
    """(kind, actor username) of every notification user received, oldest first."""
    return list(
        Notification.objects.filter(recipient=user)
        .order_by("created_at", "id")
        .values_list("kind", "actor__username")
    )


def follow(a: User, b: User) -> None:
    """a follows b (approved at once when b is private), through the service."""
    if graph.follow_create(follower=a, followee=b) == "requested":
        assert graph.follow_request_accept(followee=b, follower=a) is True
    assert Follow.objects.filter(follower=a, followee=b).exists()


def befriend(a: User, b: User) -> None:
    follow(a, b)
    follow(b, a)


@pytest.fixture
def author(user_factory):
    return user_factory(username="the_author")


@pytest.fixture
def fan(user_factory):
    return user_factory(username="the_fan")


@pytest.fixture
def video(video_factory, author):
    return video_factory(author=author)


# --- likes -------------------------------------------------------------------------------
def test_like_is_idempotent_and_counts_move_once(author, fan, video):
    assert engagement.like_create(user=fan, video=video) is True
    assert engagement.like_create(user=fan, video=video) is False
    assert engagement.like_create(user=fan, video=video) is False
    assert Like.objects.filter(user=fan, video=video).count() == 1
    assert fresh(video).likes_count == 1
    assert fresh(author).likes_received_count == 1
    assert fresh(fan).likes_received_count == 0


def test_unlike_is_idempotent_and_never_goes_below_zero(author, fan, video):
    engagement.like_create(user=fan, video=video)
    assert engagement.like_delete(user=fan, video=video) is True
    assert engagement.like_delete(user=fan, video=video) is False
    assert not Like.objects.exists()
    assert fresh(video).likes_count == 0
    assert fresh(author).likes_received_count == 0


def test_unlike_without_a_like_changes_nothing(author, fan, user_factory, video):
    other = user_factory()
    engagement.like_create(user=other, video=video)
    assert engagement.like_delete(user=fan, video=video) is False
    assert fresh(video).likes_count == 1
    assert fresh(author).likes_received_count == 1


def test_likes_from_many_people_add_up(author, user_factory, video_factory):
    first = video_factory(author=author)
    second = video_factory(author=author)
    fans = [user_factory() for _ in range(3)]
    for person in fans:
        engagement.like_create(user=person, video=first)
    engagement.like_create(user=fans[0], video=second)
    engagement.like_delete(user=fans[1], video=first)
    assert fresh(first).likes_count == 2
    assert fresh(second).likes_count == 1
    assert fresh(author).likes_received_count == 3


def test_like_notifies_the_author_once_across_like_unlike_like(author, fan, video):
    engagement.like_create(user=fan, video=video)
    engagement.like_delete(user=fan, video=video)
    engagement.like_create(user=fan, video=video)
    assert notes(author) == [(K.LIKE, "the_fan")]
    note = Notification.objects.get(recipient=author)
    assert note.video_public_id == video.public_id
    assert note.read_at is None
    assert notes(fan) == []


def test_liking_your_own_video_counts_but_notifies_nobody(author, video):
    assert engagement.like_create(user=author, video=video) is True
    assert fresh(video).likes_count == 1
    assert fresh(author).likes_received_count == 1
    assert not Notification.objects.exists()


@pytest.mark.parametrize("who", ["none", "anonymous", "inactive"])
def test_like_needs_an_active_signed_in_user(who, user_factory, video):
    user = {
        "none": None,
        "anonymous": AnonymousUser(),
        "inactive": user_factory(is_active=False) if who == "inactive" else None,
    }[who]
    with pytest.raises(PermissionDenied):
        engagement.like_create(user=user, video=video)
    assert not Like.objects.exists()
    assert fresh(video).likes_count == 0


def test_unlike_needs_a_signed_in_user(video):
    with pytest.raises(PermissionDenied):
        engagement.like_delete(user=AnonymousUser(), video=video)


def test_live_stats_go_out_only_on_commit(fan, video, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        engagement.like_create(user=fan, video=video)
    assert len(callbacks) >= 1
    with django_capture_on_commit_callbacks() as callbacks:
        engagement.like_create(user=fan, video=video)  # no change: nothing to announce
    assert callbacks == []


def test_liked_video_ids(fan, video, video_factory):
    other = video_factory()
    engagement.like_create(user=fan, video=video)
    assert engagement.liked_video_ids(user=fan, video_ids=[video.pk, other.pk]) == {video.pk}
    assert engagement.liked_video_ids(user=AnonymousUser(), video_ids=[video.pk]) == set()
    assert engagement.liked_video_ids(user=fan, video_ids=[]) == set()


# --- comments ----------------------------------------------------------------------------
def test_comment_is_stored_counted_and_notified(author, fan, video):
    comment = engagement.comment_create(user=fan, video=video, text="  nice one \r\n ok  ")
    assert comment.text == "nice one \n ok"
    assert comment.parent is None
    assert comment.author == fan
    assert len(comment.public_id) >= 10
    assert fresh(video).comments_count == 1
    assert notes(author) == [(K.COMMENT, "the_fan")]
    note = Notification.objects.get(recipient=author)
    assert note.comment_public_id == comment.public_id
    assert note.video_public_id == video.public_id
    assert note.snippet == "nice one \n ok"


def test_comment_snippet_is_cut_to_fit(author, fan, video):
    engagement.comment_create(user=fan, video=video, text="y" * 500)
    assert Notification.objects.get(recipient=author).snippet == "y" * 120


def test_commenting_on_your_own_video_notifies_nobody(author, video):
    engagement.comment_create(user=author, video=video, text="first!")
    assert fresh(video).comments_count == 1
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "text",
    ["", "   ", " \n\t \r\n ", None, "x" * 501, "  " + "x" * 501, "a\x00b"],
    ids=["empty", "spaces", "whitespace", "none", "too-long", "too-long-padded", "nul"],
)
def test_bad_comment_text_is_refused_and_nothing_saved(author, fan, video, text):
    with pytest.raises(ValidationError) as excinfo:
        engagement.comment_create(user=fan, video=video, text=text)
    assert list(excinfo.value.message_dict) == ["text"]
    assert excinfo.value.message_dict["text"][0]
    assert not Comment.objects.exists()
    assert fresh(video).comments_count == 0
    assert not Notification.objects.exists()


def test_comment_length_limit_is_500_after_trimming(fan, video):
    comment = engagement.comment_create(user=fan, video=video, text="  " + "é" * 500 + "\n")
    assert comment.text == "é" * 500


def test_markup_is_stored_verbatim(fan, video):
    text = "<script>alert('x')</script> <img src=x onerror=alert(1)> &amp; \"q\""
    comment = engagement.comment_create(user=fan, video=video, text=text)
    assert Comment.objects.get(pk=comment.pk).text == text


# --- replies -----------------------------------------------------------------------------
def test_reply_is_counted_and_notifies_both(author, fan, user_factory, video):
    replier = user_factory(username="replier")
    top = engagement.comment_create(user=fan, video=video, text="top")
    reply = engagement.comment_create(user=replier, video=video, text="re", parent=top)
    assert reply.parent_id == top.pk
    assert fresh(top).replies_count == 1
    assert fresh(video).comments_count == 2
    assert notes(fan) == [(K.REPLY, "replier")]
    assert notes(author) == [(K.COMMENT, "the_fan"), (K.COMMENT, "replier")]
    assert Notification.objects.get(recipient=fan).comment_public_id == reply.public_id


def test_reply_to_the_video_authors_comment_is_a_reply_not_a_comment(author, fan, video):
    top = engagement.comment_create(user=author, video=video, text="ask me anything")
    engagement.comment_create(user=fan, video=video, text="why?", parent=top)
    assert notes(author) == [(K.REPLY, "the_fan")]


def test_replying_to_yourself_notifies_only_the_video_author(author, fan, video):
    top = engagement.comment_create(user=fan, video=video, text="one")
    engagement.comment_create(user=fan, video=video, text="two", parent=top)
    assert notes(fan) == []
    assert notes(author) == [(K.COMMENT, "the_fan"), (K.COMMENT, "the_fan")]


def test_reply_to_a_reply_joins_the_top_level_thread(author, fan, user_factory, video):
    second, third = user_factory(username="second"), user_factory(username="third")
    top = engagement.comment_create(user=fan, video=video, text="top")
    reply = engagement.comment_create(user=second, video=video, text="r1", parent=top)
    nested = engagement.comment_create(user=third, video=video, text="r2", parent=reply)
    assert nested.parent_id == top.pk
    assert fresh(top).replies_count == 2
    assert fresh(reply).replies_count == 0
    assert fresh(video).comments_count == 3
    # The person replied to hears about it; the thread's starter heard about the first reply.
    assert notes(second) == [(K.REPLY, "third")]
    assert notes(fan) == [(K.REPLY, "second")]
    assert Comment.objects.filter(parent__parent__isnull=False).count() == 0


def test_parent_from_another_video_is_refused(fan, video, video_factory):
    elsewhere = engagement.comment_create(user=fan, video=video_factory(), text="there")
    with pytest.raises(ValidationError) as excinfo:
        engagement.comment_create(user=fan, video=video, text="here", parent=elsewhere)
    assert list(excinfo.value.message_dict) == ["parent"]
    assert not Comment.objects.filter(video=video).exists()
    assert fresh(video).comments_count == 0
    assert fresh(elsewhere).replies_count == 0


def test_parent_removed_by_moderation_is_refused(fan, video):
    top = engagement.comment_create(user=fan, video=video, text="top")
    Comment.objects.filter(pk=top.pk).update(is_removed=True)
    with pytest.raises(ValidationError):
        engagement.comment_create(user=fan, video=video, text="re", parent=fresh(top))
    assert Comment.objects.count() == 1


def test_reply_to_a_reply_whose_thread_was_removed_is_refused(fan, user_factory, video):
    top = engagement.comment_create(user=fan, video=video, text="top")
    reply = engagement.comment_create(user=user_factory(), video=video, text="r1", parent=top)
    Comment.objects.filter(pk=top.pk).update(is_removed=True)
    with pytest.raises(ValidationError):
        engagement.comment_create(user=fan, video=video, text="r2", parent=reply)
    assert Comment.objects.count() == 2


@pytest.mark.parametrize("direction", ["blocked_by_commenter", "commenter_blocked"])
def test_no_reply_across_a_block(fan, user_factory, video, direction):
    troll = user_factory()
    top = engagement.comment_create(user=fan, video=video, text="top")
    if direction == "blocked_by_commenter":
        graph.block_create(blocker=fan, blocked=troll)
    else:
        graph.block_create(blocker=troll, blocked=fan)
    with pytest.raises(PermissionDenied):
        engagement.comment_create(user=troll, video=video, text="re", parent=top)
    assert fresh(top).replies_count == 0


def test_no_reply_into_a_thread_whose_starter_blocked_you(fan, user_factory, video):
    troll, middle = user_factory(), user_factory()
    top = engagement.comment_create(user=fan, video=video, text="top")
    reply = engagement.comment_create(user=middle, video=video, text="r1", parent=top)
    graph.block_create(blocker=fan, blocked=troll)
    with pytest.raises(PermissionDenied):
        engagement.comment_create(user=troll, video=video, text="r2", parent=reply)
    assert fresh(top).replies_count == 1


# --- mentions ----------------------------------------------------------------------------
def test_mention_in_a_comment_notifies_once(author, fan, user_factory, video):
    bob = user_factory(username="Bob_1")
    comment = engagement.comment_create(
        user=fan, video=video, text="look @bob_1 and again @BOB_1, @nobody_here, @the_fan"
    )
    assert notes(bob) == [(K.MENTION, "the_fan")]
    note = Notification.objects.get(recipient=bob)
    assert note.comment_public_id == comment.public_id
    assert note.video_public_id == video.public_id
    assert notes(fan) == []  # mentioning yourself is no news


def test_mention_of_the_author_is_a_comment_and_a_mention(author, fan, video):
    engagement.comment_create(user=fan, video=video, text="@the_author hi")
    assert sorted(notes(author)) == [(K.COMMENT, "the_fan"), (K.MENTION, "the_fan")]


def test_mention_of_someone_who_cannot_see_the_video_is_silent(author, fan, user_factory):
    outsider = user_factory(username="outsider")
    inactive = user_factory(username="gone_away", is_active=False)
    follow(fan, author)
    video = Video.objects.create(author=author, status=S.READY, visibility=V.FOLLOWERS)
    engagement.comment_create(user=fan, video=video, text="@outsider @gone_away see this")
    assert notes(outsider) == []
    assert notes(inactive) == []


def test_mention_across_a_block_is_silent(fan, user_factory, video):
    enemy = user_factory(username="enemy")
    graph.block_create(blocker=enemy, blocked=fan)
    engagement.comment_create(user=fan, video=video, text="hey @enemy")
    assert notes(enemy) == []


# --- deleting comments ---------------------------------------------------------------------
def test_comment_author_deletes_their_comment(author, fan, video):
    comment = engagement.comment_create(user=fan, video=video, text="oops")
    assert engagement.comment_delete(user=fan, comment=comment) == 1
    assert not Comment.objects.exists()
    assert fresh(video).comments_count == 0


def test_video_owner_deletes_any_comment(author, fan, video):
    comment = engagement.comment_create(user=fan, video=video, text="rude")
    assert engagement.comment_delete(user=author, comment=comment) == 1
    assert fresh(video).comments_count == 0


def test_staff_delete_any_comment(fan, user_factory, video):
    comment = engagement.comment_create(user=fan, video=video, text="rude")
    moderator = user_factory(is_staff=True)
    assert engagement.comment_delete(user=moderator, comment=comment) == 1


def test_stranger_cannot_delete_a_comment(fan, user_factory, video):
    comment = engagement.comment_create(user=fan, video=video, text="mine")
    reply = engagement.comment_create(user=user_factory(), video=video, text="re", parent=comment)
    stranger = user_factory()
    for target in (comment, reply):
        with pytest.raises(PermissionDenied):
            engagement.comment_delete(user=stranger, comment=target)
    # the author of a reply cannot delete the comment it answers either
    with pytest.raises(PermissionDenied):
        engagement.comment_delete(user=reply.author, comment=comment)
    assert Comment.objects.count() == 2
    assert fresh(video).comments_count == 2
    assert fresh(comment).replies_count == 1


def test_deleting_a_parent_takes_its_replies_and_their_likes(author, fan, user_factory, video):
    other = engagement.comment_create(user=author, video=video, text="stays")
    top = engagement.comment_create(user=fan, video=video, text="top")
    r1 = engagement.comment_create(user=user_factory(), video=video, text="r1", parent=top)
    engagement.comment_create(user=user_factory(), video=video, text="r2", parent=r1)
    engagement.comment_like_create(user=author, comment=r1)
    engagement.comment_like_create(user=author, comment=top)
    assert fresh(video).comments_count == 4
    assert engagement.comment_delete(user=fan, comment=top) == 3
    assert list(Comment.objects.all()) == [other]
    assert fresh(video).comments_count == 1
    assert not CommentLike.objects.exists()


def test_deleting_a_reply_updates_its_parent(fan, user_factory, video):
    top = engagement.comment_create(user=fan, video=video, text="top")
    replier = user_factory()
    r1 = engagement.comment_create(user=replier, video=video, text="r1", parent=top)
    engagement.comment_create(user=replier, video=video, text="r2", parent=top)
    assert engagement.comment_delete(user=replier, comment=r1) == 1
    assert fresh(top).replies_count == 1
    assert fresh(video).comments_count == 2


def test_deleting_twice_moves_the_counters_once(fan, user_factory, video):
    """A double click, or the author and the owner at once: the second delete finds nothing."""
    top = engagement.comment_create(user=fan, video=video, text="top")
    replier = user_factory()
    reply = engagement.comment_create(user=replier, video=video, text="r1", parent=top)
    engagement.comment_create(user=replier, video=video, text="r2", parent=top)
    stale_reply = Comment.objects.get(pk=reply.pk)
    assert engagement.comment_delete(user=replier, comment=reply) == 1
    assert engagement.comment_delete(user=replier, comment=stale_reply) == 0
    assert fresh(top).replies_count == 1
    assert fresh(video).comments_count == 2
    stale_top = Comment.objects.get(pk=top.pk)
    assert engagement.comment_delete(user=fan, comment=top) == 2
    assert engagement.comment_delete(user=fan, comment=stale_top) == 0
    assert fresh(video).comments_count == 0


def test_deleting_a_thread_does_not_count_replies_removed_by_moderation(fan, user_factory, video):
    top = engagement.comment_create(user=fan, video=video, text="top")
    bad = engagement.comment_create(user=user_factory(), video=video, text="bad", parent=top)
    engagement.comment_create(user=user_factory(), video=video, text="ok", parent=top)
    # Moderation removes a reply and the counters with it (as rebuild_counters counts).
    Comment.objects.filter(pk=bad.pk).update(is_removed=True)
    Video.objects.filter(pk=video.pk).update(comments_count=2)
    Comment.objects.filter(pk=top.pk).update(replies_count=1)
    assert engagement.comment_delete(user=fan, comment=top) == 3
    assert fresh(video).comments_count == 0


# --- comments turned off, teens ----------------------------------------------------------------
def test_comments_turned_off_refuse_others_but_not_the_owner(author, fan, video):
    with pytest.raises(PermissionDenied):
        engagement.comments_set_enabled(user=fan, video=video, enabled=False)
    assert fresh(video).allow_comments is True
    engagement.comments_set_enabled(user=author, video=video, enabled=False)
    assert fresh(video).allow_comments is False
    with pytest.raises(PermissionDenied) as excinfo:
        engagement.comment_create(user=fan, video=video, text="hello?")
    assert "turned off" in str(excinfo.value)
    # The owner may still write on their own video (a pinned note, say).
    engagement.comment_create(user=author, video=video, text="comments are off")
    assert fresh(video).comments_count == 1
    engagement.comments_set_enabled(user=author, video=video, enabled=True)
    engagement.comment_create(user=fan, video=video, text="back on")
    assert fresh(video).comments_count == 2


@pytest.mark.parametrize("age", [13, 14, 15])
def test_teen_authors_hear_only_from_friends(user_factory, video_factory, age):
    teen = user_factory(age=age)
    video = video_factory(author=teen)
    stranger, follower, fan_of_teen, friend = (user_factory() for _ in range(4))
    follow(follower, teen)  # one way: not a friend
    follow(teen, fan_of_teen)  # the other way: not a friend either
    befriend(friend, teen)
    for person in (stranger, follower, fan_of_teen):
        with pytest.raises(PermissionDenied) as excinfo:
            engagement.comment_create(user=person, video=video, text="hi")
        assert "friends" in str(excinfo.value)
    engagement.comment_create(user=friend, video=video, text="hi friend")
    engagement.comment_create(user=teen, video=video, text="my own")
    assert fresh(video).comments_count == 2
    # Liking is not commenting: anyone who may see the video may like it.
    assert engagement.like_create(user=stranger, video=video) is True


def test_sixteen_year_old_authors_hear_from_anyone(user_factory, video_factory):
    video = video_factory(author=user_factory(age=16))
    engagement.comment_create(user=user_factory(), video=video, text="hi")
    assert fresh(video).comments_count == 1


# --- comment likes ---------------------------------------------------------------------------
def test_comment_like_is_idempotent(author, fan, video):
    comment = engagement.comment_create(user=fan, video=video, text="like me")
    assert engagement.comment_like_create(user=author, comment=comment) is True
    assert engagement.comment_like_create(user=author, comment=comment) is False
    engagement.comment_like_create(user=fan, comment=comment)
    assert fresh(comment).likes_count == 2
    assert engagement.comment_like_delete(user=author, comment=comment) is True
    assert engagement.comment_like_delete(user=author, comment=comment) is False
    assert fresh(comment).likes_count == 1
    assert CommentLike.objects.filter(comment=comment).count() == 1


@pytest.mark.parametrize("direction", ["liker_blocked", "liker_blocks"])
def test_no_comment_like_across_a_block(fan, user_factory, video, direction):
    other = user_factory()
    comment = engagement.comment_create(user=fan, video=video, text="hi")
    if direction == "liker_blocked":
        graph.block_create(blocker=fan, blocked=other)
    else:
        graph.block_create(blocker=other, blocked=fan)
    with pytest.raises(PermissionDenied):
        engagement.comment_like_create(user=other, comment=comment)
    assert fresh(comment).likes_count == 0


def test_no_like_on_a_comment_removed_by_moderation(author, fan, video):
    comment = engagement.comment_create(user=fan, video=video, text="hi")
    Comment.objects.filter(pk=comment.pk).update(is_removed=True)
    with pytest.raises(PermissionDenied):
        engagement.comment_like_create(user=author, comment=fresh(comment))
    assert not CommentLike.objects.exists()


# --- shares ------------------------------------------------------------------------------------
def test_viewer_key_for_people_and_sessions(fan):
    assert engagement.viewer_key(user=fan, session_key="ignored") == f"u:{fan.pk}"
    session = "abcdefghijklmnopqrstuvwxyz012345"
    key = engagement.viewer_key(user=AnonymousUser(), session_key=session)
    assert key == "s:" + hashlib.sha256(session.encode()).hexdigest()[:40]
    assert session not in key
    assert engagement.viewer_key(user=None, session_key=session) == key
    for missing in (None, ""):
        with pytest.raises(ValidationError):
            engagement.viewer_key(user=AnonymousUser(), session_key=missing)


def test_share_counts_once_per_viewer(fan, user_factory, video):
    key = engagement.viewer_key(user=fan, session_key=None)
    assert engagement.share_record(video=video, key=key, user=fan) is True
    assert engagement.share_record(video=video, key=key, user=fan, channel="native") is False
    anonymous = engagement.viewer_key(user=None, session_key="s1" * 16)
    assert engagement.share_record(video=video, key=anonymous, user=AnonymousUser()) is True
    assert engagement.share_record(video=video, key=anonymous, user=None) is False
    assert fresh(video).shares_count == 2
    assert Share.objects.get(viewer_key=key).user == fan
    assert Share.objects.get(viewer_key=anonymous).user is None


def test_unknown_share_channel_is_stored_as_link(fan, video):
    key = engagement.viewer_key(user=fan, session_key=None)
    engagement.share_record(video=video, key=key, user=fan, channel="carrier-pigeon")
    assert Share.objects.get().channel == "link"


# --- the permission matrix ---------------------------------------------------------------------
def _setup(name: str, user_factory, video_factory) -> tuple[User | None, Video]:
    """A (viewer, video) pair for each situation; the viewer is never the author unless
    the name says so."""
    author = user_factory()
    viewer = user_factory()
    fields: dict = {}
    if name == "private_video":
        fields["visibility"] = V.PRIVATE
    elif name in {"hidden", "hidden_own"}:
        fields["is_hidden"] = True
    elif name in {"processing", "processing_own"}:
        fields.update(status=S.PROCESSING, file="", poster="")
    elif name in {"failed", "failed_own"}:
        fields.update(status=S.FAILED, file="", poster="")
    elif name in {"followers_only", "followers_only_follower"}:
        fields["visibility"] = V.FOLLOWERS
    elif name in {"private_account", "private_account_follower"}:
        author.is_private = True
        author.save(update_fields=["is_private"])
    elif name == "private_account_requested":
        author.is_private = True
        author.save(update_fields=["is_private"])
        assert graph.follow_create(follower=viewer, followee=author) == "requested"
    elif name == "inactive_author":
        author.is_active = False
        author.save(update_fields=["is_active"])
    elif name == "author_blocked_viewer":
        graph.block_create(blocker=author, blocked=viewer)
    elif name == "viewer_blocked_author":
        graph.block_create(blocker=viewer, blocked=author)
    elif name == "blocked_after_following":
        follow(viewer, author)
        graph.block_create(blocker=author, blocked=viewer)
    elif name == "own_private_video":
        fields["visibility"] = V.PRIVATE
    if name.endswith("_follower"):
        follow(viewer, author)
    if name.endswith("_own") or name.startswith("own_"):
        viewer = author
    video = video_factory(author=author, **fields)
    video = Video.objects.with_cards().get(pk=video.pk)
    return viewer, video


DENIED = [
    "private_video",
    "hidden",
    "hidden_own",
    "processing",
    "processing_own",
    "failed",
    "failed_own",
    "followers_only",
    "private_account",
    "private_account_requested",
    "inactive_author",
    "author_blocked_viewer",
    "viewer_blocked_author",
    "blocked_after_following",
]
ALLOWED = ["public", "followers_only_follower", "private_account_follower", "own_private_video"]


def _like(user, video):
    return engagement.like_create(user=user, video=video)


def _comment(user, video):
    return engagement.comment_create(user=user, video=video, text="hello @someone")


def _share(user, video):
    key = engagement.viewer_key(user=user, session_key=None)
    return engagement.share_record(video=video, key=key, user=user)


AUTHOR_COMMENT = "by the author"


def _comment_like(user, video):
    comment = Comment.objects.create(video=video, author=video.author, text=AUTHOR_COMMENT)
    return engagement.comment_like_create(user=user, comment=comment)


ACTIONS = {"like": _like, "comment": _comment, "share": _share, "comment_like": _comment_like}


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("situation", DENIED)
def test_matrix_denied(user_factory, video_factory, situation, action):
    viewer, video = _setup(situation, user_factory, video_factory)
    notifications_before = Notification.objects.count()
    with pytest.raises(PermissionDenied):
        ACTIONS[action](viewer, video)
    video = fresh(video)
    assert (video.likes_count, video.comments_count, video.shares_count) == (0, 0, 0)
    assert fresh(video.author).likes_received_count == 0
    assert not Like.objects.exists()
    assert not Share.objects.exists()
    assert not CommentLike.objects.exists()
    assert not Comment.objects.exclude(text=AUTHOR_COMMENT).exists()
    assert Notification.objects.count() == notifications_before


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("situation", ALLOWED)
def test_matrix_allowed(user_factory, video_factory, situation, action):
    viewer, video = _setup(situation, user_factory, video_factory)
    assert ACTIONS[action](viewer, video)
    video = fresh(video)
    assert video.likes_count + video.comments_count + video.shares_count == (
        0 if action == "comment_like" else 1
    )


def test_anonymous_share_follows_visibility(user_factory, video_factory):
    anonymous = AnonymousUser()
    key = engagement.viewer_key(user=anonymous, session_key="k" * 32)
    public = video_factory()
    assert engagement.share_record(video=public, key=key, user=anonymous) is True
    private_account = user_factory(is_private=True)
    for video in (
        video_factory(visibility=V.FOLLOWERS),
        video_factory(visibility=V.PRIVATE),
        video_factory(is_hidden=True),
        video_factory(author=private_account),
    ):
        with pytest.raises(PermissionDenied):
            engagement.share_record(video=video, key=key, user=anonymous)
        assert fresh(video).shares_count == 0
    assert Share.objects.count() == 1


def test_blocks_stop_comments_both_ways(author, fan, video):
    Block.objects.create(blocker=fan, blocked=author)
    with pytest.raises(PermissionDenied):
        engagement.comment_create(user=fan, video=video, text="hi")
    Block.objects.all().delete()
    engagement.comment_create(user=fan, video=video, text="hi again")
    assert fresh(video).comments_count == 1
