"""The social graph services: follows, follow requests, blocks and notifications."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from social import graph, selectors
from social.models import Block, Follow, FollowRequest, Notification, User

K = Notification.Kind


def counts(user: User) -> tuple[int, int]:
    """(followers, following) as stored."""
    user.refresh_from_db()
    return user.followers_count, user.following_count


def notes(user: User) -> list[tuple[str, str]]:
    return list(
        Notification.objects.filter(recipient=user)
        .order_by("created_at", "id")
        .values_list("kind", "actor__username")
    )


@pytest.fixture
def alice(user_factory):
    return user_factory(username="alice")


@pytest.fixture
def bob(user_factory):
    return user_factory(username="bob")


@pytest.fixture
def private_carol(user_factory):
    return user_factory(username="carol", is_private=True)


# --- follow ------------------------------------------------------------------------------
def test_follow_a_public_account(alice, bob):
    assert graph.follow_create(follower=alice, followee=bob) == "following"
    assert Follow.objects.filter(follower=alice, followee=bob).count() == 1
    assert counts(alice) == (0, 1)
    assert counts(bob) == (1, 0)
    assert notes(bob) == [(K.FOLLOW, "alice")]
    assert notes(alice) == []
    assert selectors.is_following(follower=alice, followee=bob)
    assert not selectors.is_following(follower=bob, followee=alice)


def test_following_again_is_already_and_changes_nothing(alice, bob):
    graph.follow_create(follower=alice, followee=bob)
    assert graph.follow_create(follower=alice, followee=bob) == "already"
    assert graph.follow_create(follower=alice, followee=bob) == "already"
    assert Follow.objects.count() == 1
    assert counts(alice) == (0, 1)
    assert counts(bob) == (1, 0)
    assert notes(bob) == [(K.FOLLOW, "alice")]


def test_follow_unfollow_follow_notifies_once(alice, bob):
    graph.follow_create(follower=alice, followee=bob)
    graph.follow_delete(follower=alice, followee=bob)
    assert graph.follow_create(follower=alice, followee=bob) == "following"
    assert notes(bob) == [(K.FOLLOW, "alice")]
    assert counts(bob) == (1, 0)


def test_following_each_other_makes_friends(alice, bob):
    graph.follow_create(follower=alice, followee=bob)
    assert not selectors.are_friends(a=alice, b=bob)
    graph.follow_create(follower=bob, followee=alice)
    assert selectors.are_friends(a=alice, b=bob)
    assert selectors.are_friends(a=bob, b=alice)
    assert counts(alice) == (1, 1)
    assert counts(bob) == (1, 1)


def test_follow_a_private_account_sends_a_request(alice, private_carol):
    assert graph.follow_create(follower=alice, followee=private_carol) == "requested"
    assert not Follow.objects.exists()
    assert FollowRequest.objects.filter(follower=alice, followee=private_carol).count() == 1
    assert counts(private_carol) == (0, 0)
    assert counts(alice) == (0, 0)
    assert notes(private_carol) == [(K.FOLLOW_REQUEST, "alice")]
    # Asking again changes nothing and notifies nobody again.
    assert graph.follow_create(follower=alice, followee=private_carol) == "requested"
    assert FollowRequest.objects.count() == 1
    assert notes(private_carol) == [(K.FOLLOW_REQUEST, "alice")]
    assert selectors.has_requested(follower=alice, followee=private_carol)
    assert list(selectors.follow_requests_for(user=private_carol)) == list(
        FollowRequest.objects.all()
    )


def test_follow_yourself_is_refused(alice):
    with pytest.raises(ValidationError):
        graph.follow_create(follower=alice, followee=alice)
    assert not Follow.objects.exists()
    assert counts(alice) == (0, 0)


def test_the_database_refuses_self_follows_too(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(follower=alice, followee=alice)


def test_follow_an_inactive_account_is_refused(alice, user_factory):
    gone = user_factory(is_active=False)
    with pytest.raises(PermissionDenied):
        graph.follow_create(follower=alice, followee=gone)
    assert counts(gone) == (0, 0)


@pytest.mark.parametrize("blocker", ["follower", "followee"])
def test_follow_across_a_block_is_refused(alice, bob, private_carol, blocker):
    for target in (bob, private_carol):
        if blocker == "follower":
            graph.block_create(blocker=alice, blocked=target)
        else:
            graph.block_create(blocker=target, blocked=alice)
        with pytest.raises(PermissionDenied):
            graph.follow_create(follower=alice, followee=target)
    assert not Follow.objects.exists()
    assert not FollowRequest.objects.exists()
    assert counts(alice) == (0, 0)
    assert not Notification.objects.exists()


def test_unfollow(alice, bob):
    graph.follow_create(follower=alice, followee=bob)
    assert graph.follow_delete(follower=alice, followee=bob) is True
    assert not Follow.objects.exists()
    assert counts(alice) == (0, 0)
    assert counts(bob) == (0, 0)
    assert graph.follow_delete(follower=alice, followee=bob) is False
    assert counts(alice) == (0, 0)
    assert counts(bob) == (0, 0)


def test_unfollow_leaves_the_other_direction(alice, bob):
    graph.follow_create(follower=alice, followee=bob)
    graph.follow_create(follower=bob, followee=alice)
    graph.follow_delete(follower=alice, followee=bob)
    assert list(Follow.objects.values_list("follower__username", "followee__username")) == [
        ("bob", "alice")
    ]
    assert counts(alice) == (1, 0)
    assert counts(bob) == (0, 1)


def test_withdraw_a_follow_request(alice, private_carol):
    graph.follow_create(follower=alice, followee=private_carol)
    assert graph.follow_delete(follower=alice, followee=private_carol) is True
    assert not FollowRequest.objects.exists()
    assert graph.follow_delete(follower=alice, followee=private_carol) is False
    assert counts(private_carol) == (0, 0)


def test_accept_a_follow_request(alice, private_carol):
    graph.follow_create(follower=alice, followee=private_carol)
    assert graph.follow_request_accept(followee=private_carol, follower=alice) is True
    assert not FollowRequest.objects.exists()
    assert Follow.objects.filter(follower=alice, followee=private_carol).exists()
    assert counts(private_carol) == (1, 0)
    assert counts(alice) == (0, 1)
    assert notes(alice) == [(K.FOLLOW_ACCEPTED, "carol")]
    # Accepting again (a double click) finds no request and changes nothing.
    assert graph.follow_request_accept(followee=private_carol, follower=alice) is False
    assert counts(private_carol) == (1, 0)
    assert notes(alice) == [(K.FOLLOW_ACCEPTED, "carol")]
    # Now following, asking again is "already".
    assert graph.follow_create(follower=alice, followee=private_carol) == "already"


def test_accept_without_a_request_does_nothing(alice, private_carol):
    assert graph.follow_request_accept(followee=private_carol, follower=alice) is False
    assert not Follow.objects.exists()
    assert counts(private_carol) == (0, 0)


def test_decline_a_follow_request(alice, private_carol):
    graph.follow_create(follower=alice, followee=private_carol)
    assert graph.follow_request_decline(followee=private_carol, follower=alice) is True
    assert graph.follow_request_decline(followee=private_carol, follower=alice) is False
    assert not FollowRequest.objects.exists()
    assert not Follow.objects.exists()
    assert counts(private_carol) == (0, 0)
    assert notes(alice) == []


def test_a_request_left_from_a_private_past_is_answered_by_following(alice, private_carol):
    graph.follow_create(follower=alice, followee=private_carol)
    private_carol.is_private = False
    private_carol.save(update_fields=["is_private"])
    assert graph.follow_create(follower=alice, followee=private_carol) == "following"
    assert not FollowRequest.objects.exists()
    assert counts(private_carol) == (1, 0)


def test_a_follower_stays_when_the_account_goes_private(alice, bob):
    graph.follow_create(follower=alice, followee=bob)
    bob.is_private = True
    bob.save(update_fields=["is_private"])
    assert graph.follow_create(follower=alice, followee=bob) == "already"
    assert not FollowRequest.objects.exists()


# --- block -------------------------------------------------------------------------------
def test_block_removes_follows_both_ways_with_counters(alice, bob, user_factory):
    third = user_factory()
    graph.follow_create(follower=alice, followee=bob)
    graph.follow_create(follower=bob, followee=alice)
    graph.follow_create(follower=third, followee=alice)
    graph.follow_create(follower=bob, followee=third)
    assert counts(alice) == (2, 1)
    assert counts(bob) == (1, 2)
    assert graph.block_create(blocker=alice, blocked=bob) is True
    assert Block.objects.filter(blocker=alice, blocked=bob).count() == 1
    assert not Follow.objects.filter(follower__in=[alice, bob], followee__in=[alice, bob]).exists()
    assert counts(alice) == (1, 0)  # third still follows alice
    assert counts(bob) == (0, 1)  # bob still follows third
    assert counts(third) == (1, 1)
    assert selectors.is_blocked_between(a=alice, b=bob)
    assert selectors.is_blocked_between(a=bob, b=alice)
    assert selectors.blocked_user_ids(user=alice) == {bob.pk}
    assert selectors.blocked_user_ids(user=bob) == {alice.pk}
    assert selectors.blocked_user_ids(user=third) == set()


def test_block_removes_pending_requests_both_ways(alice, user_factory):
    private_a = user_factory(is_private=True)
    private_b = user_factory(is_private=True)
    graph.follow_create(follower=private_a, followee=private_b)
    graph.follow_create(follower=private_b, followee=private_a)
    graph.follow_create(follower=alice, followee=private_a)
    assert FollowRequest.objects.count() == 3
    graph.block_create(blocker=private_b, blocked=private_a)
    assert list(FollowRequest.objects.values_list("follower", "followee")) == [
        (alice.pk, private_a.pk)
    ]
    # The request cannot be accepted after the block either: it is gone.
    assert graph.follow_request_accept(followee=private_b, follower=private_a) is False
    assert not Follow.objects.exists()


def test_block_twice_and_block_yourself(alice, bob):
    assert graph.block_create(blocker=alice, blocked=bob) is True
    assert graph.block_create(blocker=alice, blocked=bob) is False
    assert Block.objects.count() == 1
    with pytest.raises(ValidationError):
        graph.block_create(blocker=alice, blocked=alice)
    assert Block.objects.count() == 1


def test_both_may_block_each_other_and_unblocking_one_leaves_the_other(alice, bob):
    graph.block_create(blocker=alice, blocked=bob)
    graph.block_create(blocker=bob, blocked=alice)
    assert Block.objects.count() == 2
    assert graph.block_delete(blocker=alice, blocked=bob) is True
    assert selectors.is_blocked_between(a=alice, b=bob)
    assert graph.block_delete(blocker=bob, blocked=alice) is True
    assert not selectors.is_blocked_between(a=alice, b=bob)


def test_unblock(alice, bob):
    graph.follow_create(follower=alice, followee=bob)
    graph.block_create(blocker=alice, blocked=bob)
    assert graph.block_delete(blocker=alice, blocked=bob) is True
    assert graph.block_delete(blocker=alice, blocked=bob) is False
    assert not Block.objects.exists()
    # Only the blocker can lift a block.
    graph.block_create(blocker=alice, blocked=bob)
    assert graph.block_delete(blocker=bob, blocked=alice) is False
    assert selectors.is_blocked_between(a=alice, b=bob)
    graph.block_delete(blocker=alice, blocked=bob)
    # Follows do not come back by themselves, but may be made again.
    assert not Follow.objects.exists()
    assert graph.follow_create(follower=alice, followee=bob) == "following"
    assert counts(bob) == (1, 0)


def test_no_notifications_across_a_block(alice, bob):
    graph.block_create(blocker=bob, blocked=alice)
    assert (
        graph.notification_create(recipient=bob, actor=alice, kind=K.LIKE, video_public_id="v")
        is None
    )
    assert (
        graph.notification_create(recipient=alice, actor=bob, kind=K.LIKE, video_public_id="v")
        is None
    )
    assert not Notification.objects.exists()


def test_block_hooks_run_on_commit(alice, bob, django_capture_on_commit_callbacks, monkeypatch):
    seen = []
    monkeypatch.setattr(graph, "on_blocks_changed", [seen.append])
    with django_capture_on_commit_callbacks(execute=True):
        graph.block_create(blocker=alice, blocked=bob)
    assert seen == [[alice.pk, bob.pk]]
    with django_capture_on_commit_callbacks(execute=True):
        graph.block_delete(blocker=alice, blocked=bob)
        graph.block_delete(blocker=alice, blocked=bob)  # nothing to lift: no event
    assert seen == [[alice.pk, bob.pk], [alice.pk, bob.pk]]


# --- notifications -----------------------------------------------------------------------
def test_notification_rules(alice, bob, user_factory):
    assert graph.notification_create(recipient=alice, actor=alice, kind=K.LIKE) is None
    gone = user_factory(is_active=False)
    assert graph.notification_create(recipient=gone, actor=alice, kind=K.LIKE) is None
    first = graph.notification_create(
        recipient=bob, actor=alice, kind=K.MENTION, video_public_id="v1", snippet="x" * 300
    )
    assert first is not None
    assert first.snippet == "x" * 120
    # dedupe looks at recipient, actor, kind and targets
    same = {"recipient": bob, "actor": alice, "kind": K.MENTION, "video_public_id": "v1"}
    assert graph.notification_create(**same, dedupe=True) is None
    assert graph.notification_create(**{**same, "video_public_id": "v2"}, dedupe=True)
    assert graph.notification_create(**same) is not None  # without dedupe, a new one
    assert Notification.objects.filter(recipient=bob).count() == 3


def test_notification_push_on_commit_carries_the_unread_count(
    alice, bob, django_capture_on_commit_callbacks, monkeypatch
):
    pushed = []
    monkeypatch.setattr(graph, "on_notification", [lambda n, unread: pushed.append((n, unread))])
    with django_capture_on_commit_callbacks(execute=True):
        graph.follow_create(follower=alice, followee=bob)
    assert [(n.kind, n.recipient_id, unread) for n, unread in pushed] == [(K.FOLLOW, bob.pk, 1)]


def test_a_failing_push_hook_does_not_fail_the_write(
    alice, bob, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(notification, unread):
        raise RuntimeError("channel layer down")

    monkeypatch.setattr(graph, "on_notification", [broken])
    with django_capture_on_commit_callbacks(execute=True):
        assert graph.follow_create(follower=alice, followee=bob) == "following"
    assert counts(bob) == (1, 0)


def test_mark_read(alice, bob, user_factory, django_capture_on_commit_callbacks, monkeypatch):
    pushed = []
    monkeypatch.setattr(graph, "on_unread_changed", [lambda uid, n: pushed.append((uid, n))])
    others = [user_factory() for _ in range(3)]
    for other in others:
        graph.follow_create(follower=other, followee=alice)
    graph.follow_create(follower=alice, followee=bob)
    assert selectors.notifications_unread_count(user=alice) == 3
    one = Notification.objects.filter(recipient=alice).order_by("id").first()
    bobs = Notification.objects.get(recipient=bob)
    with django_capture_on_commit_callbacks(execute=True):
        # someone else's notification id is ignored
        assert graph.notifications_mark_read(user=alice, ids=[one.pk, bobs.pk]) == 1
    assert pushed == [(alice.pk, 2)]
    assert selectors.notifications_unread_count(user=alice) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert graph.notifications_mark_read(user=alice) == 2
        assert graph.notifications_mark_read(user=alice) == 0  # nothing left: no push
    assert pushed == [(alice.pk, 2), (alice.pk, 0)]
    assert selectors.notifications_unread_count(user=alice) == 0
    assert Notification.objects.get(pk=bobs.pk).read_at is None
    assert selectors.notifications_unread_count(user=bob) == 1
    assert [n.read_at is not None for n in selectors.notifications_for(user=alice)] == [True] * 3
