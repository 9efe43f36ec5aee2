"""HTML of templates: the gallery (no JS needed, constant queries, nothing hidden leaks), the
upload page pre-filled from a card, and the upload form posting with a template."""

from __future__ import annotations

import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from videos.models import Sound, Template, Video

pytestmark = pytest.mark.django_db


@pytest.fixture
def make_template(db):
    def make(layout=Template.Layout.TEXT_ON_TOP, **fields) -> Template:
        n = Template.objects.count() + 1
        fields.setdefault("name", f"Format {n}")
        fields.setdefault("slug", f"format-{n}")
        if layout == Template.Layout.TEXT_ON_TOP:
            fields.setdefault("text", "Top line")
        if layout == Template.Layout.GREEN_SCREEN:
            fields.setdefault("background", f"templates/t{n}/bg.jpg")
        return Template.objects.create(layout=layout, **fields)

    return make


def test_gallery_lists_usable_templates_in_order(client, make_template, video_factory):
    hidden = video_factory(is_hidden=True)
    make_template(name="Second", ordering=2)
    make_template(name="First", ordering=1, preview="templates/a/p.jpg")
    make_template(name="Star", featured=True, ordering=9)
    make_template(Template.Layout.GREEN_SCREEN, name="Green")
    make_template(name="Off", is_active=False)
    make_template(Template.Layout.SIDE_BY_SIDE, name="Duet of a hidden video", original=hidden)
    make_template(Template.Layout.GREEN_SCREEN, name="No picture", background="")
    response = client.get("/templates/")
    assert response.status_code == 200
    page = response.content.decode()
    names = [n for n in ("Star", "First", "Second", "Green") if f"<strong>{n}</strong>" in page]
    assert names == ["Star", "First", "Second", "Green"]
    assert page.index("<strong>Star</strong>") < page.index("<strong>First</strong>")
    assert page.index("<strong>First</strong>") < page.index("<strong>Second</strong>")
    for absent in ("Off", "Duet of a hidden video", "No picture", hidden.public_id):
        assert absent not in page
    assert 'href="/upload/?template=format-2"' in page
    assert "Green screen over an image" in page and "Text on top" in page
    assert "0 videos" in page
    assert 'width="180" height="320"' in page  # sized in advance: no layout shift


def test_gallery_queries_do_not_grow_with_cards(client, make_template, user_factory):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/templates/").status_code == 200
        return len(queries)

    owner = user_factory()

    def add(n):
        for _ in range(n):
            sound = Sound.objects.create(title="s", owner=owner, audio="sounds/x/a.m4a")
            make_template(sound=sound)

    add(2)
    few = count()
    add(6)
    assert count() == few


def test_upload_page_prefilled_from_a_text_template(client, user, make_template, user_factory):
    sound = Sound.objects.create(title="Beat", owner=user_factory(), audio="sounds/x/a.m4a")
    template = make_template(
        caption_scaffold="Best food in [your city]", hashtag="foodtour", sound=sound
    )
    client.force_login(user)
    page = client.get(f"/upload/?template={template.slug}").content.decode()
    assert f'name="template" value="{template.slug}"' in page
    assert "Best food in [your city] #foodtour</textarea>" in page
    assert f'name="sound" value="{sound.public_id}"' in page
    assert 'name="template_text"' in page and ">\nTop line</textarea>" in page
    assert "<mark>[your city]</mark>" in page
    assert "Don&#x27;t use a template" in page or "Don't use a template" in page
    assert 'href="/upload/" data-template-drop' in page
    assert "js/template.js" in page


def test_upload_page_for_a_side_by_side_template_opens_the_duet_recorder(
    client, user, make_template, video_factory
):
    original = video_factory()
    template = make_template(Template.Layout.SIDE_BY_SIDE, original=original)
    client.force_login(user)
    page = client.get(f"/upload/?template={template.slug}").content.decode()
    assert f'name="duet_of" value="{original.public_id}"' in page
    assert 'id="recorder-original"' in page
    assert 'name="template_text"' not in page
    assert 'name="layout"' not in page  # the template decides: side by side


@pytest.mark.parametrize("slug", ["nope", "x" * 300, "<script>", "a\x00b", "ü"])
def test_upload_page_with_an_unknown_template_says_so(client, user, slug):
    client.force_login(user)
    response = client.get("/upload/", {"template": slug})
    page = response.content.decode()
    if "\x00" in slug:  # the site refuses NUL in any query string (a 400 page)
        assert response.status_code == 400
        return
    assert response.status_code == 200
    assert "This template is not available." in page
    assert "<script>" not in html.unescape(page.split("</h1>")[1].split("<form")[0])


def test_upload_page_and_discover_link_to_the_gallery(client, user, make_template):
    make_template(name="Strip card")
    client.force_login(user)
    assert 'href="/templates/"' in client.get("/upload/").content.decode()
    discover = client.get("/discover/").content.decode()
    assert 'href="/templates/"' in discover and "Strip card" in discover


