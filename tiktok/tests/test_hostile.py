"""Hostile input, one test per attack: script in every piece of user text, dangerous link
schemes, forged (CSRF-less) posts, cross-origin WebSockets, too many files, oversized and
over-long uploads, disguised playlists and polyglot images."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from channels.testing import WebsocketCommunicator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from social import graph
from social import services as social_services
from social.models import ExternalLink, User
from social.tests.utils import image_bytes
from videos import engagement
from videos.models import Video

pytestmark = pytest.mark.django_db

XSS = "<script>alert('x')</script><img src=x onerror=alert(1)>\"'&"
ESCAPED = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
RAW_MARKERS = ("<script>alert", "<img src=x")


def assert_escaped(html: str, where: str) -> None:
    for marker in RAW_MARKERS:
        assert marker not in html, f"raw {marker!r} on {where}"


@pytest.fixture
def villain(user_factory):
    return user_factory(username="villain", display_name=XSS[:50], bio=XSS)


# --- XSS in every piece of user text -------------------------------------------------------
def test_caption_is_escaped_on_every_page(client, villain, video_factory):
    video = video_factory(author=villain, caption=f"{XSS} #safe", tags=["safe"])
    viewer = User.objects.create_user("viewer", password="x")
    client.force_login(viewer)
    pages = ["/", video.get_absolute_url(), f"/@{villain.username}/", "/tag/safe/"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert_escaped(html, path)
    detail = client.get(video.get_absolute_url()).content.decode()
    assert ESCAPED in detail
    # Hashtags in it still become links, around escaped text.
    assert '<a class="tag" href="/tag/safe/">#safe</a>' in detail


def test_caption_stays_raw_text_in_the_api(client, villain, video_factory):
    video = video_factory(author=villain, caption=XSS)
    response = client.get(f"/api/v1/videos/{video.public_id}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.json()["caption"] == XSS


def test_bio_and_display_name_are_escaped(client, villain):
    response = client.get(f"/@{villain.username}/")
    html = response.content.decode()
    assert_escaped(html, "profile")
    assert ESCAPED in html  # the bio
    # Inside attributes too (OpenGraph title, description).
    assert 'content="&lt;script&gt;' in html
    api = client.get(f"/api/v1/users/{villain.username}/")
    assert api["Content-Type"] == "application/json"
    assert api.json()["bio"] == XSS
    assert api.json()["display_name"] == XSS[:50]


def test_bio_and_display_name_set_through_settings_are_escaped(client, user):
    client.force_login(user)
    response = client.post(
        "/settings/",
        {"section": "profile", "display_name": XSS[:50], "bio": XSS},
    )
    assert response.status_code == 302
    for path in ("/settings/", f"/@{user.username}/"):
        assert_escaped(client.get(path).content.decode(), path)


def test_comment_is_escaped_in_notifications_and_raw_in_the_api(
    client, villain, user_factory, video_factory
):
    author = user_factory()
    video = video_factory(author=author)
    engagement.comment_create(user=villain, video=video, text=XSS)
    client.force_login(author)
    html = client.get("/notifications/").content.decode()
    assert_escaped(html, "notifications")
    assert "&lt;script&gt;" in html
    api = client.get(f"/api/v1/videos/{video.public_id}/comments/")
    assert api.status_code == 200
    assert api["Content-Type"] == "application/json"
    assert api.json()["results"][0]["text"] == XSS
    notifications = client.get("/api/v1/notifications/")
    assert notifications["Content-Type"] == "application/json"
    assert XSS[:40] in json.dumps(notifications.json(), ensure_ascii=False)


def test_comment_posted_through_the_api_is_escaped_on_pages(client, user_factory, video_factory):
    author, commenter = user_factory(), user_factory()
    video = video_factory(author=author)
    client.force_login(commenter)
    response = client.post(
        f"/api/v1/videos/{video.public_id}/comments/",
        {"text": XSS},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["text"] == XSS
    client.force_login(author)
    assert_escaped(client.get("/notifications/").content.decode(), "notifications")


def test_link_with_markup_is_escaped_in_the_href(client, user):
    url = 'https://example.org/"><script>alert(1)</script>'
    social_services.links_set(user=user, links={"website": url})
    html = client.get(f"/@{user.username}/").content.decode()
    assert_escaped(html, "profile links")
    assert 'href="https://example.org/&quot;&gt;&lt;script&gt;' in html


# --- javascript: and data: links --------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "http://example.org/",
        "//evil.example/",
        "https:javascript:alert(1)",
    ],
)
def test_dangerous_links_are_refused(client, user, url):
    client.force_login(user)
    response = client.post("/settings/", {"section": "links", "website": url})
    assert response.status_code == 400
    html = response.content.decode()
    assert "field-error" in html
    assert not ExternalLink.objects.filter(user=user).exists()
    assert 'href="javascript' not in html.lower()


def test_dangerous_links_are_refused_for_every_platform(user):
    from django.core.exceptions import ValidationError

    for platform in ExternalLink.Platform.values:
        for url in ("javascript:alert(1)", "data:text/html,hi"):
            with pytest.raises(ValidationError):
                social_services.links_set(user=user, links={platform: url})


# --- forged posts (no CSRF token) ---------------------------------------------------------
@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def test_csrf_less_signup_and_login_are_refused(csrf_client, user):
    signup = csrf_client.post(
        "/accounts/signup/",
        {
            "username": "forged",
            "email": "f@example.org",
            "password1": "violet-tangerine-43",
            "password2": "violet-tangerine-43",
            "birthdate": "1990-01-01",
        },
    )
    assert signup.status_code == 403
    assert not User.objects.filter(username="forged").exists()
    login = csrf_client.post(
        "/accounts/login/", {"username": user.username, "password": "correct horse battery"}
    )
    assert login.status_code == 403
    assert "_auth_user_id" not in csrf_client.session


def test_csrf_less_writes_of_a_signed_in_user_are_refused(
    csrf_client, user, user_factory, video_factory, clips
):
    other = user_factory()
    video = video_factory(author=other)
    csrf_client.force_login(user)
    with clips["small_h264"].open("rb") as handle:
        assert csrf_client.post("/upload/", {"file": handle}).status_code == 403
    assert not Video.objects.filter(author=user).exists()
    settings_post = csrf_client.post(
        "/settings/", {"section": "profile", "display_name": "forged", "bio": ""}
    )
    assert settings_post.status_code == 403
    action = csrf_client.post(f"/@{other.username}/action/", {"action": "follow"})
    assert action.status_code == 403
    assert other.followers_count == 0 and not graph.Follow.objects.exists()
    comment = csrf_client.post(
        f"/api/v1/videos/{video.public_id}/comments/",
        {"text": "forged"},
        content_type="application/json",
    )
    assert comment.status_code == 403
    assert comment.json()["error"]["code"] == "permission_denied"
    assert "CSRF" in comment.json()["error"]["message"]
    assert not video.comments.exists()
    assert csrf_client.post("/settings/export/").status_code == 403
    delete = csrf_client.post("/settings/delete/", {"password": "correct horse battery"})
    assert delete.status_code == 403
    assert User.objects.filter(pk=user.pk).exists()
    user.refresh_from_db()
    assert user.display_name != "forged"


def test_the_same_posts_with_a_token_go_through(csrf_client, user, user_factory):
    """The refusals above are CSRF's doing, not something else."""
    other = user_factory()
    csrf_client.force_login(user)
    csrf_client.get("/settings/")
    token = csrf_client.cookies["csrftoken"].value
    response = csrf_client.post(
        f"/@{other.username}/action/", {"action": "follow", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert graph.Follow.objects.filter(follower=user, followee=other).exists()


# --- cross-origin WebSocket ---------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("origin", "accepted"),
    [
        (b"https://evil.example", False),
        (b"http://localhost.evil.example", False),
        (b"null", False),
        (b"http://localhost", True),
    ],
)
async def test_cross_origin_websocket_is_refused(origin, accepted):
    from tiktok.asgi import application

    communicator = WebsocketCommunicator(
        application, "/ws/live/", headers=[(b"origin", origin), (b"host", b"localhost")]
    )
    connected, _subprotocol = await communicator.connect(timeout=5)
    assert connected is accepted
    await communicator.disconnect()


# --- 101 files in one request -------------------------------------------------------------
def many_files(n: int = 101) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(f"f{i}.mp4", b"x", content_type="video/mp4") for i in range(n)]


