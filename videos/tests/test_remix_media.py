"""Remix recipes on real media: duets, stitches, "use this sound", original sounds and
uploaded music, on clips of different sizes, frame rates and with or without audio.

Audio is checked by its spectrum: each source is a tone of its own frequency, so a peak at
that frequency in the output (numpy's FFT over samples decoded by PyAV) proves it is there.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from videos import media
from videos.testing import make_audio, make_clip

RATE = 44100
NEW_HZ, ORIGINAL_HZ, MUSIC_HZ = 440, 1500, 2500
PRESENT, ABSENT = 0.1, 0.01


# --- helpers ------------------------------------------------------------------------------------
def decoded_audio(path: Path) -> np.ndarray:
    """The file's first audio track as mono float samples at RATE."""
    with av.open(str(path)) as container:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
        chunks = []
        for frame in container.decode(container.streams.audio[0]):
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray().reshape(-1))
        for out in resampler.resample(None):
            chunks.append(out.to_ndarray().reshape(-1))
    return np.concatenate(chunks)


def tone_strength(samples: np.ndarray, *, start: float, seconds: float, hz: int) -> float:
    """The spectrum's height at hz against the window's strongest peak (1: the loudest
    tone; above PRESENT: clearly there; under ABSENT: not there)."""
    window = samples[int(start * RATE) : int((start + seconds) * RATE)]
    assert len(window) > RATE * seconds * 0.9, "window past the end of the audio"
    spectrum = np.abs(np.fft.rfft(window * np.hanning(len(window))))
    freqs = np.fft.rfftfreq(len(window), 1 / RATE)
    band = spectrum[(freqs > hz - 15) & (freqs < hz + 15)].max()
    return float(band / (spectrum.max() + 1e-12))


def loudness(samples: np.ndarray, *, start: float, seconds: float) -> float:
    window = samples[int(start * RATE) : int((start + seconds) * RATE)]
    return float(np.sqrt(np.mean(window**2))) if len(window) else 0.0


def streams(path: Path) -> dict:
    with av.open(str(path)) as container:
        video = container.streams.video[0] if container.streams.video else None
        audio = container.streams.audio[0] if container.streams.audio else None
        return {
            "format": container.format.name,
            "width": video.width if video else None,
            "height": video.height if video else None,
            "fps": Fraction(video.average_rate) if video else None,
            "video_codec": video.codec_context.name if video else None,
            "audio_codec": audio.codec_context.name if audio else None,
            "sar": video.sample_aspect_ratio if video else None,
            "metadata": dict(container.metadata),
        }


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """Processed clips (as the pipeline leaves an upload) and sounds, made once."""
    root = tmp_path_factory.mktemp("remix-media")

    def processed(name: str, **kwargs) -> media.ProcessedVideo:
        work = root / name
        work.mkdir()
        return media.process_video(make_clip(root / f"{name}.mp4", **kwargs), work)

    return {
        "root": root,
        # A phone recording: vertical, 30 fps, a 440 Hz voice.
        "new": processed("new", width=720, height=1280, seconds=3, frequency=NEW_HZ),
        # Landscape, 25 fps, shorter than the new clip, a 1500 Hz voice (mpeg4: transcoded).
        "landscape": processed(
            "landscape",
            width=1280,
            height=720,
            seconds=2,
            fps=25,
            frequency=ORIGINAL_HZ,
            codec="mpeg4",
        ),
        # Longer than the new clip, square, 24 fps.
        "long": processed(
            "long", width=640, height=640, seconds=5, fps=24, frequency=ORIGINAL_HZ, hue=90
        ),
        "silent_small": processed(
            "silent_small", width=360, height=640, seconds=2, fps=15, audio=False
        ),
        "silent_wide": processed("silent_wide", width=640, height=360, seconds=3, audio=False),
        "music": make_audio(root / "music.m4a", seconds=8, frequencies=(MUSIC_HZ,), fmt="m4a"),
        "short_music": make_audio(
            root / "short.m4a", seconds=1, frequencies=(MUSIC_HZ,), fmt="m4a"
        ),
    }


def workdir(tmp_path: Path, name: str = "work") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    return folder


