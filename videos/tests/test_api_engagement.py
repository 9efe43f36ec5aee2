"""The engagement API through HTTP: likes, comments, comment likes, shares, follows, blocks,
follower lists and notifications; one error shape; CSRF for session-authenticated writes."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from social import graph
from social.models import Block, Follow, FollowRequest, Notification, User
from videos import engagement
from videos.models import Comment, CommentLike, Like, Share, Video

V = Video.Visibility
API = "/api/v1"


def error(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


NOT_FOUND = error("not_found", "Not found.")
NOT_AUTHENTICATED = error("not_authenticated", "Authentication credentials were not provided.")


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def as_user(user: User) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def fresh(obj):
    obj.refresh_from_db()
    return obj


@pytest.fixture
def author(user_factory):
    return user_factory(username="creator", display_name="The Creator")


@pytest.fixture
def fan(user_factory):
    return user_factory(username="fan_one", display_name="Fan One")


@pytest.fixture
def video(video_factory, author):
    return video_factory(author=author)


def like_url(video: Video) -> str:
    return f"{API}/videos/{video.public_id}/like/"


def comments_url(video: Video) -> str:
    return f"{API}/videos/{video.public_id}/comments/"


# --- likes -------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["post", "delete"])
def test_like_needs_authentication(video, method):
    response = getattr(APIClient(), method)(like_url(video))
    assert response.status_code in (401, 403)
    assert response.json() == NOT_AUTHENTICATED
    assert not Like.objects.exists()


def test_like_and_unlike(author, fan, video):
    client = as_user(fan)
    response = client.post(like_url(video))
    assert response.status_code == 200
    assert response.json() == {"liked": True, "likes": 1}
    assert client.post(like_url(video)).json() == {"liked": True, "likes": 1}
    as_user(author).post(like_url(video))
    assert client.post(like_url(video)).json() == {"liked": True, "likes": 2}
    assert fresh(author).likes_received_count == 2
    response = client.delete(like_url(video))
    assert response.status_code == 200
    assert response.json() == {"liked": False, "likes": 1}
    assert client.delete(like_url(video)).json() == {"liked": False, "likes": 1}
    assert fresh(author).likes_received_count == 1
    assert list(Notification.objects.values_list("kind", "recipient", "actor")) == [
        ("like", author.pk, fan.pk)
    ]


@pytest.mark.parametrize(
    "fields",
    [
        {"visibility": V.PRIVATE},
        {"visibility": V.FOLLOWERS},
        {"is_hidden": True},
        {"status": Video.Status.PROCESSING, "file": "", "poster": ""},
    ],
    ids=["private", "followers", "hidden", "processing"],
)
def test_like_an_invisible_video_is_404(fan, video_factory, fields):
    video = video_factory(**fields)
    client = as_user(fan)
    for method in ("post", "delete"):
        response = getattr(client, method)(like_url(video))
        assert response.status_code == 404
        assert response.json() == NOT_FOUND
    assert fresh(video).likes_count == 0


def test_like_an_unknown_video_is_404(fan):
    for public_id in ("doesnotexist", "x" * 40):
        response = as_user(fan).post(f"{API}/videos/{public_id}/like/")
        assert response.status_code == 404
        assert response.json() == NOT_FOUND


@pytest.mark.parametrize("blocker", ["author", "viewer"])
def test_like_across_a_block_is_404(author, fan, video, blocker):
    """Across a block the video does not exist for the other side (selectors' block rule)."""
    if blocker == "author":
        graph.block_create(blocker=author, blocked=fan)
    else:
        graph.block_create(blocker=fan, blocked=author)
    response = as_user(fan).post(like_url(video))
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert not Like.objects.exists()


# --- comments ------------------------------------------------------------------------------
def test_comment_create_and_list(author, fan, video):
    client = as_user(fan)
    response = client.post(comments_url(video), {"text": "  great video  "}, format="json")
    assert response.status_code == 201
    body = response.json()
    created = Comment.objects.get()
    assert body == {
        "id": created.public_id,
        "author": {"username": "fan_one", "display_name": "Fan One", "avatar": None},
        "text": "great video",
        "parent": None,
        "likes": 0,
        "replies": 0,
        "liked": False,
        "status": "visible",
        "created_at": body["created_at"],
    }
    assert fresh(video).comments_count == 1
    reply = client.post(
        comments_url(video), {"text": "me again", "parent": created.public_id}, format="json"
    )
    assert reply.status_code == 201
    assert reply.json()["parent"] == created.public_id
    as_user(author).post(f"{API}/comments/{created.public_id}/like/")

    listing = client.get(comments_url(video))
    assert listing.status_code == 200
    data = listing.json()
    assert data["allow_comments"] is True
    assert data["next"] is None
    assert [(c["text"], c["parent"], c["likes"], c["replies"]) for c in data["results"]] == [
        ("me again", created.public_id, 0, 0),
        ("great video", None, 1, 1),
    ]
    # liked is per viewer
    mine = as_user(author).get(comments_url(video)).json()["results"]
    assert [c["liked"] for c in mine] == [False, True]
    anonymous = APIClient().get(comments_url(video))
    assert anonymous.status_code == 200
    assert [c["liked"] for c in anonymous.json()["results"]] == [False, False]


def test_comment_list_pages(fan, video):
    for i in range(5):
        engagement.comment_create(user=fan, video=video, text=f"c{i}")
    first = APIClient().get(comments_url(video), {"page_size": 2}).json()
    assert [c["text"] for c in first["results"]] == ["c4", "c3"]
    assert first["next"].startswith("http://testserver/api/v1/videos/")
    second = APIClient().get(first["next"]).json()
    assert [c["text"] for c in second["results"]] == ["c2", "c1"]
    bad = APIClient().get(comments_url(video), {"cursor": "garbage"})
    assert bad.status_code == 400
    assert list(bad.json()["error"]["fields"]) == ["cursor"]


def test_comment_list_hides_comments_across_a_block(author, fan, user_factory, video):
    troll = user_factory(username="troll")
    engagement.comment_create(user=troll, video=video, text="troll words")
    engagement.comment_create(user=fan, video=video, text="kind words")
    graph.block_create(blocker=fan, blocked=troll)
    texts = [c["text"] for c in as_user(fan).get(comments_url(video)).json()["results"]]
    assert texts == ["kind words"]
    texts = [c["text"] for c in as_user(troll).get(comments_url(video)).json()["results"]]
    assert texts == ["troll words"]
    texts = [c["text"] for c in as_user(author).get(comments_url(video)).json()["results"]]
    assert texts == ["kind words", "troll words"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"text": ""}, "This field may not be blank."),
        ({"text": "   \n\t "}, "This field may not be blank."),
        ({}, "This field is required."),
        ({"text": None}, "This field may not be null."),
        ({"text": "x" * 501}, "Ensure this field has no more than 500 characters."),
        ({"text": "a\x00b"}, "Null characters are not allowed."),
    ],
    ids=["empty", "whitespace", "missing", "null", "too-long", "nul"],
)
def test_comment_bad_text_is_400_with_the_field(fan, video, body, message):
    response = as_user(fan).post(comments_url(video), body, format="json")
    assert response.status_code == 400
    assert response.json() == error("invalid", "Some fields are not valid.", {"text": [message]})
    assert not Comment.objects.exists()
    assert fresh(video).comments_count == 0


