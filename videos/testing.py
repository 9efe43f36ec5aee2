"""Helpers that make real media with ffmpeg, for tests, benchmarks and demo content."""

from __future__ import annotations

from pathlib import Path

from . import media


def make_clip(
    path: Path,
    *,
    width: int = 720,
    height: int = 1280,
    seconds: float = 2,
    audio: bool = True,
    rotation: int = 0,
    codec: str = "libx264",
    container: str = "mp4",
    pattern: str = "testsrc2",
    hue: int = 0,
    frequency: int = 440,
    fps: int = 30,
) -> Path:
    path = Path(path)
    target = path.with_suffix(".unrotated.mp4") if rotation else path
    media.run_ffmpeg(
        media.generate_clip_command(
            target,
            width=width,
            height=height,
            seconds=seconds,
            audio=audio,
            codec=codec,
            container=container,
            pattern=pattern,
            hue=hue,
            frequency=frequency,
            fps=fps,
        ),
        timeout=120,
    )
    if rotation:
        media.run_ffmpeg(media.rotate_command(target, path, degrees=rotation), timeout=60)
        target.unlink()
    return path


def make_audio(
    path: Path,
    *,
    seconds: float = 3,
    frequencies: tuple[int, ...] = (440,),
    fmt: str = "mp3",
    sample_rate: int = 44100,
) -> Path:
    """A tone in one of the formats people upload music in (mp3, m4a, aac, ogg, opus…)."""
    path = Path(path)
    media.run_ffmpeg(
        media.generate_audio_command(
            path, seconds=seconds, frequencies=frequencies, fmt=fmt, sample_rate=sample_rate
        ),
        timeout=120,
    )
    return path
