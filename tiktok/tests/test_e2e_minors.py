"""Minors and comment filters in a real Chromium (phone size) against a real daphne:
a 16-year-old's video offers Duet/Stitch to a friend but not to a stranger; a comment held
by the creator's filter is shown to its author and the creator (who approves it) but not to
anyone else. Screenshots of the changed pages go to test-artifacts/minors/."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from social import graph
from social.models import Follow
from videos import engagement
from videos.models import Comment, Video
from videos.testing import make_clip

from .e2e_helpers import PASSWORD, login, ready_video

pytestmark = pytest.mark.e2e
SHOTS = settings.BASE_DIR / "test-artifacts" / "minors"


def born(years: int) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=1) - datetime.timedelta(days=40)


def clip_video(author, tmp_path, caption: str) -> Video:
    path = make_clip(tmp_path / f"{author.username}.mp4", width=360, height=640, seconds=2)
    return ready_video(author, path, caption)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def test_sixteen_year_olds_duet_button_only_for_friends(live_site, browser, user_factory, tmp_path):
    teen = user_factory(username="teen16", birthdate=born(16), password=PASSWORD)
    friend = user_factory(username="pal", password=PASSWORD)
    user_factory(username="stranger", password=PASSWORD)
    graph.follow_create(follower=friend, followee=teen)
    graph.follow_create(follower=teen, followee=friend)
    video = clip_video(teen, tmp_path, "my dance #minors")
    url = f"{live_site}/@teen16/video/{video.public_id}/"
    slide_css = f'.slide[data-video="{video.public_id}"]'

    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    context.set_default_timeout(15_000)
    page = login(context, live_site, "stranger")
    page.goto(url)
    slide = page.locator(slide_css)
    slide.locator('[data-action="like"]').wait_for()
    assert slide.locator('[data-action="duet"]').count() == 0
    assert slide.locator('[data-action="stitch"]').count() == 0
    assert slide.locator('[data-action="save"]').count() == 0  # 16–17: saving off by default
    shot(page, "slide-stranger")
    context.close()

    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    context.set_default_timeout(15_000)
    page = login(context, live_site, "pal")
    page.goto(url)
    slide = page.locator(slide_css)
    slide.get_by_role("button", name="Duet with @teen16").wait_for()
    assert slide.locator('[data-action="stitch"]').count() == 1
    shot(page, "slide-friend")
    assert page.problems == []
    context.close()


def test_held_comment_seen_by_its_author_and_the_creator_only(
    live_site, browser, user_factory, tmp_path
):
    creator = user_factory(username="maker", password=PASSWORD, filtered_words="spoiler")
    fan = user_factory(username="fan", password=PASSWORD)
    user_factory(username="viewer", password=PASSWORD)
    video = clip_video(creator, tmp_path, "no spoilers please")
    Video.objects.filter(pk=video.pk).update(allow_download=True)
    engagement.comment_create(user=fan, video=video, text="nice one")
    held = engagement.comment_create(user=fan, video=video, text="SPOILER: it ends well")
    assert held.status == Comment.Status.HELD_BY_CREATOR
    url = f"{live_site}/@maker/video/{video.public_id}/"

    def open_drawer(username: str):
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
        context.set_default_timeout(15_000)
        page = login(context, live_site, username)
        page.goto(url)
        page.locator(f'.slide[data-video="{video.public_id}"] [data-action="comments"]').click()
        page.locator("#comments-drawer .comment-list .comment").first.wait_for()
        return context, page

    context, page = open_drawer("viewer")
    texts = page.locator("#comments-drawer .comment-text").all_text_contents()
    assert texts == ["nice one"]
    context.close()

    context, page = open_drawer("fan")
    page.locator("#comments-drawer .comment-held").wait_for()
    assert "SPOILER: it ends well" in page.locator("#comments-drawer").inner_text()
    assert "Held for review" in page.locator("#comments-drawer .comment-held").inner_text()
    shot(page, "drawer-held-author")
    context.close()

    context, page = open_drawer("maker")
    held_item = page.locator("#comments-drawer .comment-held")
    held_item.wait_for()
    shot(page, "drawer-held-creator")
    held_item.get_by_role("button", name="Approve").click()
    page.locator("#comments-drawer .comment-held").wait_for(state="detached")
    held.refresh_from_db()
    assert held.status == Comment.Status.VISIBLE
    # Save button is on the creator's own adult video; it downloads an attachment.
    save = page.locator(f'.slide[data-video="{video.public_id}"] [data-action="save"]')
    page.keyboard.press("Escape")
    with page.expect_download() as info:
        save.click()
    assert info.value.suggested_filename.endswith(f"maker-{video.public_id}.mp4")
    assert page.problems == []
    context.close()


def test_screenshots_of_settings_following_and_discover(live_site, browser, user_factory):
    me = user_factory(username="newbie", password=PASSWORD, filtered_words="spoiler\nbad word")
    for name, followers in (("popular", 900), ("rising", 40)):
        user_factory(username=name, followers_count=followers)
    user_factory(username="kid", birthdate=born(14), followers_count=5000)
    teen = user_factory(username="teen15", birthdate=born(15), password=PASSWORD)
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    context.set_default_timeout(15_000)
    page = login(context, live_site, "newbie")
    page.goto(f"{live_site}/following/")
    page.get_by_role("heading", name="Suggested accounts").wait_for()
    assert "@kid" not in page.content()
    shot(page, "following-empty-suggestions")
    page.get_by_role("button", name="Follow @popular").click()
    page.wait_for_url(f"{live_site}/following/")
    assert Follow.objects.filter(follower=me, followee__username="popular").exists()
    page.goto(f"{live_site}/discover/")
    shot(page, "discover")
    page.goto(f"{live_site}/settings/")
    page.locator("#remix-h").scroll_into_view_if_needed()
    shot(page, "settings-adult")
    context.close()
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = login(context, live_site, teen.username)
    page.goto(f"{live_site}/settings/")
    page.locator("#remix-h").scroll_into_view_if_needed()
    assert page.locator('input[name="remix_audience"]').count() == 0
    shot(page, "settings-15")
    context.close()