def test_comment_at_the_limit_and_markup_verbatim(fan, video):
    client = as_user(fan)
    assert client.post(comments_url(video), {"text": "x" * 500}, format="json").status_code == 201
    markup = '<script>alert("x")</script><b onmouseover=alert(1)>hi</b>'
    response = client.post(comments_url(video), {"text": markup}, format="json")
    assert response.status_code == 201
    assert response.json()["text"] == markup
    assert response["Content-Type"] == "application/json"
    listed = client.get(comments_url(video)).json()["results"]
    assert listed[0]["text"] == markup


def test_comment_parent_from_another_video_or_unknown_is_400(fan, video, video_factory):
    elsewhere = engagement.comment_create(user=fan, video=video_factory(), text="elsewhere")
    for parent in (elsewhere.public_id, "nope", "x" * 17):
        response = as_user(fan).post(
            comments_url(video), {"text": "hi", "parent": parent}, format="json"
        )
        assert response.status_code == 400
        assert list(response.json()["error"]["fields"]) == ["parent"]
    assert not Comment.objects.filter(video=video).exists()


def test_reply_to_a_reply_lands_on_the_top_comment(fan, user_factory, video):
    top = engagement.comment_create(user=fan, video=video, text="top")
    reply = engagement.comment_create(user=user_factory(), video=video, text="r", parent=top)
    response = as_user(fan).post(
        comments_url(video), {"text": "rr", "parent": reply.public_id}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["parent"] == top.public_id
    assert fresh(top).replies_count == 2


def test_comment_needs_authentication(video):
    response = APIClient().post(comments_url(video), {"text": "hi"}, format="json")
    assert response.status_code in (401, 403)
    assert response.json() == NOT_AUTHENTICATED
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [{"visibility": V.PRIVATE}, {"visibility": V.FOLLOWERS}, {"is_hidden": True}],
    ids=["private", "followers", "hidden"],
)
def test_comments_of_an_invisible_video_are_404(fan, video_factory, fields):
    video = video_factory(**fields)
    Comment.objects.create(video=video, author=video.author, text="secret")
    client = as_user(fan)
    for response in (
        client.get(comments_url(video)),
        client.post(comments_url(video), {"text": "hi"}, format="json"),
        APIClient().get(comments_url(video)),
    ):
        assert response.status_code == 404
        assert response.json() == NOT_FOUND
    assert Comment.objects.count() == 1


