"""What a remix costs on top of a plain upload, measured side by side in one run.

    .venv/bin/python bench/remix_compose.py [--repeat 3] [--seconds 15]

A generated 720x1280 H.264+AAC clip is processed as an upload (sniff, probe, remux fast path,
poster): that is the baseline every video pays. Then each remix recipe of videos/media.py
runs on the processed clip, as the processing task does after the upload step: text on top
(Pillow overlay), green screen over a picture (chromakey + despill), duet (side by side
with a second clip, both audio tracks mixed) and stitch (5 s of the original, then the
clip). Prints the median seconds of each and its ratio to a plain H.264 re-encode of the
same clip at the same settings, which is the floor for any recipe that changes pixels.
"""

import argparse
import io
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
from PIL import Image  # noqa: E402

from videos import media  # noqa: E402
from videos.testing import make_clip  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        upload = make_clip(tmp / "upload.mp4", seconds=args.seconds, pattern="greenscreen")
        original = make_clip(tmp / "original.mp4", seconds=args.seconds, pattern="testsrc2")

        def work() -> Path:
            return Path(tempfile.mkdtemp(dir=tmp))

        processed = media.process_video(upload, work())
        original_done = media.process_video(original, work())
        picture = io.BytesIO()
        Image.linear_gradient("L").convert("RGB").resize((720, 1280)).save(picture, "PNG")
        background = tmp / "background.jpg"
        background.write_bytes(media.image_reencode(picture.getvalue()))

        plain_encode = [
            media.ffmpeg_binary(),
            "-y",
            "-loglevel",
            "error",
            "-i",
            str(processed.path),
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-crf",
            "23",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "copy",
            str(tmp / "plain.mp4"),
        ]
        cases = {
            "upload processing (remux fast path)": lambda: media.process_video(upload, work()),
            "plain ffmpeg re-encode (the floor)": lambda: subprocess.run(
                plain_encode, check=True, capture_output=True
            ),
            "template: text on top": lambda: media.compose_text_on_top(
                processed, "POV: you found the perfect loop", work()
            ),
            "template: green screen": lambda: media.compose_green_screen(
                processed, background, work()
            ),
            "duet (side by side, audio mixed)": lambda: media.compose_duet(
                processed, original_done.path, work()
            ),
            "stitch (5 s of the original + clip)": lambda: media.compose_stitch(
                processed, original_done.path, work(), start=0.0, end=5.0
            ),
        }
        results = {name: timed(fn, args.repeat) for name, fn in cases.items()}

    floor = results["plain ffmpeg re-encode (the floor)"]
    print(f"clip: {args.seconds:g} s 720x1280 H.264+AAC; median of {args.repeat}")
    print(f"{'case':40} {'seconds':>8} {'x floor':>8}")
    for name, seconds in results.items():
        print(f"{name:40} {seconds:8.2f} {seconds / floor:8.2f}")


if __name__ == "__main__":
    main()
