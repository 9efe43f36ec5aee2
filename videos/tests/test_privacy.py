"""Privacy rights: the data export (contents, once-only download, expiry, cleanup) and
account deletion (no rows, no files, counters right), through the pages at /settings/."""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.db import models
from django.test import AsyncClient
from django.utils import timezone
from rest_framework.authtoken.models import Token

from social import graph
from social import services as social_services
from social.models import Block, ExternalLink, FollowRequest, Notification, User
from social.tests.utils import image_bytes
from videos import counters, engagement, privacy
from videos.models import Comment, DataExport, Like, Share, Sound, Video

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # the user_factory default
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
WEBM_HEAD = b"\x1a\x45\xdf\xa3" + b"\x00" * 64


def files_under(folder) -> set[str]:
    root = Path(folder)
    if not root.exists():
        return set()
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def store_media(video: Video, *, original: bytes = MP4_HEAD) -> Video:
    """Give a factory video real stored files: processed MP4, poster and private original."""
    video.original.save("source", ContentFile(original), save=False)
    video.file.save("video.mp4", ContentFile(b"processed " + video.public_id.encode()), save=False)
    video.poster.save("poster.jpg", ContentFile(b"poster " + video.public_id.encode()), save=False)
    video.save(update_fields=["original", "file", "poster"])
    return video


def watch_event_model():
    try:
        return apps.get_model("videos", "WatchEvent")
    except LookupError:
        return None


def add_watch(user, video, seconds: float):
    model = watch_event_model()
    if model is None:
        return None
    import uuid

    return model.objects.create(
        user=user, video=video, watch_seconds=seconds, completed=False, event_key=uuid.uuid4()
    )


def read_zip(data: bytes) -> tuple[list[str], dict[str, object], dict[str, bytes]]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.namelist()
    documents = {n: json.loads(archive.read(n)) for n in names if n.endswith(".json")}
    blobs = {n: archive.read(n) for n in names if not n.endswith(".json")}
    return names, documents, blobs


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def request_export(client, django_capture_on_commit_callbacks):
    """POST the settings button as `user` and return their newest export (built eagerly)."""

    def go(user) -> DataExport:
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/settings/export/")
        assert response.status_code == 302
        assert response["Location"] == "/settings/export/"
        return DataExport.objects.filter(user=user).latest("created_at")

    return go


# --- the buttons ----------------------------------------------------------------------------
def test_settings_page_offers_export_and_delete(client, user):
    client.force_login(user)
    html = client.get("/settings/").content.decode()
    assert 'action="/settings/export/"' in html
    assert 'action="/settings/delete/"' in html
    assert 'name="password"' in html


