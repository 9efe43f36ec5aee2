"""The media pipeline: the one place that probes untrusted files and builds ffmpeg commands.

Rules (DESIGN.md, "Rules that hold everywhere"):
- untrusted files are sniffed and probed before anything else touches them;
- every ffmpeg run is an argument list built by FFmpegCommand, with
  ``-protocol_whitelist file,pipe`` and an explicit input format from an allow-list, so a
  playlist or concat file renamed ``.mp4`` can never make ffmpeg open another file;
- every run has a time limit and a memory limit.
"""

from __future__ import annotations

import logging
import os
import resource
import subprocess
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
from django.conf import settings
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

MAX_LONG_SIDE = 1280
POSTER_MAX_LONG_SIDE = 1280


class MediaError(Exception):
    """A file we refuse or could not process. ``reason`` is safe to show to its uploader:
    it never contains the file's content or ffmpeg's output."""

    def __init__(self, reason: str, *, code: str):
        super().__init__(str(reason))
        self.reason = str(reason)
        self.code = code


# --- sniffing -------------------------------------------------------------------------------
# Container allow-list: magic bytes → the demuxer we force. Playlists (HLS, concat, SDP,
# ffconcat, ASS…) have no entry here, so they are refused before any demuxer sees them.
VIDEO_DEMUXERS = {"mov", "matroska", "avi"}
AUDIO_DEMUXERS = {"mov", "mp3", "ogg", "wav", "flac", "aac", "matroska"}