def test_comments_across_a_block_are_404(author, fan, video):
    engagement.comment_create(user=author, video=video, text="mine")
    graph.block_create(blocker=author, blocked=fan)
    client = as_user(fan)
    assert client.get(comments_url(video)).status_code == 404
    response = client.post(comments_url(video), {"text": "hi"}, format="json")
    assert response.status_code == 404
    assert Comment.objects.count() == 1


def test_comments_turned_off(author, fan, video):
    engagement.comments_set_enabled(user=author, video=video, enabled=False)
    response = as_user(fan).post(comments_url(video), {"text": "hi"}, format="json")
    assert response.status_code == 403
    assert response.json() == error("permission_denied", "Comments are turned off for this video.")
    listing = as_user(fan).get(comments_url(video)).json()
    assert listing["allow_comments"] is False
    assert (
        as_user(author).post(comments_url(video), {"text": "me"}, format="json").status_code == 201
    )


def test_teen_author_only_friends_comment(user_factory, video_factory, fan):
    teen = user_factory(age=14)
    video = video_factory(author=teen)
    response = as_user(fan).post(comments_url(video), {"text": "hi"}, format="json")
    assert response.status_code == 403
    assert response.json() == error("permission_denied", "Only friends can comment on this video.")
    graph.follow_create(follower=fan, followee=teen)
    graph.follow_create(follower=teen, followee=fan)
    assert as_user(fan).post(comments_url(video), {"text": "hi"}, format="json").status_code == 201


# --- deleting and liking comments -----------------------------------------------------------
def test_delete_comment(author, fan, user_factory, video):
    stranger = user_factory()
    mine = engagement.comment_create(user=fan, video=video, text="mine")
    engagement.comment_create(user=stranger, video=video, text="r1", parent=mine)
    engagement.comment_create(user=author, video=video, text="r2", parent=mine)
    other = engagement.comment_create(user=stranger, video=video, text="other")
    url = f"{API}/comments/{mine.public_id}/"

    anonymous = APIClient().delete(url)
    assert anonymous.status_code in (401, 403)
    assert anonymous.json() == NOT_AUTHENTICATED
    response = as_user(stranger).delete(url)
    assert response.status_code == 403
    assert response.json() == error("permission_denied", "You cannot delete this comment.")
    assert fresh(video).comments_count == 4

    response = as_user(fan).delete(url)
    assert response.status_code == 204
    assert list(Comment.objects.all()) == [other]
    assert fresh(video).comments_count == 1
    again = as_user(fan).delete(url)
    assert again.status_code == 404
    assert again.json() == NOT_FOUND

    assert as_user(author).delete(f"{API}/comments/{other.public_id}/").status_code == 204
    assert fresh(video).comments_count == 0


