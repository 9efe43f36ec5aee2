"""The media pipeline on real files made by ffmpeg: probing, refusing, transcoding, remuxing."""

from __future__ import annotations

import logging
import os
import secrets
import time
from fractions import Fraction
from pathlib import Path

import av
import pytest
from PIL import Image

from videos import media
from videos.testing import make_clip

DAMAGED = "The file is damaged or incomplete."
NOT_VIDEO = "That file is not a video we can read. Try an MP4, MOV or WebM."
AUDIO_ONLY = "That file has no picture: it looks like audio only."


# --- helpers ------------------------------------------------------------------------------------
def top_level_boxes(data: bytes) -> list[str]:
    """Types of the top-level ISO-BMFF boxes, read straight from the bytes."""
    types: list[str] = []
    offset = 0
    while offset + 8 <= len(data):
        size = int.from_bytes(data[offset : offset + 4], "big")
        kind = data[offset + 4 : offset + 8].decode("latin-1")
        if size == 1:
            size = int.from_bytes(data[offset + 8 : offset + 16], "big")
        elif size == 0:
            size = len(data) - offset
        assert size >= 8, f"bad box {kind!r} at {offset}"
        types.append(kind)
        offset += size
    assert offset == len(data), "boxes do not add up to the file size"
    return types


def inspect(path: Path) -> dict:
    """What a player sees, read with PyAV directly (not through media.probe)."""
    with av.open(str(path)) as container:
        assert container.format.name.startswith("mov"), container.format.name
        video = container.streams.video
        audio = container.streams.audio
        assert len(video) == 1
        v = video[0]
        frame = next(container.decode(v))
        info = {
            "codec": v.codec_context.name,
            "profile": v.codec_context.profile,
            "pix_fmt": v.codec_context.pix_fmt,
            "width": v.width,
            "height": v.height,
            "sar": v.sample_aspect_ratio,
            "rotation": frame.rotation,
            "duration": container.duration / 1_000_000,
            "audio": audio[0].codec_context.name if audio else None,
            "audio_channels": audio[0].codec_context.channels if audio else 0,
        }
    return info


def generate(dst: Path, inputs: list[tuple[str, str, list[str]]], *output: str) -> Path:
    """Run a generated-media command: inputs are (source, format, options)."""
    cmd = media.FFmpegCommand(generated=True)
    for source, fmt, options in inputs:
        cmd.input(source, fmt=fmt, options=options)
    media.run_ffmpeg(cmd.output(dst, *output), timeout=120)
    return dst


def sine(seconds: float) -> tuple[str, str, list[str]]:
    return ("sine=frequency=440:sample_rate=44100", "lavfi", ["-t", str(seconds)])


def refuse(src: Path, workdir: Path) -> media.MediaError:
    workdir.mkdir(exist_ok=True)
    with pytest.raises(media.MediaError) as caught:
        media.process_video(src, workdir)
    return caught.value


def ffmpeg_inputs(argv: list[str]) -> list[list[str]]:
    """Split an argument list into the option groups of its inputs (each ends with -i X)."""
    groups: list[list[str]] = []
    start = 0
    for i, arg in enumerate(argv):
        if arg == "-i":
            groups.append(argv[start : i + 2])
            start = i + 2
    return groups


def assert_safe_inputs(cmd: media.FFmpegCommand) -> list[str]:
    argv = cmd.build()
    assert argv[0] == media.ffmpeg_binary()
    assert "-nostdin" in argv
    groups = ffmpeg_inputs(argv)
    assert groups, "no input"
    formats = []
    for group in groups:
        assert group[-2] == "-i"
        assert group[-4] == "-f", group
        fmt = group[-3]
        assert fmt in media.INPUT_FORMATS
        if fmt == "lavfi":
            assert cmd.generated
        else:
            pos = group.index("-protocol_whitelist")
            assert group[pos + 1] == "file,pipe"
        formats.append(fmt)
    return formats


