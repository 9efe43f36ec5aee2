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
import re
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


def check_limits(
    info: Probe,
    *,
    max_bytes: int | None = None,
    max_seconds: int | None = None,
    kind: str = "video",
):
    max_bytes = settings.UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    max_seconds = settings.VIDEO_MAX_SECONDS if max_seconds is None else max_seconds
    if info.size > max_bytes:
        raise _refuse(
            _("The file is larger than %(mb)d MB.") % {"mb": max_bytes // 2**20}, "too_large"
        )
    if info.duration > max_seconds + 0.5:
        limit = {"limit": _format_seconds(max_seconds)}
        if kind == "audio":
            raise _refuse(_("The sound is longer than %(limit)s.") % limit, "too_long")
        raise _refuse(_("The video is longer than %(limit)s.") % limit, "too_long")


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
        if _out_of_memory(proc.returncode, proc.stderr):
            raise MediaError(
                _("This file needs more memory to process than this server allows."),
                code="memory",
            )
        raise MediaError(_("We could not process this file."), code="ffmpeg")
    return elapsed


# What ffmpeg says (or does) when RLIMIT_AS stops an allocation: a failed malloc or thread
# start is reported, an unchecked one ends in a crash by signal.
_OOM_MARKERS = re.compile(
    rb"malloc of size|cannot allocate memory|out of memory|pthread_create\(\) failed", re.I
)


def _out_of_memory(returncode: int, stderr: bytes) -> bool:
    if not settings.FFMPEG_MEMORY_BYTES:
        return False
    return returncode < 0 or bool(_OOM_MARKERS.search(stderr or b""))


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
        *_H264,
        "-c:a",
        "aac",
        "-b:a",
        "128k",
        "-ac",
        "2",
        *_CLEAN_MP4,
    )


def remux_command(src: Path, dst: Path, info: Probe) -> FFmpegCommand:
    cmd = FFmpegCommand().input(src, fmt=info.demuxer)
    return cmd.output(
        dst,
        *_stream_maps(info),
        "-c",
        "copy",
        *_CLEAN_MP4,
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
    return _finished(out, workdir, result=result, transcoded=not fast, started=started)


def _finished(
    out: Path, workdir: Path, *, result: Probe, transcoded: bool, started: float
) -> ProcessedVideo:
    """Poster and measurements of a finished MP4 of ours."""
    poster = workdir / f"{out.stem}-poster.jpg"
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
        transcoded=transcoded,
        seconds=time.monotonic() - started,
    )


# --- sounds: uploaded music and original sounds ---------------------------------------------------
SOUND_MAX_SECONDS = 600
SOUND_SAMPLE_RATE = 44100
_AAC = ["-c:a", "aac", "-b:a", "128k", "-ac", "2", "-ar", str(SOUND_SAMPLE_RATE)]
_H264 = [
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
]
_CLEAN_MP4 = [
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
]
# Every audio branch of a filter graph is brought to one format before mixing or joining.
_AUDIO_FORMAT = f"aresample={SOUND_SAMPLE_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo"


@dataclass(frozen=True)
class ProcessedAudio:
    path: Path
    duration: float
    seconds: float


def audio_transcode_command(src: Path, dst: Path, info: Probe) -> FFmpegCommand:
    """An uploaded sound as our own AAC/M4A: only its audio stream, no tags, no cover."""
    assert info.audio is not None
    cmd = FFmpegCommand().input(src, fmt=info.demuxer)
    return cmd.output(
        dst,
        "-map",
        f"0:{info.audio.index}",
        "-vn",
        "-c:a",
        "aac",
        "-b:a",
        "160k",
        "-ac",
        "2",
        "-ar",
        str(SOUND_SAMPLE_RATE),
        "-t",
        str(SOUND_MAX_SECONDS),
        *_CLEAN_MP4,
    )


def extract_audio_command(src: Path, dst: Path) -> FFmpegCommand:
    """The audio track of one of our MP4s (already AAC) as an M4A, copied bit for bit."""
    cmd = FFmpegCommand().input(src, fmt="mov")
    return cmd.output(dst, "-map", "0:a:0", "-vn", "-c:a", "copy", *_CLEAN_MP4)