def test_owner_deletes_a_blocked_trolls_comment(author, user_factory, video):
    troll = user_factory()
    rude = engagement.comment_create(user=troll, video=video, text="rude")
    graph.block_create(blocker=author, blocked=troll)
    response = as_user(author).delete(f"{API}/comments/{rude.public_id}/")
    assert response.status_code == 204
    assert not Comment.objects.exists()
    assert fresh(video).comments_count == 0


def test_unknown_or_invisible_comment_is_404(fan, video_factory):
    hidden = video_factory(is_hidden=True)
    secret = Comment.objects.create(video=hidden, author=hidden.author, text="secret")
    for public_id in ("nope", secret.public_id):
        for method, path in (("delete", ""), ("post", "like/"), ("delete", "like/")):
            response = getattr(as_user(fan), method)(f"{API}/comments/{public_id}/{path}")
            assert response.status_code == 404
            assert response.json() == NOT_FOUND
    assert Comment.objects.count() == 1


def test_comment_like_and_unlike(author, fan, video):
    comment = engagement.comment_create(user=fan, video=video, text="like me")
    url = f"{API}/comments/{comment.public_id}/like/"
    assert APIClient().post(url).json() == NOT_AUTHENTICATED
    client = as_user(author)
    response = client.post(url)
    assert response.status_code == 200
    assert response.json() == {"liked": True, "likes": 1}
    assert client.post(url).json() == {"liked": True, "likes": 1}
    assert as_user(fan).post(url).json() == {"liked": True, "likes": 2}
    assert client.delete(url).json() == {"liked": False, "likes": 1}
    assert client.delete(url).json() == {"liked": False, "likes": 1}
    assert CommentLike.objects.count() == 1


def test_comment_like_across_a_block_is_404(fan, user_factory, video):
    other = user_factory()
    comment = engagement.comment_create(user=fan, video=video, text="hi")
    graph.block_create(blocker=fan, blocked=other)
    response = as_user(other).post(f"{API}/comments/{comment.public_id}/like/")
    assert response.status_code == 404
    assert fresh(comment).likes_count == 0


# --- shares ----------------------------------------------------------------------------------
def test_share_counts_once_per_session_or_person(fan, video):
    url = f"{API}/videos/{video.public_id}/share/"
    anonymous = APIClient()
    response = anonymous.post(url)
    assert response.status_code == 200
    assert response.json() == {"shares": 1}
    assert anonymous.post(url, {"channel": "native"}, format="json").json() == {"shares": 1}
    assert APIClient().post(url).json() == {"shares": 2}  # a new session
    client = as_user(fan)
    assert client.post(url, {"channel": "embed"}, format="json").json() == {"shares": 3}
    assert client.post(url).json() == {"shares": 3}
    assert fresh(video).shares_count == 3
    keys = set(Share.objects.values_list("viewer_key", flat=True))
    assert f"u:{fan.pk}" in keys
    session_keys = {key for key in keys if key.startswith("s:")}
    assert len(session_keys) == 2
    session_id = anonymous.cookies["sessionid"].value
    assert all(session_id not in key for key in session_keys)


