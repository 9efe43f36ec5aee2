"""Templates through the services and selectors: the layout applied on real media, the rules
(inactive, incomplete, sound not reusable, placeholders left, hostile text), the uses count
next to the Video row, and a template going away while its video waits."""

from __future__ import annotations

import io
from pathlib import Path

import av
import numpy as np
import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from videos import services
from videos.models import Sound, Template, Video
from videos.remix import selectors as remix_selectors
from videos.remix.services import RemixRequest, sound_create
from videos.remix.templates import (
    placeholders,
    template_background_encode,
    template_text_clean,
)
from videos.testing import make_audio, make_clip

pytestmark = pytest.mark.django_db
BG = (200, 40, 160)


@pytest.fixture(scope="module")
def tpl_clips(tmp_path_factory):
    root = tmp_path_factory.mktemp("templates")
    return {
        "green": make_clip(root / "g.mp4", width=360, height=640, seconds=2, pattern="greenscreen"),
        "plain": make_clip(root / "p.mp4", width=360, height=640, seconds=2, fps=25, audio=False),
        "original": make_clip(root / "o.mp4", width=640, height=360, seconds=2, frequency=1500),
        "song": make_audio(root / "s.m4a", seconds=6, fmt="m4a"),
    }


def post(author, path: Path, capture, **fields) -> Video:
    with capture(execute=True), path.open("rb") as handle:
        video = services.video_create(
            author=author, upload=handle, size=path.stat().st_size, **fields
        )
    video.refresh_from_db()
    return video


def refused(author, path: Path, capture, **fields) -> dict:
    before = Video.objects.count()
    with pytest.raises(ValidationError) as caught:
        post(author, path, capture, **fields)
    assert Video.objects.count() == before
    return caught.value.message_dict


def background() -> object:
    data = io.BytesIO()
    Image.new("RGB", (400, 400), BG).save(data, "PNG")
    return template_background_encode(data=data.getvalue())


@pytest.fixture
def template_factory(db):
    def make(layout=Template.Layout.TEXT_ON_TOP, **fields) -> Template:
        n = Template.objects.count() + 1
        fields.setdefault("name", f"Template {n}")
        fields.setdefault("slug", f"template-{n}")
        if layout == Template.Layout.TEXT_ON_TOP:
            fields.setdefault("text", "POV: you found\nthe best spot")
        template = Template(layout=layout, **fields)
        if layout == Template.Layout.GREEN_SCREEN and "background" not in fields:
            template.background.save("bg.jpg", background(), save=False)
        template.save()
        return template

    return make


def pixel_mean(path, box) -> np.ndarray:
    with av.open(str(path)) as container:
        for frame in container.decode(container.streams.video[0]):
            if frame.time >= 1.0:
                break
        rgb = frame.to_ndarray(format="rgb24").astype(int)
    y0, y1, x0, x1 = box
    return rgb[y0:y1, x0:x1].reshape(-1, 3).mean(axis=0)


# --- the layouts, end to end ---------------------------------------------------------------------
def test_green_screen_template_is_applied_and_counted(
    user, template_factory, tpl_clips, settings, django_capture_on_commit_callbacks
):
    template = template_factory(Template.Layout.GREEN_SCREEN, hashtag="greenscreen")
    video = post(
        user,
        tpl_clips["green"],
        django_capture_on_commit_callbacks,
        caption="here #greenscreen",
        remix=RemixRequest(template=template.slug),
    )
    assert video.status == Video.Status.READY, video.failure_reason
    assert video.template == template
    assert video.template_layout == "green_screen"
    assert (video.width, video.height) == (360, 640)
    corner = pixel_mean(Path(settings.MEDIA_ROOT) / video.file.name, (4, 20, 4, 20))
    assert np.abs(corner - BG).max() < 30, corner
    template.refresh_from_db()
    assert template.uses_count == 1
    services.video_delete(video=video, actor=user)
    template.refresh_from_db()
    assert template.uses_count == 0


def test_text_on_top_uses_the_creators_text_or_the_templates(
    user, template_factory, tpl_clips, django_capture_on_commit_callbacks
):
    template = template_factory()
    own = post(
        user,
        tpl_clips["plain"],
        django_capture_on_commit_callbacks,
        remix=RemixRequest(template=template.slug, template_text="  my line \r\n second  "),
    )
    assert own.status == Video.Status.READY, own.failure_reason
    assert own.template_text == "my line\nsecond"
    default = post(
        user,
        tpl_clips["plain"],
        django_capture_on_commit_callbacks,
        remix=RemixRequest(template=template.slug),
    )
    assert default.template_text == template.text
    assert default.duration == pytest.approx(2.0, abs=0.15)
    template.refresh_from_db()
    assert template.uses_count == 2


def test_side_by_side_template_is_a_duet_of_its_original(
    user_factory, template_factory, tpl_clips, django_capture_on_commit_callbacks
):
    original = post(user_factory(), tpl_clips["original"], django_capture_on_commit_callbacks)
    template = template_factory(Template.Layout.SIDE_BY_SIDE, original=original)
    creator = user_factory()
    video = post(
        creator,
        tpl_clips["plain"],
        django_capture_on_commit_callbacks,
        remix=RemixRequest(template=template.slug),
    )
    assert video.status == Video.Status.READY, video.failure_reason
    assert video.duet_of == original and video.template == template
    assert video.width > video.height  # two vertical halves side by side
    # The original's duet switch holds for templates too.
    Video.objects.filter(pk=original.pk).update(allow_duet=False)
    errors = refused(
        creator,
        tpl_clips["plain"],
        django_capture_on_commit_callbacks,
        remix=RemixRequest(template=template.slug),
    )
    assert errors == {"template": ["This template is not available."]}


