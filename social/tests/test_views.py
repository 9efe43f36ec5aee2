"""/settings/ (profile, avatar, links) and what the profile page shows of them."""

from __future__ import annotations

import io
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image
from pytest_django.asserts import assertTemplateUsed

from social.models import ExternalLink, User
from social.services import links_set

from .utils import SETTINGS_URL, image_bytes

NOT_IMAGE = "That is not a JPEG, PNG or WebP image we can read."


class Anchors(HTMLParser):
    """Collects every <a> with its attributes and text."""

    def __init__(self) -> None:
        super().__init__()
        self.anchors: list[dict[str, str]] = []
        self._current: dict[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._current = {name: value or "" for name, value in attrs}
            self._current["text"] = ""
            self.anchors.append(self._current)

    def handle_endtag(self, tag):
        if tag == "a":
            self._current = None

    def handle_data(self, data):
        if self._current is not None:
            self._current["text"] += data


def external_links(html: str) -> list[dict[str, str]]:
    parser = Anchors()
    parser.feed(html)
    return [a for a in parser.anchors if "ext-link" in a.get("class", "").split()]


def profile_post(client, **fields):
    data = {"section": "profile", "display_name": "", "bio": ""}
    data.update(fields)
    return client.post(SETTINGS_URL, data)


def links_post(client, **links):
    return client.post(SETTINGS_URL, {"section": "links", **links})


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def member(client, user_factory):
    user = user_factory(username="settings_owner", display_name="Original Name", bio="Old bio")
    client.force_login(user)
    return user


# --- access ---------------------------------------------------------------------------------


def test_settings_requires_login(client, db):
    response = client.get(SETTINGS_URL)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/settings/"


def test_settings_post_requires_login_and_changes_nothing(client, user):
    name = user.display_name

    response = profile_post(client, display_name="Anonymous edit")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/settings/"
    user.refresh_from_db()
    assert user.display_name == name


def test_settings_page_shows_both_forms(client, member):
    response = client.get(SETTINGS_URL)

    assert response.status_code == 200
    assertTemplateUsed(response, "social/settings.html")
    html = response.content.decode()
    assert 'value="Original Name"' in html
    assert "Old bio</textarea>" in html
    assert 'enctype="multipart/form-data"' in html
    for platform in ExternalLink.Platform.values:
        assert f'name="{platform}"' in html
    assert 'name="avatar-clear"' not in html  # nothing to clear yet


# --- profile section ------------------------------------------------------------------------


def test_profile_section_saves_name_bio_and_privacy(client, member):
    response = profile_post(
        client, display_name="  New Name  ", bio="Line one\nLine two", is_private="on"
    )

    assert response.status_code == 302
    assert response["Location"] == SETTINGS_URL
    member.refresh_from_db()
    assert member.display_name == "New Name"
    assert member.bio == "Line one\nLine two"
    assert member.is_private is True
    assert "Profile saved." in client.get(SETTINGS_URL).content.decode()


def test_unticking_private_makes_the_account_public(client, user_factory):
    teen = user_factory(age=14, is_private=True)
    client.force_login(teen)

    response = profile_post(client, display_name="Teen", bio="")

    assert response.status_code == 302
    teen.refresh_from_db()
    assert teen.is_private is False


def test_too_long_display_name_is_a_form_error(client, member):
    response = profile_post(client, display_name="x" * 51, bio="fine")

    assert response.status_code == 400
    assert response.context["profile_form"].errors == {
        "display_name": ["Ensure this value has at most 50 characters (it has 51)."]
    }
    member.refresh_from_db()
    assert (member.display_name, member.bio) == ("Original Name", "Old bio")


def test_unknown_section_changes_nothing(client, member):
    response = client.post(SETTINGS_URL, {"section": "nope", "display_name": "X"})

    assert response.status_code == 400
    member.refresh_from_db()
    assert member.display_name == "Original Name"


# --- avatar ---------------------------------------------------------------------------------


def test_avatar_upload_stores_a_reencoded_jpeg_under_media_root(client, member, settings):
    upload = SimpleUploadedFile(
        "holiday<script>.png",
        image_bytes("PNG", mode="RGBA", size=(900, 600)),
        content_type="image/png",
    )

    response = profile_post(client, display_name="With Photo", bio="", avatar=upload)

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.display_name == "With Photo"
    name = member.avatar.name
    assert name.startswith(f"avatars/{member.pk}/")
    assert name.endswith(".jpg")
    assert "holiday" not in name
    path = Path(settings.MEDIA_ROOT) / name
    assert path.is_file()
    assert stored_files(settings) == [path]
    with Image.open(path) as stored:
        assert stored.format == "JPEG"
        assert stored.size == (400, 400)
        assert len(stored.getexif()) == 0
    assert member.avatar.url == f"/media/{name}"


def test_replacing_the_avatar_deletes_the_old_file_after_commit(
    client, member, settings, django_capture_on_commit_callbacks
):
    first = SimpleUploadedFile("a.jpg", image_bytes("JPEG"), content_type="image/jpeg")
    profile_post(client, display_name="A", avatar=first)
    member.refresh_from_db()
    old_path = Path(settings.MEDIA_ROOT) / member.avatar.name
    assert old_path.is_file()

    second = SimpleUploadedFile("b.webp", image_bytes("WEBP"), content_type="image/webp")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = profile_post(client, display_name="B", avatar=second)

    assert response.status_code == 302
    assert len(callbacks) == 1
    member.refresh_from_db()
    new_path = Path(settings.MEDIA_ROOT) / member.avatar.name
    assert new_path != old_path
    assert not old_path.exists()
    assert stored_files(settings) == [new_path]


def test_saving_the_profile_without_a_new_file_keeps_the_avatar(client, member, settings):
    profile_post(
        client,
        display_name="A",
        avatar=SimpleUploadedFile("a.jpg", image_bytes("JPEG"), content_type="image/jpeg"),
    )
    member.refresh_from_db()
    name = member.avatar.name

    page = client.get(SETTINGS_URL).content.decode()
    assert 'name="avatar-clear"' in page
    response = profile_post(client, display_name="Renamed")

    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.display_name, member.avatar.name) == ("Renamed", name)
    assert stored_files(settings) == [Path(settings.MEDIA_ROOT) / name]