def test_share_bad_channel_is_400(video):
    response = APIClient().post(
        f"{API}/videos/{video.public_id}/share/", {"channel": "fax"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["channel"]
    assert not Share.objects.exists()


def test_share_an_invisible_video_is_404(fan, author, video_factory):
    for fields in ({"visibility": V.PRIVATE}, {"visibility": V.FOLLOWERS}, {"is_hidden": True}):
        video = video_factory(author=author, **fields)
        for client in (APIClient(), as_user(fan)):
            response = client.post(f"{API}/videos/{video.public_id}/share/")
            assert response.status_code == 404
            assert response.json() == NOT_FOUND
    public = video_factory(author=author)
    graph.block_create(blocker=author, blocked=fan)
    response = as_user(fan).post(f"{API}/videos/{public.public_id}/share/")
    assert response.status_code == 404
    assert not Share.objects.exists()


# --- follow ------------------------------------------------------------------------------------
def test_follow_and_unfollow(author, fan):
    url = f"{API}/users/{author.username}/follow/"
    assert APIClient().post(url).json() == NOT_AUTHENTICATED
    client = as_user(fan)
    response = client.post(url)
    assert response.status_code == 200
    assert response.json() == {"status": "following", "followers": 1}
    assert client.post(url).json() == {"status": "following", "followers": 1}
    assert as_user(author).post(f"{API}/users/FAN_ONE/follow/").json() == {
        "status": "following",
        "followers": 1,
    }
    response = client.delete(url)
    assert response.status_code == 200
    assert response.json() == {"status": "none", "followers": 0}
    assert client.delete(url).json() == {"status": "none", "followers": 0}
    assert fresh(fan).following_count == 0
    assert fresh(fan).followers_count == 1


def test_follow_a_private_account_is_a_request(fan, user_factory):
    private = user_factory(username="private_one", is_private=True)
    url = f"{API}/users/private_one/follow/"
    client = as_user(fan)
    assert client.post(url).json() == {"status": "requested", "followers": 0}
    assert client.post(url).json() == {"status": "requested", "followers": 0}
    assert FollowRequest.objects.filter(follower=fan, followee=private).exists()
    assert client.delete(url).json() == {"status": "none", "followers": 0}
    assert not FollowRequest.objects.exists()
    client.post(url)
    graph.follow_request_accept(followee=private, follower=fan)
    assert client.post(url).json() == {"status": "following", "followers": 1}


def test_follow_yourself_unknown_or_blocked(author, fan, user_factory):
    response = as_user(fan).post(f"{API}/users/fan_one/follow/")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "You cannot follow yourself."
    for name in ("nobody_here", user_factory(is_active=False).username):
        response = as_user(fan).post(f"{API}/users/{name}/follow/")
        assert response.status_code == 404
        assert response.json() == NOT_FOUND
    graph.block_create(blocker=author, blocked=fan)
    response = as_user(fan).post(f"{API}/users/{author.username}/follow/")
    # Refused: 403 today; 404 if profiles also disappear across a block.
    assert response.status_code in (403, 404)
    assert set(response.json()["error"]) == {"code", "message", "fields"}
    assert not Follow.objects.exists()


# --- block -------------------------------------------------------------------------------------
def test_block_and_unblock(author, fan, video):
    graph.follow_create(follower=fan, followee=author)
    graph.follow_create(follower=author, followee=fan)
    url = f"{API}/users/{fan.username}/block/"
    assert APIClient().post(url).json() == NOT_AUTHENTICATED
    client = as_user(author)
    response = client.post(url)
    assert response.status_code == 200
    assert response.json() == {"blocked": True}
    assert client.post(url).json() == {"blocked": True}
    assert Block.objects.filter(blocker=author, blocked=fan).count() == 1
    assert not Follow.objects.exists()
    assert (fresh(author).followers_count, fresh(author).following_count) == (0, 0)
    # The blocked person can no longer reach the blocker's video.
    assert as_user(fan).post(like_url(video)).status_code == 404
    response = client.delete(url)
    assert response.status_code == 200
    assert response.json() == {"blocked": False}
    assert not Block.objects.exists()
    assert as_user(fan).post(like_url(video)).json() == {"liked": True, "likes": 1}


def test_block_yourself_or_unknown(fan):
    response = as_user(fan).post(f"{API}/users/fan_one/block/")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "You cannot block yourself."
    for method in ("post", "delete"):
        response = getattr(as_user(fan), method)(f"{API}/users/nobody_here/block/")
        assert response.status_code == 404
        assert response.json() == NOT_FOUND
    assert not Block.objects.exists()


# --- follower lists ------------------------------------------------------------------------
def _names(response) -> list[str]:
    assert response.status_code == 200
    body = response.json()
    assert body["next"] is None
    return [person["username"] for person in body["results"]]


def test_followers_and_following_lists(author, fan, user_factory):
    zed = user_factory(username="zed")
    amy = user_factory(username="amy")
    gone = user_factory(username="gone")
    for person in (zed, amy, fan, gone):
        graph.follow_create(follower=person, followee=author)
    graph.follow_create(follower=author, followee=zed)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    client = APIClient()
    assert _names(client.get(f"{API}/users/creator/followers/")) == ["amy", "fan_one", "zed"]
    assert _names(client.get(f"{API}/users/creator/following/")) == ["zed"]
    first = client.get(f"{API}/users/creator/followers/").json()["results"][0]
    assert first == {"username": "amy", "display_name": amy.display_name, "avatar": None}
    # People on the other side of a block are left out of the viewer's lists.
    graph.block_create(blocker=fan, blocked=zed)
    assert _names(as_user(fan).get(f"{API}/users/creator/followers/")) == ["amy", "fan_one"]
    assert client.get(f"{API}/users/nobody_here/followers/").status_code == 404


def test_private_account_lists_only_for_followers(fan, user_factory):
    private = user_factory(username="private_one", is_private=True)
    friend = user_factory(username="friend")
    graph.follow_create(follower=friend, followee=private)
    graph.follow_request_accept(followee=private, follower=friend)
    url = f"{API}/users/private_one/followers/"
    assert _names(APIClient().get(url)) == []
    assert _names(as_user(fan).get(url)) == []
    assert _names(as_user(friend).get(url)) == ["friend"]
    assert _names(as_user(private).get(url)) == ["friend"]


# --- notifications -------------------------------------------------------------------------
def test_notifications_list_and_mark_read(author, fan, video):
    url = f"{API}/notifications/"
    assert APIClient().get(url).json() == NOT_AUTHENTICATED
    engagement.like_create(user=fan, video=video)
    comment = engagement.comment_create(user=fan, video=video, text="wow @creator")
    graph.follow_create(follower=fan, followee=author)
    client = as_user(author)
    body = client.get(url).json()
    assert body["unread"] == 4
    assert [n["kind"] for n in body["results"]] == ["follow", "mention", "comment", "like"]
    mention = body["results"][1]
    assert mention == {
        "id": mention["id"],
        "kind": "mention",
        "actor": {"username": "fan_one", "display_name": "Fan One", "avatar": None},
        "video_public_id": video.public_id,
        "comment_public_id": comment.public_id,
        "snippet": "wow @creator",
        "created_at": mention["created_at"],
        "unread": True,
    }
    assert as_user(fan).get(url).json() == {"unread": 0, "results": []}
    response = client.post(url)
    assert response.status_code == 200
    assert response.json() == {"marked": 4}
    after = client.get(url).json()
    assert after["unread"] == 0
    assert [n["unread"] for n in after["results"]] == [False] * 4
    assert client.post(url).json() == {"marked": 0}


# --- CSRF --------------------------------------------------------------------------------------
def test_session_writes_need_the_csrf_token(author, fan, video):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(fan)
    for method, url in (
        ("post", like_url(video)),
        ("post", comments_url(video)),
        ("post", f"{API}/users/{author.username}/follow/"),
        ("post", f"{API}/users/{author.username}/block/"),
        ("post", f"{API}/notifications/"),
    ):
        response = getattr(client, method)(url, {"text": "hi"}, format="json")
        assert response.status_code == 403, url
        assert response.json()["error"]["code"] == "permission_denied"
        assert response.json()["error"]["message"].startswith("CSRF Failed")
    assert not Like.objects.exists()
    assert not Comment.objects.exists()
    assert not Follow.objects.exists()
    assert not Block.objects.exists()
    # Reads need no token; writes with it succeed.
    assert client.get(comments_url(video)).status_code == 200
    secret = "a" * 32
    client.cookies["csrftoken"] = secret
    response = client.post(like_url(video), HTTP_X_CSRFTOKEN=secret)
    assert response.status_code == 200
    assert response.json() == {"liked": True, "likes": 1}
