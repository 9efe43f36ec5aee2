"""Visibility rules and keyset pagination: the reads every surface (HTML, API, media) shares."""

from __future__ import annotations

import base64
import datetime
import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from social.models import Block, Follow
from videos import selectors
from videos.models import Video

V = Video.Visibility
S = Video.Status


@pytest.fixture
def people(user_factory):
    """An author, their approved follower, a stranger, staff, and anonymous."""
    author = user_factory(username="author1")
    follower = user_factory(username="follower1")
    stranger = user_factory(username="stranger1")
    staff = user_factory(username="staff1", is_staff=True)
    Follow.objects.create(follower=follower, followee=author)
    return {
        "author": author,
        "follower": follower,
        "stranger": stranger,
        "staff": staff,
        "anonymous": AnonymousUser(),
        "none": None,
    }


def _viewers(people, names):
    return {name: people[name] for name in names}


ALL = ["author", "follower", "stranger", "staff", "anonymous", "none"]

# (video fields, who may watch it). "none" is viewer=None, as consumers may pass.
MATRIX = [
    ({}, {"author", "follower", "stranger", "staff", "anonymous", "none"}),
    ({"visibility": V.FOLLOWERS}, {"author", "follower"}),
    ({"visibility": V.PRIVATE}, {"author"}),
    ({"is_hidden": True}, set()),
    ({"is_hidden": True, "visibility": V.PRIVATE}, set()),
    ({"status": S.PROCESSING, "file": "", "poster": ""}, {"author"}),
    ({"status": S.FAILED, "file": "", "poster": ""}, {"author"}),
    ({"status": S.PROCESSING, "is_hidden": True, "file": "", "poster": ""}, set()),
]


@pytest.mark.parametrize(("fields", "allowed"), MATRIX)
def test_can_view_video_matrix_public_account(people, video_factory, fields, allowed):
    video = video_factory(author=people["author"], **fields)
    video = Video.objects.with_cards().get(pk=video.pk)
    seen = {name for name in ALL if selectors.can_view_video(viewer=people[name], video=video)}
    assert seen == allowed


@pytest.mark.parametrize(("fields", "allowed"), MATRIX)
def test_video_get_visible_agrees_with_can_view_video(people, video_factory, fields, allowed):
    video = video_factory(author=people["author"], **fields)
    for name in ALL:
        if name in allowed:
            got = selectors.video_get_visible(viewer=people[name], public_id=video.public_id)
            assert got.pk == video.pk
        else:
            with pytest.raises(Http404) as excinfo:
                selectors.video_get_visible(viewer=people[name], public_id=video.public_id)
            assert str(excinfo.value) == "This video is not available."


def test_video_get_visible_unknown_and_odd_ids_are_404(people):
    for public_id in ["doesnotexist", "", "x" * 17, "x" * 5000, None, 42]:
        with pytest.raises(Http404) as excinfo:
            selectors.video_get_visible(viewer=people["stranger"], public_id=public_id)
        assert str(excinfo.value) == "This video is not available."


@pytest.mark.parametrize(
    ("fields", "allowed"),
    [
        ({}, {"author", "follower"}),
        ({"visibility": V.FOLLOWERS}, {"author", "follower"}),
        ({"visibility": V.PRIVATE}, {"author"}),
        ({"is_hidden": True}, set()),
        ({"status": S.PROCESSING, "file": "", "poster": ""}, {"author"}),
    ],
)
def test_private_account_only_approved_followers(people, video_factory, fields, allowed):
    author = people["author"]
    author.is_private = True
    author.save(update_fields=["is_private"])
    video = video_factory(author=author, **fields)
    video = Video.objects.with_cards().get(pk=video.pk)
    seen = {name for name in ALL if selectors.can_view_video(viewer=people[name], video=video)}
    assert seen == allowed


def test_private_account_account_level_rule(people):
    author = people["author"]
    author.is_private = True
    author.save(update_fields=["is_private"])
    seen = {
        name
        for name in ALL
        if selectors.can_view_account_videos(viewer=people[name], author=author)
    }
    assert seen == {"author", "follower"}
    author.is_private = False
    author.save(update_fields=["is_private"])
    seen = {
        name
        for name in ALL
        if selectors.can_view_account_videos(viewer=people[name], author=author)
    }
    assert seen == set(ALL)