def process_audio(src: Path, workdir: Path, *, max_seconds: int = SOUND_MAX_SECONDS):
    """Probe an uploaded sound, check its limits, re-encode it to AAC/M4A in workdir."""
    check_limits(Probe(demuxer="", duration=0.0, size=Path(src).stat().st_size), kind="audio")
    info = probe(src, kind="audio")
    check_limits(info, max_seconds=max_seconds, kind="audio")
    started = time.monotonic()
    out = workdir / "sound.m4a"
    run_ffmpeg(audio_transcode_command(src, out, info))
    result = probe(out, kind="audio")
    if result.duration < max(min(info.duration, 1.0) * 0.5, info.duration * 0.9 - 0.5):
        raise MediaError(_("The file is damaged or incomplete."), code="truncated")
    return ProcessedAudio(path=out, duration=result.duration, seconds=time.monotonic() - started)


def extract_sound(video: Path, workdir: Path) -> ProcessedAudio | None:
    """A ready video's original sound, or None when the video has no audio."""
    info = probe(video, kind="video")
    if info.audio is None:
        return None
    started = time.monotonic()
    out = workdir / "original-sound.m4a"
    run_ffmpeg(extract_audio_command(video, out))
    result = probe(out, kind="audio")
    return ProcessedAudio(path=out, duration=result.duration, seconds=time.monotonic() - started)


# --- remixes: "use this sound", duets, stitches ---------------------------------------------------
# Every input here is a file of ours (a processed upload, a ready video, a sound's M4A),
# still opened with a forced demuxer and the protocol whitelist like any other. Silence is
# made inside the filter graph (anullsrc), never as a lavfi input.
DUET_LAYOUTS = ("horizontal", "vertical")
STITCH_MAX_SECONDS = 5.0


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)


def _rate(info: Probe) -> str:
    fps = info.video.fps if info.video and info.video.fps > 0 else 30.0
    return f"{min(fps, 60.0):.3f}"


def duet_sizes(
    new: tuple[int, int],
    original: tuple[int, int],
    *,
    layout: str = "horizontal",
    long_side: int = MAX_LONG_SIDE,
) -> tuple[tuple[int, int], tuple[int, int]]:
    """The sizes of the two halves of a duet: the same height side by side (the same width
    top and bottom), never larger than the smaller input, the whole frame within long_side."""
    if layout not in DUET_LAYOUTS:
        raise ValueError(layout)
    (nw, nh), (ow, oh) = new, original
    if layout == "horizontal":
        ratios = nw / nh + ow / oh  # width per unit of height
        height = min(nh, oh, long_side, long_side / ratios)
        height = _even(height)
        return (_even(height * nw / nh), height), (_even(height * ow / oh), height)
    ratios = nh / nw + oh / ow
    width = _even(min(nw, ow, long_side, long_side / ratios))
    return (width, _even(width * nh / nw)), (width, _even(width * oh / ow))


def _fit(width: int, height: int) -> str:
    """Scale into width x height keeping the picture's shape, then pad to exactly that."""
    return (
        f"scale={width}:{height}:force_original_aspect_ratio=decrease:force_divisible_by=2"
        f":flags=bicubic,pad={width}:{height}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1"
    )


def _audio_branch(label: str | None, out: str, *, seconds: float, volume: float = 1.0) -> str:
    """One audio branch exactly `seconds` long: the input's audio padded or cut, or silence."""
    tail = f"apad,atrim=duration={seconds:.3f},asetpts=PTS-STARTPTS[{out}]"
    gain = f"volume={volume:.3f}," if volume != 1.0 else ""
    if label is None:
        return f"anullsrc=r={SOUND_SAMPLE_RATE}:cl=stereo,{tail}"
    return f"[{label}]{_AUDIO_FORMAT},{gain}{tail}"


