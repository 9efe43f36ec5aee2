"""Issue 7's minors rules at every age boundary: 12/13 (signup), 15/16 and 17/18, each on the
day before the birthday and on the birthday, for every rule: signup, default privacy, For
You, suggested accounts, comments, duet, stitch, download, and the remix audience's default
and choices. Today is frozen (every rule reads timezone.localdate())."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from social import graph
from social import selectors as social_selectors
from social.models import RemixAudience
from social.services import age_gate_check, user_create
from videos import engagement, selectors
from videos.remix import selectors as remix_selectors

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)


def born(age: int, *, birthday_today: bool) -> datetime.date:
    """Someone who is `age` on TODAY: on their birthday, or turning age+1 tomorrow."""
    if birthday_today:
        return TODAY.replace(year=TODAY.year - age)
    return TODAY.replace(year=TODAY.year - age - 1) + datetime.timedelta(days=1)


# (label, birthdate, age on TODAY): the day before and the day of each birthday that matters.
POINTS = [
    ("12, turns 13 tomorrow", born(12, birthday_today=False), 12),
    ("13 today", born(13, birthday_today=True), 13),
    ("15, turns 16 tomorrow", born(15, birthday_today=False), 15),
    ("16 today", born(16, birthday_today=True), 16),
    ("17, turns 18 tomorrow", born(17, birthday_today=False), 17),
    ("18 today", born(18, birthday_today=True), 18),
]
MEMBERS = [p for p in POINTS if p[2] >= 13]  # who can have an account


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


def ids(points):
    return [p[0] for p in points]


@pytest.mark.parametrize("label, birthdate, age", POINTS, ids=ids(POINTS))
def test_signup_age_gate(label, birthdate, age):
    if age < 13:
        with pytest.raises(ValidationError) as exc:
            age_gate_check(birthdate=birthdate, today=TODAY)
        assert exc.value.code == "too_young"
    else:
        age_gate_check(birthdate=birthdate, today=TODAY)  # no error


@pytest.mark.parametrize("label, birthdate, age", MEMBERS, ids=ids(MEMBERS))
def test_default_privacy(label, birthdate, age):
    user = user_create(
        username=f"u{age}x{birthdate.day}", email="a@example.com", password="x", birthdate=birthdate
    )
    assert user.is_private is (age < 16)


@pytest.mark.parametrize("label, birthdate, age", MEMBERS, ids=ids(MEMBERS))
def test_for_you(label, birthdate, age, user_factory, video_factory):
    author = user_factory(birthdate=birthdate, is_private=False)
    video = video_factory(author=author)
    page = selectors.feed_for_you(viewer=user_factory(), limit=50)
    assert (video in page.items) is (age >= 16)


@pytest.mark.parametrize("label, birthdate, age", MEMBERS, ids=ids(MEMBERS))
def test_suggested_accounts(label, birthdate, age, user_factory):
    person = user_factory(birthdate=birthdate)
    viewer = user_factory()
    assert (person in social_selectors.users_suggested(viewer=viewer, limit=30)) is (age >= 16)


def _friends(a, b):
    graph.follow_create(follower=a, followee=b)
    graph.follow_request_accept(followee=b, follower=a)  # b may be private (a teen)
    graph.follow_create(follower=b, followee=a)
    graph.follow_request_accept(followee=a, follower=b)
    assert social_selectors.are_friends(a=a, b=b)


@pytest.mark.parametrize("label, birthdate, age", MEMBERS, ids=ids(MEMBERS))
def test_comments_from_strangers(label, birthdate, age, user_factory, video_factory):
    author = user_factory(birthdate=birthdate, is_private=False)
    video = video_factory(author=author)
    stranger, friend = user_factory(), user_factory()
    _friends(friend, author)
    if age < 16:
        with pytest.raises(PermissionDenied):
            engagement.comment_permission(user=stranger, video=video)
    else:
        engagement.comment_permission(user=stranger, video=video)
    engagement.comment_permission(user=friend, video=video)  # friends always may


@pytest.mark.parametrize("kind", ["duet", "stitch"])
@pytest.mark.parametrize("label, birthdate, age", MEMBERS, ids=ids(MEMBERS))
def test_duet_and_stitch(label, birthdate, age, kind, user_factory, video_factory):
    author = user_factory(birthdate=birthdate, is_private=False)
    video = video_factory(author=author)
    stranger, friend = user_factory(), user_factory()
    _friends(friend, author)
    video.author.refresh_from_db()
    by_stranger = remix_selectors.can_remix(viewer=stranger, video=video, kind=kind)
    by_friend = remix_selectors.can_remix(viewer=friend, video=video, kind=kind)
    by_author = remix_selectors.can_remix(viewer=author, video=video, kind=kind)
    if age < 16:
        assert (by_stranger, by_friend, by_author) == (False, False, False)
    elif age < 18:
        assert (by_stranger, by_friend, by_author) == (False, True, True)
    else:
        assert (by_stranger, by_friend, by_author) == (True, True, True)


@pytest.mark.parametrize("label, birthdate, age", MEMBERS, ids=ids(MEMBERS))
def test_download(label, birthdate, age, user_factory, video_factory):
    author = user_factory(birthdate=birthdate, is_private=False)
    video = video_factory(author=author, allow_download=True)
    viewer = user_factory()
    _friends(viewer, author)  # even a friend: the rule is about the author's age
    if age < 16:
        with pytest.raises(PermissionDenied):
            selectors.video_get_downloadable(viewer=viewer, public_id=video.public_id)
    else:
        got = selectors.video_get_downloadable(viewer=viewer, public_id=video.public_id)
        assert got.pk == video.pk


@pytest.mark.parametrize("label, birthdate, age", MEMBERS, ids=ids(MEMBERS))
def test_remix_audience_default_and_choices(label, birthdate, age, user_factory):
    person = user_factory(birthdate=birthdate)
    default = social_selectors.remix_audience_default(person)
    choices = social_selectors.remix_audience_choices(person)
    if age < 16:
        assert (default, choices) == (RemixAudience.NOBODY, [])
    elif age < 18:
        assert default == RemixAudience.FRIENDS
        assert choices == ["everyone", "friends", "nobody"]
    else:
        assert default == RemixAudience.EVERYONE
        assert choices == ["everyone", "friends", "nobody"]


@pytest.mark.parametrize("label, birthdate, age", MEMBERS, ids=ids(MEMBERS))
def test_stored_everyone_is_ignored_under_16(label, birthdate, age, user_factory, video_factory):
    """An old row, or the admin, saying "everyone" cannot open a 13–15 year old's videos."""
    author = user_factory(birthdate=birthdate, remix_audience=RemixAudience.EVERYONE)
    video = video_factory(author=author)
    expected = RemixAudience.NOBODY if age < 16 else RemixAudience.EVERYONE
    assert social_selectors.remix_audience_for(author) == expected
    assert remix_selectors.can_remix(viewer=user_factory(), video=video, kind="duet") is (age >= 16)


def test_29_february_birthdays(monkeypatch, user_factory):
    def on(day):
        monkeypatch.setattr(timezone, "localdate", lambda *a, **k: day)

    leapling = user_factory(birthdate=datetime.date(2012, 2, 29))
    on(datetime.date(2028, 2, 28))
    assert social_selectors.is_protected_minor(leapling)  # still 15
    on(datetime.date(2028, 2, 29))
    assert not social_selectors.is_protected_minor(leapling)  # 16 on the day itself
    older = user_factory(birthdate=datetime.date(2008, 2, 29))
    on(datetime.date(2026, 2, 28))  # no 29 February in 2026: 18 on 1 March
    assert social_selectors.remix_audience_default(older) == RemixAudience.FRIENDS
    on(datetime.date(2026, 3, 1))
    assert social_selectors.remix_audience_default(older) == RemixAudience.EVERYONE


def test_download_of_invisible_video_is_404_not_403(user_factory, video_factory):
    teen = user_factory(birthdate=born(14, birthday_today=False), is_private=True)
    video = video_factory(author=teen)
    with pytest.raises(Http404):
        selectors.video_get_downloadable(viewer=user_factory(), public_id=video.public_id)
