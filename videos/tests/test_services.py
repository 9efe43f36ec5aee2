"""Video services on a real database, real storage and real ffmpeg (tasks run eagerly)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import storages
from PIL import Image
from taggit.models import Tag

from videos import media, services
from videos.models import CAPTION_MAX_LENGTH, TaggedVideo, Video

pytestmark = pytest.mark.django_db


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in Path(folder).rglob("*") if p.is_file()) if folder.exists() else []


def create(author, path: Path, **fields) -> Video:
    with path.open("rb") as handle:
        return services.video_create(
            author=author, upload=handle, size=path.stat().st_size, **fields
        )


@pytest.fixture(autouse=True)
def _private_storage_follows_settings(monkeypatch):
    """FileField resolves a callable storage once, at import: Video.original would keep
    the storage of the developer's PRIVATE_MEDIA_ROOT although conftest points
    storages["private"] at the test's folder. Point the field at the test's storage."""
    monkeypatch.setattr(Video._meta.get_field("original"), "storage", storages["private"])


@pytest.fixture
def media_root(settings) -> Path:
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def private_root(settings) -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT)


@pytest.fixture
def temp_root(tmp_path, monkeypatch) -> Path:
    """Every tempfile.mkdtemp() of the pipeline lands here, so a test can see leftovers."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def text_file(tmp_path) -> Path:
    path = tmp_path / "not-a-video.mp4"
    path.write_text("hello, this is not a video\n" * 20)
    return path


# --- video_create -------------------------------------------------------------------------------
def test_create_stores_original_privately_and_waits_for_processing(
    user, clips, media_root, private_root
):
    src = clips["small_h264"]
    video = create(user, src, caption="  first post  ")

    video.refresh_from_db()
    assert video.status == Video.Status.PROCESSING
    assert video.caption == "first post"
    assert video.author == user
    assert video.original_size == src.stat().st_size
    assert video.original.name == f"originals/{video.public_id}/source"
    assert video.original.storage is storages["private"]
    stored = private_root / video.original.name
    assert stored.read_bytes() == src.read_bytes()
    assert files_under(media_root) == []  # nothing public before processing
    assert not video.file
    assert not video.poster
    assert len(video.public_id) == 11


