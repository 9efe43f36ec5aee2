"""Two people, two browsers, one video: likes, comments and follows arrive live."""

import pytest

from videos import services
from videos.models import Video
from videos.testing import make_clip

from .e2e_helpers import PASSWORD, login

pytestmark = pytest.mark.e2e


def test_like_comment_follow_arrive_live(live_site, browser, user_factory, tmp_path):
    alice = user_factory(username="alice", password=PASSWORD)
    bob = user_factory(username="bob", password=PASSWORD)
    clip = make_clip(tmp_path / "bob.mp4", width=360, height=640, seconds=3)
    with clip.open("rb") as handle:
        video = services.video_create(
            author=bob, upload=handle, size=clip.stat().st_size, caption="watch this #live"
        )
    video.refresh_from_db()
    assert video.status == Video.Status.READY

    # bypass_csp: wait_for_function evaluates strings (see PHONE in conftest.py).
    a_ctx = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, bypass_csp=True
    )
    b_ctx = browser.new_context(viewport={"width": 1280, "height": 860}, bypass_csp=True)
    try:
        a = login(a_ctx, live_site, "alice")
        b = login(b_ctx, live_site, "bob")
        slide = f'.slide[data-video="{video.public_id}"]'
        for page in (a, b):
            page.goto(f"{live_site}{video.get_absolute_url()}")
            page.wait_for_function("document.documentElement.dataset.live === 'open'")
        b.click(f"{slide} [data-action=comments]")  # B keeps the drawer open
        b.wait_for_selector("#comments-drawer:not([hidden]) .comments-empty")
        b.wait_for_timeout(300)  # let the subscription settle

        # A double-taps the video: a heart, and the like counts.
        a.dblclick(f"{slide} .tap-layer")
        a.wait_for_selector(f'{slide} [data-action=like][aria-pressed="true"]')
        b.wait_for_function(
            f"document.querySelector('{slide} [data-count=likes]').textContent === '1'",
            timeout=2000,
        )

        # A comments; B sees it appear in the open drawer within 2 s, text as typed.
        a.click(f"{slide} [data-action=comments]")
        a.fill("#comment-text", "<i>so good</i> 🔥")
        a.click("#comments-drawer button[type=submit]")
        b.wait_for_selector("#comments-drawer .comment-text", timeout=2000)
        assert b.inner_text("#comments-drawer .comment-text") == "<i>so good</i> 🔥"
        assert b.locator("#comments-drawer .comment-text i").count() == 0  # not parsed as HTML
        b.wait_for_function(
            f"document.querySelector('{slide} [data-count=comments]').textContent === '1'",
            timeout=2000,
        )

        # A follows B from the overlay; B's bell rises live.
        before = b.get_attribute(".tab-bell .badge", "data-unread")
        a.keyboard.press("Escape")
        a.click(f"{slide} [data-action=follow]")
        b.wait_for_function(
            f"Number(document.querySelector('.tab-bell .badge').dataset.unread) > {before}",
            timeout=2000,
        )
        assert b.is_visible(".tab-bell .badge")
        assert bob.follower_set.filter(follower=alice).exists()
        video.refresh_from_db()
        assert (video.likes_count, video.comments_count) == (1, 1)
    finally:
        a_ctx.close()
        b_ctx.close()


def test_like_through_one_daphne_reaches_a_client_of_another(
    server_env, celery_worker, browser, user_factory, video_factory, tmp_path, settings
):
    """Scale-out: two daphne processes share the Redis channel layer."""
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL: the in-memory channel layer is per process by design")
    import json
    import urllib.request

    from rest_framework.authtoken.models import Token

    from tiktok.tests.conftest import _stop, start_daphne

    fan = user_factory(username="fan", password=PASSWORD)
    video = video_factory()
    token = Token.objects.create(user=fan)
    one, proc_one = start_daphne(server_env, tmp_path / "one.log")
    two, proc_two = start_daphne(server_env, tmp_path / "two.log")
    context = browser.new_context(bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(f"{two}/healthz")
        page.evaluate(
            """([url, id]) => new Promise((resolve) => {
                window.received = [];
                const ws = new WebSocket(url);
                ws.onmessage = (e) => window.received.push(JSON.parse(e.data));
                ws.onopen = () => { ws.send(JSON.stringify({subscribe: [id]})); resolve(); };
            })""",
            [two.replace("http", "ws") + "/ws/live/", video.public_id],
        )
        page.wait_for_function("window.received.length >= 1")  # the initial counts
        request = urllib.request.Request(  # noqa: S310 - loopback
            f"{one}/api/v1/videos/{video.public_id}/like/",
            method="POST",
            headers={"Authorization": f"Token {token.key}", "Accept": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            assert json.loads(response.read()) == {"liked": True, "likes": 1}
        page.wait_for_function(
            "window.received.some(m => m.type === 'video.stats' && m.likes === 1)", timeout=2000
        )
    finally:
        context.close()
        _stop(proc_one)
        _stop(proc_two)