# --- generated inputs for this module -------------------------------------------------------------
@pytest.fixture(scope="module")
def files(tmp_path_factory, clips) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("inputs")
    out: dict[str, Path] = {}
    # AAC in an M4A container, named like a video.
    out["audio_only"] = generate(root / "song.mp4", [sine(2)], "-c:a", "aac", "-f", "ipod")
    # An M4A with cover art: the picture is a "video" stream that must not count.
    Image.new("RGB", (300, 300), "purple").save(root / "cover.png")
    out["cover_art"] = generate(
        root / "cover-art.mp4",
        [sine(2), (str(root / "cover.png"), "image2", [])],
        *("-map", "0:a", "-map", "1:v", "-c:a", "aac", "-c:v", "png"),
        *("-disposition:v:0", "attached_pic", "-f", "ipod"),
    )
    png = root / "picture.mp4"
    Image.new("RGB", (64, 64), "red").save(png, format="PNG")
    out["png"] = png
    text = root / "notes.mp4"
    text.write_text("just some notes, not a video\n" * 50)
    out["text"] = text
    empty = root / "empty.mp4"
    empty.write_bytes(b"")
    out["empty"] = empty
    # 320x360 stored with 2:1 pixels: shown as 640x360.
    out["anamorphic"] = generate(
        root / "anamorphic.mp4",
        [("testsrc2=size=320x360:rate=30,setsar=2", "lavfi", ["-t", "1"])],
        *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-f", "mp4"),
    )
    # Left half red, right half blue, to check which way up the output is.
    halves = generate(
        root / "halves.mp4",
        [("color=c=red:s=320x180:r=30", "lavfi", ["-t", "1"])],
        *("-vf", "drawbox=x=160:y=0:w=160:h=180:color=blue:t=fill"),
        *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-f", "mp4"),
    )
    for degrees in (90, -90):
        dst = root / f"halves{degrees}.mp4"
        media.run_ffmpeg(media.rotate_command(halves, dst, degrees=degrees))
        out[f"halves{degrees}"] = dst

    # Truncated files: an ordinary MP4 (mdat, then moov at the end) and a faststart one
    # (moov first, then mdat).
    plain = clips["small_h264"].read_bytes()
    assert top_level_boxes(plain).index("mdat") < top_level_boxes(plain).index("moov")
    faststart = root / "faststart.mp4"
    media.run_ffmpeg(
        media.FFmpegCommand()
        .input(clips["small_h264"], fmt="mov")
        .output(faststart, "-c", "copy", "-movflags", "+faststart", "-f", "mp4")
    )
    fast = faststart.read_bytes()
    assert top_level_boxes(fast).index("moov") < top_level_boxes(fast).index("mdat")
    cuts = {
        "cut_plain_half": plain[: len(plain) // 2],
        "cut_plain_moov": plain[: len(plain) - 1000],  # inside the moov box at the end
        "cut_faststart_half": fast[: len(fast) // 2],
        "cut_faststart_90": fast[: len(fast) * 9 // 10],
        "cut_faststart_tail": fast[:-100],
    }
    for name, data in cuts.items():
        path = root / f"{name}.mp4"
        path.write_bytes(data)
        out[name] = path
    return out


@pytest.fixture(scope="module")
def process(tmp_path_factory):
    """process_video once per input for the whole module (the slow part)."""
    cache: dict[Path, media.ProcessedVideo] = {}

    def run(src: Path) -> media.ProcessedVideo:
        if src not in cache:
            cache[src] = media.process_video(src, tmp_path_factory.mktemp("work"))
        return cache[src]

    return run


# --- processing real clips ------------------------------------------------------------------------
# name: (input display size, output size, transcoded, audio, duration)
EXPECTED = {
    "vertical": ((1080, 1920), (720, 1280), True, True, 3.0),
    "landscape": ((1280, 720), (1280, 720), True, True, 2.0),
    "rotated": ((360, 640), (360, 640), True, True, 2.0),
    "silent": ((480, 854), (480, 854), False, False, 2.0),
    "small_h264": ((720, 1280), (720, 1280), False, True, 2.0),
    "webm": ((480, 854), (480, 854), True, True, 2.0),
}


@pytest.mark.parametrize("name", EXPECTED)
def test_processed_output_is_web_ready(name, clips, process):
    (in_w, in_h), (out_w, out_h), transcoded, has_audio, seconds = EXPECTED[name]
    src_info = media.probe(clips[name])
    assert src_info.video is not None
    assert src_info.video.display_size == (in_w, in_h)

    result = process(clips[name])

    assert (result.width, result.height) == (out_w, out_h)
    assert result.transcoded is transcoded
    assert result.has_audio is has_audio
    assert result.duration == pytest.approx(seconds, abs=0.1)
    assert result.path.parent == result.poster.parent

    out = inspect(result.path)
    assert out["codec"] == "h264"
    assert out["pix_fmt"] == "yuv420p"
    if transcoded:
        assert out["profile"] == "High"
    else:
        assert out["profile"] == src_info.video.profile
    assert (out["width"], out["height"]) == (out_w, out_h)
    assert out["rotation"] == 0
    assert out["sar"] in (None, Fraction(1))
    assert max(out["width"], out["height"]) <= media.MAX_LONG_SIDE
    assert out["width"] % 2 == 0 and out["height"] % 2 == 0
    assert out["width"] / out["height"] == pytest.approx(in_w / in_h, rel=0.01)
    assert out["duration"] == pytest.approx(seconds, abs=0.1)
    assert out["audio"] == ("aac" if has_audio else None)

    boxes = top_level_boxes(result.path.read_bytes())
    assert boxes[0] == "ftyp"
    assert boxes.index("moov") < boxes.index("mdat"), boxes

    with Image.open(result.poster) as poster:
        assert poster.format == "JPEG"
        assert poster.size == (out_w, out_h)


def test_vertical_1080p_is_scaled_to_720x1280(clips, process):
    result = process(clips["vertical"])
    assert (result.width, result.height) == (720, 1280)
    assert result.path.stat().st_size < clips["vertical"].stat().st_size


@pytest.mark.parametrize(
    ("name", "top", "bottom"),
    [
        # -display_rotation is counter-clockwise: the left (red) half ends at the bottom.
        ("halves90", "blue", "red"),
        ("halves-90", "red", "blue"),
    ],
)
def test_rotated_phone_clip_comes_out_upright(name, top, bottom, files, process):
    info = media.probe(files[name])
    assert info.video is not None
    assert (info.video.width, info.video.height) == (320, 180)
    assert info.video.rotation in (90, 270)
    assert media.can_remux(info) is False

    result = process(files[name])
    assert (result.width, result.height) == (180, 320)
    assert inspect(result.path)["rotation"] == 0  # rotated once, not again by the player
    colours = {"red": (255, 0, 0), "blue": (0, 0, 255)}
    with Image.open(result.poster) as poster:
        picture = poster.convert("RGB")
        assert picture.size == (180, 320)
        for (x, y), colour in (((90, 10), top), ((90, 310), bottom)):
            pixel = picture.getpixel((x, y))
            assert all(abs(a - b) < 40 for a, b in zip(pixel, colours[colour], strict=True)), (
                pixel,
                colour,
            )


def test_non_square_pixels_are_made_square(files, process):
    info = media.probe(files["anamorphic"])
    assert info.video is not None
    assert (info.video.width, info.video.height) == (320, 360)
    assert info.video.sar == 2
    assert info.video.display_size == (640, 360)
    assert media.can_remux(info) is False

    result = process(files["anamorphic"])
    assert result.transcoded is True
    assert (result.width, result.height) == (640, 360)
    out = inspect(result.path)
    assert (out["width"], out["height"]) == (640, 360)
    assert out["sar"] in (None, Fraction(1))


def test_silent_clip_has_no_audio_track(clips, process):
    result = process(clips["silent"])
    assert result.has_audio is False
    with av.open(str(result.path)) as container:
        assert len(container.streams.audio) == 0
        assert len(container.streams) == 1


def test_fast_path_remuxes_h264_and_transcodes_others(clips, process):
    small = media.probe(clips["small_h264"])
    assert small.video is not None and small.video.codec == "h264"
    assert small.audio is not None and small.audio.codec == "aac"
    assert media.can_remux(small) is True
    assert process(clips["small_h264"]).transcoded is False
    # The remux copies the streams: the output's packets are the input's.
    with (
        av.open(str(clips["small_h264"])) as a,
        av.open(str(process(clips["small_h264"]).path)) as b,
    ):
        sizes_in = [p.size for p in a.demux(a.streams.video[0]) if p.size]
        sizes_out = [p.size for p in b.demux(b.streams.video[0]) if p.size]
    assert sizes_in == sizes_out

    landscape = media.probe(clips["landscape"])
    assert landscape.video is not None and landscape.video.codec == "mpeg4"
    assert media.can_remux(landscape) is False
    assert process(clips["landscape"]).transcoded is True


def test_remux_is_faster_than_transcode(clips, tmp_path):
    src = clips["small_h264"]
    info = media.probe(src)
    remux_seconds = media.run_ffmpeg(media.remux_command(src, tmp_path / "remux.mp4", info))
    transcode_seconds = media.run_ffmpeg(
        media.transcode_command(src, tmp_path / "transcode.mp4", info)
    )
    assert remux_seconds < transcode_seconds
    assert inspect(tmp_path / "remux.mp4")["profile"] == "Constrained Baseline"
    assert inspect(tmp_path / "transcode.mp4")["profile"] == "High"


# --- refusals ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "code", "reason"),
    [
        ("audio_only", "no_video", AUDIO_ONLY),
        ("cover_art", "no_video", AUDIO_ONLY),
        ("png", "not_video", NOT_VIDEO),
        ("text", "not_video", NOT_VIDEO),
        ("empty", "empty", "The file is empty."),
    ],
)
def test_files_that_are_not_videos_are_refused(name, code, reason, files, tmp_path):
    work = tmp_path / "work"
    error = refuse(files[name], work)
    assert error.code == code
    assert error.reason == reason
    assert str(error) == reason
    assert list(work.iterdir()) == []  # refused before ffmpeg ran


@pytest.mark.parametrize(
    "name",
    [
        "cut_plain_half",
        "cut_plain_moov",
        "cut_faststart_half",
        "cut_faststart_90",
        "cut_faststart_tail",
    ],
)
def test_truncated_mp4_is_refused_as_damaged(name, files, tmp_path):
    error = refuse(files[name], tmp_path / "work")
    assert error.code in {"unreadable", "truncated"}
    assert error.reason == DAMAGED
    assert list((tmp_path / "work").iterdir()) == []


def _playlists(secret: Path) -> dict[str, bytes]:
    hls = (
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXT-X-MEDIA-SEQUENCE:0\n"
        f"#EXTINF:10.0,\nfile://{secret}\n#EXTINF:10.0,\n{secret}\n#EXT-X-ENDLIST\n"
    ).encode()
    return {
        "hls": hls,
        # An MP4 signature in front: sniffed as MP4, so only the MP4 demuxer may read it.
        "hls_behind_ftyp": b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + hls,
        "concat": f"ffconcat version 1.0\nfile '{secret}'\n".encode(),
    }


@pytest.mark.parametrize("variant", ["hls", "hls_behind_ftyp", "concat"])
def test_playlist_renamed_mp4_cannot_read_local_files(variant, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    marker = f"SECRET-MARKER-{secrets.token_hex(8)}"
    secret = tmp_path / "secret" / "passwords.txt"
    secret.parent.mkdir()
    secret.write_text(f"{marker}\n" * 100)
    upload = tmp_path / "upload" / "holiday.mp4"
    upload.parent.mkdir()
    upload.write_bytes(_playlists(secret)[variant])
    work = tmp_path / "work"

    error = refuse(upload, work)

    assert error.code in {"not_video", "unreadable", "truncated"}
    assert error.reason in {NOT_VIDEO, DAMAGED}
    assert marker not in error.reason
    assert marker not in str(error)
    assert marker not in caplog.text
    for folder in (work, upload.parent):
        for path in folder.rglob("*"):
            assert marker.encode() not in path.read_bytes(), path
    assert [p.name for p in work.rglob("*")] == []


def test_file_over_upload_limit_is_refused(settings, clips, tmp_path):
    src = clips["small_h264"]
    settings.UPLOAD_MAX_BYTES = src.stat().st_size - 1
    error = refuse(src, tmp_path / "work")
    assert error.code == "too_large"
    assert error.reason.startswith("The file is larger than ")
    assert list((tmp_path / "work").iterdir()) == []

    settings.UPLOAD_MAX_BYTES = src.stat().st_size
    assert media.process_video(src, tmp_path / "work").transcoded is False


def test_clip_over_duration_limit_is_refused(settings, clips, tmp_path):
    settings.VIDEO_MAX_SECONDS = 1
    error = refuse(clips["small_h264"], tmp_path / "work")
    assert error.code == "too_long"
    assert error.reason == "The video is longer than 1 s."
    assert list((tmp_path / "work").iterdir()) == []

    settings.VIDEO_MAX_SECONDS = 2  # exactly the limit is fine
    result = media.process_video(clips["small_h264"], tmp_path / "work")
    assert result.duration == pytest.approx(2.0, abs=0.1)


def test_limit_messages_format_minutes():
    info = media.Probe(demuxer="mov", duration=601.0, size=10)
    with pytest.raises(media.MediaError) as caught:
        media.check_limits(info, max_bytes=100, max_seconds=600)
    assert caught.value.reason == "The video is longer than 10:00 min."
    with pytest.raises(media.MediaError) as caught:
        media.check_limits(
            media.Probe(demuxer="mov", duration=1, size=3 * 2**20), max_bytes=2 * 2**20
        )
    assert caught.value.reason == "The file is larger than 2 MB."
    media.check_limits(media.Probe(demuxer="mov", duration=600.4, size=100), max_bytes=100)


# --- ffmpeg runs ------------------------------------------------------------------------------
def test_run_ffmpeg_timeout(tmp_path):
    cmd = media.generate_clip_command(
        tmp_path / "long.mp4", width=1280, height=720, seconds=600, pattern="mandelbrot"
    )
    started = time.monotonic()
    with pytest.raises(media.MediaError) as caught:
        media.run_ffmpeg(cmd, timeout=0.5)
    assert time.monotonic() - started < 10
    assert caught.value.code == "timeout"
    assert caught.value.reason == "Processing took too long."


def test_run_ffmpeg_failure_keeps_ffmpeg_output_out_of_the_reason(files, tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    cmd = media.FFmpegCommand().input(files["text"], fmt="mov").output(tmp_path / "x.mp4")
    with pytest.raises(media.MediaError) as caught:
        media.run_ffmpeg(cmd)
    assert caught.value.code == "ffmpeg"
    assert caught.value.reason == "We could not process this file."
    assert "ffmpeg failed" in caplog.text
    assert not (tmp_path / "x.mp4").exists() or (tmp_path / "x.mp4").stat().st_size == 0


# --- pure helpers ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00", "mov"),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00", "mov"),
        (b"\x00\x00\x00\x08free\x00\x00\x00\x08mdat", "mov"),
        (b"\x00\x00\x00\x08wide\x00\x00\x00\x00", "mov"),
        (b"\x00\x00\x10\x00moov\x00\x00\x00\x6cmvhd", "mov"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01", "matroska"),
        (b"RIFF\x24\x00\x00\x00AVI LIST", "avi"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", "wav"),
        (b"OggS\x00\x02\x00\x00", "ogg"),
        (b"fLaC\x00\x00\x00\x22", "flac"),
        (b"ID3\x04\x00\x00\x00\x00\x00\x00", "mp3"),
        (b"\xff\xfb\x90\x64\x00", "mp3"),
        (b"\xff\xf1\x50\x80\x00", "aac"),
        (b"#EXTM3U\n#EXT-X-VERSION:3\n", None),
        (b"ffconcat version 1.0\n", None),
        (b"v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\n", None),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", None),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", None),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", None),
        (b"GIF89a\x01\x00", None),
        (b"\x47\x40\x00\x10\x00", None),  # MPEG-TS
        (b"<?xml version='1.0'?><MPD", None),
        (b"\x00\x00\x00\x20ftyp", None),  # too short to be sure
        (b"", None),
    ],
)
def test_sniff_container(head, expected):
    assert media.sniff_container(head) == expected


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((1080, 1920), (720, 1280)),
        ((1920, 1080), (1280, 720)),
        ((2160, 3840), (720, 1280)),
        ((720, 1280), (720, 1280)),
        ((1280, 1280), (1280, 1280)),
        ((480, 854), (480, 854)),
        ((481, 855), (480, 856)),
        ((641, 361), (640, 360)),
        ((1, 1), (2, 2)),
        ((3, 4001), (2, 1280)),
    ],
)
def test_target_size(size, expected):
    assert media.target_size(*size) == expected


@pytest.mark.parametrize("size", [(1081, 1921), (1279, 1281), (4001, 3), (999, 1999), (17, 31)])
def test_target_size_is_even_bounded_and_keeps_aspect(size):
    w, h = media.target_size(*size)
    assert w % 2 == 0 and h % 2 == 0
    assert max(w, h) <= media.MAX_LONG_SIDE
    # Each side is within one pixel of the exactly scaled side (the price of evenness).
    scale = min(1.0, media.MAX_LONG_SIDE / max(size))
    assert abs(w - size[0] * scale) <= 1 or size[0] * scale < 2
    assert abs(h - size[1] * scale) <= 1 or size[1] * scale < 2


def _probe(**changes) -> media.Probe:
    video = {
        "codec": "h264",
        "profile": "High",
        "width": 720,
        "height": 1280,
        "pix_fmt": "yuv420p",
        "fps": 30.0,
        "rotation": 0,
    }
    audio = media.AudioStreamInfo(codec="aac", sample_rate=44100, channels=2, index=1)
    demuxer = changes.pop("demuxer", "mov")
    if "audio" in changes:
        audio = changes.pop("audio")
    video.update(changes)
    return media.Probe(
        demuxer=demuxer,
        duration=5.0,
        size=1000,
        video=media.VideoStreamInfo(**video),
        audio=audio,
    )


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, True),
        ({"audio": None}, True),
        ({"pix_fmt": "yuvj420p"}, True),
        ({"width": 1280, "height": 720}, True),
        ({"fps": 60.0}, True),
        ({"profile": "Constrained Baseline"}, True),
        ({"codec": "hevc"}, False),
        ({"codec": "mpeg4"}, False),
        ({"codec": "vp9"}, False),
        ({"pix_fmt": "yuv420p10le"}, False),
        ({"pix_fmt": "yuv444p"}, False),
        ({"rotation": 90}, False),
        ({"rotation": 180}, False),
        ({"width": 1080, "height": 1920}, False),
        ({"width": 722, "height": 1282}, False),
        ({"width": 719}, False),
        ({"height": 1279}, False),
        ({"fps": 120.0}, False),
        ({"sar": Fraction(4, 3)}, False),
        ({"demuxer": "matroska"}, False),
        ({"demuxer": "avi"}, False),
        ({"audio": media.AudioStreamInfo(codec="opus", sample_rate=48000, channels=2)}, False),
        ({"audio": media.AudioStreamInfo(codec="mp3", sample_rate=44100, channels=2)}, False),
    ],
)
def test_can_remux(changes, expected):
    assert media.can_remux(_probe(**changes)) is expected