def sound_under_command(
    video: Path,
    video_info: Probe,
    sound: Path,
    dst: Path,
    *,
    offset: float,
    volume: float,
) -> FFmpegCommand:
    """The sound laid under the video from `offset` seconds, cut (or padded with silence) to
    the video's length; the video's own audio mixed in at `volume` (0: replaced). The
    picture is copied as it is."""
    seconds = video_info.duration
    cmd = FFmpegCommand().input(video, fmt="mov")
    cmd.input(sound, fmt="mov", options=["-ss", f"{max(offset, 0.0):.3f}"])
    graph = [_audio_branch("1:a", "music", seconds=seconds)]
    if video_info.audio is not None and volume > 0:
        graph.append(_audio_branch("0:a", "own", seconds=seconds, volume=volume))
        graph.append(
            "[music][own]amix=inputs=2:duration=first:dropout_transition=0:normalize=0,"
            "alimiter=limit=0.97[aout]"
        )
    else:
        graph[0] = graph[0].replace("[music]", "[aout]")
    return cmd.output(
        dst,
        "-filter_complex",
        ";".join(graph),
        "-map",
        "0:v:0",
        "-map",
        "[aout]",
        "-c:v",
        "copy",
        *_AAC,
        "-t",
        f"{seconds:.3f}",
        *_CLEAN_MP4,
    )


def duet_command(
    new: Path,
    new_info: Probe,
    original: Path,
    original_info: Probe,
    dst: Path,
    *,
    layout: str = "horizontal",
) -> FFmpegCommand:
    """The new clip and the original side by side (or new on top), both at one height (or
    width) and frame rate, the audio of both mixed; as long as the new clip."""
    assert new_info.video is not None and original_info.video is not None
    seconds = new_info.duration
    (nw, nh), (ow, oh) = duet_sizes(
        new_info.video.display_size, original_info.video.display_size, layout=layout
    )
    rate = _rate(new_info)
    cut = f"trim=duration={seconds:.3f},setpts=PTS-STARTPTS"
    graph = [
        f"[0:v]scale={nw}:{nh}:flags=bicubic,setsar=1,fps={rate},format=yuv420p,{cut}[vnew]",
        # The original freezes on its last frame if it is the shorter one.
        f"[1:v]scale={ow}:{oh}:flags=bicubic,setsar=1,fps={rate},format=yuv420p,"
        f"tpad=stop_mode=clone:stop_duration={seconds:.3f},{cut}[vorig]",
        f"[vnew][vorig]{'hstack' if layout == 'horizontal' else 'vstack'}=inputs=2[v]",
    ]
    maps = ["-map", "[v]"]
    sources = [
        (label, info)
        for label, info in (("0:a", new_info), ("1:a", original_info))
        if info.audio is not None
    ]
    if sources:
        for i, (label, _info) in enumerate(sources):
            graph.append(_audio_branch(label, f"a{i}", seconds=seconds))
        if len(sources) == 2:
            graph.append(
                "[a0][a1]amix=inputs=2:duration=first:dropout_transition=0:normalize=0,"
                "alimiter=limit=0.97[aout]"
            )
        else:
            graph[-1] = graph[-1].replace("[a0]", "[aout]")
        maps += ["-map", "[aout]", *_AAC]
    cmd = FFmpegCommand().input(new, fmt="mov").input(original, fmt="mov")
    return cmd.output(
        dst, "-filter_complex", ";".join(graph), *maps, *_H264, "-t", f"{seconds:.3f}", *_CLEAN_MP4
    )


def stitch_command(
    original: Path,
    original_info: Probe,
    new: Path,
    new_info: Probe,
    dst: Path,
    *,
    start: float,
    end: float,
) -> FFmpegCommand:
    """At most STITCH_MAX_SECONDS of the original, then the new clip: both scaled and padded
    to the new clip's size and frame rate, and joined. A side without audio is silent."""
    assert new_info.video is not None
    width, height = new_info.video.display_size
    rate = _rate(new_info)
    part = stitch_part(start=start, end=end, original_duration=original_info.duration)
    seconds = new_info.duration
    graph = [
        f"[0:v]{_fit(width, height)},fps={rate},format=yuv420p,"
        f"trim=duration={part:.3f},setpts=PTS-STARTPTS[v0]",
        f"[1:v]{_fit(width, height)},fps={rate},format=yuv420p,"
        f"trim=duration={seconds:.3f},setpts=PTS-STARTPTS[v1]",
    ]
    maps = ["-map", "[v]"]
    if original_info.audio is None and new_info.audio is None:
        graph.append("[v0][v1]concat=n=2:v=1:a=0[v]")
    else:
        graph.append(_audio_branch("0:a" if original_info.audio else None, "a0", seconds=part))
        graph.append(_audio_branch("1:a" if new_info.audio else None, "a1", seconds=seconds))
        graph.append("[v0][a0][v1][a1]concat=n=2:v=1:a=1[v][aout]")
        maps += ["-map", "[aout]", *_AAC]
    cmd = FFmpegCommand()
    cmd.input(original, fmt="mov", options=["-ss", f"{start:.3f}", "-t", f"{part:.3f}"])
    cmd.input(new, fmt="mov")
    return cmd.output(dst, "-filter_complex", ";".join(graph), *maps, *_H264, *_CLEAN_MP4)


