"""The embeddable player and oEmbed: only what anyone may see, framable only here."""

import json

import pytest

from videos.models import Video

pytestmark = pytest.mark.django_db


def test_embed_is_framable_and_plays_the_video(client, video_factory):
    video = video_factory(caption="hello <b>world</b>")
    response = client.get(f"/embed/{video.public_id}/")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response.headers
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in csp
    html = response.content.decode()
    assert f'src="/media/{video.file.name}"' in html
    assert "<b>world</b>" not in html and "&lt;b&gt;world&lt;/b&gt;" in html


def test_other_pages_still_refuse_framing(client, video_factory):
    response = client.get("/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    "fields",
    [
        {"is_hidden": True},
        {"visibility": Video.Visibility.PRIVATE},
        {"visibility": Video.Visibility.FOLLOWERS},
        {"status": Video.Status.PROCESSING},
    ],
)
def test_embed_and_oembed_refuse_what_anonymous_viewers_may_not_see(client, video_factory, fields):
    video = video_factory(**fields)
    client.force_login(video.author)  # even its author: embeds are anonymous by nature
    assert client.get(f"/embed/{video.public_id}/").status_code == 404
    url = f"http://testserver/@{video.author.username}/video/{video.public_id}/"
    assert client.get("/oembed", {"url": url}).status_code == 404


def test_oembed_json(client, video_factory):
    video = video_factory(caption="a loop #fyp")
    url = f"http://testserver/@{video.author.username}/video/{video.public_id}/"
    response = client.get("/oembed", {"url": url, "maxwidth": "200"})
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["version"] == "1.0" and data["type"] == "video"
    assert data["provider_name"] == "Repeater"
    assert data["author_name"] == video.author.name
    assert data["width"] == 200 and data["height"] == 355
    assert f'src="http://testserver/embed/{video.public_id}/"' in data["html"]
    assert data["thumbnail_url"] == f"http://testserver/media/{video.poster.name}"


@pytest.mark.parametrize(
    "params, status",
    [
        ({"url": "http://evil.example/@a/video/x/"}, 404),
        ({"url": "javascript:alert(1)"}, 404),
        ({"url": "http://testserver/upload/"}, 404),
        ({}, 404),
        ({"url": "http://testserver/@a/video/nope/"}, 404),
        ({"url": "http://testserver/@a/video/x/", "format": "xml"}, 501),
    ],
)
def test_oembed_bad_input(client, params, status):
    assert client.get("/oembed", params).status_code == status


def test_detail_page_advertises_oembed(client, video_factory):
    video = video_factory()
    html = client.get(video.get_absolute_url()).content.decode()
    assert 'type="application/json+oembed"' in html
    assert "/oembed?url=http%3A%2F%2Ftestserver%2F%40" in html