def test_can_remux_needs_a_video_stream():
    info = media.Probe(demuxer="mov", duration=1.0, size=10, video=None)
    assert media.can_remux(info) is False


def test_display_size_applies_pixel_shape_then_rotation():
    info = _probe(width=320, height=360, sar=Fraction(2))
    assert info.video.display_size == (640, 360)
    info = _probe(width=320, height=360, sar=Fraction(2), rotation=270)
    assert info.video.display_size == (360, 640)
    assert _probe(width=640, height=360, rotation=180).video.display_size == (640, 360)


def test_mp4_top_level_boxes(tmp_path):
    def box(kind: bytes, payload: bytes = b"") -> bytes:
        return (8 + len(payload)).to_bytes(4, "big") + kind + payload

    path = tmp_path / "x.mp4"
    whole = box(b"ftyp", b"isom" * 3) + box(b"moov", b"\x00" * 20) + box(b"mdat", b"\x01" * 50)
    path.write_bytes(whole)
    assert media.mp4_top_level_boxes(path) == [("ftyp", 0, 20), ("moov", 20, 28), ("mdat", 48, 58)]
    path.write_bytes(whole[:-1])
    assert media.mp4_top_level_boxes(path) is None
    path.write_bytes(whole[:-55])  # cut inside the mdat header
    assert media.mp4_top_level_boxes(path) is None
    # size 0: the last box runs to the end of the file
    path.write_bytes(box(b"ftyp", b"isom") + b"\x00\x00\x00\x00mdat" + b"\x02" * 30)
    assert media.mp4_top_level_boxes(path) == [("ftyp", 0, 12), ("mdat", 12, 38)]
    # size 1: a 64-bit size follows
    large = b"\x00\x00\x00\x01mdat" + (16 + 4).to_bytes(8, "big") + b"abcd"
    path.write_bytes(box(b"ftyp", b"isom") + large)
    assert media.mp4_top_level_boxes(path) == [("ftyp", 0, 12), ("mdat", 12, 20)]
    path.write_bytes(box(b"ftyp", b"isom") + b"\x00\x00\x00\x01mdat" + (10**9).to_bytes(8, "big"))
    assert media.mp4_top_level_boxes(path) is None
    path.write_bytes(box(b"ftyp", b"isom") + b"\x00\x00\x00\x04junk")  # size below a header
    assert media.mp4_top_level_boxes(path) is None