def test_clearing_the_avatar_removes_it(
    client, member, settings, django_capture_on_commit_callbacks
):
    profile_post(
        client,
        display_name="A",
        avatar=SimpleUploadedFile("a.jpg", image_bytes("JPEG"), content_type="image/jpeg"),
    )
    member.refresh_from_db()
    path = Path(settings.MEDIA_ROOT) / member.avatar.name

    with django_capture_on_commit_callbacks(execute=True):
        response = profile_post(client, display_name="A", **{"avatar-clear": "on"})

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.avatar.name == ""
    assert not path.exists()


@pytest.mark.parametrize(
    ("filename", "content", "content_type"),
    [
        ("notes.txt", b"hello, not an image\n" * 10, "text/plain"),
        ("fake.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg"),
        ("anim.gif", image_bytes("GIF", mode="P", size=(20, 20), color=1), "image/gif"),
        (
            "vector.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "image/svg+xml",
        ),
    ],
)
def test_non_image_avatar_is_a_form_error_and_nothing_changes(
    client, member, settings, filename, content, content_type
):
    upload = SimpleUploadedFile(filename, content, content_type=content_type)

    response = profile_post(
        client, display_name="Should Not Stick", bio="nor this", is_private="on", avatar=upload
    )

    assert response.status_code == 400
    assertTemplateUsed(response, "social/settings.html")
    assert response.context["profile_form"].errors == {"avatar": [NOT_IMAGE]}
    assert NOT_IMAGE in response.content.decode()
    assert "<script>alert" not in response.content.decode()
    member.refresh_from_db()
    assert (member.display_name, member.bio, member.is_private, member.avatar.name) == (
        "Original Name",
        "Old bio",
        False,
        "",
    )
    # The signed-in user shown on the page is the saved one, not the rolled-back edit.
    assert response.wsgi_request.user.display_name == "Original Name"
    assert stored_files(settings) == []


