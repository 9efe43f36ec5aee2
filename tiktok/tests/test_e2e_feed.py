"""For You in a real browser: the player reports what was watched (sendBeacon, with the CSRF
token in the body) and "Not interested" works from "Why am I seeing this?"."""

import time

import pytest

from videos import services
from videos.models import NotInterested, Video, WatchEvent
from videos.testing import make_clip

from .e2e_helpers import PASSWORD

pytestmark = pytest.mark.e2e


def _poll(check, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_watching_is_reported_and_not_interested_works(
    live_site, desktop, user_factory, video_factory, tmp_path
):
    viewer = user_factory(username="watcher", password=PASSWORD)
    clip = make_clip(tmp_path / "c.mp4", width=180, height=320, seconds=2)
    with clip.open("rb") as handle:
        base = services.video_create(
            author=user_factory(), upload=handle, size=clip.stat().st_size, caption="#one"
        )
    base.refresh_from_db()
    assert base.status == Video.Status.READY
    for _ in range(4):
        video_factory(file=base.file.name, poster=base.poster.name, duration=base.duration)

    page = desktop.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_site}/accounts/login/")
    page.fill("input[name=username]", "watcher")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_site}/")
    first = page.get_attribute(".slide:nth-of-type(1)", "data-video")
    # Let the first video play through once (it loops), then swipe on.
    page.wait_for_function(
        "document.querySelector('.slide video').currentTime > 1.2", timeout=15_000
    )
    page.wait_for_timeout(1500)
    page.keyboard.press("j")
    second = page.get_attribute(".slide:nth-of-type(2)", "data-video")
    page.wait_for_function(
        "document.querySelectorAll('.slide video')[1].currentTime > 0.3", timeout=15_000
    )

    # "Why am I seeing this?" on the second slide, then "Not interested".
    slide = f'.slide[data-video="{second}"]'
    assert page.text_content(f"{slide} .why-reason").strip()
    page.click(f"{slide} .why summary")
    page.get_by_role("button", name="Not interested").filter(visible=True).first.click()
    page.wait_for_selector(".toast:not([hidden])")
    _poll(lambda: NotInterested.objects.filter(user=viewer, video__public_id=second).exists())

    # Leaving the page sends the queued events with sendBeacon.
    page.goto(f"{live_site}/upload/")
    event = _poll(lambda: WatchEvent.objects.filter(user=viewer, video__public_id=first).first())
    assert event.source == "for_you"
    assert event.watch_seconds > 1.5 and event.completed  # a 2 s clip, played ~3 s
    _poll(lambda: WatchEvent.objects.filter(user=viewer, video__public_id=second).exists())
    for video in Video.objects.all():
        assert video.views_count == WatchEvent.objects.filter(video=video).count()
    assert errors == []