def stitch_part(*, start: float, end: float, original_duration: float) -> float:
    """How many seconds of the original a stitch takes: [start, end] within the original,
    at most STITCH_MAX_SECONDS. Raises MediaError when nothing is left."""
    end = min(end, original_duration, start + STITCH_MAX_SECONDS)
    if start < 0 or end - start < 0.1:
        raise MediaError(
            _("The part of the original to stitch is outside the video."), code="stitch_range"
        )
    return round(end - start, 3)


def _composed(
    cmd: FFmpegCommand, out: Path, workdir: Path, *, expected: float, started: float
) -> ProcessedVideo:
    run_ffmpeg(cmd)
    result = probe(out, kind="video")
    if result.duration < expected - 1.0:
        raise MediaError(_("We could not process this file."), code="compose")
    return _finished(out, workdir, result=result, transcoded=True, started=started)


def lay_sound(
    new: ProcessedVideo, sound: Path, workdir: Path, *, offset: float, volume: float
) -> ProcessedVideo:
    """A processed upload with a sound laid under it (see sound_under_command)."""
    started = time.monotonic()
    info = probe(new.path, kind="video")
    probe(sound, kind="audio")
    out = workdir / "with-sound.mp4"
    cmd = sound_under_command(new.path, info, sound, out, offset=offset, volume=volume)
    return _composed(cmd, out, workdir, expected=info.duration, started=started)


def compose_duet(
    new: ProcessedVideo, original: Path, workdir: Path, *, layout: str = "horizontal"
) -> ProcessedVideo:
    started = time.monotonic()
    new_info = probe(new.path, kind="video")
    original_info = probe(original, kind="video")
    out = workdir / "duet.mp4"
    cmd = duet_command(new.path, new_info, original, original_info, out, layout=layout)
    return _composed(cmd, out, workdir, expected=new_info.duration, started=started)


def compose_stitch(
    new: ProcessedVideo, original: Path, workdir: Path, *, start: float, end: float
) -> ProcessedVideo:
    started = time.monotonic()
    new_info = probe(new.path, kind="video")
    original_info = probe(original, kind="video")
    part = stitch_part(start=start, end=end, original_duration=original_info.duration)
    out = workdir / "stitch.mp4"
    cmd = stitch_command(original, original_info, new.path, new_info, out, start=start, end=end)
    return _composed(cmd, out, workdir, expected=part + new_info.duration, started=started)


# --- templates: green screen and text on top ----------------------------------------------------
# Side by side is a duet (compose_duet). The two layouts below re-encode the picture at the
# processed upload's size and frame rate and copy its AAC audio (if any) as it is. The
# template's still pictures are our own encodes (image_reencode, text_overlay_png) read with
# the image2 demuxer. User text never enters a filter graph: Pillow draws it into a PNG.
TEMPLATE_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)
BACKGROUND_LONG_SIDE = MAX_LONG_SIDE


def image_reencode(data: bytes, *, long_side: int = BACKGROUND_LONG_SIDE) -> bytes:
    """Our own JPEG of an uploaded picture (a green screen's background): only JPEG, PNG or
    WebP, no bombs, upright, no metadata, the long side at most long_side. Raises MediaError."""
    import io
    import warnings

    from PIL import Image, ImageOps, UnidentifiedImageError

    from social.images import ALLOWED_FORMATS, MAX_IMAGE_PIXELS

    not_image = MediaError(_("That is not a JPEG, PNG or WebP image we can read."), code="image")
    if not data:
        raise MediaError(_("The file is empty."), code="empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS) as probe_image:
                width, height = probe_image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise MediaError(_("The image has too many pixels."), code="bomb")
                probe_image.verify()
            image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
            image.load()
            image = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise MediaError(_("The image has too many pixels."), code="bomb") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, TypeError, KeyError):
        raise not_image from None
    if image.mode != "RGB":
        flat = Image.new("RGB", image.size, (0, 0, 0))
        rgba = image.convert("RGBA")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    image.thumbnail((long_side, long_side), Image.Resampling.LANCZOS)
    image.info = {}  # a COM segment or EXIF from the upload must not survive
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88, optimize=True)
    return out.getvalue()


