"""Duets, stitches and "Save video" under the minors rules, through every door: the remix
services, the pipeline's re-check, the upload page, the player's buttons, the API (create,
representation, PATCH) and the download URL with its Range serving."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from social import graph
from social.models import RemixAudience
from videos.models import Video
from videos.remix import selectors as remix_selectors
from videos.remix.services import RemixRequest, remix_plan

pytestmark = pytest.mark.django_db
API = "/api/v1"
MP4 = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40  # our "encode", 10 KiB


def authed(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def friends(a, b):
    graph.follow_create(follower=a, followee=b)
    graph.follow_request_accept(followee=b, follower=a)
    graph.follow_create(follower=b, followee=a)
    graph.follow_request_accept(followee=a, follower=b)


def years_old(years: int) -> datetime.date:
    """A birthdate `years` years and one day ago... minus a month, safely inside the age."""
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=1) - datetime.timedelta(days=40)


def with_file(video: Video) -> Video:
    path = Path(django_settings.MEDIA_ROOT) / video.file.name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(MP4)
    return video


@pytest.fixture
def people(user_factory):
    return {
        "adult": user_factory(birthdate=years_old(30)),
        "sixteen": user_factory(birthdate=years_old(16)),
        "fourteen": user_factory(birthdate=years_old(14), is_private=False),
        "stranger": user_factory(birthdate=years_old(30)),
        "friend": user_factory(birthdate=years_old(30)),
    }


# --- services ----------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["duet", "stitch"])
def test_remix_plan_refuses_a_14_year_olds_video_even_for_a_friend(people, video_factory, kind):
    video = video_factory(author=people["fourteen"])
    friends(people["friend"], people["fourteen"])
    request = RemixRequest(**{f"{kind}_of": video.public_id})
    with pytest.raises(ValidationError) as exc:
        remix_plan(author=people["friend"], request=request)
    word = "Duets" if kind == "duet" else "Stitches"
    assert exc.value.message_dict == {f"{kind}_of": [f"{word} are not available for this video."]}


def test_sixteen_year_olds_video_friends_only_by_default_and_can_loosen(people, video_factory):
    video = video_factory(author=people["sixteen"])
    friends(people["friend"], people["sixteen"])
    request = RemixRequest(duet_of=video.public_id)
    with pytest.raises(ValidationError) as exc:
        remix_plan(author=people["stranger"], request=request)
    assert exc.value.message_dict == {"duet_of": ["Only the author's friends can duet this video."]}
    assert remix_plan(author=people["friend"], request=request)["duet_of"] == video
    people["sixteen"].remix_audience = RemixAudience.EVERYONE
    people["sixteen"].save()
    video = Video.objects.select_related("author").get(pk=video.pk)
    assert remix_plan(author=people["stranger"], request=request)["duet_of"] == video


def test_adult_may_choose_nobody_or_friends(people, video_factory):
    adult = people["adult"]
    video = video_factory(author=adult)
    friends(people["friend"], adult)
    adult.remix_audience = RemixAudience.FRIENDS
    adult.save()
    video.author.refresh_from_db()
    assert not remix_selectors.can_remix(viewer=people["stranger"], video=video, kind="stitch")
    assert remix_selectors.can_remix(viewer=people["friend"], video=video, kind="stitch")
    adult.remix_audience = RemixAudience.NOBODY
    adult.save()
    video.author.refresh_from_db()
    assert not remix_selectors.can_remix(viewer=people["friend"], video=video, kind="stitch")
    assert remix_selectors.can_remix(viewer=adult, video=video, kind="stitch")  # not yourself


# --- the player's buttons -------------------------------------------------------------------
def rail(client, video) -> str:
    response = client.get(f"/@{video.author.username}/video/{video.public_id}/")
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index(f'data-video="{video.public_id}"')
    return html[start : html.index("</article>", start)]


def test_duet_button_shown_to_a_friend_only_for_a_sixteen_year_old(client, people, video_factory):
    video = video_factory(author=people["sixteen"])
    friends(people["friend"], people["sixteen"])
    client.force_login(people["stranger"])
    html = rail(client, video)
    assert 'data-action="duet"' not in html and 'data-action="stitch"' not in html
    client.force_login(people["friend"])
    html = rail(client, video)
    assert 'data-action="duet"' in html and 'data-action="stitch"' in html


def test_no_remix_or_save_buttons_on_a_14_year_olds_video(client, people, video_factory):
    video = video_factory(author=people["fourteen"], allow_download=True)
    friends(people["friend"], people["fourteen"])
    client.force_login(people["friend"])
    html = rail(client, video)
    for action in ("duet", "stitch", "save"):
        assert f'data-action="{action}"' not in html


def test_save_button_follows_the_switch(client, people, video_factory):
    on = video_factory(author=people["adult"], allow_download=True)
    off = video_factory(author=people["adult"], allow_download=False)
    href = f'href="/@{on.author.username}/video/{on.public_id}/download/"'
    assert href in rail(client, on)
    assert 'data-action="save"' not in rail(client, off)


def test_feed_query_count_does_not_grow_with_friends_only_authors(
    client, people, user_factory, video_factory
):
    client.force_login(people["stranger"])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/@{people['sixteen'].username}/").status_code == 200
            assert client.get("/following/").status_code == 200
        return len(ctx)

    graph.follow_create(follower=people["stranger"], followee=people["sixteen"])
    video_factory(author=people["sixteen"])
    first = count()
    for _ in range(3):
        teen = user_factory(birthdate=years_old(17))
        graph.follow_create(follower=people["stranger"], followee=teen)
        video_factory(author=teen)
    assert count() == first


# --- API ------------------------------------------------------------------------------------
def test_api_refuses_a_duet_with_a_clear_400(people, video_factory):
    video = video_factory(author=people["fourteen"])
    upload = SimpleUploadedFile("a.mp4", MP4, content_type="video/mp4")
    response = authed(people["adult"]).post(
        f"{API}/videos/", {"file": upload, "duet_of": video.public_id}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "duet_of": ["Duets are not available for this video."]
    }
    assert Video.objects.filter(author=people["adult"]).count() == 0


def test_api_representation_says_what_the_viewer_may_do(people, video_factory):
    teen16 = video_factory(author=people["sixteen"], allow_download=True)
    adult = video_factory(author=people["adult"], allow_download=True)
    friends(people["friend"], people["sixteen"])
    for viewer, expected in ((people["stranger"], False), (people["friend"], True)):
        body = authed(viewer).get(f"{API}/videos/{teen16.public_id}/").json()
        assert (body["can_duet"], body["can_stitch"]) == (expected, expected)
        assert body["can_download"] is True
        assert body["download_url"].endswith(
            f"/@{people['sixteen'].username}/video/{teen16.public_id}/download/"
        )
    listed = APIClient().get(f"{API}/users/{people['adult'].username}/videos/").json()["results"]
    assert [(v["public_id"], v["can_duet"], v["can_download"]) for v in listed] == [
        (adult.public_id, True, True)
    ]


def test_api_patch_allow_download_strict(people, video_factory):
    video = video_factory(author=people["adult"], allow_download=True)
    client = authed(people["adult"])
    url = f"{API}/videos/{video.public_id}/"
    response = client.patch(url, {"allow_download": False}, format="json")
    assert response.status_code == 200
    assert response.json()["allow_download"] is False
    assert response.json()["can_download"] is False
    for bad in ("no", 0, None, ["x"]):
        response = client.patch(url, {"allow_download": bad}, format="json")
        assert response.status_code == 400, bad
        assert "allow_download" in response.json()["error"]["fields"]
    video.refresh_from_db()
    assert video.allow_download is False
    other = authed(people["stranger"]).patch(url, {"allow_download": True}, format="json")
    assert other.status_code in (403, 404)
    video.refresh_from_db()
    assert video.allow_download is False


# --- download ------------------------------------------------------------------------------
def download_url(video: Video) -> str:
    return f"/@{video.author.username}/video/{video.public_id}/download/"


def test_download_serves_the_mp4_as_an_attachment_with_ranges(client, people, video_factory):
    video = with_file(video_factory(author=people["adult"], allow_download=True))
    response = client.get(download_url(video))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == MP4
    assert response["Content-Type"] == "video/mp4"
    assert response["X-Content-Type-Options"] == "nosniff"
    name = f"{django_settings.SITE_NAME}-{video.author.username}-{video.public_id}.mp4"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    part = client.get(download_url(video), HTTP_RANGE="bytes=10-19")
    assert part.status_code == 206
    assert b"".join(part.streaming_content) == MP4[10:20]
    assert part["Content-Range"] == f"bytes 10-19/{len(MP4)}"


@pytest.mark.parametrize(
    "case, status, message",
    [
        ("switch_off", 403, "The author does not allow saving this video."),
        ("fourteen", 403, "This video cannot be saved."),
        ("private", 404, ""),
        ("followers_only", 404, ""),
        ("hidden", 404, ""),
        ("processing", 404, ""),
        ("blocked", 404, ""),
        ("missing", 404, ""),
    ],
)
def test_download_refused(client, people, video_factory, case, status, message):
    author = people["fourteen"] if case == "fourteen" else people["adult"]
    fields = {"allow_download": case != "switch_off"}
    if case == "private":
        fields["visibility"] = Video.Visibility.PRIVATE
    if case == "followers_only":
        fields["visibility"] = Video.Visibility.FOLLOWERS
    if case == "hidden":
        fields["is_hidden"] = True
    if case == "processing":
        fields["status"] = Video.Status.PROCESSING
    video = with_file(video_factory(author=author, **fields))
    if case == "blocked":
        graph.block_create(blocker=author, blocked=people["stranger"])
    client.force_login(people["stranger"])
    url = download_url(video) if case != "missing" else f"/@{author.username}/video/nope/download/"
    response = client.get(url)
    assert response.status_code == status
    assert "attachment" not in response.get("Content-Disposition", "")
    if message:
        assert message in response.content.decode()


@pytest.mark.parametrize(
    "url, status",
    [
        ("/@{u}/video/{p}\x00/download/", 400),  # the site's NUL-byte guard answers first
        ("/@{u}/video/{p}{long}/download/", 404),
        ("/@someoneelse/video/{p}/download/", 404),
        ("/@{u}/video/{p}/download/../../", 404),
    ],
)
def test_download_hostile_urls(client, people, video_factory, url, status):
    video = with_file(video_factory(author=people["adult"], allow_download=True))
    url = url.format(u=people["adult"].username, p=video.public_id, long="x" * 500)
    response = client.get(url)
    assert response.status_code == status
    assert "attachment" not in response.get("Content-Disposition", "")


def test_download_post_is_refused(client, people, video_factory):
    video = with_file(video_factory(author=people["adult"], allow_download=True))
    assert client.post(download_url(video)).status_code == 405


# --- upload form and defaults -----------------------------------------------------------------
def test_upload_form_offers_save_switch_by_age(client, people):
    client.force_login(people["adult"])
    html = client.get("/upload/").content.decode()
    assert (
        'name="allow_download"' in html and "checked" in html.split('name="allow_download"')[1][:40]
    )
    client.force_login(people["sixteen"])
    html = client.get("/upload/").content.decode()
    assert 'name="allow_download"' in html
    assert "checked" not in html.split('name="allow_download"')[1].split(">")[0]
    client.force_login(people["fourteen"])
    assert 'name="allow_download"' not in client.get("/upload/").content.decode()


def test_api_create_default_download_by_age(people, monkeypatch):
    from videos import services

    created = {}
    for who in ("adult", "sixteen"):
        upload = SimpleUploadedFile("a.mp4", MP4, content_type="video/mp4")
        video = services.video_create(author=people[who], upload=upload, size=len(MP4))
        created[who] = video.allow_download
    assert created == {"adult": True, "sixteen": False}


# --- the pipeline checks again, and the upload page explains ------------------------------------
def test_pipeline_refuses_a_duet_whose_author_unfriended_meanwhile(people, video_factory, tmp_path):
    from videos import media
    from videos.remix.services import remix_compose

    original = video_factory(author=people["sixteen"])
    friends(people["friend"], people["sixteen"])
    plan = remix_plan(author=people["friend"], request=RemixRequest(duet_of=original.public_id))
    duet = video_factory(author=people["friend"], status=Video.Status.PROCESSING, **plan)
    graph.follow_delete(follower=people["sixteen"], followee=people["friend"])
    with pytest.raises(media.MediaError) as caught:
        remix_compose(video=duet, result=None, workdir=tmp_path)
    assert caught.value.code == "gone"
    assert caught.value.reason == "The original video is no longer available for this."


def test_upload_page_says_why_a_duet_is_not_possible(client, people, video_factory):
    video = video_factory(author=people["fourteen"])
    client.force_login(people["adult"])
    html = client.get(f"/upload/?duet={video.public_id}").content.decode()
    assert "Duets are not available for this video." in html
    sixteen = video_factory(author=people["sixteen"])
    html = client.get(f"/upload/?stitch={sixteen.public_id}").content.decode()
    assert "Only the author&#x27;s friends can stitch this video." in html
