"""Duets, stitches and "use this sound" through the services: every permission switch,
blocks, invisible originals, sounds that are not reusable; the composition on real media;
the rules checked again when processing comes round."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from social.models import Block, Follow
from videos import media, services
from videos.models import Sound, Video
from videos.remix import selectors as remix_selectors
from videos.remix.services import RemixRequest, sound_create
from videos.testing import make_audio, make_clip

pytestmark = pytest.mark.django_db
_on_commit = {}


@pytest.fixture(autouse=True)
def _run_on_commit(django_capture_on_commit_callbacks):
    _on_commit["capture"] = django_capture_on_commit_callbacks
    yield
    _on_commit.clear()


def post(author, path: Path, *, run: bool = True, **fields) -> Video:
    if run:
        with _on_commit["capture"](execute=True), path.open("rb") as handle:
            video = services.video_create(
                author=author, upload=handle, size=path.stat().st_size, **fields
            )
    else:
        with path.open("rb") as handle:
            video = services.video_create(
                author=author, upload=handle, size=path.stat().st_size, **fields
            )
    video.refresh_from_db()
    return video


def refused(author, path: Path, remix: RemixRequest) -> dict:
    before = Video.objects.count()
    with pytest.raises(ValidationError) as caught:
        post(author, path, remix=remix)
    assert Video.objects.count() == before  # nothing saved
    error = caught.value
    return error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}


@pytest.fixture(scope="module")
def tone_clips(tmp_path_factory):
    root = tmp_path_factory.mktemp("remix-services")
    return {
        "original": make_clip(root / "o.mp4", width=640, height=360, seconds=3, frequency=1500),
        "new": make_clip(root / "n.mp4", width=360, height=640, seconds=2, frequency=440, fps=25),
        "song": make_audio(root / "song.m4a", seconds=10, frequencies=(2500,), fmt="m4a"),
    }


@pytest.fixture
def original(user_factory, tone_clips):
    return post(user_factory(), tone_clips["original"], caption="original #dance")


@pytest.fixture
def creator(user_factory):
    return user_factory()


# --- duets ----------------------------------------------------------------------------------------
def test_a_duet_is_composed_and_linked_to_its_original(original, creator, tone_clips, settings):
    duet = post(creator, tone_clips["new"], remix=RemixRequest(duet_of=original.public_id))
    assert duet.status == Video.Status.READY, duet.failure_reason
    assert duet.duet_of == original and duet.stitch_of is None
    (nw, nh), (ow, _oh) = media.duet_sizes((360, 640), (640, 360), layout="horizontal")
    assert (duet.width, duet.height) == (nw + ow, nh)
    assert duet.duration == pytest.approx(2.0, abs=0.1)
    info = media.probe(Path(settings.MEDIA_ROOT) / duet.file.name)
    assert info.audio is not None and info.video.codec == "h264"
    # Its own original sound is the duet's mixed audio.
    assert duet.sound is not None and duet.sound.source_video == duet
    # The original lists it.
    assert list(remix_selectors.remixes_of(viewer=None, video=original, kind="duets")) == [duet]
    assert list(remix_selectors.remixes_of(viewer=None, video=original, kind="stitches")) == []


def test_a_top_and_bottom_duet(original, creator, tone_clips):
    duet = post(
        creator,
        tone_clips["new"],
        remix=RemixRequest(duet_of=original.public_id, layout="vertical"),
    )
    assert duet.status == Video.Status.READY, duet.failure_reason
    (nw, nh), (_ow, oh) = media.duet_sizes((360, 640), (640, 360), layout="vertical")
    assert (duet.width, duet.height) == (nw, nh + oh)


def test_duets_switched_off_are_refused(original, creator, tone_clips):
    services.video_update(video=original, editor=original.author, allow_duet=False)
    errors = refused(creator, tone_clips["new"], RemixRequest(duet_of=original.public_id))
    assert errors == {"duet_of": ["The author does not allow duets of this video."]}
    # Stitches are a separate switch.
    assert (
        post(
            creator, tone_clips["new"], run=False, remix=RemixRequest(stitch_of=original.public_id)
        ).stitch_of
        == original
    )


def test_stitches_switched_off_are_refused(original, creator, tone_clips):
    services.video_update(video=original, editor=original.author, allow_stitch=False)
    errors = refused(creator, tone_clips["new"], RemixRequest(stitch_of=original.public_id))
    assert errors == {"stitch_of": ["The author does not allow stitches of this video."]}
    assert (
        post(
            creator, tone_clips["new"], run=False, remix=RemixRequest(duet_of=original.public_id)
        ).duet_of
        == original
    )


@pytest.mark.parametrize("direction", ["they_blocked", "i_blocked"])
def test_blocks_either_way_hide_the_original(original, creator, tone_clips, direction):
    if direction == "they_blocked":
        Block.objects.create(blocker=original.author, blocked=creator)
    else:
        Block.objects.create(blocker=creator, blocked=original.author)
    for field in ("duet_of", "stitch_of"):
        errors = refused(creator, tone_clips["new"], RemixRequest(**{field: original.public_id}))
        assert errors == {field: ["This video is not available."]}


@pytest.mark.parametrize(
    "change",
    [
        {"visibility": Video.Visibility.PRIVATE},
        {"visibility": Video.Visibility.FOLLOWERS},
        {"is_hidden": True},
        {"status": Video.Status.PROCESSING},
        {"status": Video.Status.FAILED},
    ],
    ids=["private", "followers", "hidden", "processing", "failed"],
)
def test_invisible_originals_cannot_be_remixed(original, creator, tone_clips, change):
    Video.objects.filter(pk=original.pk).update(**change)
    errors = refused(creator, tone_clips["new"], RemixRequest(duet_of=original.public_id))
    assert errors == {"duet_of": ["This video is not available."]}


def test_followers_only_original_is_fine_for_a_follower(original, creator, tone_clips):
    Video.objects.filter(pk=original.pk).update(visibility=Video.Visibility.FOLLOWERS)
    Follow.objects.create(follower=creator, followee=original.author)
    duet = post(
        creator, tone_clips["new"], run=False, remix=RemixRequest(duet_of=original.public_id)
    )
    assert duet.duet_of_id == original.pk


def test_private_account_original_needs_a_follow(original, creator, tone_clips):
    original.author.is_private = True
    original.author.save()
    errors = refused(creator, tone_clips["new"], RemixRequest(stitch_of=original.public_id))
    assert errors == {"stitch_of": ["This video is not available."]}


def test_unknown_original_and_mixed_requests_are_refused(original, creator, tone_clips):
    assert refused(creator, tone_clips["new"], RemixRequest(duet_of="nope")) == {
        "duet_of": ["This video is not available."]
    }
    errors = refused(
        creator,
        tone_clips["new"],
        RemixRequest(duet_of=original.public_id, stitch_of=original.public_id),
    )
    assert "Choose one" in errors["__all__"][0]
    errors = refused(
        creator, tone_clips["new"], RemixRequest(duet_of=original.public_id, layout="diagonal")
    )
    assert list(errors) == ["layout"]


def test_original_made_private_while_the_duet_waits_fails_it(original, creator, tone_clips):
    duet = post(
        creator, tone_clips["new"], run=False, remix=RemixRequest(duet_of=original.public_id)
    )
    Video.objects.filter(pk=original.pk).update(visibility=Video.Visibility.PRIVATE)
    duet = services.video_process(video_id=duet.pk)
    assert duet.status == Video.Status.FAILED
    assert duet.failure_reason == "The original video is no longer available for this."
    assert not duet.file and not duet.poster


def test_original_deleted_while_the_stitch_waits_fails_it(original, creator, tone_clips):
    stitch = post(
        creator, tone_clips["new"], run=False, remix=RemixRequest(stitch_of=original.public_id)
    )
    Video.objects.filter(pk=original.pk).delete()
    stitch = services.video_process(video_id=stitch.pk)
    assert stitch.status == Video.Status.FAILED
    assert stitch.failure_reason == "The original video is no longer available for this."


# --- stitches -------------------------------------------------------------------------------------
def test_a_stitch_is_composed_at_the_new_clips_size(original, creator, tone_clips):
    stitch = post(
        creator,
        tone_clips["new"],
        remix=RemixRequest(stitch_of=original.public_id, stitch_start=0.5, stitch_end=2.0),
    )
    assert stitch.status == Video.Status.READY, stitch.failure_reason
    assert stitch.stitch_of == original
    assert (stitch.width, stitch.height) == (360, 640)
    assert stitch.duration == pytest.approx(1.5 + 2.0, abs=0.15)
    assert (stitch.stitch_start, stitch.stitch_end) == (0.5, 2.0)


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        (1.0, 1.0, "stitch_end", "The end must come after the start."),
        (2.0, 1.0, "stitch_end", "The end must come after the start."),
        (0.0, 5.5, "stitch_end", "A stitch takes at most 5 seconds of the original."),
        (-1.0, 2.0, "stitch_end", "The end must come after the start."),
        (3.5, 5.0, "stitch_start", "The start is past the end of the video."),
        (float("nan"), 2.0, "stitch_start", "Enter a number."),
    ],
)
def test_stitch_ranges_are_checked(original, creator, tone_clips, start, end, field, message):
    errors = refused(
        creator,
        tone_clips["new"],
        RemixRequest(stitch_of=original.public_id, stitch_start=start, stitch_end=end),
    )
    assert errors == {field: [message]}


# --- "use this sound" -----------------------------------------------------------------------------
@pytest.fixture
def song(user_factory, tone_clips):
    owner = user_factory()
    with _on_commit["capture"](execute=True), tone_clips["song"].open("rb") as handle:
        sound = sound_create(
            owner=owner, upload=handle, size=tone_clips["song"].stat().st_size, title="Hit"
        )
    sound.refresh_from_db()
    assert sound.status == Sound.Status.READY
    return sound


def test_use_this_sound_lays_it_under_and_links_the_video(song, creator, tone_clips, settings):
    video = post(
        creator,
        tone_clips["new"],
        remix=RemixRequest(sound=song.public_id, sound_offset=3, original_volume=0.5),
    )
    assert video.status == Video.Status.READY, video.failure_reason
    assert video.sound == song
    assert (video.sound_offset, video.original_volume) == (3.0, 0.5)
    assert video.duration == pytest.approx(2.0, abs=0.1)
    assert Sound.objects.filter(is_original=True).count() == 0  # no original sound of its own
    song.refresh_from_db()
    assert song.uses_count == 1
    info = media.probe(Path(settings.MEDIA_ROOT) / video.file.name)
    assert info.audio is not None


def test_a_sound_that_is_not_reusable_is_refused_but_its_owner_may_use_it(
    song, creator, tone_clips
):
    Sound.objects.filter(pk=song.pk).update(is_reusable=False)
    errors = refused(creator, tone_clips["new"], RemixRequest(sound=song.public_id))
    assert errors == {"sound": ["The owner of this sound does not allow others to use it."]}
    mine = post(song.owner, tone_clips["new"], run=False, remix=RemixRequest(sound=song.public_id))
    assert mine.sound_id == song.pk


def test_sounds_hidden_by_blocks_inactivity_or_processing_are_refused(
    song, creator, tone_clips, user_factory
):
    Block.objects.create(blocker=song.owner, blocked=creator)
    assert refused(creator, tone_clips["new"], RemixRequest(sound=song.public_id)) == {
        "sound": ["This sound is not available."]
    }
    stranger = user_factory()
    Sound.objects.filter(pk=song.pk).update(status=Sound.Status.PROCESSING)
    assert refused(stranger, tone_clips["new"], RemixRequest(sound=song.public_id)) == {
        "sound": ["This sound is not available."]
    }
    Sound.objects.filter(pk=song.pk).update(status=Sound.Status.READY)
    song.owner.is_active = False
    song.owner.save()
    assert refused(stranger, tone_clips["new"], RemixRequest(sound=song.public_id)) == {
        "sound": ["This sound is not available."]
    }
    assert refused(stranger, tone_clips["new"], RemixRequest(sound="missing")) == {
        "sound": ["This sound is not available."]
    }


def test_original_sound_of_a_video_that_forbids_reuse(original, creator, tone_clips):
    services.video_update(video=original, editor=original.author, allow_sound_reuse=False)
    errors = refused(creator, tone_clips["new"], RemixRequest(sound=original.sound.public_id))
    assert errors == {"sound": ["The owner of this sound does not allow others to use it."]}


@pytest.mark.parametrize(
    ("offset", "volume", "field"),
    [
        (-1, 0, "sound_offset"),
        (10, 0, "sound_offset"),
        (0, 1.5, "original_volume"),
        (0, -0.1, "original_volume"),
        (float("inf"), 0, "sound_offset"),
    ],
)
def test_sound_offset_and_volume_are_checked(song, creator, tone_clips, offset, volume, field):
    errors = refused(
        creator,
        tone_clips["new"],
        RemixRequest(sound=song.public_id, sound_offset=offset, original_volume=volume),
    )
    assert list(errors) == [field]


def test_sound_switched_off_while_the_video_waits_fails_it(song, creator, tone_clips):
    video = post(creator, tone_clips["new"], run=False, remix=RemixRequest(sound=song.public_id))
    Sound.objects.filter(pk=song.pk).update(is_reusable=False)
    video = services.video_process(video_id=video.pk)
    assert video.status == Video.Status.FAILED
    assert video.failure_reason == "The owner of this sound does not allow others to use it."


def test_sound_removed_while_the_video_waits_fails_it(song, creator, tone_clips):
    video = post(creator, tone_clips["new"], run=False, remix=RemixRequest(sound=song.public_id))
    Sound.objects.filter(pk=song.pk).delete()
    video = services.video_process(video_id=video.pk)
    assert video.status == Video.Status.FAILED
    assert video.failure_reason == "The sound you chose is no longer available."
