"""Helpers shared by the end-to-end tests (tiktok/tests/test_e2e_*.py)."""

from __future__ import annotations

from pathlib import Path

from videos import services
from videos.models import Video

# The password e2e tests give user_factory, so the browser can sign in with it.
PASSWORD = "a long enough passphrase"


def ready_video(author, path: Path, caption: str = "") -> Video:
    """Post the clip at path through the real pipeline (tasks run eagerly in tests); it must
    come out ready, or the test stops with the pipeline's reason."""
    with path.open("rb") as handle:
        video = services.video_create(
            author=author, upload=handle, size=path.stat().st_size, caption=caption
        )
    video.refresh_from_db()
    assert video.status == Video.Status.READY, video.failure_reason
    return video


def login(context, base: str, username: str, *, password: str = PASSWORD):
    """Sign in through the login form in a new page of context; the page lands on For You.
    Script errors the page raises from then on collect in ``page.problems``."""
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.problems = problems
    return page
