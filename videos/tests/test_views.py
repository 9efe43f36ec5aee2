"""HTML views: feeds, the shareable video page, profiles, hashtags, upload; and query counts."""

from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from social.models import Block, ExternalLink, Follow
from videos.models import Sound, Video
from videos.views import FEED_PAGE_SIZE

V = Video.Visibility
S = Video.Status
NOT_AVAILABLE = "This video is not available."


class Doc(HTMLParser):
    """Every start tag of a page, in order, with its attributes."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def find_all(self, tag: str, **attrs) -> list[dict[str, str]]:
        out = []
        for name, found in self.tags:
            if name != tag:
                continue
            if all(
                (value in found.get(key.rstrip("_"), "").split())
                if key == "class_"
                else found.get(key.replace("_", "-")) == value
                for key, value in attrs.items()
            ):
                out.append(found)
        return out

    def slides(self) -> list[str]:
        return [a["data-video"] for a in self.find_all("article", class_="slide")]

    def meta(self, prop: str) -> str:
        found = [a for _, a in self.tags if a.get("property") == prop or a.get("name") == prop]
        assert len(found) == 1, (prop, found)
        return found[0]["content"]


def doc(response) -> Doc:
    return Doc(response.content.decode())


def _strip_csrf(html: str) -> str:
    """CSRF tokens are masked afresh on every render, and every response has its own CSP
    nonce; everything else must match."""
    html = re.sub(r' nonce="[^"]*"', "", html)
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'<meta name="csrf-token" content="[^"]*">', "", html)


@pytest.fixture
def author(user_factory):
    return user_factory(username="Creator_One", display_name="Cre Ator")


@pytest.fixture
def catalogue(author, video_factory, user_factory):
    """One video of each kind that must or must not show up in public lists."""
    private_account = user_factory(is_private=True)
    return {
        "public": video_factory(author=author, caption="hello #Dance"),
        "followers": video_factory(author=author, visibility=V.FOLLOWERS),
        "private": video_factory(author=author, visibility=V.PRIVATE),
        "hidden": video_factory(author=author, is_hidden=True),
        "processing": video_factory(author=author, status=S.PROCESSING, file="", poster=""),
        "failed": video_factory(author=author, status=S.FAILED, file="", poster=""),
        "private_account": video_factory(author=private_account),
        "inactive_author": video_factory(author=user_factory(is_active=False)),
    }


# --- For You ---------------------------------------------------------------------------------
def test_feed_shows_ready_public_videos_only(client, catalogue):
    response = client.get("/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    page = doc(response)
    assert page.slides() == [catalogue["public"].public_id]
    feed = page.find_all("div", id="feed")
    assert feed == [
        {
            "class": "feed",
            "id": "feed",
            "data-feed": "for_you",
            "data-source": "for_you",
            "data-next": "",
        }
    ]
    video = page.find_all("video", class_="player")
    assert len(video) == 1
    assert video[0]["src"] == catalogue["public"].file.url
    assert video[0]["poster"] == catalogue["public"].poster.url


def test_feed_hides_the_same_for_signed_in_strangers(client, catalogue, user_factory):
    client.force_login(user_factory())
    assert doc(client.get("/")).slides() == [catalogue["public"].public_id]


def test_feed_empty_state(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert doc(response).slides() == []
    assert "No videos yet" in response.content.decode()


def test_feed_pages_with_cursor_and_fragment(client, author, video_factory):
    videos = [video_factory(author=author) for _ in range(FEED_PAGE_SIZE * 2 + 1)]
    expected = [v.public_id for v in sorted(videos, key=lambda v: v.created_at, reverse=True)]
    first = doc(client.get("/"))
    assert first.slides() == expected[:FEED_PAGE_SIZE]
    next_url = first.find_all("div", id="feed")[0]["data-next"]
    assert next_url.startswith("/?cursor=")
    assert first.find_all("a", class_="more-link")[0]["href"] == next_url

    response = client.get(next_url + "&fragment=1")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and "<nav" not in html and 'id="feed"' not in html
    fragment = Doc(html)
    assert fragment.slides() == expected[FEED_PAGE_SIZE : FEED_PAGE_SIZE * 2]
    markers = fragment.find_all("div", class_="feed-next")
    assert len(markers) == 1
    third_url = markers[0]["data-next"]
    assert third_url.startswith("/?cursor=")
    # Only slides and the marker: every top-level start tag is an article or the marker.
    assert {tag for tag, attrs in fragment.tags if "slide" in attrs.get("class", "").split()} == {
        "article"
    }

    last = Doc(client.get(third_url + "&fragment=1").content.decode())
    assert last.slides() == expected[FEED_PAGE_SIZE * 2 :]
    assert last.find_all("div", class_="feed-next") == [
        {"class": "feed-next", "data-next": "", "hidden": ""}
    ]


@pytest.mark.parametrize(
    "cursor", ["x", "!!", "A" * 500, "WyJ4IiwxXQ", "WyIyMDI0LTAxLTAxIix0cnVlXQ"]
)
@pytest.mark.parametrize("fragment", ["", "&fragment=1"])
def test_feed_bad_cursor_is_a_400_page(client, db, cursor, fragment):
    response = client.get(f"/?cursor={cursor}{fragment}")
    assert response.status_code == 400
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    assert "That page link is not valid." in html
    assert "<title>Bad request" in html


def test_feed_rejects_post(client, db):
    assert client.post("/").status_code == 405


# --- one video -------------------------------------------------------------------------------
def test_detail_has_open_graph_and_starts_with_the_video(client, author, video_factory):
    others = [video_factory() for _ in range(3)]
    video = video_factory(
        author=author,
        caption="A caption #Dance",
        created_at=timezone.now() - datetime.timedelta(days=3),
    )
    url = f"/@{author.username}/video/{video.public_id}/"
    assert video.get_absolute_url() == url
    response = client.get(url)
    assert response.status_code == 200
    page = doc(response)
    base = "http://testserver"
    assert page.meta("og:video") == f"{base}{video.file.url}"
    assert page.meta("og:image") == f"{base}{video.poster.url}"
    assert page.meta("og:url") == f"{base}{url}"
    assert page.meta("og:title") == "Cre Ator (@Creator_One)"
    assert page.meta("og:description") == "A caption #Dance"
    assert page.meta("og:video:type") == "video/mp4"
    assert page.meta("og:video:width") == "720"
    assert page.meta("og:video:height") == "1280"
    assert page.meta("twitter:player:stream") == f"{base}{video.file.url}"
    assert page.find_all("link", rel="canonical")[0]["href"] == f"{base}{url}"
    expected_rest = [v.public_id for v in sorted(others, key=lambda v: v.created_at, reverse=True)]
    assert page.slides() == [video.public_id, *expected_rest]
    assert page.find_all("div", id="feed")[0]["data-source"] == "share"


def test_detail_not_repeated_when_also_in_the_first_feed_page(client, author, video_factory):
    video = video_factory(author=author)
    older = video_factory(created_at=timezone.now() - datetime.timedelta(days=1))
    page = doc(client.get(video.get_absolute_url()))
    assert page.slides() == [video.public_id, older.public_id]


@pytest.mark.parametrize("spelling", ["creator_one", "CREATOR_ONE", "someone_else"])
def test_detail_wrong_username_redirects_to_canonical(client, author, video_factory, spelling):
    video = video_factory(author=author)
    response = client.get(f"/@{spelling}/video/{video.public_id}/")
    assert response.status_code == 301
    assert response["Location"] == f"/@Creator_One/video/{video.public_id}/"


def test_detail_unknown_and_forbidden_are_the_same_404(client, catalogue, author):
    def get(public_id):
        response = client.get(f"/@{author.username}/video/{public_id}/")
        assert response.status_code == 404
        return _strip_csrf(response.content.decode())

    unknown = get("NoSuchVideo")
    assert NOT_AVAILABLE in unknown
    for key in ["followers", "private", "hidden", "processing", "failed", "private_account"]:
        assert get(catalogue[key].public_id) == unknown, key
    inactive = catalogue["inactive_author"]
    assert get(inactive.public_id) == unknown
    assert get("x" * 300) == unknown


def test_detail_followers_only_for_a_follower(client, author, video_factory, user_factory):
    video = video_factory(author=author, visibility=V.FOLLOWERS)
    viewer = user_factory()
    client.force_login(viewer)
    assert client.get(video.get_absolute_url()).status_code == 404
    Follow.objects.create(follower=viewer, followee=author)
    response = client.get(video.get_absolute_url())
    assert response.status_code == 200
    assert doc(response).slides()[0] == video.public_id


def test_detail_author_sees_own_private_video(client, author, video_factory):
    video = video_factory(author=author, visibility=V.PRIVATE)
    client.force_login(author)
    response = client.get(video.get_absolute_url())
    assert response.status_code == 200
    assert doc(response).slides()[0] == video.public_id


@pytest.mark.parametrize("status", [S.PROCESSING, S.FAILED])
def test_detail_of_own_unfinished_video_goes_to_its_status(client, author, video_factory, status):
    video = video_factory(author=author, status=status, file="", poster="")
    client.force_login(author)
    response = client.get(video.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"] == f"/upload/{video.public_id}/"


def test_detail_of_own_hidden_video_is_404(client, author, video_factory):
    video = video_factory(author=author, is_hidden=True)
    client.force_login(author)
    response = client.get(video.get_absolute_url())
    assert response.status_code == 404


# --- profile ---------------------------------------------------------------------------------
def test_profile_shows_visible_videos_as_tiles(client, author, catalogue):
    ExternalLink.objects.create(user=author, platform="youtube", url="https://youtube.com/@c")
    response = client.get(f"/@{author.username}/")
    assert response.status_code == 200
    page = doc(response)
    tiles = [a["href"] for a in page.find_all("a", class_="tile")]
    assert tiles == [catalogue["public"].get_absolute_url()]
    assert page.find_all("img", src=catalogue["public"].poster.url) != []
    html = response.content.decode()
    assert "<h1>@Creator_One</h1>" in html
    assert 'href="https://youtube.com/@c"' in html
    assert page.meta("og:title") == "Cre Ator (@Creator_One)"


def test_profile_username_is_case_insensitive(client, author):
    assert client.get("/@creator_one/").status_code == 200


def test_profile_own_view_lists_private_and_followers(client, author, catalogue):
    client.force_login(author)
    tiles = [
        a["href"] for a in doc(client.get(f"/@{author.username}/")).find_all("a", class_="tile")
    ]
    assert tiles == [catalogue[k].get_absolute_url() for k in ("public", "followers", "private")]


def test_profile_private_account(client, user_factory, video_factory):
    owner = user_factory(is_private=True)
    video = video_factory(author=owner)
    response = client.get(f"/@{owner.username}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "This account is private" in html
    assert video.public_id not in html
    follower = user_factory()
    Follow.objects.create(follower=follower, followee=owner)
    client.force_login(follower)
    response = client.get(f"/@{owner.username}/")
    assert [a["href"] for a in doc(response).find_all("a", class_="tile")] == [
        video.get_absolute_url()
    ]


def test_profile_unknown_or_inactive_is_404(client, user_factory):
    gone = user_factory(is_active=False)
    assert client.get("/@nobody_here/").status_code == 404
    assert client.get(f"/@{gone.username}/").status_code == 404


def test_profile_paginates_and_rejects_bad_cursor(client, author, video_factory):
    videos = [video_factory(author=author) for _ in range(32)]
    newest = sorted(videos, key=lambda v: v.created_at, reverse=True)
    page = doc(client.get(f"/@{author.username}/"))
    assert len(page.find_all("a", class_="tile")) == 30
    more = page.find_all("a", class_="btn-secondary")
    next_href = [a["href"] for a in more if a["href"].startswith("?cursor=")]
    assert len(next_href) == 1
    rest = doc(client.get(f"/@{author.username}/{next_href[0]}"))
    assert [a["href"] for a in rest.find_all("a", class_="tile")] == [
        v.get_absolute_url() for v in newest[30:]
    ]
    bad = client.get(f"/@{author.username}/?cursor=nope")
    assert bad.status_code == 400
    assert "That page link is not valid." in bad.content.decode()


# --- hashtags --------------------------------------------------------------------------------
def test_hashtag_page_case_insensitive(client, video_factory, catalogue):
    tagged = video_factory(tags=["Dance"])
    video_factory(tags=["Dance"], visibility=V.PRIVATE)
    video_factory(tags=["Dance"], is_hidden=True)
    video_factory(tags=["Dancer"])
    for name in ["Dance", "dance", "DANCE"]:
        response = client.get(reverse("videos:hashtag", kwargs={"name": name}))
        assert response.status_code == 200
        page = doc(response)
        assert page.slides() == [tagged.public_id]
        assert "<h1>#Dance</h1>" in response.content.decode()
        assert page.find_all("div", id="feed")[0]["data-source"] == "hashtag"


def test_hashtag_page_unicode_names(client, video_factory):
    upper = video_factory(tags=["Ñandú"])
    lower = video_factory(tags=["ñandú"], created_at=upper.created_at - datetime.timedelta(1))
    hindi = video_factory(tags=["नमस्ते"])
    for name in ["ÑANDÚ", "ñandú", "Ñandú"]:
        response = client.get(reverse("videos:hashtag", kwargs={"name": name}))
        assert response.status_code == 200
        assert doc(response).slides() == [upper.public_id, lower.public_id]
    response = client.get("/tag/%E0%A4%A8%E0%A4%AE%E0%A4%B8%E0%A5%8D%E0%A4%A4%E0%A5%87/")
    assert response.status_code == 200
    assert doc(response).slides() == [hindi.public_id]


def test_hashtag_unknown_is_404(client, db):
    response = client.get("/tag/nothing_here/")
    assert response.status_code == 404
    assert "No videos with this hashtag yet." in response.content.decode()


def test_hashtag_bad_cursor_is_400(client, video_factory):
    video_factory(tags=["Dance"])
    assert client.get("/tag/dance/?cursor=zzz").status_code == 400


# --- upload ----------------------------------------------------------------------------------
def test_upload_requires_login(client, db):
    response = client.get("/upload/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/upload/"
    response = client.post("/upload/", {"caption": "x"})
    assert response.status_code == 302
    assert Video.objects.count() == 0


def test_upload_form_renders(client, user):
    client.force_login(user)
    response = client.get("/upload/")
    assert response.status_code == 200
    page = doc(response)
    form = page.find_all("form", id="upload-form")
    assert form[0]["enctype"] == "multipart/form-data"
    assert form[0]["data-max-bytes"] == str(200 * 1024 * 1024)
    assert page.find_all("input", type="file", name="file") != []
    assert page.find_all("textarea", name="caption") != []


def test_upload_without_file_is_400_with_error(client, user):
    client.force_login(user)
    response = client.post("/upload/", {"caption": "no file"})
    assert response.status_code == 400
    assert "Choose a video to upload." in response.content.decode()
    response = client.post("/upload/", {"caption": "no file"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "errors": {"file": [{"message": "Choose a video to upload.", "code": "required"}]}
    }
    assert Video.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_upload_real_clip_json_is_ready_at_once(client, user_factory, clips):
    uploader = user_factory()
    client.force_login(uploader)
    with clips["small_h264"].open("rb") as handle:
        response = client.post(
            "/upload/",
            {"file": handle, "caption": "First #Clip", "visibility": "public"},
            HTTP_ACCEPT="application/json",
        )
    assert response.status_code == 201
    body = response.json()
    video = Video.objects.get()
    assert body == {
        "public_id": video.public_id,
        "status": "ready",
        "reason": "",
        "hidden": False,
        "url": f"/@{uploader.username}/video/{video.public_id}/",
        "status_url": f"/upload/{video.public_id}/",
    }
    assert video.status == S.READY
    assert video.author == uploader
    assert video.caption == "First #Clip"
    assert video.hashtag_names == ["Clip"]
    assert (video.width, video.height) == (720, 1280)
    assert 1.5 < video.duration < 2.5
    assert video.file.name.startswith(f"videos/{video.public_id}/")

    status = client.get(body["status_url"], HTTP_ACCEPT="application/json")
    assert status.status_code == 200
    assert status.json() == body
    html = client.get(body["status_url"])
    assert html.status_code == 200
    assert "Your video is live!" in html.content.decode()
    # and the world can see it
    client.logout()
    assert doc(client.get("/")).slides() == [video.public_id]
    assert client.get(body["url"]).status_code == 200
    media = client.get(video.file.url)
    assert media.status_code == 200
    assert media["Content-Type"] == "video/mp4"


def test_upload_html_post_redirects_to_status(
    client, user, clips, django_capture_on_commit_callbacks
):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True), clips["small_h264"].open("rb") as fh:
        response = client.post("/upload/", {"file": fh, "caption": ""})
    video = Video.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/upload/{video.public_id}/"
    video.refresh_from_db()
    assert video.status == S.READY


def test_upload_not_a_video_fails_with_reason(
    client, user, django_capture_on_commit_callbacks, tmp_path
):
    fake = tmp_path / "fake.mp4"
    fake.write_bytes(b"<html>not a video</html>" * 50)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True), fake.open("rb") as fh:
        response = client.post("/upload/", {"file": fh}, HTTP_ACCEPT="application/json")
    assert response.status_code == 201
    video = Video.objects.get()
    status = client.get(f"/upload/{video.public_id}/", HTTP_ACCEPT="application/json").json()
    assert status["status"] == "failed"
    assert status["reason"] != ""
    assert status["url"] == ""
    page = client.get(f"/upload/{video.public_id}/").content.decode()
    assert "Processing failed" in page


@pytest.mark.parametrize("accept", ["application/json", "text/html"])
def test_upload_oversized_declared_length_is_413_before_reading(user, settings, accept):
    settings.UPLOAD_MAX_BYTES = 5 * 1024 * 1024
    # A real CSRF check, as in production: the middleware would read request.POST (the whole
    # body) first. The payload is empty, so any attempt to read the declared bytes fails.
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(
        "/upload/",
        data=b"",
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(6 * 1024 * 1024 + 1),
        HTTP_ACCEPT=accept,
    )
    assert response.status_code == 413
    if accept == "application/json":
        assert response.json() == {
            "errors": {"file": [{"message": "The file is larger than 5 MB.", "code": "too_large"}]}
        }
    else:
        page = doc(response)
        assert page.find_all("div", class_="form-errors") == [
            {"class": "form-errors", "role": "alert"}
        ]
        assert "<p>The file is larger than 5 MB.</p>" in response.content.decode()
        assert page.find_all("form", id="upload-form") != []
    assert Video.objects.count() == 0


def test_upload_still_checks_csrf(user, clips):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    with clips["small_h264"].open("rb") as fh:
        response = client.post("/upload/", {"file": fh})
    assert response.status_code == 403
    assert Video.objects.count() == 0


@pytest.mark.parametrize("length", ["abc", "-5", ""])
def test_upload_garbage_content_length_is_not_a_500(client, user, length):
    client.force_login(user)
    response = client.post(
        "/upload/",
        data=b"",
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=length,
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["file"][0]["code"] == "required"


def test_upload_status_of_someone_elses_video_is_404(client, user_factory, video_factory):
    owner = user_factory()
    video = video_factory(author=owner, status=S.PROCESSING, file="", poster="")
    client.force_login(user_factory())
    response = client.get(f"/upload/{video.public_id}/", HTTP_ACCEPT="application/json")
    assert response.status_code == 404
    assert client.get(f"/upload/{video.public_id}/").status_code == 404
    client.force_login(owner)
    response = client.get(f"/upload/{video.public_id}/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json()["status"] == "processing"
    page = client.get(f"/upload/{video.public_id}/").content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page


def test_upload_status_of_hidden_video_says_so(client, user, video_factory):
    video = video_factory(author=user, is_hidden=True)
    client.force_login(user)
    body = client.get(f"/upload/{video.public_id}/", HTTP_ACCEPT="application/json").json()
    assert body["hidden"] is True
    assert body["url"] == ""
    assert "This video is hidden" in client.get(f"/upload/{video.public_id}/").content.decode()


# --- query counts ----------------------------------------------------------------------------
def _fill(video_factory, user_factory, n, *, author=None):
    sound = Sound.objects.create(title="Song", artist="Band", owner=user_factory())
    for i in range(n):
        video_factory(
            author=author or user_factory(),
            tags=[f"tag{i % 3}", "all"],
            sound=sound if i % 2 else None,
        )


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# For You is the recommender (videos/feed/, counted in detail in test_feed_service.py):
# anonymous, the precomputed state (one read; no refresh ran, so a query), the fresh source,
# the candidates' features and hashtags, the cards and their hashtags. Signed in, add the
# session, the user, their watches, relations and engagement, their own new video, the
# interests picker's hashtags (a viewer with no signals yet), and the nav's unread count,
# liked ids and followed ids. The profile adds the author and links, and for a signed-in
# viewer the block check.
FEED_QUERIES_ANONYMOUS = 6
FEED_QUERIES_SIGNED_IN = 17
PROFILE_QUERIES_ANONYMOUS = 4
PROFILE_QUERIES_SIGNED_IN = 11  # + block/follow/request relation to the author


@pytest.mark.parametrize("signed_in", [False, True])
def test_feed_query_count_is_constant(client, user_factory, video_factory, signed_in):
    if signed_in:
        client.force_login(user_factory())
    _fill(video_factory, user_factory, 5)
    small = _count(client, "/")
    _fill(video_factory, user_factory, 45)
    large = _count(client, "/")
    assert small == large == (FEED_QUERIES_SIGNED_IN if signed_in else FEED_QUERIES_ANONYMOUS)
    # The fragment has no navigation: no unread-notifications count.
    fragment = _count(client, "/?fragment=1")
    assert fragment == (FEED_QUERIES_SIGNED_IN - 1 if signed_in else FEED_QUERIES_ANONYMOUS)


def test_detail_query_count_is_constant(client, user_factory, video_factory):
    video = video_factory(tags=["x"])
    _fill(video_factory, user_factory, 5)
    small = _count(client, video.get_absolute_url())
    _fill(video_factory, user_factory, 45)
    assert _count(client, video.get_absolute_url()) == small


@pytest.mark.parametrize("signed_in", [False, True])
def test_profile_query_count_is_constant(client, user_factory, video_factory, author, signed_in):
    if signed_in:
        client.force_login(user_factory())
    ExternalLink.objects.create(user=author, platform="youtube", url="https://youtube.com/@c")
    _fill(video_factory, user_factory, 5, author=author)
    small = _count(client, f"/@{author.username}/")
    _fill(video_factory, user_factory, 45, author=author)
    large = _count(client, f"/@{author.username}/")
    expected = PROFILE_QUERIES_SIGNED_IN if signed_in else PROFILE_QUERIES_ANONYMOUS
    assert small == large == expected


def test_hashtag_query_count_is_constant(client, user_factory, video_factory):
    _fill(video_factory, user_factory, 5)
    small = _count(client, "/tag/all/")
    _fill(video_factory, user_factory, 45)
    assert _count(client, "/tag/all/") == small


# --- blocks ----------------------------------------------------------------------------------
def test_blocked_author_gone_from_pages(client, author, video_factory, user_factory):
    viewer = user_factory()
    Follow.objects.create(follower=viewer, followee=author)
    video = video_factory(author=author, tags=["Dance"])
    other = video_factory(tags=["Dance"])
    Block.objects.create(blocker=author, blocked=viewer)
    client.force_login(viewer)
    assert doc(client.get("/")).slides() == [other.public_id]
    assert client.get(video.get_absolute_url()).status_code == 404
    assert doc(client.get("/tag/dance/")).slides() == [other.public_id]
    # Whoever blocked you is not there for you at all (issue 3: neither sees the profile).
    response = client.get(f"/@{author.username}/")
    assert response.status_code == 404
    assert video.public_id not in response.content.decode()
    # The blocker sees a bare page with an Unblock button: no bio, links or videos.
    client.force_login(author)
    html = client.get(f"/@{viewer.username}/").content.decode()
    assert "You blocked this account" in html
    assert 'value="unblock"' in html
    client.logout()
    assert client.get(video.get_absolute_url()).status_code == 200
