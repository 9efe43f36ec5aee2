"""The API of remix culture: sounds (list, upload, detail, videos, owner's switches),
videos posted as duets, stitches or with a sound, duets/stitches lists, hashtag
suggestions. Errors come back as JSON 4xx, never a 500."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from social.models import Block
from videos import services
from videos.models import Sound, Video
from videos.remix.services import sound_create
from videos.testing import make_audio, make_clip

pytestmark = pytest.mark.django_db
_on_commit = {}


@pytest.fixture(autouse=True)
def _run_on_commit(django_capture_on_commit_callbacks):
    _on_commit["capture"] = django_capture_on_commit_callbacks
    yield
    _on_commit.clear()


def authed(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture(scope="module")
def media_files(tmp_path_factory):
    root = tmp_path_factory.mktemp("remix-api")
    return {
        "clip": make_clip(root / "c.mp4", width=360, height=640, seconds=2, frequency=440),
        "song": make_audio(root / "s.mp3", seconds=5, frequencies=(2500,), fmt="mp3"),
    }


def ready_sound(owner, path: Path, **fields) -> Sound:
    fields.setdefault("title", "Tune")
    with _on_commit["capture"](execute=True), path.open("rb") as handle:
        sound = sound_create(owner=owner, upload=handle, size=path.stat().st_size, **fields)
    sound.refresh_from_db()
    return sound


def ready_video(author, path: Path, **fields) -> Video:
    with _on_commit["capture"](execute=True), path.open("rb") as handle:
        video = services.video_create(
            author=author, upload=handle, size=path.stat().st_size, **fields
        )
    video.refresh_from_db()
    return video


# --- sounds ---------------------------------------------------------------------------------------
def test_post_a_sound_and_read_it_back(user, media_files):
    client = authed(user)
    cover = io.BytesIO()
    Image.new("RGB", (300, 300), (0, 90, 200)).save(cover, "PNG")
    cover.name = "cover.png"
    cover.seek(0)
    with _on_commit["capture"](execute=True), media_files["song"].open("rb") as handle:
        response = client.post(
            "/api/v1/sounds/",
            {"file": handle, "title": "Anthem", "artist": "Choir", "cover": cover},
            format="multipart",
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["title"] == "Anthem" and body["name"] == "Anthem — Choir"
    assert body["status"] == "processing"  # answered before processing ran
    assert body["owner"]["username"] == user.username
    detail = client.get(f"/api/v1/sounds/{body['public_id']}/").json()
    assert detail["status"] == "ready"
    assert detail["url"].endswith(".m4a") and detail["cover"].endswith(".jpg")
    assert detail["duration"] == pytest.approx(5.0, abs=0.2)
    assert detail["is_original"] is False and detail["uses"] == 0


def test_post_a_sound_with_bad_fields_is_a_json_400(user, media_files):
    client = authed(user)
    response = client.post("/api/v1/sounds/", {"title": "x"}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["error"]["fields"]
    with media_files["song"].open("rb") as handle:
        response = client.post(
            "/api/v1/sounds/", {"file": handle, "title": "  "}, format="multipart"
        )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["title"]
    assert APIClient().post("/api/v1/sounds/", {}, format="multipart").status_code in (401, 403)


def test_sound_fields_take_only_their_documented_types(user, media_files):
    client = authed(user)
    not_audio = io.BytesIO(b"not music at all\n" * 10)
    not_audio.name = "song.mp3"
    response = client.post("/api/v1/sounds/", {"file": not_audio, "title": "x"}, format="multipart")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["file"]
    with media_files["song"].open("rb") as handle:
        response = client.post(
            "/api/v1/sounds/",
            {"file": handle, "title": "x", "is_reusable": "0"},
            format="multipart",
        )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["is_reusable"]
    with media_files["song"].open("rb") as handle:  # left out: the documented default
        response = client.post("/api/v1/sounds/", {"file": handle, "title": "x"})
    assert response.status_code == 201 and response.json()["is_reusable"] is True
    url = f"/api/v1/sounds/{response.json()['public_id']}/"
    for body in ({"is_reusable": 1}, {"is_reusable": "false"}, {"title": 5}, {"title": None}):
        response = client.patch(url, body, format="json")
        assert response.status_code == 400, body
        assert response.json()["error"]["code"] == "invalid"
    assert client.patch(url, "false", content_type="application/json").status_code == 400
    form = "application/x-www-form-urlencoded"
    assert client.patch(url, "is_reusable=false", content_type=form).status_code == 415


def test_sound_list_shows_what_the_viewer_may_see(user_factory, media_files):
    alice, bob = user_factory(), user_factory()
    mine = ready_sound(alice, media_files["song"], title="Alpha")
    theirs = ready_sound(bob, media_files["song"], title="Beta song")
    failed = Sound.objects.create(title="Broken", owner=bob, status=Sound.Status.FAILED)
    private_video = ready_video(alice, media_files["clip"], visibility=Video.Visibility.PRIVATE)
    ids = {s["public_id"] for s in APIClient().get("/api/v1/sounds/").json()["results"]}
    assert ids == {mine.public_id, theirs.public_id}
    assert failed.public_id not in ids and private_video.sound.public_id not in ids
    found = APIClient().get("/api/v1/sounds/", {"q": "beta"}).json()["results"]
    assert [s["public_id"] for s in found] == [theirs.public_id]
    owned = APIClient().get("/api/v1/sounds/", {"owner": alice.username}).json()["results"]
    assert [s["public_id"] for s in owned] == [mine.public_id]
    Block.objects.create(blocker=bob, blocked=alice)
    ids = {s["public_id"] for s in authed(alice).get("/api/v1/sounds/").json()["results"]}
    assert theirs.public_id not in ids
    assert authed(alice).get(f"/api/v1/sounds/{theirs.public_id}/").status_code == 404


def test_sound_videos_lists_the_visible_videos_using_it(user_factory, media_files, video_factory):
    sound = ready_sound(user_factory(), media_files["song"])
    used = [video_factory(sound=sound) for _ in range(2)]
    video_factory(sound=sound, visibility=Video.Visibility.PRIVATE)
    body = APIClient().get(f"/api/v1/sounds/{sound.public_id}/videos/").json()
    assert {v["public_id"] for v in body["results"]} == {v.public_id for v in used}
    assert APIClient().get("/api/v1/sounds/nope/videos/").status_code == 404


def test_owner_patches_and_deletes_a_sound(user_factory, media_files):
    owner, other = user_factory(), user_factory()
    sound = ready_sound(owner, media_files["song"])
    url = f"/api/v1/sounds/{sound.public_id}/"
    assert authed(other).patch(url, {"is_reusable": False}, format="json").status_code == 403
    response = authed(owner).patch(url, {"is_reusable": False, "title": "New"}, format="json")
    assert response.status_code == 200
    assert (response.json()["is_reusable"], response.json()["title"]) == (False, "New")
    assert authed(other).delete(url).status_code == 403
    assert authed(owner).delete(url).status_code == 204
    assert not Sound.objects.filter(pk=sound.pk).exists()


# --- videos as remixes ----------------------------------------------------------------------------
def test_post_a_video_with_a_sound(user_factory, media_files):
    sound = ready_sound(user_factory(), media_files["song"])
    maker = user_factory()
    with _on_commit["capture"](execute=True), media_files["clip"].open("rb") as handle:
        response = authed(maker).post(
            "/api/v1/videos/",
            {
                "file": handle,
                "sound": sound.public_id,
                "sound_offset": "1",
                "original_volume": "0.3",
            },
            format="multipart",
        )
    assert response.status_code == 201, response.json()
    video = Video.objects.get(public_id=response.json()["public_id"])
    assert video.status == Video.Status.READY, video.failure_reason
    assert video.sound == sound
    body = authed(maker).get(f"/api/v1/videos/{video.public_id}/").json()
    assert body["sound"]["public_id"] == sound.public_id


def test_post_with_a_sound_that_is_not_reusable_is_refused(user_factory, media_files):
    sound = ready_sound(user_factory(), media_files["song"], is_reusable=False)
    with media_files["clip"].open("rb") as handle:
        response = authed(user_factory()).post(
            "/api/v1/videos/", {"file": handle, "sound": sound.public_id}, format="multipart"
        )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "sound": ["The owner of this sound does not allow others to use it."]
    }
    assert Video.objects.count() == 0


def test_post_a_duet_and_a_stitch_and_list_them(user_factory, media_files):
    original = ready_video(user_factory(), media_files["clip"])
    maker = authed(user_factory())
    with _on_commit["capture"](execute=True), media_files["clip"].open("rb") as handle:
        duet = maker.post(
            "/api/v1/videos/",
            {"file": handle, "duet_of": original.public_id, "layout": "vertical"},
            format="multipart",
        )
    with _on_commit["capture"](execute=True), media_files["clip"].open("rb") as handle:
        stitch = maker.post(
            "/api/v1/videos/",
            {"file": handle, "stitch_of": original.public_id, "stitch_start": 0, "stitch_end": 1},
            format="multipart",
        )
    assert duet.status_code == stitch.status_code == 201
    assert duet.json()["duet_of"] == original.public_id
    assert stitch.json()["stitch_of"] == original.public_id
    duets = APIClient().get(f"/api/v1/videos/{original.public_id}/duets/").json()["results"]
    stitches = APIClient().get(f"/api/v1/videos/{original.public_id}/stitches/").json()["results"]
    assert [v["public_id"] for v in duets] == [duet.json()["public_id"]]
    assert [v["public_id"] for v in stitches] == [stitch.json()["public_id"]]
    assert duets[0]["status"] == "ready"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"duet_of": "NoSuchVideo"}, "duet_of"),
        ({"stitch_of": "ORIGINAL", "stitch_start": 0, "stitch_end": 9}, "stitch_end"),
        ({"stitch_of": "ORIGINAL", "stitch_start": -1}, "stitch_start"),
        ({"duet_of": "ORIGINAL", "layout": "diagonal"}, "layout"),
        ({"sound": "x" * 17}, "sound"),
        ({"original_volume": 2}, "original_volume"),
    ],
)
def test_bad_remix_fields_are_a_json_400(user_factory, media_files, video_factory, fields, field):
    original = video_factory(allow_duet=True)
    fields = {k: (original.public_id if v == "ORIGINAL" else v) for k, v in fields.items()}
    with media_files["clip"].open("rb") as handle:
        response = authed(user_factory()).post(
            "/api/v1/videos/", {"file": handle, **fields}, format="multipart"
        )
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_duet_of_a_video_with_duets_off_is_refused(user_factory, media_files, video_factory):
    original = video_factory(allow_duet=False)
    with media_files["clip"].open("rb") as handle:
        response = authed(user_factory()).post(
            "/api/v1/videos/", {"file": handle, "duet_of": original.public_id}, format="multipart"
        )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "duet_of": ["The author does not allow duets of this video."]
    }


# --- hashtag suggestions --------------------------------------------------------------------------
def test_hashtag_suggestions_with_counts(client, video_factory):
    for _ in range(3):
        video_factory(tags=["dance"])
    video_factory(tags=["dancehall"])
    video_factory(tags=["danger"], visibility=Video.Visibility.PRIVATE)
    video_factory(tags=["cooking"])
    body = client.get("/api/v1/hashtags/", {"q": "#dan"}).json()
    assert body["results"] == [{"name": "dance", "videos": 3}, {"name": "dancehall", "videos": 1}]
    assert client.get("/api/v1/hashtags/", {"q": ""}).json()["results"] == []
    assert client.get("/api/v1/hashtags/").json()["results"] == []


def test_schema_still_builds(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    for path in ("/api/v1/sounds/", "/api/v1/challenges/{slug}/", "/api/v1/hashtags/"):
        assert path in text
