"""examples/api_client.py, run as a third party would, against a real daphne."""

import subprocess
import sys

import pytest
from django.conf import settings

from videos.models import Video
from videos.testing import make_clip

pytestmark = pytest.mark.e2e


def test_example_client_end_to_end(live_site, user_factory, video_factory, tmp_path):
    user_factory(username="apiclient", password="a long enough passphrase")
    other = video_factory()
    clip = make_clip(tmp_path / "api.mp4", width=360, height=640, seconds=2)
    result = subprocess.run(
        [
            sys.executable,
            str(settings.BASE_DIR / "examples" / "api_client.py"),
            "--base",
            live_site,
            "--username",
            "apiclient",
            "--password",
            "a long enough passphrase",
            "--video",
            str(clip),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    posted = Video.objects.get(author__username="apiclient")
    assert posted.status == Video.Status.READY
    assert f"uploaded {posted.public_id}" in result.stdout
    assert "ready: 360x640" in result.stdout
    # It liked and commented on the first video of the feed.
    target = Video.objects.get(public_id=result.stdout.split("liked ")[1].split(":")[0])
    assert target.likes_count == 1 and target.comments_count == 1
    assert target.pk in {posted.pk, other.pk}
