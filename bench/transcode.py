"""Media pipeline cost, measured side by side in one run.

    .venv/bin/python bench/transcode.py [--repeat 3]

For a generated 15 s 1080x1920 H.264+AAC clip: our whole pipeline (sniff + probe of every
packet + transcode to 720x1280 H.264 High/AAC + re-probe + poster) against the same plain
ffmpeg transcode alone; and for a 15 s 720x1280 clip that takes the remux fast path, our
pipeline against a plain `ffmpeg -c copy`. Prints medians and ratios.
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tiktok.settings")
import django

django.setup()

from _common import timed  # noqa: E402

from videos import media  # noqa: E402
from videos.testing import make_clip  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ffmpeg = media.ffmpeg_binary()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        big = make_clip(tmp / "big.mp4", width=1080, height=1920, seconds=15, pattern="mandelbrot")
        small = make_clip(tmp / "small.mp4", width=720, height=1280, seconds=15, pattern="testsrc2")

        def pipeline(src: Path):
            def run():
                work = Path(tempfile.mkdtemp(dir=tmp))
                result = media.process_video(src, work)
                assert result.duration > 14
                return result

            return run

        def plain(argv):
            return lambda: subprocess.run(argv, check=True, capture_output=True)

        plain_transcode = [
            ffmpeg,
            "-y",
            "-loglevel",
            "error",
            "-i",
            str(big),
            "-vf",
            "scale=720:1280",
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
            "-c:a",
            "aac",
            "-b:a",
            "128k",
            "-movflags",
            "+faststart",
            str(tmp / "plain.mp4"),
        ]
        plain_remux = [
            ffmpeg,
            "-y",
            "-loglevel",
            "error",
            "-i",
            str(small),
            "-c",
            "copy",
            "-movflags",
            "+faststart",
            str(tmp / "plain-remux.mp4"),
        ]

        assert pipeline(big)().transcoded is True
        assert pipeline(small)().transcoded is False
        ours_t = timed(pipeline(big), args.repeat)
        plain_t = timed(plain(plain_transcode), args.repeat)
        ours_r = timed(pipeline(small), args.repeat)
        plain_r = timed(plain(plain_remux), args.repeat)

    print(f"{'case':44} {'ours s':>8} {'plain s':>8} {'ratio':>6}")
    label = "transcode 15 s 1080x1920 -> 720x1280"
    print(f"{label:44} {ours_t:8.2f} {plain_t:8.2f} {ours_t / plain_t:6.2f}")
    print(
        f"{'remux fast path 15 s 720x1280':44} {ours_r:8.2f} {plain_r:8.2f} {ours_r / plain_r:6.2f}"
    )
    print(
        f"{'fast path vs transcode (ours)':44} {ours_r:8.2f} {ours_t:8.2f} {ours_r / ours_t:6.3f}"
    )


if __name__ == "__main__":
    main()