def test_create_queues_processing_only_on_commit(user, clips, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        video = create(user, clips["small_h264"])
    assert len(callbacks) == 1
    video.refresh_from_db()
    assert video.status == Video.Status.PROCESSING


def test_create_stores_hashtags_case_insensitively(user_factory, clips):
    first = create(
        user_factory(), clips["small_h264"], caption="Hi #Über #café #Dance #dance #DANCE #1"
    )
    assert sorted(first.tags.names()) == sorted(["Über", "café", "Dance"])

    # Another spelling of the same tags (and "café" with a combining accent) reuses them.
    second = create(user_factory(), clips["small_h264"], caption="#über #CAFE\u0301 #dAnCe #new")
    assert Tag.objects.count() == 4
    assert sorted(second.tags.names(), key=str.casefold) == sorted(
        ["Über", "café", "Dance", "new"], key=str.casefold
    )
    assert set(Video.objects.filter(tags__name="Über")) == {first, second}
    assert TaggedVideo.objects.count() == 7


def test_create_refuses_long_caption_and_stores_nothing(user, clips, private_root, media_root):
    with pytest.raises(ValidationError) as caught:
        create(user, clips["small_h264"], caption="x" * (CAPTION_MAX_LENGTH + 1))
    assert caught.value.message_dict == {
        "caption": [f"Captions can be at most {CAPTION_MAX_LENGTH} characters."]
    }
    assert Video.objects.count() == 0
    assert Tag.objects.count() == 0
    assert files_under(private_root) == []
    assert files_under(media_root) == []


def test_create_accepts_caption_at_the_limit(user, clips):
    caption = "#tag " + "y" * (CAPTION_MAX_LENGTH - 5)
    assert len(caption) == CAPTION_MAX_LENGTH
    video = create(user, clips["small_h264"], caption=caption)
    assert Video.objects.get(pk=video.pk).caption == caption
    assert list(video.tags.names()) == ["tag"]


def test_create_refuses_empty_file_and_stores_nothing(user, tmp_path, private_root):
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(ValidationError) as caught:
        create(user, empty)
    assert caught.value.message_dict == {"file": ["The file is empty."]}
    assert Video.objects.count() == 0
    assert files_under(private_root) == []


def test_create_refuses_file_over_the_limit(user, clips, settings, private_root):
    settings.UPLOAD_MAX_BYTES = clips["small_h264"].stat().st_size - 1
    with pytest.raises(ValidationError) as caught:
        create(user, clips["small_h264"])
    assert list(caught.value.message_dict) == ["file"]
    assert caught.value.message_dict["file"][0].startswith("The file is larger than")
    assert Video.objects.count() == 0
    assert files_under(private_root) == []


def test_create_refuses_unknown_visibility_and_inactive_author(user_factory, clips, private_root):
    with pytest.raises(ValidationError) as caught:
        create(user_factory(), clips["small_h264"], visibility="everyone")
    assert list(caught.value.message_dict) == ["visibility"]
    with pytest.raises(PermissionDenied):
        create(user_factory(is_active=False), clips["small_h264"])
    assert Video.objects.count() == 0
    assert files_under(private_root) == []


def test_create_refuses_nul_in_caption(user, clips):
    with pytest.raises(ValidationError) as caught:
        create(user, clips["small_h264"], caption="bad\x00byte")
    assert list(caught.value.message_dict) == ["caption"]
    assert Video.objects.count() == 0


# --- processing end to end ---------------------------------------------------------------------
def test_processing_end_to_end_makes_a_ready_video(
    user, clips, media_root, temp_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        video = create(user, clips["vertical"], caption="#tall")
    assert len(callbacks) == 1

    video.refresh_from_db()
    assert video.status == Video.Status.READY, video.failure_reason
    assert video.failure_reason == ""
    assert (video.width, video.height) == (720, 1280)
    assert video.duration == pytest.approx(3.0, abs=0.1)
    assert video.transcoded is True
    assert video.processing_seconds > 0
    assert video.processed_at is not None
    assert video.file.name.startswith(f"videos/{video.public_id}/")
    assert video.file.name.endswith(".mp4")
    assert video.poster.name.endswith(".jpg")
    # The video, its poster, and its original sound (videos/remix: the audio as M4A).
    assert video.sound is not None and video.sound.is_original
    assert files_under(media_root) == sorted(
        [
            media_root / video.file.name,
            media_root / video.poster.name,
            media_root / video.sound.audio.name,
        ]
    )
    info = media.probe(media_root / video.file.name)
    assert info.video is not None
    assert (info.video.codec, info.video.profile) == ("h264", "High")
    assert info.audio is not None and info.audio.codec == "aac"
    with Image.open(media_root / video.poster.name) as poster:
        assert poster.format == "JPEG"
        assert poster.size == (720, 1280)
    assert list(temp_root.iterdir()) == []  # the work folder is gone
    # The original is kept privately (for export and re-processing).
    assert video.original.storage.exists(video.original.name)


def test_processing_fast_path_is_recorded(user, clips, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        video = create(user, clips["silent"])
    video.refresh_from_db()
    assert video.status == Video.Status.READY
    assert video.transcoded is False
    assert (video.width, video.height) == (480, 854)


def test_processing_rotated_clip_records_upright_size(
    user, clips, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        video = create(user, clips["rotated"])
    video.refresh_from_db()
    assert video.status == Video.Status.READY
    assert (video.width, video.height) == (360, 640)


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("text", "That file is not a video we can read. Try an MP4, MOV or WebM."),
        ("truncated", "The file is damaged or incomplete."),
    ],
)
def test_bad_file_fails_with_a_readable_reason(
    kind,
    reason,
    user,
    clips,
    text_file,
    tmp_path,
    media_root,
    temp_root,
    django_capture_on_commit_callbacks,
):
    if kind == "text":
        src = text_file
    else:
        data = clips["small_h264"].read_bytes()
        src = tmp_path / "cut.mp4"
        src.write_bytes(data[: len(data) // 2])
    with django_capture_on_commit_callbacks(execute=True):
        video = create(user, src, caption="will fail #oops")

    video.refresh_from_db()
    assert video.status == Video.Status.FAILED
    assert video.failure_reason == reason
    assert not video.file
    assert not video.poster
    assert video.processed_at is not None
    assert files_under(media_root) == []
    assert list(temp_root.iterdir()) == []
    assert video.caption == "will fail #oops"


def test_processing_twice_does_not_redo_work(user, clips, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        video = create(user, clips["silent"])
    video.refresh_from_db()
    names = (video.file.name, video.poster.name)
    again = services.video_process(video_id=video.pk)
    assert again.status == Video.Status.READY
    assert (again.file.name, again.poster.name) == names


def test_caption_edited_during_processing_is_kept(user, clips, monkeypatch):
    video = create(user, clips["silent"], caption="old #before")
    real = media.process_video

    def edit_meanwhile(src, workdir):
        services.video_update(video=Video.objects.get(pk=video.pk), editor=user, caption="new")
        return real(src, workdir)

    monkeypatch.setattr(media, "process_video", edit_meanwhile)
    services.video_process(video_id=video.pk)
    video.refresh_from_db()
    assert video.status == Video.Status.READY
    assert video.caption == "new"
    assert list(video.tags.names()) == []


def test_video_deleted_during_processing_leaves_no_files(
    user, clips, monkeypatch, media_root, temp_root
):
    video = create(user, clips["silent"])
    real = media.process_video

    def delete_meanwhile(src, workdir):
        Video.objects.filter(pk=video.pk).delete()
        return real(src, workdir)

    monkeypatch.setattr(media, "process_video", delete_meanwhile)
    services.video_process(video_id=video.pk)
    assert not Video.objects.filter(pk=video.pk).exists()
    assert files_under(media_root) == []
    assert list(temp_root.iterdir()) == []


def test_unexpected_error_fails_politely_and_cleans_up(
    user, clips, monkeypatch, media_root, private_root, temp_root
):
    video = create(user, clips["silent"])
    # The stored original disappears: not a MediaError, still a clean failure.
    (private_root / video.original.name).unlink()
    result = services.video_process(video_id=video.pk)
    assert result.status == Video.Status.FAILED
    video.refresh_from_db()
    assert video.status == Video.Status.FAILED
    assert video.failure_reason == "Something went wrong while processing. Please try again."
    assert files_under(media_root) == []
    assert list(temp_root.iterdir()) == []


# --- video_update -------------------------------------------------------------------------------
def test_update_by_someone_else_is_refused(user_factory, video_factory):
    author, other = user_factory(), user_factory()
    video = video_factory(author=author, caption="mine #a", tags=["a"])
    with pytest.raises(PermissionDenied):
        services.video_update(video=video, editor=other, caption="hacked #b")
    staff = user_factory(is_staff=True)
    with pytest.raises(PermissionDenied):
        services.video_update(video=Video.objects.get(pk=video.pk), editor=staff, caption="x")
    fresh = Video.objects.get(pk=video.pk)
    assert fresh.caption == "mine #a"
    assert list(fresh.tags.names()) == ["a"]


def test_update_resyncs_hashtags(user, video_factory):
    video = video_factory(author=user, caption="#Old #keep", tags=["Old", "keep"])
    services.video_update(video=video, editor=user, caption="#KEEP #Neu #über #ÜBER")
    fresh = Video.objects.get(pk=video.pk)
    assert fresh.caption == "#KEEP #Neu #über #ÜBER"
    assert sorted(fresh.tags.names(), key=str.casefold) == ["keep", "Neu", "über"]
    services.video_update(video=fresh, editor=user, caption="no tags now")
    assert list(Video.objects.get(pk=video.pk).tags.names()) == []
    assert TaggedVideo.objects.filter(content_object=video).count() == 0


def test_update_without_caption_keeps_tags(user, video_factory):
    video = video_factory(author=user, caption="#stay", tags=["stay"])
    services.video_update(
        video=video, editor=user, visibility=Video.Visibility.PRIVATE, allow_comments=False
    )
    fresh = Video.objects.get(pk=video.pk)
    assert fresh.visibility == Video.Visibility.PRIVATE
    assert fresh.allow_comments is False
    assert fresh.allow_duet is True
    assert list(fresh.tags.names()) == ["stay"]
    assert fresh.caption == "#stay"


def test_update_refuses_bad_values_and_saves_nothing(user, video_factory):
    video = video_factory(author=user, caption="keep me", visibility=Video.Visibility.PUBLIC)
    with pytest.raises(ValidationError) as caught:
        services.video_update(video=video, editor=user, caption="z" * (CAPTION_MAX_LENGTH + 1))
    assert list(caught.value.message_dict) == ["caption"]
    with pytest.raises(ValidationError) as caught:
        services.video_update(video=Video.objects.get(pk=video.pk), editor=user, visibility="world")
    assert list(caught.value.message_dict) == ["visibility"]
    fresh = Video.objects.get(pk=video.pk)
    assert fresh.caption == "keep me"
    assert fresh.visibility == Video.Visibility.PUBLIC


# --- video_delete -------------------------------------------------------------------------------
def test_delete_removes_rows_and_files_after_commit(
    user, clips, media_root, private_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        video = create(user, clips["silent"], caption="#bye")
    video.refresh_from_db()
    assert video.status == Video.Status.READY
    paths = [
        media_root / video.file.name,
        media_root / video.poster.name,
        private_root / video.original.name,
    ]
    assert all(p.exists() for p in paths)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.video_delete(video=video, actor=user)
    assert not Video.objects.filter(pk=video.pk).exists()
    assert TaggedVideo.objects.count() == 0
    assert all(p.exists() for p in paths)  # not before the commit
    for callback in callbacks:
        callback()
    assert not any(p.exists() for p in paths)
    assert files_under(media_root) == []
    assert files_under(private_root) == []


def test_delete_permissions(user_factory, video_factory, django_capture_on_commit_callbacks):
    author, other = user_factory(), user_factory()
    video = video_factory(author=author)
    with pytest.raises(PermissionDenied):
        services.video_delete(video=video, actor=other)
    assert Video.objects.filter(pk=video.pk).exists()
    moderator = user_factory(is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.video_delete(video=video, actor=moderator)
    assert not Video.objects.filter(pk=video.pk).exists()


def test_delete_of_a_processing_video(
    user, clips, private_root, django_capture_on_commit_callbacks
):
    video = create(user, clips["small_h264"])
    assert files_under(private_root) != []
    with django_capture_on_commit_callbacks(execute=True):
        services.video_delete(video=video, actor=user)
    assert Video.objects.count() == 0
    assert files_under(private_root) == []
