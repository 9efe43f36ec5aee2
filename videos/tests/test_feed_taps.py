"""Taps on a hashtag or a sound are a taste signal: opening #x makes #x videos rank higher
on the very next For You page, and the slide says why."""

import pytest
from django.utils import timezone

from videos.feed import candidates, events
from videos.models import TopicTap

pytestmark = pytest.mark.django_db


def test_opening_a_hashtag_page_records_one_tap(client, user_factory, video_factory):
    viewer = user_factory()
    video_factory(tags=["Dance"])
    client.force_login(viewer)
    for _ in range(3):  # reloads within ten minutes count once
        assert client.get("/tag/dance/").status_code == 200
    taps = list(TopicTap.objects.filter(user=viewer))
    assert len(taps) == 1 and taps[0].tag.name == "Dance" and taps[0].sound is None


def test_anonymous_and_paging_record_nothing(client, user_factory, video_factory):
    video_factory(tags=["Dance"])
    client.get("/tag/dance/")
    client.force_login(user_factory())
    client.get("/tag/dance/?fragment=1")
    assert TopicTap.objects.count() == 0


def test_a_tap_moves_the_profile_and_the_reason(user_factory, video_factory):
    viewer = user_factory()
    dance = video_factory(tags=["dance"])
    before = candidates.load_viewer(user=viewer, session_hash="", now=timezone.now())
    tag_id = dance.tags.get().pk
    assert before.profile.tags.get(tag_id, 0.0) == 0.0
    assert events.topic_tap_record(user=viewer, tag=dance.tags.get()) is True
    after = candidates.load_viewer(user=viewer, session_hash="", now=timezone.now())
    assert after.profile.tags[tag_id] == pytest.approx(0.8, rel=0.01)
    assert after.profile.tag_origin[tag_id] == "tap"


def test_tap_needs_exactly_one_target(user_factory, video_factory):
    viewer = user_factory()
    assert events.topic_tap_record(user=viewer) is False
    assert events.topic_tap_record(user=None, tag=video_factory(tags=["a"]).tags.get()) is False