def test_following_goes_the_one_way_it_was_made(people, video_factory):
    """The author following someone does not let that someone see the author's videos."""
    author, stranger = people["author"], people["stranger"]
    Follow.objects.create(follower=author, followee=stranger)
    video = video_factory(author=author, visibility=V.FOLLOWERS)
    assert selectors.can_view_video(viewer=stranger, video=video) is False
    assert list(selectors.visible_videos(viewer=stranger)) == []


def test_inactive_author_videos_only_staff_see_them(people, video_factory):
    author = people["author"]
    video = video_factory(author=author)
    author.is_active = False
    author.save(update_fields=["is_active"])
    video = Video.objects.with_cards().get(pk=video.pk)
    seen = {name for name in ALL if selectors.can_view_video(viewer=people[name], video=video)}
    # Staff may still look (a moderator following a report); the author's own session no
    # longer authenticates, and even if handed the object, an inactive author sees nothing.
    assert seen == {"staff"}
    # Lists are stricter: nobody, staff included, gets an inactive account's videos in a list.
    for name in ALL:
        assert list(selectors.visible_videos(viewer=people[name])) == []
    with pytest.raises(Http404):
        selectors.profile_get(viewer=people["staff"], username=author.username)


def test_visible_videos_matrix(people, video_factory, user_factory):
    author = people["author"]
    private_author = user_factory(username="privacc", is_private=True)
    Follow.objects.create(follower=people["follower"], followee=private_author)
    made = {
        "public": video_factory(author=author),
        "followers": video_factory(author=author, visibility=V.FOLLOWERS),
        "private": video_factory(author=author, visibility=V.PRIVATE),
        "hidden": video_factory(author=author, is_hidden=True),
        "processing": video_factory(author=author, status=S.PROCESSING, file="", poster=""),
        "failed": video_factory(author=author, status=S.FAILED, file="", poster=""),
        "privacc_public": video_factory(author=private_author),
        "privacc_followers": video_factory(author=private_author, visibility=V.FOLLOWERS),
        "privacc_private": video_factory(author=private_author, visibility=V.PRIVATE),
    }
    names = {v.pk: k for k, v in made.items()}

    def seen(viewer):
        return {names[v.pk] for v in selectors.visible_videos(viewer=viewer)}

    assert seen(people["anonymous"]) == {"public"}
    assert seen(None) == {"public"}
    assert seen(people["stranger"]) == {"public"}
    assert seen(people["staff"]) == {"public"}
    assert seen(people["follower"]) == {
        "public",
        "followers",
        "privacc_public",
        "privacc_followers",
    }
    # Lists never show processing or failed videos, not even to their author; pages do.
    assert seen(author) == {"public", "followers", "private"}
    assert seen(private_author) == {
        "public",
        "privacc_public",
        "privacc_followers",
        "privacc_private",
    }


def test_lists_and_pages_agree_for_ready_videos(people, video_factory, user_factory):
    """For every ready video and every viewer: in visible_videos exactly when can_view_video."""
    private_author = user_factory(is_private=True)
    Follow.objects.create(follower=people["follower"], followee=private_author)
    videos = [
        video_factory(author=a, visibility=vis, is_hidden=hidden)
        for a in (people["author"], private_author)
        for vis in V.values
        for hidden in (False, True)
    ]
    for name in ["author", "follower", "stranger", "anonymous", "none"]:
        viewer = people[name]
        listed = set(selectors.visible_videos(viewer=viewer).values_list("pk", flat=True))
        for video in Video.objects.with_cards().filter(pk__in=[v.pk for v in videos]):
            assert (video.pk in listed) == selectors.can_view_video(viewer=viewer, video=video), (
                name,
                video.visibility,
                video.is_hidden,
                video.author.is_private,
            )


def test_video_get_owned_any_state_only_for_author(people, video_factory):
    video = video_factory(author=people["author"], is_hidden=True, status=S.FAILED)
    owned = selectors.video_get_owned(viewer=people["author"], public_id=video.public_id)
    assert owned.pk == video.pk
    for name in ["follower", "stranger", "staff", "anonymous", "none"]:
        assert selectors.video_get_owned(viewer=people[name], public_id=video.public_id) is None


def test_feed_for_you_only_public_ready(people, video_factory, user_factory):
    author = people["author"]
    public = video_factory(author=author)
    video_factory(author=author, visibility=V.FOLLOWERS)
    video_factory(author=author, visibility=V.PRIVATE)
    video_factory(author=author, is_hidden=True)
    video_factory(author=author, status=S.PROCESSING, file="", poster="")
    video_factory(author=user_factory(is_private=True))
    video_factory(author=user_factory(is_active=False))
    for name in ALL:
        page = selectors.feed_for_you(viewer=people[name], limit=50)
        assert [v.pk for v in page.items] == [public.pk]
        assert page.next_cursor is None


