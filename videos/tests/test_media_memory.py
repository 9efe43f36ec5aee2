"""ffmpeg's per-run memory limit (RLIMIT_AS, settings.FFMPEG_MEMORY_BYTES / env var of the same
name): a run over a tiny limit fails cleanly with the pipeline's error and a clear reason,
stores nothing and leaves no temporary files; the default limit lets a normal run through."""

from __future__ import annotations

import tempfile

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile

from videos import media, services
from videos.models import Video

TINY = 16 * 2**20  # far below what ffmpeg needs just to start its threads
OOM_REASON = "This file needs more memory to process than this server allows."


@pytest.fixture
def own_tmp(monkeypatch, tmp_path):
    """The pipeline's temporary folders go here, so the test can see what is left behind."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_default_limit_is_set_and_a_normal_run_works(tmp_path):
    assert django_settings.FFMPEG_MEMORY_BYTES == 2 * 2**30
    out = tmp_path / "ok.mp4"
    media.run_ffmpeg(
        media.generate_clip_command(out, width=720, height=1280, seconds=1), timeout=120
    )
    assert out.stat().st_size > 1000
    assert media.probe(out).duration == pytest.approx(1, abs=0.2)


def test_a_run_over_a_tiny_limit_is_a_clean_media_error(settings, tmp_path):
    settings.FFMPEG_MEMORY_BYTES = TINY
    out = tmp_path / "x.mp4"
    with pytest.raises(media.MediaError) as caught:
        media.run_ffmpeg(
            media.generate_clip_command(out, width=720, height=1280, seconds=1), timeout=120
        )
    assert caught.value.code == "memory"
    assert caught.value.reason == OOM_REASON


@pytest.mark.django_db
def test_processing_over_the_limit_fails_the_video_and_leaves_nothing(
    settings, clips, user, own_tmp, django_capture_on_commit_callbacks
):
    data = clips["small_h264"].read_bytes()
    upload = SimpleUploadedFile("clip.mp4", data, content_type="video/mp4")
    with django_capture_on_commit_callbacks(execute=False):
        video = services.video_create(author=user, upload=upload, size=len(data))
    settings.FFMPEG_MEMORY_BYTES = TINY
    services.video_process(video_id=video.pk)
    video.refresh_from_db()
    assert video.status == Video.Status.FAILED
    assert video.failure_reason == OOM_REASON
    assert (video.file.name, video.poster.name) == ("", "")
    assert list(own_tmp.iterdir()) == []  # the work folder is gone
    media_root = django_settings.MEDIA_ROOT
    stored = (
        [p for p in (media_root / "videos").rglob("*") if p.is_file()]
        if (media_root / "videos").exists()
        else []
    )
    assert stored == []
    # The same upload goes through under the default limit.
    settings.FFMPEG_MEMORY_BYTES = 2 * 2**30
    Video.objects.filter(pk=video.pk).update(status=Video.Status.PROCESSING, failure_reason="")
    services.video_process(video_id=video.pk)
    video.refresh_from_db()
    assert video.status == Video.Status.READY
    assert list(own_tmp.iterdir()) == []