def test_privacy_pages_need_login(client):
    for url in ("/settings/export/", "/settings/export/abc/download/", "/settings/delete/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


# --- export: contents -----------------------------------------------------------------------
def test_export_contents_exactly(user_factory, video_factory, request_export):
    me = user_factory(username="exporter", display_name="Ex Porter", bio="I <3 clips")
    social_services.avatar_set(user=me, data=image_bytes("PNG"))
    social_services.links_set(user=me, links={"youtube": "https://youtube.com/@exporter"})
    friend, fan, stranger, blocked = (user_factory() for _ in range(4))
    private = user_factory()
    private.is_private = True
    private.save()

    sound = Sound.objects.create(owner=me, title="My beat", artist="Me", is_original=True)
    sound.audio.save("beat.m4a", ContentFile(b"m4a audio"), save=True)
    sound.original.save("upload", ContentFile(b"uploaded mp3"), save=True)
    first = store_media(video_factory(author=me, caption="First #Clip", tags=["Clip"]))
    second = store_media(
        video_factory(author=me, caption="Second", sound=sound, visibility="followers"),
        original=WEBM_HEAD,
    )
    theirs = video_factory(author=friend, caption="Theirs")

    graph.follow_create(follower=me, followee=friend)
    graph.follow_create(follower=fan, followee=me)
    graph.follow_create(follower=me, followee=private)  # a request: the account is private
    graph.block_create(blocker=me, blocked=blocked)
    engagement.like_create(user=me, video=theirs)
    engagement.like_create(user=fan, video=first)
    comment = engagement.comment_create(user=me, video=theirs, text="Nice one")
    their_comment = engagement.comment_create(user=friend, video=theirs, text="Thanks")
    engagement.comment_like_create(user=me, comment=their_comment)
    engagement.share_record(
        video=theirs, key=engagement.viewer_key(user=me, session_key=None), user=me
    )
    watched = add_watch(me, theirs, 4.5)
    # Other people's data stays out: a stranger's like, comment and follow.
    engagement.like_create(user=stranger, video=theirs)
    engagement.comment_create(user=stranger, video=theirs, text="not mine")
    graph.follow_create(follower=stranger, followee=friend)

    export = request_export(me)
    assert export.status == DataExport.Status.READY
    assert export.expires_at - export.created_at == datetime.timedelta(days=7)
    assert export.file_name in files_under(settings.PRIVATE_MEDIA_ROOT)
    assert not any("exports" in name for name in files_under(settings.MEDIA_ROOT))

    me.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    theirs.refresh_from_db()
    data = storages["private"].open(export.file_name).read()
    names, docs, blobs = read_zip(data)
    assert names == [
        "README.txt",
        "media/avatar.jpg",
        "profile.json",
        "links.json",
        f"media/videos/{second.public_id}/original.webm",
        f"media/videos/{first.public_id}/original.mp4",
        "videos.json",
        f"media/sounds/{sound.public_id}.m4a",
        f"media/sounds/{sound.public_id}-original",
        "sounds.json",
        "comments.json",
        "likes.json",
        "comment_likes.json",
        "shares.json",
        "following.json",
        "followers.json",
        "follow_requests.json",
        "blocks.json",
        "watch_history.json",
        "notifications.json",
    ]
    assert blobs["media/avatar.jpg"] == me.avatar.open("rb").read()
    assert blobs[f"media/videos/{first.public_id}/original.mp4"] == MP4_HEAD
    assert blobs[f"media/videos/{second.public_id}/original.webm"] == WEBM_HEAD
    assert blobs[f"media/sounds/{sound.public_id}.m4a"] == b"m4a audio"
    assert blobs[f"media/sounds/{sound.public_id}-original"] == b"uploaded mp3"
    assert docs["profile.json"] == {
        "username": "exporter",
        "email": me.email,
        "display_name": "Ex Porter",
        "bio": "I <3 clips",
        "birthdate": me.birthdate.isoformat(),
        "is_private": False,
        "remix_audience": None,
        "filtered_words": [],
        "date_joined": me.date_joined.isoformat(),
        "last_login": me.last_login.isoformat(),
        "followers": 1,
        "following": 1,
        "likes_received": 1,
        "avatar": "media/avatar.jpg",
    }
    assert docs["links.json"] == [{"platform": "youtube", "url": "https://youtube.com/@exporter"}]

    def video_doc(video, original, hashtags):
        return {
            "public_id": video.public_id,
            "url": video.get_absolute_url(),
            "caption": video.caption,
            "hashtags": hashtags,
            "status": "ready",
            "visibility": video.visibility,
            "hidden_by_moderation": False,
            "allow_comments": True,
            "allow_duet": True,
            "allow_stitch": True,
            "allow_download": True,
            "duration": 7.5,
            "width": 720,
            "height": 1280,
            "sound": video.sound.public_id if video.sound_id else None,
            "duet_of": None,
            "stitch_of": None,
            "created_at": video.created_at.isoformat(),
            "stats": {
                "likes": video.likes_count,
                "comments": 0,
                "views": video.views_count,
                "shares": 0,
            },
            "original": original,
        }

    # Oldest first: the factory dates each new video a little further back.
    assert docs["videos.json"] == [
        video_doc(second, f"media/videos/{second.public_id}/original.webm", []),
        video_doc(first, f"media/videos/{first.public_id}/original.mp4", ["Clip"]),
    ]
    assert docs["videos.json"][1]["stats"]["likes"] == 1
    assert docs["sounds.json"] == [
        {
            "public_id": sound.public_id,
            "title": "My beat",
            "artist": "Me",
            "duration": 0.0,
            "is_original": True,
            "is_reusable": True,
            "uses": 0,
            "created_at": sound.created_at.isoformat(),
            "audio": f"media/sounds/{sound.public_id}.m4a",
            "original": f"media/sounds/{sound.public_id}-original",
        }
    ]
    assert docs["comments.json"] == [
        {
            "public_id": comment.public_id,
            "video": theirs.public_id,
            "reply_to": None,
            "text": "Nice one",
            "likes": 0,
            "removed_by_moderation": False,
            "status": "visible",
            "created_at": comment.created_at.isoformat(),
        }
    ]
    like = Like.objects.get(user=me)
    assert docs["likes.json"] == [
        {"video": theirs.public_id, "created_at": like.created_at.isoformat()}
    ]
    assert [row["comment"] for row in docs["comment_likes.json"]] == [their_comment.public_id]
    share = Share.objects.get(user=me)
    assert docs["shares.json"] == [
        {"video": theirs.public_id, "channel": "link", "created_at": share.created_at.isoformat()}
    ]
    assert [row["username"] for row in docs["following.json"]] == [friend.username]
    assert [row["username"] for row in docs["followers.json"]] == [fan.username]
    request_row = FollowRequest.objects.get(follower=me)
    assert docs["follow_requests.json"] == {
        "sent": [{"username": private.username, "created_at": request_row.created_at.isoformat()}],
        "received": [],
    }
    block = Block.objects.get(blocker=me)
    assert docs["blocks.json"] == [
        {"username": blocked.username, "created_at": block.created_at.isoformat()}
    ]
    if watched is None:
        assert docs["watch_history.json"] == []
    else:
        assert len(docs["watch_history.json"]) == 1
        row = docs["watch_history.json"][0]
        assert row["video"] == theirs.public_id
        assert row["watch_seconds"] == 4.5
        assert row["watched_at"] == watched.created_at.isoformat()
    notifications = Notification.objects.filter(recipient=me).order_by("created_at", "id")
    assert [(n["kind"], n["from"]) for n in docs["notifications.json"]] == [
        (n.kind, n.actor.username) for n in notifications
    ]
    assert {n["kind"] for n in docs["notifications.json"]} == {"follow", "like"}
    # Nothing of anybody else (the stranger's comment, their name) and no secrets.
    text = json.dumps(docs)
    assert "not mine" not in text
    assert stranger.username not in text
    assert me.password not in text


def test_export_of_an_empty_account_has_every_file(user, request_export):
    export = request_export(user)
    names, docs, blobs = read_zip(storages["private"].open(export.file_name).read())
    assert names == [
        "README.txt",
        "profile.json",
        "links.json",
        "videos.json",
        "sounds.json",
        "comments.json",
        "likes.json",
        "comment_likes.json",
        "shares.json",
        "following.json",
        "followers.json",
        "follow_requests.json",
        "blocks.json",
        "watch_history.json",
        "notifications.json",
    ]
    assert docs["profile.json"]["avatar"] is None
    assert docs["videos.json"] == []
    assert settings.SITE_NAME in blobs["README.txt"].decode()


# --- export: the one download ------------------------------------------------------------
def test_download_once_by_its_owner_only(client, user_factory, video_factory, request_export):
    me, other = user_factory(), user_factory()
    store_media(video_factory(author=me))
    export = request_export(me)
    url = f"/settings/export/{export.public_id}/download/"

    page = client.get("/settings/export/")
    assert url in page.content.decode()

    client.force_login(other)
    assert client.get(url).status_code == 404  # nobody learns it exists

    client.force_login(me)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="')
    assert response["Cache-Control"].startswith("max-age=0")
    data = body(response)
    assert int(response["Content-Length"]) == len(data) == export.size
    names, _docs, _blobs = read_zip(data)
    assert "profile.json" in names
    # Downloaded: recorded, and the file is gone from the private storage.
    export.refresh_from_db()
    assert export.downloaded_at is not None
    assert export.file_name == ""
    assert not any(n.startswith("exports/") for n in files_under(settings.PRIVATE_MEDIA_ROOT))

    second = client.get(url)
    assert second.status_code == 410
    assert "already downloaded" in second.content.decode()
    assert url not in client.get("/settings/export/").content.decode()


@pytest.mark.django_db(transaction=True)
async def test_download_streams_under_asgi(user, request_export):
    from asgiref.sync import sync_to_async

    export = await sync_to_async(request_export)(user)
    client = AsyncClient()
    await sync_to_async(client.force_login)(user)
    response = await client.get(f"/settings/export/{export.public_id}/download/")
    assert response.status_code == 200
    assert response.is_async
    data = b"".join([chunk async for chunk in response.streaming_content])
    assert zipfile.ZipFile(io.BytesIO(data)).namelist()[0] == "README.txt"
    await sync_to_async(export.refresh_from_db)()
    assert export.downloaded_at is not None


def test_expired_export_is_gone_and_cleanup_deletes_files(client, user_factory, request_export):
    me = user_factory()
    export = request_export(me)
    name = export.file_name
    DataExport.objects.filter(pk=export.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client.get(f"/settings/export/{export.public_id}/download/")
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert name in files_under(settings.PRIVATE_MEDIA_ROOT)

    out = io.StringIO()
    call_command("privacy_cleanup", stdout=out)
    assert "Deleted 1 export file" in out.getvalue()
    assert name not in files_under(settings.PRIVATE_MEDIA_ROOT)
    export.refresh_from_db()
    assert (export.status, export.file_name) == (DataExport.Status.EXPIRED, "")
    assert client.get(f"/settings/export/{export.public_id}/download/").status_code == 410


def test_cleanup_keeps_live_exports_and_the_task_runs_it(user_factory, request_export):
    from videos.tasks import data_exports_cleanup_task

    fresh = request_export(user_factory())
    old = request_export(user_factory())
    DataExport.objects.filter(pk=old.pk).update(
        expires_at=timezone.now() - datetime.timedelta(days=1)
    )
    assert data_exports_cleanup_task.delay().get() == 1
    remaining = files_under(settings.PRIVATE_MEDIA_ROOT)
    assert fresh.file_name in remaining
    assert old.file_name not in remaining


def test_export_eight_days_later_is_expired(client, user, request_export, monkeypatch):
    export = request_export(user)
    later = timezone.now() + datetime.timedelta(days=8)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert client.get(f"/settings/export/{export.public_id}/download/").status_code == 410


def test_one_export_at_a_time_and_a_cooldown(client, user, settings, request_export):
    client.force_login(user)
    # Still being prepared (the task has not run: no on_commit callbacks here).
    client.post("/settings/export/")
    pending = DataExport.objects.get(user=user)
    assert pending.status == DataExport.Status.PENDING
    response = client.get(f"/settings/export/{pending.public_id}/download/")
    assert response.status_code == 409
    page = client.post("/settings/export/", follow=True)
    assert "already being prepared" in page.content.decode()
    assert DataExport.objects.filter(user=user).count() == 1
    # Built, the cooldown still stands…
    privacy.data_export_build(export_id=pending.pk)
    page = client.post("/settings/export/", follow=True)
    assert "a moment ago" in page.content.decode()
    assert DataExport.objects.filter(user=user).count() == 1
    # …until it has passed.
    settings.DATA_EXPORT_COOLDOWN_SECONDS = 0
    assert request_export(user).pk != pending.pk


def test_failed_build_leaves_no_file_and_can_be_retried(user, request_export, monkeypatch):
    def explode(archive, user):
        archive.writestr("partial.json", b"{}")
        raise RuntimeError("disk full")

    monkeypatch.setattr(privacy, "_write_export", explode)
    export = request_export(user)
    assert export.status == DataExport.Status.FAILED
    assert export.file_name == ""
    assert "Please try again" in export.failure_reason
    assert files_under(settings.PRIVATE_MEDIA_ROOT) == set()
    monkeypatch.undo()
    assert request_export(user).status == DataExport.Status.READY  # no cooldown after a failure


def test_export_page_refreshes_while_pending(client, user):
    client.force_login(user)
    client.post("/settings/export/")
    html = client.get("/settings/export/").content.decode()
    assert 'http-equiv="refresh"' in html
    assert "Being prepared" in html


# --- account deletion ---------------------------------------------------------------------
def _user_foreign_keys():
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.related_model is User:
                yield model, field


def test_wrong_password_deletes_nothing(client, user, video_factory):
    store_media(video_factory(author=user))
    client.force_login(user)
    before = files_under(settings.MEDIA_ROOT) | files_under(settings.PRIVATE_MEDIA_ROOT)
    response = client.post("/settings/delete/", {"password": "not my password"})
    assert response.status_code == 400
    assert "That password is not right." in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()
    assert Video.objects.filter(author=user).count() == 1
    assert files_under(settings.MEDIA_ROOT) | files_under(settings.PRIVATE_MEDIA_ROOT) == before
    # Still logged in.
    assert client.get("/settings/").status_code == 200
    empty = client.post("/settings/delete/", {})
    assert empty.status_code == 400
    assert "Enter your password to confirm." in empty.content.decode()


def test_delete_page_shows_the_form(client, user):
    client.force_login(user)
    response = client.get("/settings/delete/")
    assert response.status_code == 200
    assert 'autocomplete="current-password"' in response.content.decode()


def test_deleting_an_account_leaves_no_rows_no_files_and_right_counters(
    client, user_factory, video_factory, request_export, django_capture_on_commit_callbacks
):
    me = user_factory()
    social_services.avatar_set(user=me, data=image_bytes("JPEG"))
    social_services.links_set(user=me, links={"website": "https://example.org/me"})
    friend, fan, other = user_factory(), user_factory(), user_factory()
    other.is_private = True
    other.save()

    sound = Sound.objects.create(owner=me, title="My beat")
    sound.audio.save("beat.m4a", ContentFile(b"audio"), save=True)
    mine = store_media(video_factory(author=me, caption="mine #gone"))
    mine_too = store_media(video_factory(author=me, sound=sound))
    theirs = store_media(video_factory(author=friend, caption="theirs"))
    # Somebody else's video made with my sound keeps playing after I go.
    uses_my_sound = store_media(video_factory(author=fan, sound=sound))
    # And my video made with somebody else's sound stops counting as one of its uses.
    fan_sound = Sound.objects.create(owner=fan, title="Fan beat")
    with_fan_sound = store_media(video_factory(author=me, sound=fan_sound))
    counters.rebuild_counters(only={"Sound.uses_count"})
    fan_sound.refresh_from_db()
    assert fan_sound.uses_count == 1

    graph.follow_create(follower=me, followee=friend)
    graph.follow_create(follower=fan, followee=me)
    graph.follow_create(follower=me, followee=other)  # a pending request
    graph.block_create(blocker=friend, blocked=user_factory())
    graph.block_create(blocker=me, blocked=user_factory())
    engagement.like_create(user=me, video=theirs)
    engagement.like_create(user=fan, video=theirs)
    engagement.like_create(user=fan, video=mine)
    engagement.like_create(user=friend, video=mine_too)
    top = engagement.comment_create(user=friend, video=theirs, text="top")
    engagement.comment_create(user=me, video=theirs, text="reply", parent=top)
    my_comment = engagement.comment_create(user=me, video=theirs, text="mine")
    # A reply to my comment goes with my comment (it is in my thread).
    engagement.comment_create(user=fan, video=theirs, text="reply to me", parent=my_comment)
    engagement.comment_create(user=fan, video=mine, text="on my video @" + friend.username)
    engagement.comment_like_create(user=me, comment=top)
    engagement.share_record(
        video=theirs, key=engagement.viewer_key(user=me, session_key=None), user=me
    )
    engagement.share_record(
        video=theirs, key=engagement.viewer_key(user=fan, session_key=None), user=fan
    )
    add_watch(me, theirs, 3.0)
    add_watch(fan, mine, 2.0)
    Token.objects.create(user=me)
    export = request_export(me)  # a ready export file in the private storage
    me.refresh_from_db()
    my_files = {sound.audio.name, me.avatar.name, export.file_name}
    for video in (mine, mine_too, with_fan_sound):
        my_files |= {video.file.name, video.poster.name, video.original.name}
    before = files_under(settings.MEDIA_ROOT) | files_under(settings.PRIVATE_MEDIA_ROOT)
    assert my_files <= before

    theirs.refresh_from_db()
    friend.refresh_from_db()
    assert (theirs.likes_count, theirs.comments_count, theirs.shares_count) == (2, 4, 2)
    assert friend.followers_count == 1 and friend.likes_received_count == 2
    my_public_ids = [mine.public_id, mine_too.public_id, with_fan_sound.public_id]
    token = Token.objects.get(user=me).key
    me_pk = me.pk

    client.force_login(me)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/settings/delete/", {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"

    # No row anywhere points at me.
    assert not User.objects.filter(pk=me_pk).exists()
    for model, field in _user_foreign_keys():
        left = model._default_manager.filter(**{field.attname: me_pk}).count()
        assert left == 0, f"{model._meta.label}.{field.name} still has {left} row(s)"
    assert not Video.objects.filter(public_id__in=my_public_ids).exists()
    assert not Notification.objects.filter(video_public_id__in=my_public_ids).exists()
    assert not Share.objects.filter(viewer_key=f"u:{me_pk}").exists()
    assert not ExternalLink.objects.filter(user_id=me_pk).exists()
    assert not Sound.objects.filter(pk=sound.pk).exists()

    # No file of mine is left; everybody else's are all there.
    remaining = files_under(settings.MEDIA_ROOT) | files_under(settings.PRIVATE_MEDIA_ROOT)
    assert remaining == before - my_files
    for public_id in my_public_ids:
        assert not any(public_id in name for name in remaining)
    assert not any(name.startswith(("avatars/", "sounds/", "exports/")) for name in remaining)

    # The video that used my sound keeps playing.
    uses_my_sound.refresh_from_db()
    assert uses_my_sound.sound_id is None
    assert uses_my_sound.status == Video.Status.READY
    assert uses_my_sound.file.name in remaining

    # Counters that counted my rows were recounted…
    theirs.refresh_from_db()
    friend.refresh_from_db()
    fan.refresh_from_db()
    top.refresh_from_db()
    assert (theirs.likes_count, theirs.comments_count, theirs.shares_count) == (1, 1, 1)
    assert top.replies_count == 0 and top.likes_count == 0
    assert friend.followers_count == 0
    assert friend.likes_received_count == 1
    assert fan.following_count == 0
    fan_sound.refresh_from_db()
    assert fan_sound.uses_count == 0
    assert Comment.objects.filter(video=theirs).count() == 1
    # …so a full rebuild finds nothing left to fix.
    assert all(drift.rows == 0 for drift in counters.rebuild_counters().values())

    # Logged out, and the API token is dead.
    assert client.get("/settings/")["Location"].startswith("/accounts/login/")
    api = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")
    # 403, not 401: the first authentication class (session) sends no WWW-Authenticate.
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "authentication_failed"
    # The username is free again.
    assert client.get(f"/@{me.username}/").status_code == 404


def test_deletion_goes_through_the_storage_api(
    client, user_factory, video_factory, settings, django_capture_on_commit_callbacks
):
    """Media in a bucket are deleted through the storage API: here, in-memory storages
    (no file system at all) stand in for S3."""
    from django.core.files.storage import InMemoryStorage

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    storages._storages = {}
    Video._meta.get_field("original").storage = storages["private"]
    default, private = storages["default"], storages["private"]
    assert isinstance(default, InMemoryStorage) and isinstance(private, InMemoryStorage)

    me = user_factory()
    social_services.avatar_set(user=me, data=image_bytes("PNG"))
    video = store_media(video_factory(author=me))
    names = [
        (default, video.file.name),
        (default, video.poster.name),
        (private, video.original.name),
    ]
    me.refresh_from_db()
    names.append((default, me.avatar.name))
    assert all(storage.exists(name) for storage, name in names)

    client.force_login(me)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/settings/delete/", {"password": PASSWORD}).status_code == 302
    assert not any(storage.exists(name) for storage, name in names)


def test_a_protected_row_stops_deletion_cleanly(client, user, video_factory, monkeypatch):
    """A row that must outlive the account (an audit record with on_delete=PROTECT): nothing
    is deleted, and the person gets a clear message, not a 500."""
    from django.db.models import ProtectedError

    collect = privacy.Collector.collect

    def refuse(self, objs, *args, **kwargs):
        if objs and isinstance(objs[0], User):
            raise ProtectedError("audit log", set())
        return collect(self, objs, *args, **kwargs)

    video = store_media(video_factory(author=user))
    client.force_login(user)
    monkeypatch.setattr(privacy.Collector, "collect", refuse)
    response = client.post("/settings/delete/", {"password": PASSWORD})
    assert response.status_code == 400
    assert "cannot be deleted here" in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()
    assert Video.objects.filter(pk=video.pk).exists()
    assert storages["private"].exists(video.original.name)