def test_avatar_over_the_size_limit_is_a_form_error(client, member, settings):
    settings.AVATAR_MAX_BYTES = 2_000
    data = image_bytes("PNG", size=(400, 400))
    data += b"\x00" * 3_000
    upload = SimpleUploadedFile("big.png", data, content_type="image/png")

    response = profile_post(client, display_name="Too Big", avatar=upload)

    assert response.status_code == 400
    assert response.context["profile_form"].errors == {
        "avatar": ["The image is larger than 2.0\xa0KB."]
    }
    member.refresh_from_db()
    assert (member.display_name, member.avatar.name) == ("Original Name", "")
    assert stored_files(settings) == []


def test_bomb_avatar_is_a_form_error(client, member, settings):
    data = image_bytes("PNG", mode="1", size=(9_000, 9_000), color=0)
    upload = SimpleUploadedFile("bomb.png", data, content_type="image/png")

    response = profile_post(client, display_name="Boom", avatar=upload)

    assert response.status_code == 400
    assert response.context["profile_form"].errors == {
        "avatar": ["The image has too many pixels. Please use a smaller picture."]
    }
    member.refresh_from_db()
    assert member.display_name == "Original Name"


# --- links section --------------------------------------------------------------------------


def test_links_section_saves_valid_links(client, member):
    response = links_post(
        client,
        youtube="https://www.youtube.com/@owner",
        instagram="https://instagram.com/owner",
        x="",
        website="https://owner.example/",
    )

    assert response.status_code == 302
    assert response["Location"] == SETTINGS_URL
    assert list(member.links.values_list("platform", "url")) == [
        ("youtube", "https://www.youtube.com/@owner"),
        ("instagram", "https://instagram.com/owner"),
        ("website", "https://owner.example/"),
    ]
    page = client.get(SETTINGS_URL).content.decode()
    assert "Links saved." in page
    assert 'value="https://www.youtube.com/@owner"' in page


def test_links_section_shows_per_field_errors_and_keeps_existing_links(client, member):
    links_set(user=member, links={"twitch": "https://twitch.tv/owner"})

    response = links_post(
        client,
        youtube="https://www.instagram.com/owner",
        instagram="http://instagram.com/owner",
        twitch="",
        website="https://fine.example/",
    )

    assert response.status_code == 400
    errors = response.context["links_form"].errors
    assert errors == {
        "youtube": ["YouTube links must be on youtube.com."],
        "instagram": ["Links must start with https://"],
    }
    html = response.content.decode()
    # Each message sits in its own field's block, next to the input it is about.
    youtube_block = html.split('id="id_youtube"')[1].split('class="field link-field')[0]
    assert "YouTube links must be on youtube.com." in youtube_block
    instagram_block = html.split('id="id_instagram"')[1].split('class="field link-field')[0]
    assert "Links must start with https://" in instagram_block
    assert html.count('class="field link-field has-error"') == 2
    # What they typed is still in the form to fix.
    assert 'value="http://instagram.com/owner"' in html
    assert list(member.links.values_list("platform", "url")) == [
        ("twitch", "https://twitch.tv/owner")
    ]


def test_emptying_a_link_field_removes_the_link(client, member):
    links_set(
        user=member,
        links={"youtube": "https://youtube.com/@owner", "x": "https://x.com/owner"},
    )

    response = links_post(client, youtube="https://youtube.com/@owner", x="")

    assert response.status_code == 302
    assert list(member.links.values_list("platform", flat=True)) == ["youtube"]


@pytest.mark.parametrize("platform", ExternalLink.Platform.values)
@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "JAVASCRIPT:alert(1)",
        " javascript:alert(1)",
        "javascript://youtube.com/%0aalert(1)",
        "data:text/html,<script>alert(1)</script>",
    ],
)
def test_javascript_link_can_never_be_saved(client, member, platform, url):
    response = links_post(client, **{platform: url})

    assert response.status_code == 400
    assert list(response.context["links_form"].errors) == [platform]
    assert ExternalLink.objects.count() == 0