def sniff_container(head: bytes) -> str | None:
    """Name the demuxer for a file that starts with ``head`` (first 64 bytes), or None."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return "mov"
    if len(head) >= 8 and head[4:8] in {b"moov", b"mdat", b"wide", b"free", b"skip"}:
        return "mov"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "matroska"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "avi"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"fLaC"):
        return "flac"
    if head.startswith(b"ID3") or (len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        # MPEG audio frame sync; ADTS AAC shares the sync word but has layer bits 00.
        if len(head) >= 2 and head[0] == 0xFF and head[1] & 0x06 == 0:
            return "aac"
        return "mp3"
    return None


# --- probing ------------------------------------------------------------------------------
@dataclass(frozen=True)
class VideoStreamInfo:
    codec: str
    profile: str
    width: int  # as stored, before rotation
    height: int
    pix_fmt: str
    fps: float
    rotation: int  # degrees, multiple of 90
    index: int = 0  # the stream's index in its file (for ``-map 0:<index>``)
    sar: Fraction = Fraction(1)  # sample (pixel) aspect ratio

    @property
    def display_size(self) -> tuple[int, int]:
        """The picture as it is meant to be seen: square pixels, then rotation applied."""
        width, height = self.width, self.height
        if self.sar != 1:
            width = max(1, round(width * self.sar))
        if self.rotation % 180:
            return height, width
        return width, height


@dataclass(frozen=True)
class AudioStreamInfo:
    codec: str
    sample_rate: int
    channels: int
    index: int = 0


@dataclass(frozen=True)
class Probe:
    demuxer: str
    duration: float
    size: int
    video: VideoStreamInfo | None = None
    audio: AudioStreamInfo | None = None
    extra: dict = field(default_factory=dict)


def _refuse(reason, code: str) -> MediaError:
    return MediaError(reason, code=code)


MAX_TOP_LEVEL_BOXES = 100_000


def mp4_top_level_boxes(path: Path) -> list[tuple[str, int, int]] | None:
    """(type, offset, size) of each top-level ISO-BMFF box, or None when a box's header is
    malformed or its declared size runs past the end of the file: the file was cut short.

    The demuxer alone does not notice this: with the moov box first, a file cut inside mdat
    simply ends early, and with the moov box last, a file cut inside moov may still open
    with whole tracks missing."""
    path = Path(path)
    size = path.stat().st_size
    boxes: list[tuple[str, int, int]] = []
    offset = 0
    with path.open("rb") as handle:
        while offset < size and len(boxes) < MAX_TOP_LEVEL_BOXES:
            handle.seek(offset)
            header = handle.read(16)
            if len(header) < 8:
                return None
            box_size = int.from_bytes(header[:4], "big")
            box_type = header[4:8].decode("latin-1")
            if box_size == 1:  # 64-bit size follows the type
                if len(header) < 16:
                    return None
                box_size = int.from_bytes(header[8:16], "big")
                if box_size < 16:
                    return None
            elif box_size == 0:  # the last box, running to the end of the file
                box_size = size - offset
            elif box_size < 8:
                return None
            if offset + box_size > size:
                return None
            boxes.append((box_type, offset, box_size))
            offset += box_size
    return boxes


def probe(path: Path, *, kind: str = "video") -> Probe:
    """Sniff, then open with the forced demuxer and read every packet (no decoding but
    the first video frame). Raises MediaError with a reason fit for the uploader."""
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise _refuse(_("The file is empty."), "empty")
    with path.open("rb") as handle:
        head = handle.read(64)
    demuxer = sniff_container(head)
    allowed = VIDEO_DEMUXERS if kind == "video" else AUDIO_DEMUXERS
    if demuxer is None or demuxer not in allowed:
        if kind == "video":
            raise _refuse(
                _("That file is not a video we can read. Try an MP4, MOV or WebM."), "not_video"
            )
        raise _refuse(
            _("That file is not audio we can read. Try MP3, M4A, OGG, WAV or FLAC."), "not_audio"
        )
    try:
        container = av.open(
            str(path),
            format=demuxer,
            options={"protocol_whitelist": "file"},
            metadata_errors="ignore",
        )
    except (av.FFmpegError, OSError, ValueError, UnicodeDecodeError):
        raise _refuse(_("The file is damaged or incomplete."), "unreadable") from None
    try:
        if demuxer == "mov" and mp4_top_level_boxes(path) is None:
            raise _refuse(_("The file is damaged or incomplete."), "truncated")
        return _probe_container(container, demuxer=demuxer, size=size, kind=kind)
    finally:
        container.close()


def _is_picture_stream(stream) -> bool:
    """A "video" stream that is really a still: cover art in an audio file, or a thumbnail."""
    flags = int(stream.disposition)
    return bool(flags & (int(av.stream.Disposition.attached_pic) | _TIMED_THUMBNAILS))


_TIMED_THUMBNAILS = int(av.stream.Disposition.timed_thumbnails)


def _probe_container(container, *, demuxer: str, size: int, kind: str) -> Probe:
    moving = [s for s in container.streams.video if not _is_picture_stream(s)]
    vstream = moving[0] if moving else None
    astream = container.streams.audio[0] if container.streams.audio else None
    if kind == "video" and vstream is None:
        raise _refuse(_("That file has no picture: it looks like audio only."), "no_video")
    if kind == "audio" and astream is None:
        raise _refuse(_("That file has no sound in it."), "no_audio")

    video = None
    if vstream is not None:
        ctx = vstream.codec_context
        if not vstream.width or not vstream.height:
            raise _refuse(_("The video's picture size is unreadable."), "unreadable")
        if vstream.width * vstream.height > 8192 * 8192:
            raise _refuse(_("The video's picture is too large."), "too_large")
        rate = vstream.average_rate or vstream.guessed_rate or Fraction(30)
        sar = vstream.sample_aspect_ratio
        # Unset (0 or None) means square; absurd values are refused, not trusted.
        sar = Fraction(sar) if sar and sar > 0 else Fraction(1)
        if not Fraction(1, 8) <= sar <= 8:
            raise _refuse(_("The video's picture size is unreadable."), "unreadable")
        video = VideoStreamInfo(
            codec=ctx.name or "",
            profile=str(ctx.profile or ""),
            width=int(vstream.width),
            height=int(vstream.height),
            pix_fmt=str(ctx.pix_fmt or ""),
            fps=float(rate),
            rotation=0,
            index=int(vstream.index),
            sar=sar,
        )
    audio = None
    if astream is not None:
        actx = astream.codec_context
        audio = AudioStreamInfo(
            codec=actx.name or "",
            sample_rate=int(actx.sample_rate or 0),
            channels=int(actx.channels or 0),
            index=int(astream.index),
        )

    # Read every packet: truncated files fail here, and the true duration comes from the
    # last timestamps rather than a header the uploader wrote.
    wanted = [s for s in (vstream, astream) if s is not None]
    end = 0.0
    first_frame = None
    try:
        for packet in container.demux(*wanted):
            if packet.pts is not None and packet.time_base is not None:
                stop = float((packet.pts + (packet.duration or 0)) * packet.time_base)
                end = max(end, stop)
            if first_frame is None and vstream is not None and packet.stream is vstream:
                for frame in packet.decode():
                    first_frame = frame
                    break
    except (av.FFmpegError, OSError, ValueError):
        raise _refuse(_("The file is damaged or incomplete."), "truncated") from None

    header_duration = float(container.duration / 1_000_000) if container.duration else 0.0
    start = float(container.start_time / 1_000_000) if container.start_time else 0.0
    duration = max(end - start, 0.0) or header_duration
    if vstream is not None:
        if first_frame is None:
            raise _refuse(_("The file is damaged or incomplete."), "truncated")
        rotation = round(getattr(first_frame, "rotation", 0) or 0) % 360
        video = VideoStreamInfo(**{**video.__dict__, "rotation": rotation})
        # Header says much longer than the packets we could read: the file was cut short.
        if header_duration and duration < header_duration * 0.9 - 0.5:
            raise _refuse(_("The file is damaged or incomplete."), "truncated")
    if duration <= 0:
        raise _refuse(_("The file has no playable length."), "no_duration")
    return Probe(demuxer=demuxer, duration=round(duration, 3), size=size, video=video, audio=audio)


def check_limits(info: Probe, *, max_bytes: int | None = None, max_seconds: int | None = None):
    max_bytes = settings.UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    max_seconds = settings.VIDEO_MAX_SECONDS if max_seconds is None else max_seconds
    if info.size > max_bytes:
        raise _refuse(
            _("The file is larger than %(mb)d MB.") % {"mb": max_bytes // 2**20}, "too_large"
        )
    if info.duration > max_seconds + 0.5:
        raise _refuse(
            _("The video is longer than %(limit)s.") % {"limit": _format_seconds(max_seconds)},
            "too_long",
        )


def _format_seconds(seconds: int) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d} min" if minutes else f"{secs} s"


# --- the one ffmpeg command builder -------------------------------------------------------------
def ffmpeg_binary() -> str:
    if settings.FFMPEG_BINARY:
        return settings.FFMPEG_BINARY
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


INPUT_FORMATS = VIDEO_DEMUXERS | AUDIO_DEMUXERS | {"lavfi", "image2"}


@dataclass
class FFmpegCommand:
    """Builds an ffmpeg argument list. Every input gets an explicit demuxer from the
    allow-list and the protocol whitelist; nothing is ever passed through a shell."""

    args: list[str] = field(default_factory=list)
    _inputs: list[list[str]] = field(default_factory=list)
    _outputs: list[list[str]] = field(default_factory=list)
    generated: bool = False

    def input(self, path: str | Path, *, fmt: str, options: list[str] | None = None):
        if fmt not in INPUT_FORMATS:
            raise ValueError(f"input format {fmt!r} is not allowed")
        if fmt == "lavfi" and not self.generated:
            # lavfi builds media from a filter description: only for media we generate.
            raise ValueError("lavfi inputs are for generated media only")
        opts = list(options or [])
        if fmt != "lavfi":
            opts += ["-protocol_whitelist", "file,pipe"]
        self._inputs.append([*opts, "-f", fmt, "-i", str(path)])
        return self

    def output(self, path: str | Path, *options: str):
        self._outputs.append([*options, str(path)])
        return self

    def build(self) -> list[str]:
        cmd = [ffmpeg_binary(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
        cmd += self.args
        for item in self._inputs:
            cmd += item
        for item in self._outputs:
            cmd += item
        return cmd


def _limit_resources() -> None:  # pragma: no cover - runs in the child process
    memory = settings.FFMPEG_MEMORY_BYTES
    if memory:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_ffmpeg(cmd: FFmpegCommand, *, timeout: float | None = None) -> float:
    """Run a built command; return the wall time. Raises MediaError on failure.

    ffmpeg's stderr goes to the log (trimmed), never into the user-facing reason.
    """
    argv = cmd.build()
    timeout = timeout or settings.FFMPEG_TIMEOUT_SECONDS
    started = time.monotonic()
    try:
        proc = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=timeout,
            preexec_fn=_limit_resources,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
            check=False,
        )
    except subprocess.TimeoutExpired:
        logger.warning("ffmpeg timed out after %ss", timeout)
        raise MediaError(_("Processing took too long."), code="timeout") from None
    elapsed = time.monotonic() - started
    if proc.returncode != 0:
        logger.warning(
            "ffmpeg failed (%s): %s", proc.returncode, proc.stderr[-2000:].decode(errors="replace")
        )
        raise MediaError(_("We could not process this file."), code="ffmpeg")
    return elapsed


# --- recipes ------------------------------------------------------------------------------------
def target_size(width: int, height: int, *, long_side: int = MAX_LONG_SIDE) -> tuple[int, int]:
    """Fit (width, height) so the long side is at most long_side, keeping the aspect ratio
    and both sides even (H.264 with yuv420p needs even dimensions)."""
    scale = min(1.0, long_side / max(width, height))
    w = max(2, round(width * scale / 2) * 2)
    h = max(2, round(height * scale / 2) * 2)
    return w, h


def can_remux(info: Probe) -> bool:
    """The fast path: already H.264 (8-bit 4:2:0) + AAC (or silent), upright, small enough."""
    v = info.video
    if v is None or info.demuxer != "mov":
        return False
    if v.codec != "h264" or v.pix_fmt not in {"yuv420p", "yuvj420p"} or v.rotation:
        return False
    if v.sar != 1:  # players disagree on non-square pixels: scale to square ones
        return False
    if max(v.width, v.height) > MAX_LONG_SIDE or v.width % 2 or v.height % 2:
        return False
    if v.fps > 61:
        return False
    return info.audio is None or info.audio.codec == "aac"


def _stream_maps(info: Probe) -> list[str]:
    """Map the streams the probe chose by index: ``0:v:0`` could be a cover picture."""
    assert info.video is not None
    maps = ["-map", f"0:{info.video.index}"]
    if info.audio is not None:
        maps += ["-map", f"0:{info.audio.index}"]
    return maps


def transcode_command(src: Path, dst: Path, info: Probe) -> FFmpegCommand:
    """H.264 High + AAC MP4 with +faststart. ffmpeg auto-rotates by the display matrix, so
    the scale below sees the upright picture; the output carries no rotation."""
    assert info.video is not None
    w, h = target_size(*info.video.display_size)
    fps_args = ["-r", "60"] if info.video.fps > 61 else []
    cmd = FFmpegCommand().input(src, fmt=info.demuxer)
    return cmd.output(
        dst,
        *_stream_maps(info),
        "-vf",
        f"scale={w}:{h}:flags=bicubic,setsar=1",
        *fps_args,
        "-c:v",
        "libx264",
        "-profile:v",
        "high",
        "-preset",
        "veryfast",
        "-crf",
        "23",
        "-pix_fmt",
        "yuv420p",
        "-maxrate",
        "4M",
        "-bufsize",
        "8M",
        "-c:a",
        "aac",
        "-b:a",
        "128k",
        "-ac",
        "2",
        "-map_metadata",
        "-1",
        "-map_chapters",
        "-1",
        "-sn",
        "-dn",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
    )


def remux_command(src: Path, dst: Path, info: Probe) -> FFmpegCommand:
    cmd = FFmpegCommand().input(src, fmt=info.demuxer)
    return cmd.output(
        dst,
        *_stream_maps(info),
        "-c",
        "copy",
        "-map_metadata",
        "-1",
        "-map_chapters",
        "-1",
        "-sn",
        "-dn",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
    )


def poster_command(src: Path, dst: Path, *, at: float) -> FFmpegCommand:
    """One JPEG frame from our own (already safe) output file."""
    cmd = FFmpegCommand().input(src, fmt="mov", options=["-ss", f"{at:.3f}"])
    return cmd.output(dst, "-frames:v", "1", "-q:v", "3", "-f", "image2", "-update", "1")


@dataclass(frozen=True)
class ProcessedVideo:
    path: Path
    poster: Path
    duration: float
    width: int
    height: int
    has_audio: bool
    transcoded: bool
    seconds: float


def process_video(src: Path, workdir: Path) -> ProcessedVideo:
    """Probe, check limits, remux or transcode, then extract a poster. Files land in workdir,
    which the caller removes whatever happens."""
    # The size is known without reading the file: refuse a huge one before probing it.
    check_limits(Probe(demuxer="", duration=0.0, size=Path(src).stat().st_size))
    info = probe(src, kind="video")
    check_limits(info)
    out = workdir / "out.mp4"
    started = time.monotonic()
    fast = can_remux(info)
    run_ffmpeg(remux_command(src, out, info) if fast else transcode_command(src, out, info))
    result = probe(out, kind="video")
    # ffmpeg stops early, and still succeeds, when the data goes bad part-way through.
    if result.duration < max(min(info.duration, 1.0) * 0.5, info.duration * 0.9 - 0.5):
        raise MediaError(_("The file is damaged or incomplete."), code="truncated")
    poster = workdir / "poster.jpg"
    run_ffmpeg(poster_command(out, poster, at=min(1.0, result.duration / 3)))
    if not poster.exists() or poster.stat().st_size == 0:
        raise MediaError(_("We could not make a preview picture."), code="poster")
    assert result.video is not None
    w, h = result.video.display_size
    return ProcessedVideo(
        path=out,
        poster=poster,
        duration=result.duration,
        width=w,
        height=h,
        has_audio=result.audio is not None,
        transcoded=not fast,
        seconds=time.monotonic() - started,
    )


# --- generated media (demo content and tests) ----------------------------------------------------
PATTERNS = ("testsrc2", "mandelbrot", "life", "cellauto", "rgbtestsrc", "smptehdbars", "gradients")


def generate_clip_command(
    dst: Path,
    *,
    width: int,
    height: int,
    seconds: float,
    pattern: str = "testsrc2",
    hue: int = 0,
    frequency: int = 440,
    audio: bool = True,
    codec: str = "libx264",
    container: str = "mp4",
    fps: int = 30,
) -> FFmpegCommand:
    """A moving test pattern with a tone: real media for demos and tests, made locally."""
    if pattern not in PATTERNS:
        raise ValueError(pattern)
    size = f"{width}x{height}"
    sources = {
        "testsrc2": f"testsrc2=size={size}:rate={fps}",
        "mandelbrot": f"mandelbrot=size={size}:rate={fps}",
        "life": (
            f"life=size={size}:rate={fps}:mold=10:ratio=0.1:death_color=#202040:life_color=#40f0c0"
        ),
        "cellauto": f"cellauto=size={size}:rate={fps}:rule=110",
        "rgbtestsrc": f"rgbtestsrc=size={size}:rate={fps}",
        "smptehdbars": f"smptehdbars=size={size}:rate={fps}",
        "gradients": f"gradients=size={size}:rate={fps}:speed=0.03:n=4",
    }
    cmd = FFmpegCommand(generated=True)
    cmd.input(sources[pattern], fmt="lavfi", options=["-t", f"{seconds}"])
    if audio:
        cmd.input(
            f"sine=frequency={frequency}:sample_rate=44100",
            fmt="lavfi",
            options=["-t", f"{seconds}"],
        )
    video_codec = {
        "libx264": ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"],
        "mpeg4": ["-c:v", "mpeg4", "-q:v", "5"],
        "vp8": ["-c:v", "libvpx", "-b:v", "1M", "-deadline", "realtime"],
    }[codec if container != "webm" else "vp8"]
    audio_codec = (
        (["-c:a", "libopus"] if container == "webm" else ["-c:a", "aac"]) if audio else ["-an"]
    )
    return cmd.output(
        dst,
        "-vf",
        f"hue=h={hue}",
        *video_codec,
        *audio_codec,
        "-shortest",
        "-f",
        "webm" if container == "webm" else "mp4",
    )


def rotate_command(src: Path, dst: Path, *, degrees: int) -> FFmpegCommand:
    """Copy src, adding a display-matrix rotation as phones do when held upright."""
    cmd = FFmpegCommand().input(src, fmt="mov", options=["-display_rotation", str(degrees)])
    return cmd.output(dst, "-c", "copy", "-f", "mp4")