# --- sizes -------------------------------------------------------------------------------------
def test_duet_sizes_share_the_height_side_by_side_and_fit_the_long_side():
    new, original = duet_halves = media.duet_sizes((720, 1280), (1280, 720), layout="horizontal")
    assert new[1] == original[1]
    assert new[0] + original[0] <= media.MAX_LONG_SIDE
    assert all(v % 2 == 0 for half in duet_halves for v in half)
    # Shapes are kept (within the rounding to even sizes).
    assert abs(new[0] / new[1] - 720 / 1280) < 0.02
    assert abs(original[0] / original[1] - 1280 / 720) < 0.02


def test_duet_sizes_share_the_width_top_and_bottom_and_never_upscale():
    new, original = media.duet_sizes((360, 640), (1080, 1920), layout="vertical")
    assert new[0] == original[0] <= 360
    assert new[1] + original[1] <= media.MAX_LONG_SIDE
    small = media.duet_sizes((180, 320), (180, 320), layout="horizontal")
    assert small == ((180, 320), (180, 320))
    with pytest.raises(ValueError):
        media.duet_sizes((2, 2), (2, 2), layout="diagonal")


# --- duets ----------------------------------------------------------------------------------------
def test_duet_side_by_side_mixes_both_voices_and_lasts_as_long_as_the_new_clip(made, tmp_path):
    result = media.compose_duet(made["new"], made["landscape"].path, workdir(tmp_path))

    info = streams(result.path)
    (nw, nh), (ow, oh) = media.duet_sizes((720, 1280), (1280, 720), layout="horizontal")
    assert (info["width"], info["height"]) == (nw + ow, nh) == (result.width, result.height)
    assert nh == oh
    assert info["fps"] == 30  # the new clip's rate; the original was 25
    assert info["video_codec"] == "h264" and info["audio_codec"] == "aac"
    assert info["sar"] in (None, Fraction(1))
    assert result.duration == pytest.approx(3.0, abs=0.1)  # the new clip's length
    assert result.poster.exists() and result.poster.stat().st_size > 0

    samples = decoded_audio(result.path)
    # Both voices, while both play …
    assert tone_strength(samples, start=0.2, seconds=1.0, hz=NEW_HZ) > PRESENT
    assert tone_strength(samples, start=0.2, seconds=1.0, hz=ORIGINAL_HZ) > PRESENT
    # … and the original (2 s) falls silent while the new clip goes on.
    assert tone_strength(samples, start=2.2, seconds=0.7, hz=NEW_HZ) > PRESENT
    assert tone_strength(samples, start=2.2, seconds=0.7, hz=ORIGINAL_HZ) < ABSENT


def test_duet_top_and_bottom_shares_the_width(made, tmp_path):
    result = media.compose_duet(
        made["new"], made["long"].path, workdir(tmp_path), layout="vertical"
    )
    (nw, nh), (ow, oh) = media.duet_sizes((720, 1280), (640, 640), layout="vertical")
    assert nw == ow
    assert (result.width, result.height) == (nw, nh + oh)
    # The original (5 s) is cut to the new clip's 3 s.
    assert result.duration == pytest.approx(3.0, abs=0.1)
    samples = decoded_audio(result.path)
    assert tone_strength(samples, start=0.5, seconds=1.0, hz=NEW_HZ) > PRESENT
    assert tone_strength(samples, start=0.5, seconds=1.0, hz=ORIGINAL_HZ) > PRESENT


def test_duet_of_a_silent_recording_keeps_the_originals_audio(made, tmp_path):
    result = media.compose_duet(made["silent_small"], made["long"].path, workdir(tmp_path))
    assert result.has_audio
    assert streams(result.path)["fps"] == 15
    samples = decoded_audio(result.path)
    assert tone_strength(samples, start=0.2, seconds=1.0, hz=ORIGINAL_HZ) > PRESENT
    assert tone_strength(samples, start=0.2, seconds=1.0, hz=NEW_HZ) < ABSENT


def test_duet_with_a_silent_original_keeps_the_new_voice(made, tmp_path):
    result = media.compose_duet(made["new"], made["silent_wide"].path, workdir(tmp_path))
    samples = decoded_audio(result.path)
    assert tone_strength(samples, start=0.2, seconds=1.0, hz=NEW_HZ) > PRESENT
    assert tone_strength(samples, start=0.2, seconds=1.0, hz=ORIGINAL_HZ) < ABSENT