def test_javascript_url_is_refused_by_the_model_too(member):
    # The admin edits links through a ModelForm: the URLField is the last line there.
    link = ExternalLink(user=member, platform="website", url="javascript:alert(1)")
    with pytest.raises(ValidationError) as caught:
        link.full_clean()
    assert list(caught.value.message_dict) == ["url"]


# --- the profile page -----------------------------------------------------------------------


def test_profile_page_shows_links_safely(client, user_factory):
    owner = user_factory(username="link_owner")
    links_set(
        user=owner,
        links={
            "website": "https://owner.example/about",
            "youtube": "https://youtube.com/@owner",
            "x": "https://twitter.com/owner",
        },
    )

    response = client.get("/@link_owner/")

    assert response.status_code == 200
    anchors = external_links(response.content.decode())
    assert [(a["href"], a["text"].strip()) for a in anchors] == [
        ("https://youtube.com/@owner", "YouTube"),
        ("https://twitter.com/owner", "X"),
        ("https://owner.example/about", "Website"),
    ]
    for anchor in anchors:
        rel = anchor["rel"].split()
        assert "noopener" in rel
        assert "noreferrer" in rel
        assert "nofollow" in rel
        assert anchor["target"] == "_blank"


def test_profile_page_without_links_has_no_link_list(client, user_factory):
    user_factory(username="no_links")

    response = client.get("/@no_links/")

    assert response.status_code == 200
    assert external_links(response.content.decode()) == []


def test_xss_in_display_name_and_bio_is_escaped_on_the_profile(client, user_factory):
    user_factory(
        username="xss_owner",
        display_name='<script>alert("name")</script>',
        bio='<img src=x onerror=alert("bio")>\n"><script>alert(2)</script>',
    )

    response = client.get("/@xss_owner/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert '"><script>' not in html
    assert "&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(&quot;bio&quot;)&gt;<br>" in html
    # The bio is also in a meta description: escaped there too.
    assert 'content="&lt;img src=x onerror=alert(&quot;bio&quot;)&gt;' in html


def test_xss_saved_through_settings_is_escaped_on_the_profile(client, member):
    response = profile_post(
        client,
        display_name='"><svg onload=alert(1)>',
        bio="<script>alert('bio')</script>",
    )
    assert response.status_code == 302
    assert User.objects.get(pk=member.pk).display_name == '"><svg onload=alert(1)>'

    html = client.get("/@settings_owner/").content.decode()

    assert "<svg onload" not in html
    assert "<script>alert" not in html
    assert "&quot;&gt;&lt;svg onload=alert(1)&gt;" in html
    assert "&lt;script&gt;alert(&#x27;bio&#x27;)&lt;/script&gt;" in html


def test_avatar_on_the_profile_points_at_our_jpeg(client, member):
    profile_post(
        client,
        display_name="A",
        avatar=SimpleUploadedFile("a.png", image_bytes("PNG"), content_type="image/png"),
    )
    member.refresh_from_db()

    html = client.get("/@settings_owner/").content.decode()

    assert f'src="/media/{member.avatar.name}"' in html
    media = client.get(f"/media/{member.avatar.name}")
    assert media.status_code == 200
    body = b"".join(media.streaming_content) if media.streaming else media.content
    with Image.open(io.BytesIO(body)) as served:
        assert served.format == "JPEG"


# --- queries stay constant ------------------------------------------------------------------

ALL_LINKS = {
    "youtube": "https://youtube.com/@q",
    "instagram": "https://instagram.com/q",
    "tiktok": "https://tiktok.com/@q",
    "x": "https://x.com/q",
    "twitch": "https://twitch.tv/q",
    "website": "https://q.example/",
}


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", [SETTINGS_URL, "/@settings_owner/"])
def test_queries_do_not_grow_with_the_number_of_links(client, member, url):
    links_set(user=member, links={"youtube": ALL_LINKS["youtube"]})
    client.get(url)  # warm caches (content types, sessions)
    one = count_queries(client, url)

    links_set(user=member, links=ALL_LINKS)
    six = count_queries(client, url)

    assert six == one
