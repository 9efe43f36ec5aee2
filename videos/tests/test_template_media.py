"""Template layouts on real media: green screen over a picture and text on top, on clips of
different sizes and frame rates, with and without audio. Pixels are read back with PyAV."""

from __future__ import annotations

import io
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from videos import media
from videos.testing import make_clip

BG_COLOUR = (200, 40, 160)  # magenta-ish: nothing like the key green or the test pattern


def processed(path: Path, workdir: Path) -> media.ProcessedVideo:
    return media.process_video(path, workdir)


def frame_at(path: Path, seconds: float) -> np.ndarray:
    """The RGB frame shown at `seconds`."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        chosen = None
        for frame in container.decode(stream):
            chosen = frame
            if frame.time is not None and frame.time >= seconds:
                break
        return chosen.to_ndarray(format="rgb24")


def info(path: Path) -> dict:
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        audio = container.streams.audio[0] if container.streams.audio else None
        return {
            "width": video.codec_context.width,
            "height": video.codec_context.height,
            "codec": video.codec_context.name,
            "audio": audio.codec_context.name if audio else None,
            "fps": float(video.average_rate),
        }


def background_jpeg(path: Path, size=(800, 600)) -> Path:
    data = io.BytesIO()
    Image.new("RGB", size, BG_COLOUR).save(data, "PNG")
    path.write_bytes(media.image_reencode(data.getvalue()))
    return path


@pytest.mark.parametrize(
    ("width", "height", "fps", "audio"),
    [(480, 854, 30, True), (640, 360, 25, False), (360, 640, 24, True)],
)
def test_green_screen_keys_the_green_and_shows_the_picture(tmp_path, width, height, fps, audio):
    clip = make_clip(
        tmp_path / "green.mp4",
        width=width,
        height=height,
        seconds=2,
        fps=fps,
        audio=audio,
        pattern="greenscreen",
    )
    new = processed(clip, tmp_path)
    out = media.compose_green_screen(new, background_jpeg(tmp_path / "bg.jpg"), tmp_path)
    got = info(out.path)
    assert (got["width"], got["height"]) == (width, height)
    assert (out.width, out.height) == (width, height)
    assert got["codec"] == "h264"
    assert got["audio"] == ("aac" if audio else None)
    assert out.has_audio is audio
    assert abs(out.duration - 2.0) < 0.2
    assert abs(got["fps"] - fps) < 0.5
    frame = frame_at(out.path, 1.0).astype(int)
    # The corner was pure green: now the background picture shows there.
    corner = frame[4:20, 4:20].reshape(-1, 3).mean(axis=0)
    assert np.abs(corner - BG_COLOUR).max() < 30, corner
    # The subject in the middle is kept: not the background colour.
    middle = frame[height // 2 - 4 : height // 2 + 4, width // 2 - 4 : width // 2 + 4]
    assert np.abs(middle.reshape(-1, 3).mean(axis=0) - BG_COLOUR).max() > 40
    assert out.poster.exists()


def test_green_screen_background_covers_a_frame_of_another_shape(tmp_path):
    clip = make_clip(tmp_path / "g.mp4", width=360, height=640, seconds=1, pattern="greenscreen")
    new = processed(clip, tmp_path)
    wide = background_jpeg(tmp_path / "wide.jpg", size=(1600, 400))
    out = media.compose_green_screen(new, wide, tmp_path)
    frame = frame_at(out.path, 0.5).astype(int)
    # Scaled to cover and cropped: the picture reaches every corner, no black bars.
    for y, x in ((5, 5), (5, 350), (630, 5), (630, 350)):
        assert np.abs(frame[y, x] - BG_COLOUR).max() < 30, (y, x, frame[y, x])


@pytest.mark.parametrize(
    ("width", "height", "fps", "audio"),
    [(480, 854, 30, True), (640, 360, 25, False)],
)
def test_text_on_top_changes_the_top_only(tmp_path, width, height, fps, audio):
    clip = make_clip(
        tmp_path / "c.mp4", width=width, height=height, seconds=2, fps=fps, audio=audio
    )
    new = processed(clip, tmp_path)
    source = frame_at(new.path, 1.0).astype(int)
    out = media.compose_text_on_top(new, "When the beat drops\nand you are ready", tmp_path)
    got = info(out.path)
    assert (got["width"], got["height"]) == (width, height)
    assert got["audio"] == ("aac" if audio else None)
    assert abs(out.duration - 2.0) < 0.2
    frame = frame_at(out.path, 1.0).astype(int)
    top = np.abs(frame[: height // 10] - source[: height // 10]).mean()
    bottom = np.abs(frame[-height // 4 :] - source[-height // 4 :]).mean()
    assert top > 20, top  # the band and the text are drawn there
    assert bottom < 6, bottom  # the rest is the source (give or take the re-encode)


def test_text_overlay_fits_long_lines(tmp_path):
    png = media.text_overlay_png("x" * 120, tmp_path / "t.png", width=360)
    with Image.open(png) as image:
        assert image.size[0] == 360
        assert image.mode == "RGBA"
        assert image.size[1] % 2 == 0
        # The text stays inside the picture: its outermost columns are the plain band.
        pixels = np.asarray(image)
        assert pixels[:, :3, :3].max() < 10


def test_green_screen_refuses_a_key_colour_that_is_not_hex(tmp_path):
    clip = make_clip(tmp_path / "c.mp4", width=320, height=240, seconds=1)
    new = processed(clip, tmp_path)
    probe = media.probe(new.path)
    with pytest.raises(ValueError):
        media.green_screen_command(
            new.path, probe, tmp_path / "bg.jpg", tmp_path / "o.mp4", key_color="#00ff00:x"
        )


def test_image_reencode_strips_metadata_and_limits_size():
    data = io.BytesIO()
    image = Image.new("RGB", (3000, 1500), (10, 200, 30))
    image.save(data, "JPEG", comment=b"<script>alert(1)</script>")
    out = media.image_reencode(data.getvalue())
    assert b"<script>" not in out
    with Image.open(io.BytesIO(out)) as again:
        assert again.format == "JPEG"
        assert max(again.size) == media.BACKGROUND_LONG_SIDE


@pytest.mark.parametrize("data", [b"", b"GIF89a not allowed", b"\x89PNG\r\n\x1a\n broken"])
def test_image_reencode_refuses_what_is_not_a_picture(data):
    with pytest.raises(media.MediaError):
        media.image_reencode(data)