def test_duet_of_two_silent_clips_has_no_audio_track(made, tmp_path):
    result = media.compose_duet(made["silent_small"], made["silent_wide"].path, workdir(tmp_path))
    assert not result.has_audio
    assert streams(result.path)["audio_codec"] is None
    assert result.duration == pytest.approx(2.0, abs=0.1)


# --- stitches -------------------------------------------------------------------------------------
def test_stitch_joins_part_of_the_original_then_the_new_clip_at_one_size_and_rate(made, tmp_path):
    result = media.compose_stitch(
        made["silent_small"], made["long"].path, workdir(tmp_path), start=1.0, end=3.0
    )
    info = streams(result.path)
    # The new clip's size and rate: the square original is scaled and padded into it.
    assert (info["width"], info["height"]) == (360, 640)
    assert info["fps"] == 15
    assert result.duration == pytest.approx(2.0 + 2.0, abs=0.15)
    # The original's voice for its 2 s, then silence where the new clip has none.
    samples = decoded_audio(result.path)
    assert tone_strength(samples, start=0.2, seconds=1.5, hz=ORIGINAL_HZ) > PRESENT
    assert loudness(samples, start=2.3, seconds=1.5) < 0.01


def test_stitch_of_a_silent_original_gives_silence_then_the_new_voice(made, tmp_path):
    result = media.compose_stitch(
        made["new"], made["silent_wide"].path, workdir(tmp_path), start=0.0, end=1.5
    )
    assert (result.width, result.height) == (720, 1280)
    assert result.duration == pytest.approx(1.5 + 3.0, abs=0.15)
    samples = decoded_audio(result.path)
    assert loudness(samples, start=0.1, seconds=1.2) < 0.01
    assert tone_strength(samples, start=2.0, seconds=2.0, hz=NEW_HZ) > PRESENT


def test_stitch_of_two_silent_clips_has_no_audio_track(made, tmp_path):
    result = media.compose_stitch(
        made["silent_small"], made["silent_wide"].path, workdir(tmp_path), start=0.5, end=2.5
    )
    assert not result.has_audio
    assert result.duration == pytest.approx(2.0 + 2.0, abs=0.15)


def test_stitch_takes_at_most_five_seconds_and_stops_at_the_originals_end(made, tmp_path):
    assert media.stitch_part(start=0, end=9, original_duration=20) == 5.0
    assert media.stitch_part(start=1.5, end=4, original_duration=2.0) == 0.5
    with pytest.raises(media.MediaError):
        media.stitch_part(start=3, end=4, original_duration=2.0)
    with pytest.raises(media.MediaError):
        media.stitch_part(start=-1, end=2, original_duration=20)
    # The landscape original is 2 s long: asking for 1.0–4.0 takes its last second.
    result = media.compose_stitch(
        made["new"], made["landscape"].path, workdir(tmp_path), start=1.0, end=4.0
    )
    assert result.duration == pytest.approx(1.0 + 3.0, abs=0.15)


# --- "use this sound" -----------------------------------------------------------------------------
def test_sound_replaces_the_videos_audio_from_the_offset(made, tmp_path):
    result = media.lay_sound(made["new"], made["music"], workdir(tmp_path), offset=2.0, volume=0.0)
    info = streams(result.path)
    assert (info["width"], info["height"]) == (720, 1280)
    assert info["video_codec"] == "h264" and info["audio_codec"] == "aac"
    assert result.duration == pytest.approx(3.0, abs=0.1)  # the video's length, not the song's
    samples = decoded_audio(result.path)
    assert tone_strength(samples, start=0.2, seconds=2.0, hz=MUSIC_HZ) > PRESENT
    assert tone_strength(samples, start=0.2, seconds=2.0, hz=NEW_HZ) < ABSENT


def test_sound_mixed_with_the_videos_own_audio(made, tmp_path):
    result = media.lay_sound(made["new"], made["music"], workdir(tmp_path), offset=0, volume=0.6)
    samples = decoded_audio(result.path)
    assert tone_strength(samples, start=0.2, seconds=2.0, hz=MUSIC_HZ) > PRESENT
    assert tone_strength(samples, start=0.2, seconds=2.0, hz=NEW_HZ) > PRESENT


