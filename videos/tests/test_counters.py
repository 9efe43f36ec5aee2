"""rebuild_counters: every denormalised count can be rebuilt from its rows, and the command
says exactly how much drift it fixed."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from social import graph
from social.models import User
from videos import engagement
from videos.counters import Drift, rebuild_counters
from videos.models import Comment, Video

NAMES = [
    "Video.likes_count",
    "Video.comments_count",
    "Video.shares_count",
    "Video.views_count",
    "Comment.likes_count",
    "Comment.replies_count",
    "User.followers_count",
    "User.following_count",
    "User.likes_received_count",
    "Sound.uses_count",
    "Template.uses_count",
]


def run() -> list[str]:
    out = io.StringIO()
    call_command("rebuild_counters", stdout=out, no_color=True)
    return out.getvalue().splitlines()


def line(name: str, rows: int, amount: int) -> str:
    return f"{name:32} {rows} fixed (off by {amount} in total)"


@pytest.fixture
def world(user_factory, video_factory):
    """Real rows made through the services, so every stored counter starts out right."""
    author, other_author = user_factory(), user_factory()
    fans = [user_factory() for _ in range(4)]
    first, second = video_factory(author=author), video_factory(author=other_author)
    for fan in fans:
        engagement.like_create(user=fan, video=first)
    engagement.like_create(user=fans[0], video=second)
    top = engagement.comment_create(user=fans[0], video=first, text="top")
    engagement.comment_create(user=fans[1], video=first, text="reply", parent=top)
    engagement.comment_create(user=fans[2], video=first, text="reply 2", parent=top)
    engagement.comment_like_create(user=author, comment=top)
    for fan in fans[:3]:
        engagement.share_record(
            video=first, key=engagement.viewer_key(user=fan, session_key=None), user=fan
        )
    for fan in fans:
        graph.follow_create(follower=fan, followee=author)
    graph.follow_create(follower=author, followee=fans[0])
    return {
        "author": author,
        "other_author": other_author,
        "fans": fans,
        "first": first,
        "second": second,
        "top": top,
    }


def test_counters_made_by_the_services_need_no_fixing(world):
    assert rebuild_counters() == {name: Drift(rows=0, amount=0) for name in NAMES}
    first = Video.objects.get(pk=world["first"].pk)
    assert (first.likes_count, first.comments_count, first.shares_count) == (4, 3, 3)
    author = User.objects.get(pk=world["author"].pk)
    assert (author.followers_count, author.following_count, author.likes_received_count) == (
        4,
        1,
        4,
    )


def test_rebuild_fixes_drift_and_reports_it_exactly(world):
    first, second, top = world["first"], world["second"], world["top"]
    author, fans = world["author"], world["fans"]
    Video.objects.filter(pk=first.pk).update(likes_count=40, comments_count=0, shares_count=2)
    Video.objects.filter(pk=second.pk).update(likes_count=0)
    Comment.objects.filter(pk=top.pk).update(likes_count=9, replies_count=0)
    User.objects.filter(pk=author.pk).update(followers_count=1, likes_received_count=100)
    User.objects.filter(pk__in=[f.pk for f in fans]).update(following_count=0)
    User.objects.filter(pk=fans[3].pk).update(followers_count=7)

    lines = run()

    assert lines == [
        line("Video.likes_count", 2, 36 + 1),
        line("Video.comments_count", 1, 3),
        line("Video.shares_count", 1, 1),
        line("Video.views_count", 0, 0),
        line("Comment.likes_count", 1, 8),
        line("Comment.replies_count", 1, 2),
        line("User.followers_count", 2, 3 + 7),
        line("User.following_count", 4, 4),
        line("User.likes_received_count", 1, 96),
        line("Sound.uses_count", 0, 0),
        line("Template.uses_count", 0, 0),
        "Done: 13 counters were off and are now right.",
    ]
    first.refresh_from_db()
    assert (first.likes_count, first.comments_count, first.shares_count) == (4, 3, 3)
    second.refresh_from_db()
    assert second.likes_count == 1
    top.refresh_from_db()
    assert (top.likes_count, top.replies_count) == (1, 2)
    author.refresh_from_db()
    assert (author.followers_count, author.following_count, author.likes_received_count) == (
        4,
        1,
        4,
    )
    assert list(
        User.objects.filter(pk__in=[f.pk for f in fans])
        .order_by("pk")
        .values_list("followers_count", "following_count")
    ) == [(1, 1), (0, 1), (0, 1), (0, 1)]

    # A second run finds nothing left to fix.
    assert run() == [
        *(line(name, 0, 0) for name in NAMES),
        "Done: 0 counters were off and are now right.",
    ]


def test_rebuild_counts_what_readers_see(world):
    """A comment removed by moderation is neither a comment nor a reply in the counts."""
    first, top = world["first"], world["top"]
    reply = Comment.objects.filter(parent=top).order_by("pk").first()
    Comment.objects.filter(pk=reply.pk).update(is_removed=True)
    drift = rebuild_counters()
    assert drift["Video.comments_count"] == Drift(rows=1, amount=1)
    assert drift["Comment.replies_count"] == Drift(rows=1, amount=1)
    first.refresh_from_db()
    top.refresh_from_db()
    assert (first.comments_count, top.replies_count) == (2, 1)


def test_rebuild_after_rows_vanish_behind_the_services_back(world):
    """Deleting rows directly (a cascade, a manual fix) leaves counts high; rebuild repairs."""
    first, author = world["first"], world["author"]
    first.like_set.all().delete()
    drift = rebuild_counters()
    assert drift["Video.likes_count"] == Drift(rows=1, amount=4)
    assert drift["User.likes_received_count"] == Drift(rows=1, amount=4)
    author.refresh_from_db()
    assert author.likes_received_count == 0
