"""The Content-Security-Policy in a real Chromium: the player, likes, comments, the live
socket, the upload page, settings, the admin and the API docs all work with the policy
enforced, and the browser reports no violation. (The other e2e tests bypass the policy
because Playwright's wait_for_function needs eval; this one must not.)"""

from __future__ import annotations

import time
import urllib.request

import pytest
from rest_framework.authtoken.models import Token

from social.models import User
from videos import services
from videos.models import Comment, Like, Video
from videos.testing import make_clip

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery"  # the user_factory default
RECORD_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  (window.__csp = window.__csp || []).push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def _poll(page, expression: str, timeout: float = 20) -> None:
    """wait_for_function without eval (page.evaluate is not subject to the page's CSP)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.evaluate(expression):
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {expression}")


def _wait_db(check, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError("timed out waiting for the database")


def test_pages_work_under_the_policy_without_violations(live_site, browser, user_factory, tmp_path):
    author = user_factory(username="csp_author")
    clip = make_clip(tmp_path / "clip.mp4", width=360, height=640, seconds=3)
    with clip.open("rb") as handle:
        video = services.video_create(
            author=author, upload=handle, size=clip.stat().st_size, caption="under #csp"
        )
    video.refresh_from_db()
    assert video.status == Video.Status.READY, video.failure_reason
    viewer = user_factory(username="csp_viewer", is_staff=True, is_superuser=True)

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    console: list[str] = []
    errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    violations: list[str] = []

    def collect(where: str) -> None:
        violations.extend(f"{where}: {v}" for v in page.evaluate("window.__csp || []"))

    page.goto(f"{live_site}/accounts/login/")
    page.fill("input[name=username]", viewer.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_site}/")

    # The player (player.js, boot.js) plays the video, from our own origin.
    slide = f'.slide[data-video="{video.public_id}"]'
    _poll(page, f"document.querySelector('{slide} video')?.currentTime > 0.3")
    # Like (actions.js → the API, with the CSRF header).
    page.click(f'{slide} [data-action="like"]')
    _wait_db(lambda: Like.objects.filter(user=viewer, video=video).exists())
    # Comments drawer: load and post.
    page.click(f'{slide} [data-action="comments"]')
    page.fill("#comment-text", "posted under a strict policy")
    page.click(".comment-form button[type=submit]")
    _wait_db(lambda: Comment.objects.filter(author=viewer, video=video).exists())
    _poll(page, "document.querySelectorAll('.comment-list li').length > 0")
    # The live socket (live.js): another person's like, made through the API of the same
    # daphne (whose channel layer the socket is on), arrives as a pushed count.
    fan = Token.objects.create(user=user_factory())
    request = urllib.request.Request(  # noqa: S310 - the test's own loopback server
        f"{live_site}/api/v1/videos/{video.public_id}/like/",
        method="POST",
        headers={"Authorization": f"Token {fan.key}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
        assert response.status in (200, 201)
    _poll(page, f"document.querySelector('{slide} [data-count=likes]').dataset.value === '2'")
    collect("/")

    for path in (
        "/upload/",
        "/settings/",
        "/settings/export/",
        f"/@{author.username}/",
        "/notifications/",
        "/admin/",
        "/admin/social/user/",
        f"/admin/social/user/{author.pk}/change/",
        "/api/docs/",
    ):
        page.goto(f"{live_site}{path}")
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)
        collect(path)
    # The scripts did run: Swagger UI drew the API, the admin's scripts set things up.
    page.goto(f"{live_site}/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock")
    collect("/api/docs/ (rendered)")

    context.close()
    assert violations == []
    assert console == []
    assert errors == []
    assert User.objects.filter(pk=viewer.pk).exists()