def test_upload_form_with_a_template(
    client, user, make_template, clips, django_capture_on_commit_callbacks
):
    template = make_template(caption_scaffold="Hi from [place]")
    client.force_login(user)

    def send(**fields):
        with clips["silent"].open("rb") as handle:
            return client.post("/upload/", {"file": handle, "template": template.slug, **fields})

    response = send(caption="Hi from [place]", template_text="Edited")
    assert response.status_code == 400
    assert "Fill in [place] in the caption before posting." in response.content.decode()
    response = send(caption="Hi", template_text="a\nb\nc\nd")
    assert response.status_code == 400 and "At most 3 lines." in response.content.decode()
    assert Video.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        response = send(caption="Hi from Porto", template_text="Edited line")
    assert response.status_code == 302
    video = Video.objects.get()
    assert response["Location"] == f"/upload/{video.public_id}/"
    assert video.template == template and video.template_text == "Edited line"
    assert video.status == Video.Status.READY, video.failure_reason
    template.refresh_from_db()
    assert template.uses_count == 1


def test_upload_form_with_a_hostile_template_value(client, user, clips):
    client.force_login(user)
    for value in ("a\x00b", "x" * 500, "../../etc"):
        with clips["silent"].open("rb") as handle:
            response = client.post("/upload/", {"file": handle, "template": value})
        assert response.status_code == 400
        assert "field-error" in response.content.decode() or "not available" in (
            response.content.decode()
        )
    assert Video.objects.count() == 0


# --- the admin ------------------------------------------------------------------------------------
def _admin_post(client, data):
    return client.post("/admin/videos/template/add/", data)


def _form(**fields) -> dict:
    return {
        "name": "Postcard",
        "slug": "postcard",
        "description": "",
        "layout": "green_screen",
        "caption_scaffold": "Hi from [place]",
        "hashtag": "#postcard",
        "key_color": "#00ff00",
        "text": "",
        "is_active": "on",
        "ordering": "0",
        **fields,
    }


def test_staff_add_a_green_screen_template_in_the_admin(client, user_factory):
    import io

    from PIL import Image

    client.force_login(user_factory(is_staff=True, is_superuser=True))
    picture = io.BytesIO()
    Image.new("RGB", (900, 600), (10, 20, 200)).save(picture, "PNG", pnginfo=None)
    picture.name = "bg.png"
    picture.seek(0)
    response = _admin_post(client, _form(background=picture))
    assert response.status_code == 302, response.context["adminform"].form.errors
    template = Template.objects.get(slug="postcard")
    assert template.hashtag == "postcard"
    assert template.background.name.endswith(".jpg")
    with Image.open(template.background.path) as stored:
        assert stored.format == "JPEG" and stored.size == (900, 600)
    # No preview was uploaded: one was rendered from the layout.
    assert template.preview
    with Image.open(template.preview.path) as preview:
        assert preview.size == (360, 640)
        # The generated clip's green became the picture's blue.
        assert preview.getpixel((5, 5))[2] > 150
    page = client.get(f"/admin/videos/template/{template.pk}/change/").content.decode()
    assert template.preview.url in page


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({}, "background", "A green screen needs a background image."),
        ({"layout": "side_by_side"}, "original", "Side by side needs the original video."),
        ({"layout": "text_on_top"}, "text", "Text on top needs its text."),
        ({"layout": "text_on_top", "text": "a\nb\nc\nd"}, "text", "At most 3 lines."),
        ({"key_color": "red;x"}, "key_color", "A colour like #00ff00."),
    ],
)
def test_admin_refuses_incomplete_templates(client, user_factory, fields, field, message):
    client.force_login(user_factory(is_staff=True, is_superuser=True))
    response = _admin_post(client, _form(**fields))
    assert response.status_code == 200
    assert message in response.context["adminform"].form.errors[field]
    assert not Template.objects.exists()


@pytest.mark.parametrize(
    "age, audience, listed",
    [
        (30, "", True),  # an adult's default: everyone
        (30, "friends", False),
        (30, "nobody", False),
        (17, "", False),  # 16–17 default: friends
        (17, "everyone", True),  # loosened within the band
        (16, "everyone", True),
        (15, "everyone", False),  # 13–15: nobody, whatever is stored
        (14, "", False),
    ],
)
def test_side_by_side_gallery_only_offers_originals_anyone_may_duet(
    client, make_template, user_factory, video_factory, age, audience, listed
):
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    born = today.replace(year=today.year - age, day=1) - datetime.timedelta(days=40)
    author = user_factory(birthdate=born, is_private=False, remix_audience=audience)
    original = video_factory(author=author)
    make_template(Template.Layout.SIDE_BY_SIDE, name="React to this", original=original)
    page = client.get("/templates/").content.decode()
    assert ("<strong>React to this</strong>" in page) is listed
