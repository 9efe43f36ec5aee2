"""Remix culture in a real Chromium with a fake camera and microphone: record a duet beside
the original, post it, find it in the feed linked to its original; make a video with a
sound from the sound's page. Real daphne, real ffmpeg."""

from __future__ import annotations

import pytest

from videos.models import Sound, Video
from videos.remix.services import sound_create
from videos.testing import make_audio, make_clip

from .conftest import CHROMIUM, CHROMIUM_ARGS
from .e2e_helpers import PASSWORD, login, ready_video

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def media_browser(browser):
    """Chromium with a fake camera and microphone (and their permission prompt answered),
    launched by the same Playwright as the suite's `browser`: one sync Playwright per run."""
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
    ]
    instance = browser.browser_type.launch(executable_path=CHROMIUM, args=args)
    yield instance
    instance.close()


@pytest.fixture
def strict_desktop(media_browser, live_site):
    """A desktop context that keeps the site's Content-Security-Policy (no bypass): the
    recorder's blob: preview must be allowed by the policy itself."""
    context = media_browser.new_context(
        viewport={"width": 1366, "height": 900}, permissions=["camera", "microphone"]
    )
    context.set_default_timeout(20_000)
    yield context
    context.close()


def _watch_for_problems(page) -> list[str]:
    """Script errors and Content-Security-Policy violations seen by the page."""
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))

    def on_console(msg) -> None:
        if "Content Security Policy" in msg.text:
            problems.append(msg.text)

    page.on("console", on_console)
    return problems


def test_record_a_duet_in_the_browser(live_site, strict_desktop, user_factory, tmp_path):
    star = user_factory(username="star", password=PASSWORD)
    user_factory(username="fan", password=PASSWORD)
    original = ready_video(
        star,
        make_clip(tmp_path / "o.mp4", width=360, height=640, seconds=3, frequency=1500),
        "dance with me #duetme",
    )

    page = login(strict_desktop, live_site, "fan")
    problems = _watch_for_problems(page)

    # The slide of the original offers "Duet" as a real button.
    slide = page.locator(f'.slide[data-video="{original.public_id}"]')
    duet_button = slide.get_by_role("button", name="Duet with @star")
    duet_button.click()
    page.wait_for_url(f"{live_site}/upload/?duet={original.public_id}")
    assert page.locator("#recorder-original").get_attribute("src") == original.file.url

    # Camera on (the fake device), record; the take ends with the original (3 s).
    page.get_by_role("button", name="Record with the camera").click()
    page.wait_for_selector("#recorder[data-state=camera]")
    page.wait_for_selector("#recorder-camera:not([hidden])")
    page.get_by_role("button", name="Record", exact=True).click()
    page.wait_for_selector("#recorder[data-state=recording]")
    page.wait_for_selector("#upload-form[data-recorded]", timeout=15_000)
    assert page.locator("#recorder-preview").get_attribute("src").startswith("blob:")
    assert int(page.get_attribute("#upload-form", "data-recorded")) > 10_000

    page.fill("textarea[name=caption]", "our duet #duetme")
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#upload-form[data-status=ready]", timeout=90_000)
    assert page.eval_on_selector("#upload-bar", "b => b.value") == 100

    duet = Video.objects.get(author__username="fan")
    assert duet.status == Video.Status.READY, duet.failure_reason
    assert duet.duet_of_id == original.pk
    assert duet.width > duet.height * 0.9  # two vertical halves side by side
    assert duet.duration == pytest.approx(3.0, abs=0.8)

    # In the feed, newest first: the duet, linked to its original.
    page.goto(f"{live_site}/")
    duet_slide = page.locator(f'.slide[data-video="{duet.public_id}"]')
    link = duet_slide.get_by_role("link", name="Duet with @star")
    assert link.get_attribute("href") == original.get_absolute_url()
    link.click()
    page.wait_for_url(f"{live_site}{original.get_absolute_url()}")
    # The original lists its duets.
    page.locator(f'.slide[data-video="{original.public_id}"]').get_by_role(
        "link", name="Duets"
    ).click()
    page.wait_for_url(f"{live_site}/@star/video/{original.public_id}/duets/")
    assert page.locator(f'a[href="{duet.get_absolute_url()}"]').count() == 1
    assert problems == []


def test_use_a_sound_from_its_page(live_site, strict_desktop, user_factory, tmp_path):
    musician = user_factory(username="musician", password=PASSWORD)
    user_factory(username="dancer", password=PASSWORD)
    song = make_audio(tmp_path / "song.mp3", seconds=8, frequencies=(2500,), fmt="mp3")
    with song.open("rb") as handle:
        sound = sound_create(
            owner=musician, upload=handle, size=song.stat().st_size, title="Hook", artist="Band"
        )
    sound.refresh_from_db()
    assert sound.status == Sound.Status.READY, sound.failure_reason
    clip = make_clip(tmp_path / "moves.mp4", width=360, height=640, seconds=2, audio=False)

    page = login(strict_desktop, live_site, "dancer")
    problems = _watch_for_problems(page)
    page.goto(f"{live_site}/sound/{sound.public_id}/")
    assert page.locator("h1").inner_text() == "Hook — Band"
    # The play button plays the sound itself.
    page.get_by_role("button", name="Play the sound").click()
    page.wait_for_selector("[data-sound-play][aria-pressed=true]")
    assert page.eval_on_selector(".sound-audio", "a => a.paused") is False

    page.get_by_role("link", name="Use this sound").click()
    page.wait_for_url(f"{live_site}/upload/?sound={sound.public_id}")
    page.set_input_files("input[name=file]", str(clip))
    page.fill("input[name=sound_offset]", "2")
    page.fill("textarea[name=caption]", "moves to this #hook")
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#upload-form[data-status=ready]", timeout=60_000)

    video = Video.objects.get(author__username="dancer")
    assert video.sound_id == sound.pk and video.sound_offset == 2.0
    sound.refresh_from_db()
    assert sound.uses_count == 1
    page.goto(f"{live_site}/sound/{sound.public_id}/")
    assert page.locator(".sound-uses strong").inner_text() == "1"
    assert page.locator(f'a[href="{video.get_absolute_url()}"]').count() == 1
    assert problems == []
