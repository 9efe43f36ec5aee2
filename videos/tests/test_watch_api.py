"""Watch events through the API: validation, idempotency, throttling, the sendBeacon batch
endpoint (text/plain, CSRF in the body), and views_count always equal to its rows. Also the
"not interested" and "hide creator" endpoints."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.db.models import Count
from django.middleware.csrf import get_token
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from social.models import Block
from videos.models import HiddenCreator, NotInterested, Video, WatchEvent

BATCH = "/api/v1/views/batch/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # throttle counters live in the cache
    yield
    cache.clear()


def views_url(video) -> str:
    return f"/api/v1/videos/{video.public_id}/views/"


def as_user(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def assert_views_match_rows():
    counted = dict(
        WatchEvent.objects.values("video_id").annotate(n=Count("id")).values_list("video_id", "n")
    )
    for pk, views in Video.objects.values_list("pk", "views_count"):
        assert views == counted.get(pk, 0), pk


@pytest.fixture
def video(video_factory):
    return video_factory(duration=10.0)


# --- one event -------------------------------------------------------------------------------
def test_one_event_counts_a_view(user, video):
    response = as_user(user).post(
        views_url(video), {"watch_seconds": 9.5, "source": "for_you"}, format="json"
    )
    assert response.status_code == 201
    assert response.json() == {"recorded": 1, "duplicates": 0, "skipped": 0, "views": 1}
    event = WatchEvent.objects.get()
    assert (event.user, event.session_hash, event.video) == (user, "", video)
    assert (event.completed, event.skipped, event.replays, event.source) == (
        True,
        False,
        0,
        "for_you",
    )
    assert_views_match_rows()


@pytest.mark.parametrize(
    ("payload", "completed", "skipped"),
    [
        ({"watch_seconds": 9.0}, True, False),  # 90 %
        ({"watch_seconds": 8.0}, False, False),
        ({"watch_seconds": 8.0, "completed": True}, False, False),  # the length says otherwise
        ({"watch_seconds": 1.9}, False, True),  # under 2 s
        ({"watch_seconds": 0}, False, True),
        ({"watch_seconds": 25.0, "replays": 2}, True, False),
    ],
)
def test_completion_and_skips_are_derived_from_the_seconds(
    user, video, payload, completed, skipped
):
    assert as_user(user).post(views_url(video), payload, format="json").status_code == 201
    event = WatchEvent.objects.get()
    assert (event.completed, event.skipped) == (completed, skipped)


def test_a_resent_event_counts_once(user, video):
    client = as_user(user)
    body = {"watch_seconds": 3, "event_id": "e-1"}
    assert client.post(views_url(video), body, format="json").status_code == 201
    again = client.post(views_url(video), body, format="json")
    assert again.status_code == 200
    assert again.json() == {"recorded": 0, "duplicates": 1, "skipped": 0, "views": 1}
    # The same event id from someone else is their own event.
    other = as_user(video.author)
    assert other.post(views_url(video), body, format="json").status_code == 201
    # Without an event id every post is a new viewing.
    client.post(views_url(video), {"watch_seconds": 3}, format="json")
    assert WatchEvent.objects.count() == 3
    assert_views_match_rows()


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({}, "watch_seconds", "This field is required."),
        ({"watch_seconds": "abc"}, "watch_seconds", "A valid number is required."),
        ({"watch_seconds": -1}, "watch_seconds", "Cannot be negative."),
        ({"watch_seconds": "NaN"}, "watch_seconds", None),
        ({"watch_seconds": "Infinity"}, "watch_seconds", None),
        ({"watch_seconds": 15.01}, "watch_seconds", None),  # 10 s video + 5 s slack
        ({"watch_seconds": 26, "replays": 1}, "watch_seconds", None),
        ({"watch_seconds": 3, "replays": -1}, "replays", None),
        ({"watch_seconds": 3, "replays": 101}, "replays", None),
        ({"watch_seconds": 3, "source": "tv"}, "source", None),
        ({"watch_seconds": 3, "event_id": "x" * 65}, "event_id", None),
    ],
)
def test_bad_events_are_400_in_the_error_shape(user, video, payload, field, message):
    response = as_user(user).post(views_url(video), payload, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [field]
    if message:
        assert error["fields"][field] == [message]
    assert not WatchEvent.objects.exists()
    assert Video.objects.get(pk=video.pk).views_count == 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"watch_seconds": "3"}, "watch_seconds"),
        ({"watch_seconds": True}, "watch_seconds"),
        ({"watch_seconds": 3, "completed": 1}, "completed"),
        ({"watch_seconds": 3, "replays": 1.0}, "replays"),
        ({"watch_seconds": 3, "source": 1}, "source"),
        ({"watch_seconds": 3, "event_id": 7}, "event_id"),
    ],
)
def test_events_take_only_their_documented_json_types(user, video, payload, field):
    response = as_user(user).post(views_url(video), payload, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
    form = as_user(user).post(views_url(video), {"watch_seconds": 3}, format="multipart")
    assert form.status_code == 415
    assert not WatchEvent.objects.exists()


def test_json_nan_literal_is_a_400(user, video):
    response = as_user(user).post(
        views_url(video), '{"watch_seconds": NaN}', content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_videos_you_may_not_see_are_404(user, video_factory, user_factory):
    hidden = video_factory(is_hidden=True)
    private = video_factory(visibility=Video.Visibility.PRIVATE)
    blocker = user_factory()
    blocked_out = video_factory(author=blocker)
    Block.objects.create(blocker=blocker, blocked=user)
    client = as_user(user)
    for v in (hidden, private, blocked_out):
        response = client.post(views_url(v), {"watch_seconds": 1}, format="json")
        assert response.status_code == 404
    assert client.post("/api/v1/videos/nope/views/", {"watch_seconds": 1}).status_code == 404
    assert not WatchEvent.objects.exists()


def test_anonymous_viewers_are_keyed_by_a_hash_of_their_session(video):
    client = APIClient()
    response = client.post(views_url(video), {"watch_seconds": 4}, format="json")
    assert response.status_code == 201
    session_key = client.cookies["sessionid"].value
    event = WatchEvent.objects.get()
    assert event.user is None and len(event.session_hash) == 32
    assert session_key not in event.session_hash
    client.post(views_url(video), {"watch_seconds": 4}, format="json")
    assert set(WatchEvent.objects.values_list("session_hash", flat=True)) == {event.session_hash}


def test_views_are_throttled(user, video, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "views": "3/min",
        },
    }
    client = as_user(user)
    codes = [
        client.post(views_url(video), {"watch_seconds": 1}, format="json").status_code
        for _ in range(4)
    ]
    assert codes == [201, 201, 201, 429]
    blocked = client.post(BATCH, {"events": [{"video": video.public_id, "watch_seconds": 1}]})
    assert blocked.status_code == 429
    assert blocked.json()["error"]["code"] == "throttled"
    assert "Retry-After" in blocked.headers
    assert WatchEvent.objects.count() == 3
    assert_views_match_rows()


def test_the_default_rate_is_600_a_minute():
    from videos.api.feed import ViewsThrottle

    throttle = ViewsThrottle()
    throttle.scope = "views"
    assert throttle.get_rate() == "600/min"


# --- the batch endpoint ----------------------------------------------------------------------
def beacon(client, payload, **extra):
    """What navigator.sendBeacon sends for a string body."""
    return client.post(BATCH, json.dumps(payload), content_type="text/plain;charset=UTF-8", **extra)


def test_beacon_batch_from_an_anonymous_viewer(video_factory):
    videos = [video_factory(duration=10.0) for _ in range(3)]
    client = Client(enforce_csrf_checks=True)
    events = [
        {"video": videos[0].public_id, "watch_seconds": 10, "event_id": "a"},
        {"video": videos[1].public_id, "watch_seconds": 0.5, "event_id": "b", "source": "share"},
        {"video": videos[2].public_id, "watch_seconds": 21, "replays": 1, "event_id": "c"},
        {"video": videos[2].public_id, "watch_seconds": 21, "replays": 1, "event_id": "c"},
    ]
    response = beacon(client, {"events": events})
    assert response.status_code == 200
    assert response.json() == {"recorded": 3, "duplicates": 1, "skipped": 0}
    rows = {e.video_id: e for e in WatchEvent.objects.all()}
    assert rows[videos[0].pk].completed and rows[videos[1].pk].skipped
    assert rows[videos[1].pk].source == "share" and rows[videos[2].pk].replays == 1
    # The page is closed and reopened: the beacon goes again, nothing counts twice.
    again = beacon(client, {"events": events})
    assert again.json() == {"recorded": 0, "duplicates": 4, "skipped": 0}
    assert_views_match_rows()


def test_beacon_batch_needs_the_csrf_token_in_its_body_when_signed_in(user, video):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    events = [{"video": video.public_id, "watch_seconds": 2}]
    refused = beacon(client, {"events": events})
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]["message"]
    page = client.get("/")
    token = get_token(page.wsgi_request)
    accepted = beacon(client, {"events": events, "csrf": token})
    assert accepted.status_code == 200 and accepted.json()["recorded"] == 1
    assert WatchEvent.objects.get().user == user
    # A header works as well (the fetch fallback).
    header = client.post(
        BATCH,
        json.dumps({"events": [{"video": video.public_id, "watch_seconds": 1}]}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert header.status_code == 200
    # Token-authenticated clients need no CSRF token.
    assert as_user(user).post(BATCH, {"events": events}, format="json").status_code == 200
    assert_views_match_rows()


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, ["events"]),
        ({"events": []}, ["events"]),
        ({"events": "x"}, ["events"]),
        ([1, 2], ["events"]),
        ({"events": [{"watch_seconds": 1}]}, ["events.0.video"]),
        ({"events": ["x"]}, ["events.0"]),
        (
            {"events": [{"video": "V", "watch_seconds": 1}, {"video": "V", "watch_seconds": -2}]},
            ["events.1.watch_seconds"],
        ),
        ({"events": [{"video": "V", "watch_seconds": 1, "source": "radio"}]}, ["events.0.source"]),
        ({"events": [{"video": 0, "watch_seconds": 1}]}, ["events.0.video"]),
        ({"events": [{"video": "V", "watch_seconds": 1, "replays": 0.0}]}, ["events.0.replays"]),
        ({"events": [{"video": "V", "watch_seconds": 1}], "csrf": 5}, ["csrf"]),
    ],
)
def test_bad_batches_are_400_and_record_nothing(video, payload, fields):
    text = json.dumps(payload).replace('"V"', json.dumps(video.public_id))
    response = beacon(APIClient(), json.loads(text))
    assert response.status_code == 400
    assert sorted(response.json()["error"]["fields"]) == fields
    assert not WatchEvent.objects.exists()


def test_a_batch_is_all_or_nothing_on_impossible_durations(video_factory):
    a, b = video_factory(duration=5.0), video_factory(duration=5.0)
    response = beacon(
        APIClient(),
        {
            "events": [
                {"video": a.public_id, "watch_seconds": 4},
                {"video": b.public_id, "watch_seconds": 400},
            ]
        },
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["events.1.watch_seconds"]
    assert not WatchEvent.objects.exists()


def test_batch_limits(video):
    one = {"video": video.public_id, "watch_seconds": 1}
    assert beacon(APIClient(), {"events": [one] * 50}).status_code == 200
    too_many = beacon(APIClient(), {"events": [one] * 51})
    assert too_many.status_code == 400
    assert too_many.json()["error"]["fields"] == {"events": ["At most 50 events at a time."]}
    big = beacon(APIClient(), {"events": [one], "pad": "x" * 3_000_000})
    assert big.status_code == 413
    assert WatchEvent.objects.count() == 50
    assert_views_match_rows()


def test_videos_gone_since_are_skipped_not_errors(user, video_factory):
    kept, hidden = video_factory(), video_factory()
    Video.objects.filter(pk=hidden.pk).update(is_hidden=True)
    response = as_user(user).post(
        BATCH,
        {
            "events": [
                {"video": kept.public_id, "watch_seconds": 1},
                {"video": hidden.public_id, "watch_seconds": 1},
                {"video": "gone-forever", "watch_seconds": 1},
            ]
        },
        format="json",
    )
    assert response.json() == {"recorded": 1, "duplicates": 0, "skipped": 2}
    assert_views_match_rows()


def test_views_count_always_equals_rows(user_factory, video_factory):
    videos = [video_factory(duration=8.0) for _ in range(4)]
    clients = [as_user(user_factory()) for _ in range(3)] + [APIClient()]
    for n, client in enumerate(clients):
        for i, v in enumerate(videos):
            body = {"watch_seconds": i + 1, "event_id": f"{n % 2}-{i}"}
            client.post(views_url(v), body, format="json")
            client.post(views_url(v), body, format="json")  # resent
        client.post(
            BATCH,
            {
                "events": [
                    {"video": v.public_id, "watch_seconds": 2, "event_id": f"b{n}-{i}"}
                    for i, v in enumerate(videos)
                ]
            },
            format="json",
        )
    assert WatchEvent.objects.count() == 4 * 4 * 2
    assert_views_match_rows()


# --- not interested, hide creator ------------------------------------------------------------
def test_not_interested(user, video):
    client = as_user(user)
    url = f"/api/v1/videos/{video.public_id}/not-interested/"
    assert client.post(url).json() == {"not_interested": True}
    assert client.post(url).json() == {"not_interested": True}  # idempotent
    assert NotInterested.objects.filter(user=user, video=video).count() == 1
    assert client.delete(url).json() == {"not_interested": False}
    assert not NotInterested.objects.exists()
    assert APIClient().post(url).status_code == 403  # as every other signed-in-only endpoint
    assert client.post("/api/v1/videos/nope/not-interested/").status_code == 404


def test_hide_creator(user, user_factory):
    creator = user_factory(username="Loud_One")
    client = as_user(user)
    url = "/api/v1/users/loud_one/hide/"
    assert client.post(url).json() == {"hidden": True}
    assert client.post(url).json() == {"hidden": True}
    assert HiddenCreator.objects.filter(user=user, creator=creator).count() == 1
    assert client.delete(url).json() == {"hidden": False}
    assert not HiddenCreator.objects.exists()
    assert client.post("/api/v1/users/nobody_here/hide/").status_code == 404
    myself = client.post(f"/api/v1/users/{user.username}/hide/")
    assert myself.status_code == 400
    assert myself.json()["error"]["message"] == "You cannot hide yourself."
    assert APIClient().post(url).status_code == 403


def test_schema_lists_the_new_endpoints(db):
    schema = APIClient().get("/api/schema/?format=json").json()
    for path in [
        "/api/v1/videos/{public_id}/views/",
        "/api/v1/views/batch/",
        "/api/v1/videos/{public_id}/not-interested/",
        "/api/v1/users/{username}/hide/",
    ]:
        assert path in schema["paths"], path
