"""A viewer reports a video in the browser; a moderator hides it from the admin queue; it is
gone from the feed, its page and its media URL."""

import os
from pathlib import Path

import pytest

from videos import engagement, moderation
from videos.models import ModerationAction, Report, Video
from videos.testing import make_clip

from .conftest import DESKTOP, PHONE
from .e2e_helpers import PASSWORD, ready_video

pytestmark = pytest.mark.e2e


def _upload(author, tmp_path: Path, name: str, caption: str) -> Video:
    clip = make_clip(tmp_path / f"{name}.mp4", width=360, height=640, seconds=2)
    return ready_video(author, clip, caption)


def test_report_in_the_browser_then_hide_from_the_queue(live_site, browser, user_factory, tmp_path):
    creator = user_factory(username="edgy_creator", password=PASSWORD)
    viewer = user_factory(username="careful_viewer", password=PASSWORD)
    mod = user_factory(username="the_moderator", password=PASSWORD, is_staff=True)
    mod.groups.add(moderation.moderators_group_ensure())
    bad = _upload(creator, tmp_path, "bad", "something nasty #bad")
    rude = engagement.comment_create(user=creator, video=bad, text="come at me")
    _upload(user_factory(), tmp_path, "fine", "something lovely #fine")
    shots = Path(os.environ.get("E2E_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)

    phone = browser.new_context(**PHONE)
    desk = browser.new_context(**DESKTOP)
    try:
        # The viewer sees it in For You, opens its page and reports it.
        page = phone.new_page()
        page.goto(f"{live_site}/accounts/login/")
        page.fill("input[name=username]", viewer.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{live_site}/")
        slide = f'.slide[data-video="{bad.public_id}"]'
        assert page.locator(slide).count() == 1
        page.goto(f"{live_site}{bad.get_absolute_url()}")
        # Each comment in the drawer (drawn by actions.js) links to its own report form.
        page.click(f"{slide} [data-action=comments]")
        link = page.wait_for_selector(f'[data-comment="{rude.public_id}"] a.comment-report')
        assert link.get_attribute("href") == f"/report/comment/{rude.public_id}/"
        page.keyboard.press("Escape")
        page.click(f'{slide} a.report-link[href="/report/video/{bad.public_id}/"]')
        page.wait_for_url(f"{live_site}/report/video/{bad.public_id}/")
        page.check('input[name=reason][value="violence"]')
        page.fill("textarea[name=text]", "Shows a real fight, someone gets hurt.")
        page.screenshot(path=str(shots / "report-form-phone.png"), full_page=True)
        page.click("main button[type=submit]")
        page.wait_for_selector(".report-confirmation")
        assert "We received your report." in page.inner_text(".report-confirmation")
        page.screenshot(path=str(shots / "report-done-phone.png"))
        row = Report.objects.get()
        assert (row.reporter, row.video, row.reason) == (viewer, bad, "violence")

        # The moderator logs in to the admin and hides it from the queue.
        admin = desk.new_page()
        admin.goto(f"{live_site}/admin/login/?next=/admin/videos/report/queue/")
        admin.fill("input[name=username]", mod.username)
        admin.fill("input[name=password]", PASSWORD)
        admin.click("input[type=submit]")
        admin.wait_for_url(f"{live_site}/admin/videos/report/queue/")
        group = admin.locator(f"#group-video-{bad.pk}")
        assert "Shows a real fight" in group.inner_text()
        assert group.locator("video[controls]").count() == 1
        admin.screenshot(path=str(shots / "moderation-queue.png"), full_page=True)
        group.locator("input[name=reason]").fill("real violence")
        group.locator('button[value="hide_video"]').click()
        admin.wait_for_selector(".messagelist .success")
        assert "Nothing to review" in admin.inner_text("#content")

        bad.refresh_from_db()
        assert bad.is_hidden is True
        assert Report.objects.get().status == Report.Status.ACTIONED
        logged = ModerationAction.objects.get()
        assert (logged.moderator, logged.action, logged.reason) == (
            mod,
            "hide_video",
            "real violence",
        )

        # Gone for the viewer: feed, page, media.
        # (The other video may be gone from this viewer's feed too: For You does not show
        # again what they watched minutes ago. The page itself must render.)
        assert page.goto(f"{live_site}/").status == 200
        page.wait_for_load_state("domcontentloaded")
        assert page.locator(slide).count() == 0
        assert bad.public_id not in page.content()
        assert page.request.get(f"{live_site}{bad.get_absolute_url()}").status == 404
        assert page.request.get(f"{live_site}{bad.file.url}").status == 404
        assert page.request.get(f"{live_site}/api/v1/videos/{bad.public_id}/").status == 404
    finally:
        phone.close()
        desk.close()


RECORD_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  (window.__csp = window.__csp || []).push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def test_report_form_and_queue_under_the_enforced_policy(
    live_site, browser, user_factory, video_factory
):
    """The other test bypasses CSP (Playwright's waits need eval); this one must not."""
    viewer = user_factory(username="csp_reporter", password=PASSWORD)
    mod = user_factory(username="csp_mod", password=PASSWORD, is_staff=True)
    mod.groups.add(moderation.moderators_group_ensure())
    video = video_factory(caption="under the policy")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(RECORD_VIOLATIONS)
    try:
        page = context.new_page()
        page.goto(f"{live_site}/accounts/login/?next=/report/video/{video.public_id}/")
        page.fill("input[name=username]", viewer.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{live_site}/report/video/{video.public_id}/")
        page.check('input[name=reason][value="spam"]')
        page.click("main button[type=submit]")
        page.wait_for_selector(".report-confirmation")
        assert page.evaluate("window.__csp || []") == []
        page.context.clear_cookies()
        page.goto(f"{live_site}/admin/login/?next=/admin/videos/report/queue/")
        page.fill("input[name=username]", mod.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url(f"{live_site}/admin/videos/report/queue/")
        page.wait_for_selector(f"#group-video-{video.pk}")
        page.click(f'#group-video-{video.pk} button[value="dismiss"]')
        page.wait_for_selector(".messagelist .success")
        assert page.evaluate("window.__csp || []") == []
        assert Report.objects.get().status == Report.Status.DISMISSED
    finally:
        context.close()