def test_template_with_its_sound(
    user_factory, template_factory, tpl_clips, django_capture_on_commit_callbacks
):
    owner = user_factory()
    with django_capture_on_commit_callbacks(execute=True), tpl_clips["song"].open("rb") as f:
        song = sound_create(
            owner=owner, upload=f, size=tpl_clips["song"].stat().st_size, title="Beat"
        )
    template = template_factory(sound=song)
    creator = user_factory()
    request = RemixRequest(template=template.slug, sound=song.public_id, sound_offset=1)
    video = post(creator, tpl_clips["plain"], django_capture_on_commit_callbacks, remix=request)
    assert video.status == Video.Status.READY, video.failure_reason
    assert video.sound == song and video.template == template
    # The plain clip is silent: the audio is the sound's.
    assert av.open(str(Path(video.file.path))).streams.audio
    # Its owner makes the sound not reusable: the template leaves the gallery, and the
    # sound is refused to others.
    Sound.objects.filter(pk=song.pk).update(is_reusable=False)
    assert not remix_selectors.template_gallery().filter(pk=template.pk).exists()
    errors = refused(creator, tpl_clips["plain"], django_capture_on_commit_callbacks, remix=request)
    assert errors == {"template": ["This template is not available."]}


# --- the rules ------------------------------------------------------------------------------------
def test_inactive_unknown_and_incomplete_templates_are_refused(
    user, template_factory, tpl_clips, django_capture_on_commit_callbacks
):
    inactive = template_factory(is_active=False)
    no_picture = template_factory(Template.Layout.GREEN_SCREEN, background="")
    no_original = template_factory(Template.Layout.SIDE_BY_SIDE)
    for slug in (inactive.slug, no_picture.slug, no_original.slug, "nope", "x" * 500, "a\x00b"):
        errors = refused(
            user,
            tpl_clips["plain"],
            django_capture_on_commit_callbacks,
            remix=RemixRequest(template=slug),
        )
        assert errors == {"template": ["This template is not available."]}, slug
    assert list(remix_selectors.template_gallery()) == []


def test_unfilled_placeholders_are_refused(
    user, template_factory, tpl_clips, django_capture_on_commit_callbacks
):
    template = template_factory(caption_scaffold="Best food in [your city] by [name]")
    assert placeholders(template.caption_scaffold) == ["[your city]", "[name]"]
    errors = refused(
        user,
        tpl_clips["plain"],
        django_capture_on_commit_callbacks,
        caption="Best food in [your city] by Ana",
        remix=RemixRequest(template=template.slug),
    )
    assert errors == {"caption": ["Fill in [your city] in the caption before posting."]}
    video = post(
        user,
        tpl_clips["plain"],
        django_capture_on_commit_callbacks,
        caption="Best food in Lisbon by Ana [sic]",
        remix=RemixRequest(template=template.slug),
    )
    assert video.status == Video.Status.READY


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x" * 121, "At most 120 characters."),
        ("a\nb\nc\nd", "At most 3 lines."),
        ("nul\x00byte", "This contains characters we cannot show."),
        ("rtl\u202eoverride", "This contains characters we cannot show."),
        ("   \n  ", "Enter the text to show on top."),
    ],
)
def test_bad_template_text_is_refused(
    user, template_factory, tpl_clips, django_capture_on_commit_callbacks, text, message
):
    template = template_factory()
    errors = refused(
        user,
        tpl_clips["plain"],
        django_capture_on_commit_callbacks,
        remix=RemixRequest(template=template.slug, template_text=text),
    )
    assert errors == {"template_text": [message]}


def test_templates_do_not_mix_with_duets_or_stitches(
    user_factory, template_factory, tpl_clips, django_capture_on_commit_callbacks
):
    other = post(user_factory(), tpl_clips["original"], django_capture_on_commit_callbacks)
    template = template_factory()
    errors = refused(
        user_factory(),
        tpl_clips["plain"],
        django_capture_on_commit_callbacks,
        remix=RemixRequest(template=template.slug, stitch_of=other.public_id),
    )
    assert errors == {"template": ["A template cannot be used in a duet or a stitch."]}
    side = template_factory(Template.Layout.SIDE_BY_SIDE, original=other)
    errors = refused(
        user_factory(),
        tpl_clips["plain"],
        django_capture_on_commit_callbacks,
        remix=RemixRequest(template=side.slug, duet_of="somethingelse"),
    )
    assert list(errors) == ["template"]


def test_template_deleted_while_the_video_waits_fails_it(
    user, template_factory, tpl_clips, django_capture_on_commit_callbacks
):
    template = template_factory(Template.Layout.GREEN_SCREEN)
    with tpl_clips["green"].open("rb") as handle, django_capture_on_commit_callbacks() as queued:
        video = services.video_create(
            author=user,
            upload=handle,
            size=tpl_clips["green"].stat().st_size,
            remix=RemixRequest(template=template.slug),
        )
    template.delete()
    for callback in queued:
        callback()
    video.refresh_from_db()
    assert video.status == Video.Status.FAILED
    assert video.failure_reason == "The template you chose is no longer available."


def test_template_text_clean_keeps_what_a_person_typed():
    assert template_text_clean("Ça va ?\n  👋 ") == "Ça va ?\n👋"
    assert template_text_clean("") == ""


def test_uses_count_is_rebuilt_from_the_video_rows(template_factory, video_factory):
    from videos import counters

    template = template_factory()
    video_factory(template=template)
    video_factory(template=template)
    Template.objects.filter(pk=template.pk).update(uses_count=9)
    drift = counters.recount_rows(key="Template.uses_count", pks=[template.pk])
    assert (drift.rows, drift.amount) == (1, 7)
    template.refresh_from_db()
    assert template.uses_count == 2
