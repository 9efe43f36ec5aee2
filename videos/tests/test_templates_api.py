"""The API of templates: GET templates/ (cursor pages in the gallery's order, nothing
unusable listed) and POST videos/ with `template` (layout applied, strict errors)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from videos.models import Sound, Template, Video
from videos.remix.services import sound_create
from videos.testing import make_audio, make_clip

pytestmark = pytest.mark.django_db


def authed(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("templates-api")
    return {
        "clip": make_clip(root / "c.mp4", width=360, height=640, seconds=2, audio=False),
        "song": make_audio(root / "s.m4a", seconds=5, fmt="m4a"),
    }


def text_template(**fields) -> Template:
    n = Template.objects.count() + 1
    fields.setdefault("name", f"T{n}")
    fields.setdefault("slug", f"t-{n}")
    fields.setdefault("text", "Top")
    return Template.objects.create(layout=Template.Layout.TEXT_ON_TOP, **fields)


def test_list_pages_through_the_gallery_order(client):
    made = [text_template(ordering=i % 3, featured=i in (4, 7)) for i in range(9)]
    text_template(is_active=False, slug="inactive")
    expected = sorted(made, key=lambda t: (not t.featured, t.ordering, t.pk))
    seen, url = [], "/api/v1/templates/?page_size=4"
    first = client.get(url).json()
    while url:
        body = client.get(url).json()
        seen += [item["slug"] for item in body["results"]]
        url = body["next"]
    assert seen == [t.slug for t in expected]
    item = first["results"][0]
    assert item["featured"] is True and item["layout"] == "text_on_top"
    assert item["upload_url"] == f"http://testserver/upload/?template={item['slug']}"
    assert set(item) >= {"placeholders", "prefilled_caption", "sound", "original", "preview"}


def test_list_queries_do_not_grow(client, user_factory):
    owner = user_factory()

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/templates/").status_code == 200
        return len(ctx.captured_queries)

    for n in (2, 6):
        for _ in range(n):
            text_template(sound=Sound.objects.create(title="s", owner=owner, audio="s/a.m4a"))
        assert count() == 1


@pytest.mark.parametrize("cursor", ["junk", "MjpfOjE", "x" * 200, "OjoK"])
def test_list_refuses_a_bad_cursor(client, cursor):
    text_template()
    response = client.get("/api/v1/templates/", {"cursor": cursor})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"cursor": ["This cursor is not valid."]}


def test_create_with_a_template_uses_its_sound_and_text(
    user_factory, files, django_capture_on_commit_callbacks
):
    owner = user_factory()
    with django_capture_on_commit_callbacks(execute=True), files["song"].open("rb") as f:
        song = sound_create(owner=owner, upload=f, size=files["song"].stat().st_size, title="S")
    template = text_template(caption_scaffold="Hello [town]", sound=song)
    api = authed(user_factory())
    with django_capture_on_commit_callbacks(execute=True), files["clip"].open("rb") as handle:
        response = api.post(
            "/api/v1/videos/",
            {"file": handle, "template": template.slug, "caption": "Hello Oslo"},
            format="multipart",
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["template"] == template.slug
    video = Video.objects.get(public_id=body["public_id"])
    assert video.status == Video.Status.READY, video.failure_reason
    assert video.sound == song and video.template_text == "Top"
    # An explicit empty sound means none.
    with files["clip"].open("rb") as handle:
        response = api.post(
            "/api/v1/videos/",
            {"file": handle, "template": template.slug, "sound": "", "template_text": "Mine"},
            format="multipart",
        )
    assert response.status_code == 201
    video = Video.objects.get(public_id=response.json()["public_id"])
    assert video.sound is None and video.template_text == "Mine"


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"template": "nope"}, {"template": ["This template is not available."]}),
        (
            {"template": "t-1", "caption": "Hi [town]"},
            {"caption": ["Fill in [town] in the caption before posting."]},
        ),
        (
            {"template": "t-1", "template_text": "x" * 121},
            {"template_text": ["At most 120 characters."]},
        ),
        (
            {"template": "t-1", "template_text": "a\x00b"},
            {"template_text": ["Null characters are not allowed."]},
        ),
        (
            {"template": "t-1", "template_text": "x" * 201},
            {"template_text": ["Ensure this field has no more than 200 characters."]},
        ),
        (
            {"template": "y" * 81},
            {"template": ["Ensure this field has no more than 80 characters."]},
        ),
    ],
)
def test_create_with_bad_template_input(user, files, fields, errors):
    text_template(caption_scaffold="Hi [town]")
    with files["clip"].open("rb") as handle:
        response = authed(user).post(
            "/api/v1/videos/", {"file": handle, **fields}, format="multipart"
        )
    assert response.status_code == 400
    body = response.json()
    assert body["error"]["fields"] == errors
    assert body["error"]["code"]
    assert Video.objects.count() == 0


def test_template_with_a_sound_that_is_no_longer_reusable(user_factory, files):
    song = Sound.objects.create(
        title="Mine", owner=user_factory(), audio="sounds/x/a.m4a", is_reusable=False
    )
    template = text_template(sound=song)
    assert authed(user_factory()).get("/api/v1/templates/").json()["results"] == []
    with files["clip"].open("rb") as handle:
        response = authed(user_factory()).post(
            "/api/v1/videos/", {"file": handle, "template": template.slug}, format="multipart"
        )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"template": ["This template is not available."]}