def test_ffmpeg_binary_is_runnable():
    binary = media.ffmpeg_binary()
    assert os.path.isfile(binary)
    assert os.access(binary, os.X_OK)


def test_every_recipe_uses_whitelisted_inputs_with_explicit_formats(clips, tmp_path):
    info = media.probe(clips["landscape"])
    webm = media.probe(clips["webm"])
    src, dst = clips["landscape"], tmp_path / "out.mp4"
    assert assert_safe_inputs(media.transcode_command(src, dst, info)) == ["mov"]
    assert assert_safe_inputs(media.transcode_command(clips["webm"], dst, webm)) == ["matroska"]
    assert assert_safe_inputs(media.remux_command(src, dst, info)) == ["mov"]
    assert assert_safe_inputs(media.poster_command(dst, tmp_path / "p.jpg", at=1.0)) == ["mov"]
    assert assert_safe_inputs(media.rotate_command(src, dst, degrees=90)) == ["mov"]
    generated = media.generate_clip_command(dst, width=64, height=64, seconds=1)
    assert generated.generated is True
    assert assert_safe_inputs(generated) == ["lavfi", "lavfi"]
    # The streams the probe chose are mapped by index, never "the first video stream".
    argv = media.transcode_command(src, dst, info).build()
    maps = [argv[i + 1] for i, arg in enumerate(argv) if arg == "-map"]
    assert maps == ["0:0", "0:1"]
    silent = media.probe(clips["silent"])
    argv = media.remux_command(clips["silent"], dst, silent).build()
    assert [argv[i + 1] for i, arg in enumerate(argv) if arg == "-map"] == ["0:0"]
    # The output is always a forced MP4 with faststart.
    argv = media.transcode_command(src, dst, info).build()
    assert argv[-3:] == ["-f", "mp4", str(dst)]
    assert argv[argv.index("-movflags") + 1] == "+faststart"