def test_profile_videos_private_account_empty_for_strangers(people, video_factory):
    author = people["author"]
    author.is_private = True
    author.save(update_fields=["is_private"])
    video = video_factory(author=author)
    for name, expected in [
        ("author", [video.pk]),
        ("follower", [video.pk]),
        ("stranger", []),
        ("anonymous", []),
    ]:
        page = selectors.profile_videos(viewer=people[name], author=author)
        assert [v.pk for v in page.items] == expected, name


def test_hashtag_tags_case_insensitive_in_every_script(video_factory):
    a = video_factory(tags=["Ñandú"])
    b = video_factory(tags=["ñandú"])  # SQLite's iexact misses this one: stored apart
    c = video_factory(tags=["नमस्ते"])
    video_factory(tags=["नमसत"])  # same slug as नमस्ते (slugify drops the vowel signs)
    d = video_factory(tags=["Straße"])
    e = video_factory(tags=["Dance"])

    def tagged(name):
        tags = selectors.hashtag_tags(name=name)
        qs = selectors.with_hashtags(Video.objects.all(), tags)
        return {v.pk for v in qs}

    assert tagged("ÑANDÚ") == {a.pk, b.pk}
    assert tagged("#ñandú") == {a.pk, b.pk}
    assert tagged("नमस्ते") == {c.pk}
    assert tagged("straße") == {d.pk}
    assert tagged("dance") == {e.pk}
    assert tagged("DANCE") == {e.pk}
    assert tagged("danc") == set()
    assert selectors.hashtag_tags(name="") == []
    assert selectors.hashtag_tags(name="#") == []
    assert selectors.hashtag_tags(name="x" * 101) == []
    assert selectors.hashtag_tags(name="%_") == []


# --- cursor pagination -----------------------------------------------------------------------
def _walk(qs, *, limit):
    seen, cursor, pages = [], None, 0
    while True:
        page = selectors.paginate_newest(qs, cursor=cursor, limit=limit)
        pages += 1
        seen.extend(v.pk for v in page.items)
        if page.next_cursor is None:
            return seen, pages
        assert len(page.items) == limit
        cursor = page.next_cursor


def test_paginate_newest_every_video_once_in_order(video_factory, user):
    videos = [video_factory(author=user) for _ in range(25)]
    expected = [v.pk for v in sorted(videos, key=lambda v: (v.created_at, v.pk), reverse=True)]
    seen, pages = _walk(Video.objects.all(), limit=7)
    assert seen == expected
    assert pages == 4  # 7 + 7 + 7 + 4


def test_paginate_newest_exact_multiple_has_no_empty_last_page(video_factory, user):
    for _ in range(14):
        video_factory(author=user)
    seen, pages = _walk(Video.objects.all(), limit=7)
    assert len(seen) == 14
    assert pages == 2


def test_paginate_newest_stable_when_videos_arrive_between_pages(video_factory, user):
    videos = [video_factory(author=user) for _ in range(25)]
    expected = [v.pk for v in sorted(videos, key=lambda v: (v.created_at, v.pk), reverse=True)]
    qs = Video.objects.all()
    first = selectors.paginate_newest(qs, cursor=None, limit=7)
    newcomer = video_factory(author=user, created_at=timezone.now() + datetime.timedelta(hours=1))
    seen = [v.pk for v in first.items]
    cursor = first.next_cursor
    inserted = False
    while cursor:
        page = selectors.paginate_newest(qs, cursor=cursor, limit=7)
        seen.extend(v.pk for v in page.items)
        cursor = page.next_cursor
        if not inserted:
            # and one more, older than everything, mid-walk: it belongs at the end
            oldest = video_factory(
                author=user, created_at=timezone.now() - datetime.timedelta(days=30)
            )
            inserted = True
    assert newcomer.pk not in seen
    assert seen == [*expected, oldest.pk]
    assert len(seen) == len(set(seen))


def test_paginate_newest_ties_broken_by_id(video_factory, user):
    same = timezone.now().replace(microsecond=0)
    videos = [video_factory(author=user, created_at=same) for _ in range(10)]
    seen, _pages = _walk(Video.objects.all(), limit=3)
    assert seen == sorted((v.pk for v in videos), reverse=True)


def test_cursor_round_trip(video_factory, user):
    video = video_factory(author=user)
    when, pk = selectors.cursor_decode(selectors.cursor_encode(video))
    assert (when, pk) == (video.created_at, video.pk)
    assert when.tzinfo is not None


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _b64json(value) -> str:
    return _b64(json.dumps(value).encode())