def _template_font(size: int):
    from PIL import ImageFont

    for path in TEMPLATE_FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def _wrap(text: str, *, font, draw, width: float) -> list[str]:
    """The text's lines, each broken at spaces (or inside a word too long) to fit width."""
    out: list[str] = []
    for raw in text.splitlines():
        line = ""
        for word in raw.split():
            candidate = f"{line} {word}".strip()
            if draw.textlength(candidate, font=font) <= width:
                line = candidate
                continue
            if line:
                out.append(line)
            line = ""
            for char in word:  # a word wider than the frame is cut where it must be
                if draw.textlength(line + char, font=font) > width and line:
                    out.append(line)
                    line = ""
                line += char
        if line:
            out.append(line)
    return out or [" "]


def text_overlay_png(text: str, dst: Path, *, width: int) -> Path:
    """The text, centred in white on a soft dark band, as an RGBA PNG `width` wide for the
    top of a video. Lines wrap to fit; many lines make the font smaller (down to a floor)."""
    from PIL import Image, ImageDraw

    draw = ImageDraw.Draw(Image.new("RGBA", (1, 1)))
    size = max(12, width // 14)
    while True:
        font = _template_font(size)
        lines = _wrap(text, font=font, draw=draw, width=width * 0.9)
        if len(lines) <= 4 or size <= max(12, width // 28):
            break
        size -= 2
    font = _template_font(size)
    line_height = round(size * 1.3)
    pad = max(8, size // 2)
    height = _even(pad * 2 + line_height * len(lines))
    band = Image.new("RGBA", (width, height), (0, 0, 0, 150))
    draw = ImageDraw.Draw(band)
    for i, line in enumerate(lines):
        draw.text(
            (width / 2, pad + line_height * i + line_height / 2),
            line,
            font=font,
            fill=(255, 255, 255, 255),
            anchor="mm",
            stroke_width=max(1, size // 16),
            stroke_fill=(0, 0, 0, 255),
        )
    band.save(dst, "PNG")
    return dst


def _copy_audio(info: Probe) -> list[str]:
    return ["-map", "0:a:0", "-c:a", "copy"] if info.audio is not None else []


def green_screen_command(
    new: Path, new_info: Probe, background: Path, dst: Path, *, key_color: str
) -> FFmpegCommand:
    """The new clip with key_color made transparent, over the background picture (scaled to
    cover the clip's frame and cropped); the clip's size, frame rate, length and audio."""
    assert new_info.video is not None
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", key_color):
        raise ValueError(key_color)  # only six hex digits ever reach the filter graph
    width, height = new_info.video.display_size
    rate = _rate(new_info)
    seconds = new_info.duration
    # Speed (bench/remix_compose.py): the picture is decoded and scaled once and repeated by
    # the loop filter (not re-read per frame with -loop 1), and the key is colorkey in RGB
    # (chromakey's per-pixel float maths in YUV cost 2.4x as much for the same clean cut).
    graph = [
        f"[1:v]scale={width}:{height}:force_original_aspect_ratio=increase:flags=bicubic,"
        f"crop={width}:{height},setsar=1,format=yuv420p,loop=loop=-1:size=1:start=0,"
        f"fps={rate}[bg]",
        f"[0:v]scale={width}:{height}:flags=bicubic,setsar=1,fps={rate},format=rgba,"
        f"colorkey=0x{key_color[1:]}:0.3:0.1,despill=type=green[fg]",
        "[bg][fg]overlay=0:0:shortest=1:format=auto,format=yuv420p[v]",
    ]
    cmd = FFmpegCommand().input(new, fmt="mov")
    cmd.input(background, fmt="image2")
    return cmd.output(
        dst,
        "-filter_complex",
        ";".join(graph),
        "-map",
        "[v]",
        *_copy_audio(new_info),
        *_H264,
        "-t",
        f"{seconds:.3f}",
        *_CLEAN_MP4,
    )


def text_on_top_command(new: Path, new_info: Probe, overlay: Path, dst: Path) -> FFmpegCommand:
    """The overlay picture (text_overlay_png) over the top of the new clip, all along it."""
    assert new_info.video is not None
    seconds = new_info.duration
    graph = [
        "[0:v]setsar=1,format=yuv420p[base]",
        "[base][1:v]overlay=0:0:eof_action=repeat:format=auto,format=yuv420p[v]",
    ]
    cmd = FFmpegCommand().input(new, fmt="mov").input(overlay, fmt="image2")
    return cmd.output(
        dst,
        "-filter_complex",
        ";".join(graph),
        "-map",
        "[v]",
        *_copy_audio(new_info),
        *_H264,
        "-t",
        f"{seconds:.3f}",
        *_CLEAN_MP4,
    )


def compose_green_screen(
    new: ProcessedVideo, background: Path, workdir: Path, *, key_color: str = "#00ff00"
) -> ProcessedVideo:
    started = time.monotonic()
    info = probe(new.path, kind="video")
    out = workdir / "green-screen.mp4"
    cmd = green_screen_command(new.path, info, background, out, key_color=key_color)
    return _composed(cmd, out, workdir, expected=info.duration, started=started)


def compose_text_on_top(new: ProcessedVideo, text: str, workdir: Path) -> ProcessedVideo:
    started = time.monotonic()
    info = probe(new.path, kind="video")
    assert info.video is not None
    overlay = text_overlay_png(text, workdir / "text-on-top.png", width=info.video.display_size[0])
    out = workdir / "text-on-top.mp4"
    cmd = text_on_top_command(new.path, info, overlay, out)
    return _composed(cmd, out, workdir, expected=info.duration, started=started)


# --- generated media (demo content and tests) ----------------------------------------------------
PATTERNS = (
    "testsrc2",
    "mandelbrot",
    "life",
    "cellauto",
    "rgbtestsrc",
    "smptehdbars",
    "gradients",
    "greenscreen",
)


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
        # A subject in the middle half of the frame on pure green: green screen footage.
        "greenscreen": (
            f"testsrc2=size={_even(width / 2)}x{_even(height / 2)}:rate={fps},"
            f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2:color=0x00ff00"
        ),
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


AUDIO_FORMATS = {
    # name: (encoder arguments, muxer)
    "mp3": (["-c:a", "libmp3lame", "-b:a", "96k"], "mp3"),
    "m4a": (["-c:a", "aac", "-b:a", "96k"], "ipod"),
    "aac": (["-c:a", "aac", "-b:a", "96k"], "adts"),
    "ogg": (["-c:a", "libvorbis", "-q:a", "2"], "ogg"),
    "opus": (["-c:a", "libopus", "-b:a", "64k"], "ogg"),
    "wav": (["-c:a", "pcm_s16le"], "wav"),
    "flac": (["-c:a", "flac"], "flac"),
}


def generate_audio_command(
    dst: Path,
    *,
    seconds: float,
    frequencies: tuple[int, ...] = (440,),
    fmt: str = "mp3",
    sample_rate: int = 44100,
) -> FFmpegCommand:
    """Tones (one sine per frequency, mixed) in one of the formats people upload music in."""
    encoder, muxer = AUDIO_FORMATS[fmt]
    terms = "+".join(f"0.3*sin({int(f)}*2*PI*t)" for f in frequencies)
    cmd = FFmpegCommand(generated=True)
    cmd.input(
        f"aevalsrc={terms}:s={int(sample_rate)}:c=stereo",
        fmt="lavfi",
        options=["-t", f"{seconds}"],
    )
    return cmd.output(dst, *encoder, "-f", muxer)


def rotate_command(src: Path, dst: Path, *, degrees: int) -> FFmpegCommand:
    """Copy src, adding a display-matrix rotation as phones do when held upright."""
    cmd = FFmpegCommand().input(src, fmt="mov", options=["-display_rotation", str(degrees)])
    return cmd.output(dst, "-c", "copy", "-f", "mp4")