def test_ffmpeg_command_input_options_come_before_the_format(tmp_path):
    cmd = media.FFmpegCommand().input(tmp_path / "a.mp4", fmt="mov", options=["-ss", "1.000"])
    cmd.output(tmp_path / "b.mp4", "-c", "copy")
    argv = cmd.build()
    assert argv[-11:] == [
        "-ss",
        "1.000",
        "-protocol_whitelist",
        "file,pipe",
        "-f",
        "mov",
        "-i",
        str(tmp_path / "a.mp4"),
        "-c",
        "copy",
        str(tmp_path / "b.mp4"),
    ]


@pytest.mark.parametrize(
    "fmt", ["hls", "concat", "sdp", "rtsp", "image2pipe", "tty", "http", "data", "mpegts", ""]
)
def test_ffmpeg_command_refuses_formats_off_the_allow_list(fmt, tmp_path):
    with pytest.raises(ValueError, match="not allowed"):
        media.FFmpegCommand().input(tmp_path / "x.mp4", fmt=fmt)


def test_lavfi_only_for_generated_media():
    with pytest.raises(ValueError, match="generated"):
        media.FFmpegCommand().input("testsrc2=size=64x64", fmt="lavfi")
    argv = media.FFmpegCommand(generated=True).input("testsrc2", fmt="lavfi").build()
    assert argv[-4:] == ["-f", "lavfi", "-i", "testsrc2"]
    assert "-protocol_whitelist" not in argv


def test_make_clip_rotation_metadata(clips):
    info = media.probe(clips["rotated"])
    assert info.video is not None
    assert (info.video.width, info.video.height) == (640, 360)
    assert info.video.rotation == 90
    assert info.video.display_size == (360, 640)


def test_probe_reads_the_true_duration(clips, tmp_path):
    short = make_clip(tmp_path / "short.mp4", width=160, height=284, seconds=1.5, audio=False)
    assert media.probe(short).duration == pytest.approx(1.5, abs=0.05)
    assert media.probe(clips["webm"]).duration == pytest.approx(2.0, abs=0.05)
    assert media.probe(clips["webm"]).demuxer == "matroska"


def test_audio_probe_accepts_audio_and_refuses_pictures(files):
    info = media.probe(files["audio_only"], kind="audio")
    assert info.audio is not None and info.audio.codec == "aac"
    assert info.video is None
    assert info.duration == pytest.approx(2.0, abs=0.1)
    with pytest.raises(media.MediaError) as caught:
        media.probe(files["png"], kind="audio")
    assert caught.value.code == "not_audio"
