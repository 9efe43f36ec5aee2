"""Sounds: original sounds of ready videos, uploaded music, the sound page, its media and
its API; uses counts that move with the videos and can be rebuilt."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from social.models import Block
from videos import media, services
from videos.counters import rebuild_counters
from videos.models import Sound, Video
from videos.remix import selectors as remix_selectors
from videos.remix import services as remix_services
from videos.testing import make_audio

pytestmark = pytest.mark.django_db


_on_commit = {}


@pytest.fixture(autouse=True)
def _run_on_commit(django_capture_on_commit_callbacks):
    """Processing is queued on commit: run it, as the eager Celery of the default does."""
    _on_commit["capture"] = django_capture_on_commit_callbacks
    yield
    _on_commit.clear()


def post_video(author, path: Path, **fields) -> Video:
    with _on_commit["capture"](execute=True), path.open("rb") as handle:
        video = services.video_create(
            author=author, upload=handle, size=path.stat().st_size, **fields
        )
    video.refresh_from_db()
    return video


def upload_sound(owner, path: Path, **fields) -> Sound:
    fields.setdefault("title", "Song")
    with _on_commit["capture"](execute=True), path.open("rb") as handle:
        sound = remix_services.sound_create(
            owner=owner, upload=handle, size=path.stat().st_size, **fields
        )
    sound.refresh_from_db()
    return sound


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 30, 60)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def song(tmp_path) -> Path:
    return make_audio(tmp_path / "song.mp3", seconds=6, frequencies=(660,), fmt="mp3")


# --- original sounds ------------------------------------------------------------------------------
def test_a_ready_video_gets_its_original_sound(user, clips, settings):
    video = post_video(user, clips["small_h264"])
    assert video.status == Video.Status.READY, video.failure_reason
    sound = video.sound
    assert sound is not None
    assert sound.is_original and sound.source_video == video
    assert sound.owner == user
    assert sound.title == "original sound"
    assert sound.display_name == f"original sound — @{user.username}"
    assert sound.status == Sound.Status.READY
    assert sound.uses_count == 1  # its own video
    assert sound.duration == pytest.approx(2.0, abs=0.1)
    assert sound.audio.name == f"sounds/{sound.public_id}/{Path(sound.audio.name).name}"
    assert sound.audio.name.endswith(".m4a")
    info = media.probe(Path(settings.MEDIA_ROOT) / sound.audio.name, kind="audio")
    assert info.demuxer == "mov" and info.audio.codec == "aac" and info.video is None


def test_a_silent_video_gets_no_sound(user, clips):
    video = post_video(user, clips["silent"])
    assert video.status == Video.Status.READY
    assert video.sound is None
    assert Sound.objects.count() == 0


def test_a_failed_video_gets_no_sound(user, tmp_path):
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 200)
    video = post_video(user, bad)
    assert video.status == Video.Status.FAILED
    assert Sound.objects.count() == 0


def test_the_upload_switch_decides_whether_others_may_use_the_original_sound(
    user, clips, user_factory
):
    video = post_video(user, clips["small_h264"], allow_sound_reuse=False)
    assert video.sound.is_reusable is False
    other = user_factory()
    with pytest.raises(ValidationError) as caught:
        remix_services.sound_check_usable(user=other, sound=video.sound)
    assert "does not allow" in caught.value.message_dict["sound"][0]
    # The author may always use their own sound; turning the switch on opens it to all.
    remix_services.sound_check_usable(user=user, sound=video.sound)
    services.video_update(video=video, editor=user, allow_sound_reuse=True)
    video.sound.refresh_from_db()
    assert video.sound.is_reusable is True
    remix_services.sound_check_usable(user=other, sound=video.sound)


def test_original_sound_follows_its_videos_visibility(user, clips, user_factory):
    video = post_video(user, clips["small_h264"], visibility=Video.Visibility.PRIVATE)
    sound = video.sound
    stranger = user_factory()
    assert remix_selectors.can_view_sound(viewer=user, sound=sound)
    assert not remix_selectors.can_view_sound(viewer=stranger, sound=sound)
    assert not remix_selectors.can_view_sound(viewer=None, sound=sound)
    assert sound not in remix_selectors.visible_sounds(viewer=stranger)


def test_deleting_the_video_removes_its_original_sound_and_files(
    user, clips, settings, django_capture_on_commit_callbacks
):
    video = post_video(user, clips["small_h264"])
    audio = Path(settings.MEDIA_ROOT) / video.sound.audio.name
    assert audio.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.video_delete(video=video, actor=user)
    assert Sound.objects.count() == 0
    assert not audio.exists()


# --- uploaded music -------------------------------------------------------------------------------
def test_uploaded_music_is_probed_and_stored_as_m4a(user, song, settings):
    sound = upload_sound(user, song, title="  Summer  ", artist="The Tones", cover=png_bytes())
    assert sound.status == Sound.Status.READY, sound.failure_reason
    assert (sound.title, sound.artist) == ("Summer", "The Tones")
    assert sound.display_name == "Summer — The Tones"
    assert sound.is_original is False and sound.source_video is None
    assert sound.duration == pytest.approx(6.0, abs=0.2)
    stored = Path(settings.MEDIA_ROOT) / sound.audio.name
    assert stored.suffix == ".m4a" and stored.read_bytes() != song.read_bytes()
    assert media.probe(stored, kind="audio").audio.codec == "aac"
    with Image.open(Path(settings.MEDIA_ROOT) / sound.cover.name) as cover:
        assert cover.format == "JPEG"
    # The upload itself stays private (never under MEDIA_ROOT).
    assert sound.original.storage.exists(sound.original.name)
    assert not (Path(settings.MEDIA_ROOT) / sound.original.name).exists()


@pytest.mark.parametrize("fmt", ["m4a", "ogg", "opus", "wav", "flac"])
def test_every_allowed_format_uploads(user, tmp_path, fmt):
    sound = upload_sound(user, make_audio(tmp_path / f"a.{fmt}", seconds=2, fmt=fmt))
    assert sound.status == Sound.Status.READY, sound.failure_reason


def test_music_that_is_not_audio_fails_with_a_reason(user, tmp_path, clips):
    text = tmp_path / "song.mp3"
    text.write_text("not music at all\n" * 10)
    sound = upload_sound(user, text)
    assert sound.status == Sound.Status.FAILED
    assert (
        sound.failure_reason
        == "That file is not audio we can read. Try MP3, M4A, OGG, WAV or FLAC."
    )
    assert not sound.audio
    silent = upload_sound(user, clips["silent"])
    assert silent.status == Sound.Status.FAILED
    assert silent.failure_reason == "That file has no sound in it."


def test_music_longer_than_ten_minutes_fails(user, tmp_path):
    long = make_audio(tmp_path / "long.mp3", seconds=601.5, fmt="mp3", sample_rate=8000)
    sound = upload_sound(user, long)
    assert sound.status == Sound.Status.FAILED
    assert sound.failure_reason == "The sound is longer than 10:00 min."


def test_sound_create_validates_its_fields(user, song, user_factory):
    with pytest.raises(ValidationError) as caught:
        upload_sound(user, song, title="   ")
    assert list(caught.value.message_dict) == ["title"]
    with pytest.raises(ValidationError) as caught:
        upload_sound(user, song, artist="x" * 121)
    assert list(caught.value.message_dict) == ["artist"]
    with pytest.raises(ValidationError) as caught:
        upload_sound(user, song, cover=b"not an image")
    assert list(caught.value.message_dict) == ["cover"]
    with pytest.raises(PermissionDenied):
        upload_sound(user_factory(is_active=False), song)
    assert Sound.objects.count() == 0


def test_owner_switches_reuse_and_removes_the_sound_keeping_videos(
    user, song, clips, user_factory, settings, django_capture_on_commit_callbacks
):
    sound = upload_sound(user, song)
    other = user_factory()
    video = post_video(
        other, clips["silent"], remix=remix_services.RemixRequest(sound=sound.public_id)
    )
    assert video.status == Video.Status.READY and video.sound == sound
    with pytest.raises(PermissionDenied):
        remix_services.sound_update(sound=sound, editor=other, is_reusable=False)
    remix_services.sound_update(sound=sound, editor=user, is_reusable=False)
    with pytest.raises(ValidationError):
        remix_services.sound_check_usable(user=other, sound=sound)
    with pytest.raises(PermissionDenied):
        remix_services.sound_delete(sound=sound, actor=other)
    audio = Path(settings.MEDIA_ROOT) / sound.audio.name
    with django_capture_on_commit_callbacks(execute=True):
        remix_services.sound_delete(sound=sound, actor=user)
    assert not audio.exists()
    video.refresh_from_db()
    assert video.sound is None
    assert video.status == Video.Status.READY
    # Still playable, sound and all: the audio is in the video's own MP4.
    info = media.probe(Path(settings.MEDIA_ROOT) / video.file.name)
    assert info.audio is not None


# --- uses count -----------------------------------------------------------------------------------
def test_uses_count_moves_with_videos_and_rebuilds(user, song, user_factory, video_factory, clips):
    sound = upload_sound(user, song)
    makers = [user_factory() for _ in range(3)]
    videos = [
        post_video(m, clips["silent"], remix=remix_services.RemixRequest(sound=sound.public_id))
        for m in makers
    ]
    sound.refresh_from_db()
    assert sound.uses_count == 3
    services.video_delete(video=videos[0], actor=makers[0])
    sound.refresh_from_db()
    assert sound.uses_count == 2
    assert rebuild_counters(only={"Sound.uses_count"})["Sound.uses_count"].rows == 0
    Sound.objects.filter(pk=sound.pk).update(uses_count=40)
    drift = rebuild_counters(only={"Sound.uses_count"})["Sound.uses_count"]
    assert (drift.rows, drift.amount) == (1, 38)
    sound.refresh_from_db()
    assert sound.uses_count == 2


# --- the sound page and its media ----------------------------------------------------------------
def test_sound_page_has_player_uses_videos_and_use_button(client, user, song, clips, user_factory):
    sound = upload_sound(user, song, title="Hook", artist="Band")
    maker = user_factory()
    video = post_video(
        maker, clips["silent"], remix=remix_services.RemixRequest(sound=sound.public_id)
    )
    page = client.get(f"/sound/{sound.public_id}/").content.decode()
    assert "Hook — Band" in page
    assert f'src="{sound.audio.url}"' in page and "<audio" in page
    assert "data-sound-play" in page
    assert 'data-uses="1"' in page
    assert video.get_absolute_url() in page
    assert f"/upload/?sound={sound.public_id}" in page
    assert "Use this sound" in page
    # The audio is served (with Range) to anyone who may see the sound.
    response = client.get(sound.audio.url, HTTP_RANGE="bytes=0-9")
    assert response.status_code == 206
    assert response["Content-Type"] == "audio/mp4"


def test_sound_page_of_a_not_reusable_sound_says_so(client, user, song, user_factory):
    sound = upload_sound(user, song, is_reusable=False)
    client.force_login(user_factory())
    page = client.get(f"/sound/{sound.public_id}/").content.decode()
    assert "Use this sound" not in page
    assert "does not allow others to use it" in page


def test_sound_of_an_inactive_or_blocking_owner_is_gone(client, user, song, user_factory):
    sound = upload_sound(user, song)
    viewer = user_factory()
    client.force_login(viewer)
    Block.objects.create(blocker=user, blocked=viewer)
    assert client.get(f"/sound/{sound.public_id}/").status_code == 404
    assert client.get(sound.audio.url).status_code == 404
    client.logout()
    assert client.get(sound.audio.url).status_code == 200
    user.is_active = False
    user.save()
    assert client.get(f"/sound/{sound.public_id}/").status_code == 404
    assert client.get(sound.audio.url).status_code == 404
    assert client.get(f"/api/v1/sounds/{sound.public_id}/").status_code == 404


def test_original_sound_media_of_a_private_video_is_not_served(client, user, clips):
    video = post_video(user, clips["small_h264"], visibility=Video.Visibility.PRIVATE)
    assert client.get(video.sound.audio.url).status_code == 404
    client.force_login(user)
    assert client.get(video.sound.audio.url).status_code == 200


def test_owner_actions_on_the_sound_page(client, user, song, user_factory):
    sound = upload_sound(user, song)
    other = user_factory()
    client.force_login(other)
    assert client.post(f"/sound/{sound.public_id}/action/", {"action": "delete"}).status_code == 404
    client.force_login(user)
    page = client.get(f"/sound/{sound.public_id}/").content.decode()
    assert "Stop others from using it" in page
    client.post(f"/sound/{sound.public_id}/action/", {"action": "not_reusable"})
    sound.refresh_from_db()
    assert sound.is_reusable is False
    response = client.post(f"/sound/{sound.public_id}/action/", {"action": "delete"})
    assert response.status_code == 302
    assert not Sound.objects.filter(pk=sound.pk).exists()


def test_sound_page_query_count_is_constant(client, user, song, video_factory, user_factory):
    sound = upload_sound(user, song)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/sound/{sound.public_id}/").status_code == 200
        return len(ctx.captured_queries)

    for _ in range(3):
        video_factory(sound=sound, tags=["a"])
    small = count()
    for _ in range(20):
        video_factory(sound=sound, tags=["b"])
    assert count() == small


def test_sound_upload_page(client, user, song):
    client.force_login(user)
    assert client.get("/sounds/upload/").status_code == 200
    with _on_commit["capture"](execute=True), song.open("rb") as handle:
        response = client.post(
            "/sounds/upload/", {"file": handle, "title": "Mine", "artist": "", "is_reusable": "on"}
        )
    sound = Sound.objects.get(title="Mine")
    assert response.status_code == 302 and response["Location"] == sound.get_absolute_url()
    assert sound.status == Sound.Status.READY and sound.is_reusable
    response = client.post("/sounds/upload/", {"title": ""})
    assert response.status_code == 400
    assert "Choose a sound to upload." in response.content.decode()


def test_sound_upload_needs_login(client):
    response = client.get("/sounds/upload/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
