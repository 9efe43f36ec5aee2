"""Comment filters: the creator's own filtered words and the site-wide FilteredTerm list.

A held comment is seen by its author only (and, held by the creator's filter, by the
creator); it is not counted, pushed live, notified or sent to webhooks until approved; the
admin approves or removes site-wide holds one at a time or in bulk."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from social.models import Notification
from social.wordfilter import text_matches, words_parse
from videos import engagement, live
from videos.counters import rebuild_counters
from videos.models import Comment, FilteredTerm, HeldComment

pytestmark = pytest.mark.django_db
S = Comment.Status


# --- matching (pure) -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, words, hit",
    [
        ("What a SPOILER!", ["spoiler"], True),
        ("spoilers ahead", ["spoiler"], False),  # whole words only
        ("a classic", ["ass"], False),
        ("über cool", ["ÜBER"], True),
        ("Straße", ["STRASSE"], True),  # casefold, not lower
        ("ÑANDÚ!", ["ñandú"], True),
        ("ñandúes", ["ñandú"], False),
        ("this bad\n  word here", ["bad word"], True),  # phrases across any spaces
        ("badword", ["bad word"], False),
        ("x_spoiler", ["spoiler"], False),  # _ is part of a word
        ("(spoiler)", ["spoiler"], True),
        ("nothing", [], False),
        ("a.b", ["a.b"], True),  # regex characters are literal
        ("axb", ["a.b"], False),
    ],
)
def test_text_matches(text, words, hit):
    assert text_matches(text, words) is hit


def test_words_parse_dedupes_ignoring_case_and_spaces():
    assert words_parse("One, ONE,\n two  words ,two words;") == ["One", "two words"]
    with pytest.raises(ValidationError):
        words_parse(None)


# --- the creator's own filter ----------------------------------------------------------------
@pytest.fixture
def scene(user_factory, video_factory):
    creator = user_factory(username="creator", filtered_words="spoiler\nbad word")
    return {
        "creator": creator,
        "video": video_factory(author=creator),
        "fan": user_factory(username="fan"),
        "other": user_factory(username="other"),
        "staff": user_factory(username="mod", is_staff=True),
    }


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def listed(user, video) -> list[tuple[str, str]]:
    body = api(user).get(f"/api/v1/videos/{video.public_id}/comments/").json()
    return [(c["text"], c["status"]) for c in body["results"]]


def test_held_by_creator_seen_by_commenter_and_creator_only(
    scene, django_capture_on_commit_callbacks
):
    video = scene["video"]
    with django_capture_on_commit_callbacks(execute=True):
        held = engagement.comment_create(
            user=scene["fan"], video=video, text="Big Spoiler: he dies"
        )
        engagement.comment_create(user=scene["fan"], video=video, text="lovely")
    assert held.status == S.HELD_BY_CREATOR
    video.refresh_from_db()
    assert video.comments_count == 1
    assert listed(scene["other"], video) == [("lovely", "visible")]
    assert listed(None, video) == [("lovely", "visible")]
    assert ("Big Spoiler: he dies", "held_by_creator") in listed(scene["fan"], video)
    assert ("Big Spoiler: he dies", "held_by_creator") in listed(scene["creator"], video)
    kinds = list(Notification.objects.filter(recipient=scene["creator"]).values_list("snippet"))
    assert kinds == [("lovely",)]  # the held one notified nobody


def test_creators_own_comment_is_not_held_by_their_filter(scene):
    c = engagement.comment_create(user=scene["creator"], video=scene["video"], text="no spoiler")
    assert c.status == S.VISIBLE


def test_held_comment_is_not_pushed_live_until_approved(scene, django_capture_on_commit_callbacks):
    layer = get_channel_layer()
    # A plain channel name (not a process-local "…!" one), so each read can run in its own
    # event loop on the Redis layer too.
    channel = f"held-comment-test.{uuid.uuid4().hex}"
    async_to_sync(layer.group_add)(live.video_group(scene["video"].public_id), channel)

    async def drain() -> list[str]:
        # Works on the in-memory layer and on Redis alike: read until nothing comes.
        seen = []
        while True:
            try:
                message = await asyncio.wait_for(layer.receive(channel), timeout=0.5)
            except TimeoutError:
                return seen
            seen.append(message["type"])

    def pushed() -> list[str]:
        return async_to_sync(drain)()

    with django_capture_on_commit_callbacks(execute=True):
        held = engagement.comment_create(user=scene["fan"], video=scene["video"], text="spoiler!")
    assert "comment.new" not in pushed()
    with django_capture_on_commit_callbacks(execute=True):
        assert engagement.comment_approve(user=scene["creator"], comment=held) is True
    assert "comment.new" in pushed()


def test_creator_approves_through_the_api_then_it_counts_and_notifies(scene):
    video = scene["video"]
    held = engagement.comment_create(user=scene["fan"], video=video, text="bad   WORD")
    url = f"/api/v1/comments/{held.public_id}/approve/"
    assert api(scene["other"]).post(url).status_code == 404  # cannot even see it
    assert api(scene["fan"]).post(url).status_code == 403  # its author cannot approve it
    response = api(scene["creator"]).post(url)
    assert response.status_code == 200
    assert response.json()["status"] == "visible"
    video.refresh_from_db()
    assert video.comments_count == 1
    assert listed(scene["other"], video) == [("bad   WORD", "visible")]
    assert Notification.objects.filter(
        recipient=scene["creator"], kind=Notification.Kind.COMMENT
    ).exists()
    # Twice is harmless: nothing moves.
    assert engagement.comment_approve(user=scene["creator"], comment=held) is False
    video.refresh_from_db()
    assert video.comments_count == 1


def test_creator_deletes_a_held_comment_without_moving_counters(scene):
    video = scene["video"]
    held = engagement.comment_create(user=scene["fan"], video=video, text="spoiler")
    response = api(scene["creator"]).delete(f"/api/v1/comments/{held.public_id}/")
    assert response.status_code == 204
    video.refresh_from_db()
    assert video.comments_count == 0
    assert not Comment.objects.filter(pk=held.pk).exists()


def test_held_comment_cannot_be_liked_or_replied_to(scene):
    video = scene["video"]
    held = engagement.comment_create(user=scene["fan"], video=video, text="spoiler")
    like = api(scene["creator"]).post(f"/api/v1/comments/{held.public_id}/like/")
    assert like.status_code == 403
    reply = api(scene["creator"]).post(
        f"/api/v1/videos/{video.public_id}/comments/",
        {"text": "hi", "parent": held.public_id},
        format="json",
    )
    assert reply.status_code == 400
    assert reply.json()["error"]["fields"] == {"parent": ["That comment is not available."]}


def test_rebuild_counters_leaves_held_comments_out(scene):
    video = scene["video"]
    engagement.comment_create(user=scene["fan"], video=video, text="spoiler")
    engagement.comment_create(user=scene["fan"], video=video, text="fine")
    type(video).objects.filter(pk=video.pk).update(comments_count=99)
    rebuild_counters()
    video.refresh_from_db()
    assert video.comments_count == 1


# --- the site-wide list -----------------------------------------------------------------------
def test_site_wide_term_holds_for_review_even_for_the_creator(scene):
    FilteredTerm.objects.create(term="scam link")
    video = scene["video"]
    held = engagement.comment_create(user=scene["fan"], video=video, text="SCAM  link here")
    assert held.status == S.HELD_FOR_REVIEW
    assert listed(scene["creator"], video) == []  # not the creator's to decide
    assert listed(scene["fan"], video) == [("SCAM  link here", "held_for_review")]
    with pytest.raises(PermissionDenied):
        engagement.comment_approve(user=scene["creator"], comment=held)
    own = engagement.comment_create(user=scene["creator"], video=video, text="scam link")
    assert own.status == S.HELD_FOR_REVIEW


def _admin(client, staff):
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    return client


def test_admin_lists_held_comments_and_approves_in_one_click(client, scene):
    FilteredTerm.objects.create(term="scam")
    held = engagement.comment_create(user=scene["fan"], video=scene["video"], text="scam")
    visible = engagement.comment_create(user=scene["fan"], video=scene["video"], text="ok")
    client = _admin(client, scene["staff"])
    page = client.get("/admin/videos/heldcomment/").content.decode()
    assert held.public_id in page and visible.public_id not in page
    response = client.post(f"/admin/videos/heldcomment/{held.pk}/approve/")
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == S.VISIBLE
    scene["video"].refresh_from_db()
    assert scene["video"].comments_count == 2
    # A GET never changes anything, and a visible comment is not there to approve.
    assert client.get(f"/admin/videos/heldcomment/{held.pk}/approve/").status_code == 302
    assert client.post(f"/admin/videos/heldcomment/{visible.pk}/remove/").status_code == 404


def test_admin_bulk_remove_and_approve(client, scene):
    FilteredTerm.objects.create(term="scam")
    held = [
        engagement.comment_create(user=scene["fan"], video=scene["video"], text=f"scam {i}")
        for i in range(3)
    ]
    client = _admin(client, scene["staff"])
    response = client.post(
        "/admin/videos/heldcomment/",
        {"action": "remove_selected", "_selected_action": [held[0].pk, held[1].pk]},
    )
    assert response.status_code == 302
    client.post(
        "/admin/videos/heldcomment/",
        {"action": "approve_selected", "_selected_action": [held[2].pk]},
    )
    states = dict(Comment.objects.values_list("text", "is_removed"))
    assert states == {"scam 0": True, "scam 1": True, "scam 2": False}
    assert Comment.objects.get(pk=held[2].pk).status == S.VISIBLE
    assert HeldComment.objects.filter(is_removed=False).exclude(status=S.VISIBLE).count() == 0
    scene["video"].refresh_from_db()
    assert scene["video"].comments_count == 1
    assert listed(scene["fan"], scene["video"]) == [("scam 2", "visible")]


def test_admin_actions_need_staff(client, scene):
    FilteredTerm.objects.create(term="scam")
    held = engagement.comment_create(user=scene["fan"], video=scene["video"], text="scam")
    client.force_login(scene["fan"])
    response = client.post(f"/admin/videos/heldcomment/{held.pk}/approve/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    held.refresh_from_db()
    assert held.status == S.HELD_FOR_REVIEW


def test_privacy_export_says_a_comment_was_held(scene):
    import io
    import json
    import zipfile

    from videos import privacy

    engagement.comment_create(user=scene["fan"], video=scene["video"], text="spoiler")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        privacy._write_export(archive, scene["fan"])
    with zipfile.ZipFile(buffer) as archive:
        comments = json.loads(archive.read("comments.json"))
    assert [(c["text"], c["status"]) for c in comments] == [("spoiler", "held_by_creator")]


def test_held_comment_mentions_and_replies_notify_nobody_until_approved(scene, user_factory):
    friend = user_factory(username="pal")
    video = scene["video"]
    top = engagement.comment_create(user=scene["other"], video=video, text="first")
    held = engagement.comment_create(
        user=scene["fan"], video=video, text="@pal spoiler alert", parent=top
    )
    assert held.status == S.HELD_BY_CREATOR
    assert not Notification.objects.filter(recipient=friend).exists()
    assert not Notification.objects.filter(recipient=scene["other"], actor=scene["fan"]).exists()
    top.refresh_from_db()
    assert top.replies_count == 0
    engagement.comment_approve(user=scene["creator"], comment=held)
    top.refresh_from_db()
    assert top.replies_count == 1
    assert Notification.objects.filter(recipient=friend, kind=Notification.Kind.MENTION).exists()
    assert Notification.objects.filter(
        recipient=scene["other"], actor=scene["fan"], kind=Notification.Kind.REPLY
    ).exists()
