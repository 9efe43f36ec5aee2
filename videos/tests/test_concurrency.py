"""Counters under real concurrency, on PostgreSQL: many threads, each with its own database
connection, released together by a barrier. SQLite serialises every writer, so these
tests say nothing there and are skipped."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from social import graph
from social.models import Follow, User
from videos import engagement
from videos.counters import rebuild_counters
from videos.models import Comment, Like, Video

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrency tests need PostgreSQL (set DATABASE_URL=postgres://…); "
        "SQLite runs one writer at a time, so there is no race to observe",
    ),
]


@pytest.fixture(autouse=True)
def _no_stray_threads():
    """Live stats are coalesced on timer threads that open their own connections; let them
    finish before the test database is flushed or dropped."""
    yield
    for thread in threading.enumerate():
        if isinstance(thread, threading.Timer):
            thread.join(timeout=5)


def run_together(jobs: list[Callable[[], object]]) -> list[object]:
    """Run every job on its own thread, all released at once; returns results or exceptions
    in job order. Each thread closes its own database connection when done."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def worker(i: int, job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = job()
        except BaseException as exc:  # reported to the test, not swallowed
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive(), "a worker hung"
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    return results


def make_users(n: int) -> list[User]:
    users = User.objects.bulk_create(
        [User(username=f"racer_{i}", email=f"racer{i}@example.org") for i in range(n)]
    )
    return list(User.objects.filter(pk__in=[u.pk for u in users]).order_by("pk"))


def assert_like_counters_match_rows(video: Video) -> None:
    video.refresh_from_db()
    author = User.objects.get(pk=video.author_id)
    rows = Like.objects.filter(video=video).count()
    assert video.likes_count == rows
    assert author.likes_received_count == Like.objects.filter(video__author=author).count()


def test_fifty_people_like_at_once(video_factory):
    video = video_factory()
    fans = make_users(50)
    results = run_together(
        [lambda fan=fan: engagement.like_create(user=fan, video=video) for fan in fans]
    )
    assert results == [True] * 50
    video.refresh_from_db()
    assert video.likes_count == Like.objects.filter(video=video).count() == 50
    assert User.objects.get(pk=video.author_id).likes_received_count == 50


def test_one_person_liking_twenty_times_at_once_counts_once(video_factory):
    video = video_factory()
    (fan,) = make_users(1)
    results = run_together([lambda: engagement.like_create(user=fan, video=video)] * 20)
    assert Counter(results) == {True: 1, False: 19}
    video.refresh_from_db()
    assert video.likes_count == Like.objects.filter(video=video).count() == 1
    assert User.objects.get(pk=video.author_id).likes_received_count == 1


def test_like_and_unlike_racing_stay_consistent(video_factory):
    video = video_factory()
    fans = make_users(8)
    for round_number in range(15):
        jobs = []
        for i, fan in enumerate(fans):
            # Half the people start liked, so both orders of the race are exercised.
            if (i + round_number) % 2:
                engagement.like_create(user=fan, video=video)
            jobs.append(lambda fan=fan: engagement.like_create(user=fan, video=video))
            jobs.append(lambda fan=fan: engagement.like_delete(user=fan, video=video))
        run_together(jobs)
        assert_like_counters_match_rows(video)
    assert_like_counters_match_rows(video)


def test_many_follow_one_at_once(user_factory):
    star = user_factory()
    fans = make_users(30)
    results = run_together(
        [lambda fan=fan: graph.follow_create(follower=fan, followee=star) for fan in fans]
        + [lambda fan=fan: graph.follow_create(follower=fan, followee=star) for fan in fans[:10]]
    )
    assert Counter(results) == {"following": 30, "already": 10}
    star.refresh_from_db()
    assert star.followers_count == Follow.objects.filter(followee=star).count() == 30
    assert set(
        User.objects.filter(pk__in=[f.pk for f in fans]).values_list("following_count", flat=True)
    ) == {1}


def test_one_comment_deleted_by_many_at_once_counts_once(video_factory):
    video = video_factory()
    owner = User.objects.get(pk=video.author_id)
    (commenter, replier) = make_users(2)
    keep = engagement.comment_create(user=replier, video=video, text="stays")
    top = engagement.comment_create(user=commenter, video=video, text="top")
    engagement.comment_create(user=replier, video=video, text="r1", parent=top)
    engagement.comment_create(user=replier, video=video, text="r2", parent=top)
    deleters = [commenter, owner] * 5
    results = run_together(
        [lambda user=user: engagement.comment_delete(user=user, comment=top) for user in deleters]
    )
    assert sorted(results) == [0] * 9 + [3]
    video.refresh_from_db()
    assert video.comments_count == Comment.objects.filter(video=video).count() == 1
    assert list(Comment.objects.all()) == [keep]


def test_replies_racing_the_deletion_of_their_thread(video_factory):
    video = video_factory()
    people = make_users(6)
    for _round in range(5):
        top = engagement.comment_create(user=people[0], video=video, text="top")

        def reply(person, top=top):
            try:
                return engagement.comment_create(user=person, video=video, text="re", parent=top)
            except ValidationError:
                return "refused"  # the thread was already gone

        jobs = [lambda p=p: reply(p) for p in people[1:]]
        jobs.append(lambda top=top: engagement.comment_delete(user=people[0], comment=top))
        run_together(jobs)
        video.refresh_from_db()
        assert video.comments_count == Comment.objects.filter(video=video).count() == 0


def test_rebuild_while_people_keep_liking(video_factory):
    """The rebuild locks before it recounts, so likes landing meanwhile are never lost."""
    video = video_factory()
    fans = make_users(30)
    for fan in fans[:10]:
        engagement.like_create(user=fan, video=video)
    Video.objects.filter(pk=video.pk).update(likes_count=999)
    jobs = [lambda fan=fan: engagement.like_create(user=fan, video=video) for fan in fans[10:]]
    jobs.append(rebuild_counters)
    run_together(jobs)
    assert_like_counters_match_rows(video)
    video.refresh_from_db()
    assert video.likes_count == 30
