"""A person on a phone: sign up, upload a clip, watch it process, see it play in the feed,
swipe to the next video. Real daphne, real ffmpeg, real Chromium."""

import datetime
import re

import pytest
from django.utils import timezone

from social.models import User
from videos.models import Video
from videos.testing import make_clip

from .e2e_helpers import ready_video

pytestmark = pytest.mark.e2e


def _playing_time(page, selector: str) -> float:
    return page.eval_on_selector(selector, "v => v.currentTime")


def test_signup_upload_watch_swipe(live_site, phone, user_factory, tmp_path):
    # Someone else's older videos, so the feed has a second slide to swipe to. (The visit
    # right after signup autoplays one of them; watched, For You does not show it again.)
    other = user_factory(username="older_creator")
    for n in range(2):
        ready_video(
            other,
            make_clip(
                tmp_path / f"older{n}.mp4", width=360, height=640, seconds=3, pattern="mandelbrot"
            ),
            "older one #calm",
        )
    upload_file = make_clip(
        tmp_path / "mine.mp4", width=720, height=1280, seconds=3, pattern="gradients", hue=120
    )

    page = phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # Sign up.
    page.goto(f"{live_site}/accounts/signup/")
    birthdate = timezone.localdate().replace(year=timezone.localdate().year - 20)
    page.fill("input[name=username]", "swiper")
    page.fill("input[name=email]", "swiper@example.org")
    page.fill("input[name=password1]", "a long enough passphrase")
    page.fill("input[name=password2]", "a long enough passphrase")
    page.fill("input[name=birthdate]", birthdate.isoformat())
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_site}/")
    assert User.objects.filter(username="swiper").exists()

    # Upload with a real progress bar, then processing, then ready.
    page.goto(f"{live_site}/upload/")
    page.set_input_files("input[name=file]", str(upload_file))
    page.fill("textarea[name=caption]", "my first loop #e2e #Über @older_creator")
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#upload-form[data-status=ready]", timeout=60_000)
    assert page.eval_on_selector("#upload-bar", "b => b.value") == 100
    sent = int(page.eval_on_selector("#upload-bar", "b => b.dataset.loaded"))
    assert sent >= upload_file.stat().st_size  # the bar counted real bytes
    video = Video.objects.get(author__username="swiper")
    assert video.status == Video.Status.READY
    assert (video.width, video.height) == (720, 1280)
    assert sorted(video.hashtag_names) == ["e2e", "Über"]

    # The feed: our own new video opens it (as the apps do), and it really plays.
    page.goto(f"{live_site}/")
    first = f'.slide[data-video="{video.public_id}"] video'
    page.wait_for_function(f"document.querySelector('{first}').currentTime > 0.5")
    assert page.eval_on_selector(first, "v => !v.paused && v.muted && v.loop") is True
    caption = page.inner_text(f'.slide[data-video="{video.public_id}"] .caption')
    assert "#e2e" in caption
    assert (
        page.get_attribute(f'.slide[data-video="{video.public_id}"] .caption a.tag', "href")
        == "/tag/e2e/"
    )

    # Swipe (scroll one screen, as a finger flick does): the next one plays, ours pauses.
    page.eval_on_selector("#feed", "f => f.scrollBy(0, f.clientHeight)")
    second = ".slide:nth-of-type(2) video"
    page.wait_for_function(f"document.querySelector('{second}').currentTime > 0.3")
    assert page.eval_on_selector(first, "v => v.paused") is True
    # and back with the keyboard (k), the first plays again from the start.
    page.keyboard.press("k")
    page.wait_for_function(f"!document.querySelector('{first}').paused")
    page.wait_for_function(f"document.querySelector('{second}').paused")
    assert errors == []


def test_feed_loads_more_without_duplicates(
    live_site, desktop, video_factory, user_factory, tmp_path
):
    """Infinite scroll: the player fetches the next page before the end, no duplicates."""
    author = user_factory()
    clip = make_clip(tmp_path / "c.mp4", width=180, height=320, seconds=1)
    base = ready_video(author, clip, "real file")
    # Rows that reuse the real file, so every slide is playable.
    now = timezone.now()
    for i in range(13):
        video_factory(
            author=author,
            file=base.file.name,
            poster=base.poster.name,
            created_at=now - datetime.timedelta(minutes=i + 1),
        )
    page = desktop.new_page()
    page.goto(f"{live_site}/")
    assert page.locator(".slide").count() == 6
    for _ in range(12):
        page.keyboard.press("j")
        page.wait_for_timeout(250)
    page.wait_for_function("document.querySelectorAll('.slide').length === 14")
    ids = page.eval_on_selector_all(".slide", "els => els.map(e => e.dataset.video)")
    assert len(ids) == len(set(ids)) == 14
    assert re.fullmatch(r"[A-Za-z0-9_-]{11}", ids[0])
