"""Templates in a real Chromium: from the discover page to the gallery, pick a template,
upload a generated clip into the pre-filled form, and see the video ready, on the profile
and in its slide linked to the template. Real daphne, real ffmpeg, the site's strict CSP.
Screenshots of the gallery and the pre-filled form on a phone and a desktop are saved to
$SCREENSHOT_DIR (or the test's tmp folder) and checked for horizontal overflow."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from videos.models import Template, Video
from videos.remix.templates import template_background_encode, template_preview_render
from videos.testing import make_clip

from .e2e_helpers import PASSWORD, login

pytestmark = pytest.mark.e2e


def _templates() -> tuple[Template, Template]:
    pov = Template.objects.create(
        slug="pov",
        name="POV",
        description="A line over the top of your clip.",
        layout=Template.Layout.TEXT_ON_TOP,
        text="POV: you found it",
        caption_scaffold="Best view in [your city]",
        hashtag="pov",
        featured=True,
    )
    data = io.BytesIO()
    Image.new("RGB", (540, 960), (200, 40, 160)).save(data, "PNG")
    postcard = Template(
        slug="postcard",
        name="Postcard from a place with a very long name",
        layout=Template.Layout.GREEN_SCREEN,
        caption_scaffold="Greetings from [place]",
        hashtag="postcard",
        ordering=1,
    )
    postcard.background.save("bg.jpg", template_background_encode(data=data.getvalue()))
    template_preview_render(template=pov)
    template_preview_render(template=postcard)
    return pov, postcard


def _problems(page) -> list[str]:
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on(
        "console",
        lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return problems


def test_pick_a_template_and_post_with_it(live_site, browser, user_factory, tmp_path):
    pov, _postcard = _templates()
    user_factory(username="maker", password=PASSWORD)
    clip = make_clip(tmp_path / "clip.mp4", width=360, height=640, seconds=2)
    # The site's own Content-Security-Policy applies (no bypass): template.js needs its nonce.
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    context.set_default_timeout(20_000)
    page = login(context, live_site, "maker")
    problems = _problems(page)

    page.goto(f"{live_site}/discover/")
    page.get_by_role("link", name="All templates").click()
    page.wait_for_url(f"{live_site}/templates/")
    assert page.locator(".template-card").count() == 2
    page.get_by_role("link", name="Use the template POV").click()
    page.wait_for_url(f"{live_site}/upload/?template=pov")

    caption = page.locator("textarea[name=caption]")
    assert caption.input_value() == "Best view in [your city] #pov"
    assert page.locator("textarea[name=template_text]").input_value() == "POV: you found it"
    assert page.locator(".template-placeholders mark").inner_text() == "[your city]"
    # Focusing the caption selects the placeholder, so typing replaces it.
    caption.focus()
    selected = ""
    for _ in range(50):
        selected = page.evaluate(
            "() => { const c = document.activeElement;"
            " return c.value.slice(c.selectionStart, c.selectionEnd); }"
        )
        if selected:
            break
        page.wait_for_timeout(20)
    assert selected == "[your city]"
    page.keyboard.type("Lisbon")
    assert caption.input_value() == "Best view in Lisbon #pov"
    page.fill("textarea[name=template_text]", "POV: Lisbon at 6 am")
    page.set_input_files("input[name=file]", str(clip))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#upload-form[data-status=ready]", timeout=90_000)

    video = Video.objects.get(author__username="maker")
    assert video.status == Video.Status.READY, video.failure_reason
    assert video.template_id == pov.pk and video.template_text == "POV: Lisbon at 6 am"
    assert video.caption == "Best view in Lisbon #pov"
    pov.refresh_from_db()
    assert pov.uses_count == 1

    page.goto(f"{live_site}/@maker/")
    page.locator(f'a[href="{video.get_absolute_url()}"]').click()
    page.wait_for_url(f"{live_site}{video.get_absolute_url()}")
    slide = page.locator(f'.slide[data-video="{video.public_id}"]')
    link = slide.get_by_role("link", name="Template: POV")
    assert link.get_attribute("href") == "/upload/?template=pov"
    page.goto(f"{live_site}/templates/")
    assert "1 video" in page.locator(".template-card", has_text="POV").inner_text()
    assert problems == []
    context.close()


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_template_pages_on_phone_and_desktop(live_site, request, device, user_factory, tmp_path):
    _templates()
    user_factory(username="looker", password=PASSWORD)
    context = request.getfixturevalue(device)
    page = login(context, live_site, "looker")
    shots = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    for name, path in (("gallery", "/templates/"), ("upload", "/upload/?template=postcard")):
        page.goto(f"{live_site}{path}")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(shots / f"templates-{name}-{device}.png"), full_page=True)
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} scrolls sideways on {device}"
        # Preview pictures are loaded and sized (no broken images).
        broken = page.evaluate(
            "() => [...document.images].filter(i => i.complete && i.naturalWidth === 0).length"
        )
        assert broken == 0