def test_101_files_on_the_upload_page_get_a_clear_400(client, user):
    client.force_login(user)
    response = client.post("/upload/", {"file": many_files(), "caption": "lots"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Send at most 10 files at once." in html
    assert Video.objects.count() == 0


def test_101_files_with_a_csrf_token_get_a_clear_400(csrf_client, user):
    """With CSRF enforced the middleware parses the body first: still a clear 400."""
    csrf_client.force_login(user)
    csrf_client.get("/upload/")
    token = csrf_client.cookies["csrftoken"].value
    for path in ("/upload/", "/settings/", "/accounts/login/"):
        response = csrf_client.post(path, {"file": many_files(), "csrfmiddlewaretoken": token})
        assert response.status_code == 400, path
        assert "Send at most 10 files at once." in response.content.decode(), path


def test_101_files_from_the_upload_script_get_json(client, user):
    client.force_login(user)
    response = client.post("/upload/", {"file": many_files()}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            "__all__": [{"message": "Send at most 10 files at once.", "code": "too_many_files"}]
        }
    }


def test_101_files_to_the_api_get_the_api_error_shape(client, user):
    client.force_login(user)
    response = client.post("/api/v1/videos/", {"file": many_files(), "caption": "x"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "parse_error"
    assert "too many fields or files" in error["message"]
    # With a token (no session, so no CSRF check parses first) the answer is the same.
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=user)
    response = Client().post(
        "/api/v1/videos/",
        {"file": many_files()},
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


# --- oversized and over-long uploads ------------------------------------------------------
def test_oversized_upload_is_refused_with_the_limit(client, user, settings):
    settings.UPLOAD_MAX_BYTES = 2**20  # 1 MB
    client.force_login(user)
    just_over = SimpleUploadedFile("big.mp4", b"\0" * (2**20 + 1), content_type="video/mp4")
    response = client.post("/upload/", {"file": just_over})
    assert response.status_code == 400
    assert "The file is larger than 1 MB." in response.content.decode()
    far_over = SimpleUploadedFile("huge.mp4", b"\0" * (3 * 2**20), content_type="video/mp4")
    response = client.post("/upload/", {"file": far_over}, HTTP_ACCEPT="application/json")
    assert response.status_code == 413
    assert response.json()["errors"]["file"][0]["message"] == "The file is larger than 1 MB."
    api = client.post("/api/v1/videos/", {"file": SimpleUploadedFile("a.mp4", b"\0" * (3 * 2**20))})
    assert api.status_code == 413
    assert api.json()["error"]["message"] == "The file is larger than 1 MB."
    assert Video.objects.count() == 0
    private = Path(settings.PRIVATE_MEDIA_ROOT)
    assert not private.exists() or not [p for p in private.rglob("*") if p.is_file()]


def test_over_long_video_fails_with_the_reason(
    client, user, settings, clips, django_capture_on_commit_callbacks
):
    settings.VIDEO_MAX_SECONDS = 1
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True), clips["small_h264"].open("rb") as fh:
        response = client.post("/upload/", {"file": fh}, HTTP_ACCEPT="application/json")
    assert response.status_code == 201
    video = Video.objects.get()
    assert video.status == Video.Status.FAILED
    assert video.failure_reason == "The video is longer than 1 s."
    status = client.get(f"/upload/{video.public_id}/", HTTP_ACCEPT="application/json").json()
    assert status["status"] == "failed"
    assert status["reason"] == "The video is longer than 1 s."
    assert not video.file and not video.poster


def test_playlist_disguised_as_a_video_is_refused(
    client, user, tmp_path, django_capture_on_commit_callbacks
):
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read")
    playlist = f"#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:10.0,\nfile://{secret}\n#EXT-X-ENDLIST\n"
    client.force_login(user)
    upload = SimpleUploadedFile("clip.mp4", playlist.encode(), content_type="video/mp4")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/upload/", {"file": upload}, HTTP_ACCEPT="application/json")
    video = Video.objects.get()
    assert video.status == Video.Status.FAILED
    assert video.failure_reason
    assert not video.file


# --- polyglot images --------------------------------------------------------------------
def test_polyglot_avatar_is_reencoded_and_served_as_a_jpeg(client, user, settings):
    html = b"<html><body><script>alert(document.domain)</script></body></html>"
    polyglot = image_bytes("JPEG", size=(500, 300)) + html
    client.force_login(user)
    upload = SimpleUploadedFile("me.jpg", polyglot, content_type="text/html")
    response = client.post(
        "/settings/", {"section": "profile", "display_name": "", "bio": "", "avatar": upload}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    stored = user.avatar.open("rb").read()
    assert stored != polyglot
    assert b"<script" not in stored and b"<html" not in stored
    assert stored.startswith(b"\xff\xd8")
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG" and image.size == (400, 400)
    served = client.get(user.avatar.url)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"


def test_image_in_a_format_we_do_not_take_is_refused_clearly(client, user):
    gif_html = b"GIF89a/*" + b"\x00" * 8 + b"*/=1;<script>alert(1)</script>"
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    client.force_login(user)
    for name, data in (("x.gif", gif_html), ("x.svg", svg)):
        upload = SimpleUploadedFile(name, data, content_type="image/svg+xml")
        response = client.post(
            "/settings/", {"section": "profile", "display_name": "", "bio": "", "avatar": upload}
        )
        assert response.status_code == 400
        assert "That is not a JPEG, PNG or WebP image we can read." in response.content.decode()
    user.refresh_from_db()
    assert not user.avatar
