"""Media serving from MEDIA_ROOT: exact types, HTTP Range, and no leaks of what may not be seen."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from social.models import Block, Follow
from videos import services
from videos.models import Sound, Video

SIZE = 1000
DATA = bytes((i * 7 + 3) % 256 for i in range(SIZE))
POSTER = b"\xff\xd8\xff\xe0" + bytes(range(200)) + b"\xff\xd9"


def media_root() -> Path:
    return Path(django_settings.MEDIA_ROOT)


def put(name: str, data: bytes) -> Path:
    path = media_root() / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.fixture
def make_served(video_factory):
    """A video row whose file and poster really exist where the pipeline would put them."""

    def make(**fields) -> Video:
        video = video_factory(file="", poster="", **fields)
        file_name = f"videos/{video.public_id}/Enc0de_1.mp4"
        poster_name = f"videos/{video.public_id}/P0ster-2.jpg"
        put(file_name, DATA)
        put(poster_name, POSTER)
        Video.objects.filter(pk=video.pk).update(file=file_name, poster=poster_name)
        video.refresh_from_db()
        return video

    return make


@pytest.fixture
def served(make_served):
    return make_served()


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_full_get(client, served):
    response = client.get(served.file.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "video/mp4"
    assert response["Content-Length"] == str(SIZE)
    assert response["Accept-Ranges"] == "bytes"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == "inline"
    assert response["Cache-Control"] == "private, max-age=86400"
    assert "Content-Range" not in response
    assert body(response) == DATA


def test_poster_is_jpeg(client, served):
    response = client.get(served.poster.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Length"] == str(len(POSTER))
    assert body(response) == POSTER


def test_head_has_headers_and_no_body(client, served):
    response = client.head(served.file.url)
    assert response.status_code == 200
    assert response["Content-Length"] == str(SIZE)
    assert response["Content-Type"] == "video/mp4"
    assert response.content == b""
    response = client.head(served.file.url, HTTP_RANGE="bytes=0-9")
    assert response.status_code == 206
    assert response["Content-Length"] == "10"
    assert response["Content-Range"] == f"bytes 0-9/{SIZE}"


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=-10", SIZE - 10, SIZE - 1),
        ("bytes=50-", 50, SIZE - 1),
        ("bytes=0-0", 0, 0),
        ("bytes=999-999", 999, 999),
        ("bytes=900-5000", 900, SIZE - 1),  # the end is clipped to the file
        ("bytes=-5000", 0, SIZE - 1),  # a suffix longer than the file is the whole file
        ("bytes=0-", 0, SIZE - 1),
        (" bytes=10-19 ", 10, 19),
    ],
)
def test_ranges(client, served, header, start, end):
    response = client.get(served.file.url, HTTP_RANGE=header)
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {start}-{end}/{SIZE}"
    assert response["Content-Length"] == str(end - start + 1)
    assert response["Content-Type"] == "video/mp4"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert body(response) == DATA[start : end + 1]


@pytest.mark.parametrize(
    "header",
    [
        f"bytes={SIZE}-",
        f"bytes={SIZE}-{SIZE + 10}",
        "bytes=5000-6000",
        "bytes=-0",
        "bytes=99999999999999999999999999-",
    ],
)
def test_unsatisfiable_range_is_416(client, served, header):
    response = client.get(served.file.url, HTTP_RANGE=header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{SIZE}"
    assert response.content == b""


@pytest.mark.parametrize(
    "header",
    [
        "bytes=abc",
        "bytes=",
        "bytes=-",
        "bytes=--5",
        "bytes=5-2",
        "bytes=0-1,5-6",
        "items=0-1",
        "bytes 0-1",
        "bytes=0x10-",
        "bytes=½-",
        "bytes=１-２",  # full-width digits are digits to Python, not to HTTP
    ],
)
def test_malformed_range_is_416(client, served, header):
    response = client.get(served.file.url, HTTP_RANGE=header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{SIZE}"


def test_other_methods_refused(client, served):
    assert client.post(served.file.url).status_code == 405
    assert client.delete(served.file.url).status_code == 405
    assert (media_root() / served.file.name).read_bytes() == DATA


@pytest.mark.parametrize("fields", [{"is_hidden": True}, {"visibility": "private"}])
def test_hidden_or_private_video_media_are_404(client, make_served, fields, user_factory):
    video = make_served(**fields)
    client.force_login(user_factory())
    assert client.get(video.file.url).status_code == 404
    assert client.get(video.poster.url).status_code == 404
    assert client.get(video.file.url, HTTP_RANGE="bytes=0-9").status_code == 404
    assert client.head(video.file.url).status_code == 404
    client.logout()
    assert client.get(video.file.url).status_code == 404


def test_private_video_media_for_its_author_only(client, make_served):
    video = make_served(visibility="private")
    client.force_login(video.author)
    response = client.get(video.file.url)
    assert response.status_code == 200
    assert body(response) == DATA


def test_hidden_video_media_404_even_for_its_author(client, make_served):
    video = make_served(is_hidden=True)
    client.force_login(video.author)
    assert client.get(video.file.url).status_code == 404
    assert client.get(video.poster.url).status_code == 404


def test_followers_only_media(client, make_served, user_factory):
    video = make_served(visibility="followers")
    viewer = user_factory()
    client.force_login(viewer)
    assert client.get(video.file.url).status_code == 404
    Follow.objects.create(follower=viewer, followee=video.author)
    assert client.get(video.file.url).status_code == 200


def test_private_account_media(client, make_served, user_factory):
    video = make_served(author=user_factory(is_private=True))
    assert client.get(video.poster.url).status_code == 404
    follower = user_factory()
    Follow.objects.create(follower=follower, followee=video.author)
    client.force_login(follower)
    assert client.get(video.poster.url).status_code == 200


def test_hiding_a_video_stops_its_media(client, served):
    assert client.get(served.file.url).status_code == 200
    Video.objects.filter(pk=served.pk).update(is_hidden=True)
    assert client.get(served.file.url).status_code == 404


def test_stale_and_stray_files_in_a_video_folder_are_404(client, served):
    # An old encode left beside the current one, and files named like a video folder's.
    put(f"videos/{served.public_id}/oldEncode.mp4", DATA)
    assert client.get(f"/media/videos/{served.public_id}/oldEncode.mp4").status_code == 404
    put("videos/NoSuchVideo/abc.mp4", DATA)
    assert client.get("/media/videos/NoSuchVideo/abc.mp4").status_code == 404
    put(f"videos/{served.public_id}/deeper/abc.mp4", DATA)
    assert client.get(f"/media/videos/{served.public_id}/deeper/abc.mp4").status_code == 404


def test_missing_file_is_404(client, served):
    (media_root() / served.file.name).unlink()
    assert client.get(served.file.url).status_code == 404
    assert client.get("/media/nothing.mp4").status_code == 404
    assert client.get("/media/").status_code == 404


def test_non_video_paths_get_their_types(client, db, user_factory):
    sound = Sound.objects.create(title="Tune", owner=user_factory())
    sound.audio = f"sounds/{sound.public_id}/tune.m4a"
    sound.save()
    put(sound.audio.name, b"m4a-bytes")
    put("avatars/1/face.jpg", POSTER)
    response = client.get(f"/media/{sound.audio.name}")
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/mp4"
    assert body(response) == b"m4a-bytes"
    response = client.get("/media/avatars/1/face.jpg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"


@pytest.mark.parametrize(
    "name",
    [
        "evil.html",
        "x.svg",
        "page.htm",
        "a.js",
        "clip.mp4.html",
        "noext",
        "x.webm",
        "x.png",
        ".htaccess",
        "videos/abc/evil.html",
    ],
)
def test_non_allowed_extensions_are_404(client, db, name):
    put(name, b"<script>alert(1)</script>")
    response = client.get(f"/media/{name}")
    assert response.status_code == 404
    assert b"<script>alert(1)</script>" not in response.content


@pytest.fixture
def outside(tmp_path):
    """A servable-looking file just outside MEDIA_ROOT (tmp_path/media)."""
    secret = tmp_path / "secret.mp4"
    secret.write_bytes(b"SECRET")
    (tmp_path / "private").mkdir(exist_ok=True)
    (tmp_path / "private" / "original.jpg").write_bytes(b"SECRET")
    media_root().mkdir(parents=True, exist_ok=True)
    return secret


@pytest.mark.parametrize(
    "url",
    [
        "/media/../secret.mp4",
        "/media/videos/../../secret.mp4",
        "/media/%2e%2e/secret.mp4",
        "/media/%2E%2E%2Fsecret.mp4",
        "/media/..%2fsecret.mp4",
        "/media/../private/original.jpg",
        "/media//etc/passwd",
        "/media/..%5csecret.mp4",
        "/media/%00.mp4",
        "/media/" + "a/" * 3000 + "x.mp4",
    ],
)
def test_path_traversal_is_404(client, db, outside, url):
    response = client.get(url)
    # A NUL byte is refused at the door (tiktok/middleware.py) before routing: 400.
    assert response.status_code == (400 if "%00" in url else 404)
    assert b"SECRET" not in response.content


def test_symlink_out_of_media_root_is_404(client, db, outside):
    link = media_root() / "link.mp4"
    os.symlink(outside, link)
    response = client.get("/media/link.mp4")
    assert response.status_code == 404
    assert b"SECRET" not in response.content


def test_real_processed_clip_is_served_with_ranges(
    client, user, clips, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), clips["small_h264"].open("rb") as fh:
        video = services.video_create(
            author=user, upload=fh, size=clips["small_h264"].stat().st_size
        )
    video.refresh_from_db()
    assert video.status == Video.Status.READY
    on_disk = (media_root() / video.file.name).read_bytes()
    size = len(on_disk)
    assert on_disk[4:8] == b"ftyp"

    full = client.get(video.file.url)
    assert full.status_code == 200
    assert full["Content-Length"] == str(size)
    assert body(full) == on_disk

    head = client.get(video.file.url, HTTP_RANGE="bytes=0-99")
    assert head.status_code == 206
    assert head["Content-Range"] == f"bytes 0-99/{size}"
    assert body(head) == on_disk[:100]

    tail = client.get(video.file.url, HTTP_RANGE="bytes=-10")
    assert tail["Content-Range"] == f"bytes {size - 10}-{size - 1}/{size}"
    assert body(tail) == on_disk[-10:]

    poster = client.get(video.poster.url)
    assert poster.status_code == 200
    assert poster["Content-Type"] == "image/jpeg"
    assert body(poster)[:3] == b"\xff\xd8\xff"
    # the original upload lives outside MEDIA_ROOT and has no URL here
    assert not (media_root() / video.original.name).exists()


# --- under ASGI the body streams from an async iterator -------------------------------------
@pytest.fixture
def served_committed(transactional_db, make_served):
    return make_served()


@pytest.mark.django_db(transaction=True)
async def test_asgi_range_streams(async_client, served_committed):
    response = await async_client.get(served_committed.file.url, headers={"Range": "bytes=100-299"})
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 100-299/{SIZE}"
    assert response["Content-Length"] == "200"
    chunks = [chunk async for chunk in response.streaming_content]
    assert b"".join(chunks) == DATA[100:300]

    response = await async_client.get(served_committed.file.url)
    assert response.status_code == 200
    assert b"".join([chunk async for chunk in response.streaming_content]) == DATA


def test_blocked_viewer_gets_no_media(client, make_served, user_factory):
    video = make_served()
    viewer = user_factory()
    Block.objects.create(blocker=viewer, blocked=video.author)
    client.force_login(viewer)
    assert client.get(video.file.url).status_code == 404
    assert client.get(video.poster.url).status_code == 404