def test_sound_under_a_silent_video_and_shorter_than_it_is_padded(made, tmp_path):
    result = media.lay_sound(
        made["silent_wide"], made["short_music"], workdir(tmp_path), offset=0, volume=1.0
    )
    assert result.has_audio
    assert result.duration == pytest.approx(3.0, abs=0.1)
    samples = decoded_audio(result.path)
    assert tone_strength(samples, start=0.1, seconds=0.8, hz=MUSIC_HZ) > PRESENT
    assert loudness(samples, start=1.5, seconds=1.0) < 0.01


# --- original sounds and uploaded music -----------------------------------------------------------
def test_original_sound_is_the_videos_audio_as_m4a(made, tmp_path):
    extracted = media.extract_sound(made["new"].path, workdir(tmp_path))
    assert extracted is not None
    info = streams(extracted.path)
    assert info["format"].startswith("mov")
    assert info["audio_codec"] == "aac" and info["video_codec"] is None
    assert extracted.duration == pytest.approx(3.0, abs=0.1)
    assert tone_strength(decoded_audio(extracted.path), start=0.2, seconds=1, hz=NEW_HZ) > PRESENT
    assert media.probe(extracted.path, kind="audio").audio is not None


def test_a_silent_video_has_no_original_sound(made, tmp_path):
    assert media.extract_sound(made["silent_wide"].path, workdir(tmp_path)) is None


@pytest.mark.parametrize("fmt", ["mp3", "m4a", "aac", "ogg", "opus", "wav", "flac"])
def test_uploaded_music_in_every_format_becomes_aac_m4a(fmt, tmp_path):
    src = make_audio(tmp_path / f"song.{fmt}", seconds=3, frequencies=(MUSIC_HZ,), fmt=fmt)
    result = media.process_audio(src, workdir(tmp_path))
    info = streams(result.path)
    assert info["format"].startswith("mov")
    assert info["audio_codec"] == "aac" and info["video_codec"] is None
    assert result.duration == pytest.approx(3.0, abs=0.15)
    assert tone_strength(decoded_audio(result.path), start=0.2, seconds=2, hz=MUSIC_HZ) > PRESENT
    assert not any(key in info["metadata"] for key in ("title", "artist", "comment"))


def test_uploaded_music_longer_than_ten_minutes_is_refused(tmp_path):
    src = make_audio(tmp_path / "long.mp3", seconds=602, fmt="mp3", sample_rate=8000)
    with pytest.raises(media.MediaError) as error:
        media.process_audio(src, workdir(tmp_path))
    assert error.value.code == "too_long"
    assert error.value.reason == "The sound is longer than 10:00 min."


def test_uploaded_music_must_be_audio(made, tmp_path):
    text = tmp_path / "song.mp3"
    text.write_text("#EXTM3U\nhttp://example.org/a.mp3\n")
    with pytest.raises(media.MediaError) as error:
        media.process_audio(text, workdir(tmp_path, "a"))
    assert error.value.code == "not_audio"
    with pytest.raises(media.MediaError) as error:
        media.process_audio(made["silent_wide"].path, workdir(tmp_path, "b"))
    assert error.value.code == "no_audio"


def test_every_remix_command_pins_demuxers_and_protocols(made, tmp_path):
    new = media.probe(made["new"].path)
    original = media.probe(made["silent_wide"].path)
    commands = [
        media.duet_command(
            made["new"].path, new, made["silent_wide"].path, original, tmp_path / "d"
        ),
        media.stitch_command(
            made["silent_wide"].path,
            original,
            made["new"].path,
            new,
            tmp_path / "s",
            start=0,
            end=1,
        ),
        media.sound_under_command(
            made["new"].path, new, made["music"], tmp_path / "u", offset=0, volume=0.5
        ),
        media.extract_audio_command(made["new"].path, tmp_path / "e"),
        media.audio_transcode_command(
            made["music"], tmp_path / "t", media.probe(made["music"], kind="audio")
        ),
    ]
    for command in commands:
        argv = command.build()
        inputs = [i for i, arg in enumerate(argv) if arg == "-i"]
        assert inputs
        for i in inputs:
            assert argv[i - 2] == "-f" and argv[i - 1] in {"mov", "mp3", "ogg", "wav", "flac"}
            assert "-protocol_whitelist" in argv[:i]
        assert argv.count("-protocol_whitelist") == len(inputs)
        assert "lavfi" not in argv