NOW = "2024-05-01T12:00:00+00:00"


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "x",
        "!!!!",
        "é",
        "a" * 201,
        "A" * 100_000,
        _b64(b"junk"),
        _b64(b"\xff\xfe\x00"),
        _b64json({"a": 1, "b": 2}),
        _b64json("ab"),
        _b64json(12),
        _b64json(None),
        _b64json([NOW]),
        _b64json([NOW, 1, 2]),
        _b64json([NOW, True]),
        _b64json([NOW, False]),
        _b64json([NOW, "5"]),
        _b64json([NOW, 5.0]),
        _b64json([NOW, None]),
        _b64json([NOW, -1]),
        _b64json([NOW, 2**63]),
        _b64json([NOW, 10**40]),
        _b64json(["not a date", 5]),
        _b64json(["2024-13-45T00:00:00+00:00", 5]),
        _b64json([12345, 5]),
        _b64json([None, 5]),
        _b64json(["2024-05-01T12:00:00", 5]),  # naive: we never write those
        _b64json(["0001-01-01T00:00:00+01:00", 5]),  # overflows on the way to UTC
        _b64json(["9999-12-31T23:59:59-01:00", 5]),
        _b64(b"[" * 150),
        _b64(b'["2024-05-01T12:00:00+00:00", NaN]'),
    ],
)
def test_malformed_cursors_raise_bad_cursor(cursor, db):
    with pytest.raises(selectors.BadCursor) as excinfo:
        selectors.cursor_decode(cursor)
    assert str(excinfo.value) == "That page link is not valid."
    if cursor:
        with pytest.raises(selectors.BadCursor):
            selectors.paginate_newest(Video.objects.all(), cursor=cursor, limit=5)


def test_large_but_valid_pk_finds_nothing_rather_than_failing(db, video_factory, user):
    video_factory(author=user, created_at=timezone.now() - datetime.timedelta(days=1))
    cursor = _b64json(["2000-01-01T00:00:00+00:00", 2**63 - 1])
    page = selectors.paginate_newest(Video.objects.all(), cursor=cursor, limit=5)
    assert page.items == []
    assert page.next_cursor is None


# --- blocks ----------------------------------------------------------------------------------
@pytest.mark.parametrize("direction", ["viewer_blocked_author", "author_blocked_viewer"])
def test_blocks_hide_videos_both_ways(people, video_factory, direction):
    author, viewer = people["author"], people["follower"]  # a follower, even
    if direction == "viewer_blocked_author":
        Block.objects.create(blocker=viewer, blocked=author)
    else:
        Block.objects.create(blocker=author, blocked=viewer)
    public = video_factory(author=author)
    followers = video_factory(author=author, visibility=V.FOLLOWERS)
    other = video_factory()
    for video in (public, followers):
        video = Video.objects.with_cards().get(pk=video.pk)
        assert selectors.can_view_video(viewer=viewer, video=video) is False
        with pytest.raises(Http404):
            selectors.video_get_visible(viewer=viewer, public_id=video.public_id)
        # nobody else is affected
        assert selectors.can_view_video(viewer=author, video=video) is True
    assert selectors.account_access(viewer=viewer, author=author) == selectors.Access.BLOCKED
    assert selectors.can_view_account_videos(viewer=viewer, author=author) is False
    assert [v.pk for v in selectors.visible_videos(viewer=viewer)] == [other.pk]
    assert [v.pk for v in selectors.feed_for_you(viewer=viewer, limit=10).items] == [other.pk]
    access, page = selectors.profile_page(viewer=viewer, author=author)
    assert (access, page.items) == (selectors.Access.BLOCKED, [])
    # the stranger and anonymous still see the public one
    assert selectors.can_view_video(viewer=people["stranger"], video=public) is True
    assert {v.pk for v in selectors.feed_for_you(viewer=None, limit=10).items} == {
        public.pk,
        other.pk,
    }


def test_account_access_reasons(people, user_factory):
    author = people["author"]
    assert selectors.account_access(viewer=None, author=author) == selectors.Access.OK
    private = user_factory(is_private=True)
    assert selectors.account_access(viewer=people["stranger"], author=private) == "private"
    gone = user_factory(is_active=False)
    assert selectors.account_access(viewer=people["stranger"], author=gone) == "gone"
    assert selectors.account_access(viewer=people["staff"], author=gone) == "ok"
