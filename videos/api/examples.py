"""OpenAPI examples (drf-spectacular) for every endpoint of videos/api and videos/remix,
kept apart from the logic. The error responses (400/403/404/429 …) and their examples are
added to every operation by tiktok.api_schema; tiktok/tests/test_api_schema.py checks that
each operation has its examples and that each example matches its schema.

Helpers: ``response`` and ``request`` build one example; ``listed`` marks an item example
for a list operation (drf-spectacular wraps it in the page: {"next", "results": [item]}).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample

BASE = "https://repeater.example"
MULTIPART = "multipart/form-data"


def response(name: str, value, *, status: int = 200, description: str = "") -> OpenApiExample:
    """A response example for one status code (drf-spectacular's default is 200 and 201)."""
    return OpenApiExample(
        name, value=value, response_only=True, status_codes=[str(status)], description=description
    )


def request(name: str, value, *, media_type: str = "application/json") -> OpenApiExample:
    return OpenApiExample(name, value=value, request_only=True, media_type=media_type)


def listed(name: str, item) -> list[OpenApiExample]:
    """The example of a paginated list operation: one item, drf-spectacular adds the page."""
    return [response(name, item)]


def done(name: str, value) -> list[OpenApiExample]:
    """Examples of a POST/DELETE pair that answer 200 with the same shape."""
    return [response(name, value)]


# --- objects ----------------------------------------
AUTHOR = {
    "username": "maya",
    "display_name": "Maya",
    "avatar": f"{BASE}/media/avatars/maya/a1b2c3.jpg",
}
OTHER_AUTHOR = {"username": "leo.dance", "display_name": "Leo", "avatar": None}

SOUND_BRIEF = {
    "public_id": "sN4d0kPq1Lw",
    "name": "original sound - maya",
    "title": "original sound",
    "artist": "maya",
}

VIDEO = {
    "public_id": "q3Zr9XbT0aE",
    "author": AUTHOR,
    "caption": "First try at the #shuffle",
    "hashtags": ["shuffle"],
    "status": "ready",
    "failure_reason": "",
    "url": f"{BASE}/media/videos/q3Zr9XbT0aE/Xk2a9Q.mp4",
    "poster": f"{BASE}/media/videos/q3Zr9XbT0aE/Pq81ZA.jpg",
    "web_url": f"{BASE}/@maya/video/q3Zr9XbT0aE/",
    "duration": 14.2,
    "width": 720,
    "height": 1280,
    "visibility": "public",
    "allow_comments": True,
    "allow_duet": True,
    "allow_stitch": True,
    "allow_sound_reuse": True,
    "allow_download": True,
    "can_duet": True,
    "can_stitch": True,
    "can_download": True,
    "download_url": f"{BASE}/@maya/video/q3Zr9XbT0aE/download/",
    "sound": SOUND_BRIEF,
    "duet_of": None,
    "stitch_of": None,
    "template": None,
    "likes": 42,
    "comments": 3,
    "views": 1290,
    "shares": 5,
    "created_at": "2026-11-28T18:04:05.123456Z",
}
DUET = {
    **VIDEO,
    "public_id": "dU7eT0kPz2Q",
    "author": OTHER_AUTHOR,
    "caption": "Duet with @maya #shuffle",
    "url": f"{BASE}/media/videos/dU7eT0kPz2Q/Hh3b2C.mp4",
    "poster": f"{BASE}/media/videos/dU7eT0kPz2Q/Jj4c3D.jpg",
    "web_url": f"{BASE}/@leo.dance/video/dU7eT0kPz2Q/",
    "download_url": f"{BASE}/@leo.dance/video/dU7eT0kPz2Q/download/",
    "sound": None,
    "duet_of": "q3Zr9XbT0aE",
    "likes": 7,
    "comments": 0,
    "views": 211,
    "shares": 0,
}
STITCH = {
    **DUET,
    "public_id": "sT1tCh0Bq8R",
    "web_url": f"{BASE}/@leo.dance/video/sT1tCh0Bq8R/",
    "download_url": f"{BASE}/@leo.dance/video/sT1tCh0Bq8R/download/",
    "duet_of": None,
    "stitch_of": "q3Zr9XbT0aE",
}
PROCESSING = {**VIDEO, "status": "processing", "url": None, "poster": None, "duration": 0.0}
PROCESSING.update(likes=0, comments=0, views=0, shares=0, width=0, height=0)

COMMENT = {
    "id": "c7Yt2LmQ0pA",
    "author": OTHER_AUTHOR,
    "text": "So good!",
    "parent": None,
    "likes": 2,
    "replies": 0,
    "liked": False,
    "status": "visible",
    "created_at": "2026-11-28T18:10:00Z",
}

SOUND = {
    **SOUND_BRIEF,
    "public_id": "mU5iC7aBc1D",
    "name": "Summer Loop - DJ Maya",
    "title": "Summer Loop",
    "artist": "DJ Maya",
    "owner": AUTHOR,
    "status": "ready",
    "failure_reason": "",
    "duration": 30.0,
    "is_original": False,
    "is_reusable": True,
    "source_video": None,
    "uses": 12,
    "url": f"{BASE}/media/sounds/mU5iC7aBc1D/a9B8c7.m4a",
    "cover": f"{BASE}/media/sounds/mU5iC7aBc1D/cover.jpg",
    "web_url": f"{BASE}/sound/mU5iC7aBc1D/",
    "created_at": "2026-11-20T09:00:00Z",
}

CHALLENGE = {
    "slug": "shuffle-week",
    "hashtag": "shuffle",
    "title": "Shuffle week",
    "description": "Show us your best shuffle.",
    "rules": "One take, no cuts. Use #shuffle.",
    "starts_at": "2026-11-25T00:00:00Z",
    "ends_at": "2026-12-02T00:00:00Z",
    "state": "active",
    "featured": True,
    "sound": SOUND,
    "cover": f"{BASE}/media/challenges/shuffle-week.jpg",
    "web_url": f"{BASE}/tag/shuffle/",
}

# --- request and response examples per operation ----------------------------------------
VIDEO_EXAMPLES = [response("A ready video", VIDEO)]
VIDEO_LIST_EXAMPLES = listed("A page of videos", VIDEO)
FOR_YOU_EXAMPLES = listed(
    "A page of the For You feed",
    {**VIDEO, "reason": {"code": "followed_hashtag", "text": "Because you watch #shuffle"}},
)
VIDEO_CREATE_EXAMPLES = [
    request(
        "Upload (multipart)",
        {"file": "(binary MP4, MOV or WebM)", "caption": "Hello #repeater"},
        media_type=MULTIPART,
    ),
    request(
        "A duet (multipart)",
        {"file": "(binary)", "caption": "Duet! #shuffle", "duet_of": "q3Zr9XbT0aE"},
        media_type=MULTIPART,
    ),
    response("Just uploaded, still processing", PROCESSING, status=201),
]
VIDEO_UPDATE_EXAMPLES = [
    request("Edit the caption, stop duets", {"caption": "Better caption", "allow_duet": False}),
    response("The edited video", {**VIDEO, "caption": "Better caption", "allow_duet": False}),
]
DUETS_EXAMPLES = listed("A page of duets", DUET)
STITCHES_EXAMPLES = listed("A page of stitches", STITCH)

COMMENT_LIST_EXAMPLES = listed("A page of comments", COMMENT)
COMMENT_EXAMPLES = [
    request("Write a comment", {"text": "So good!"}),
    request("Reply to a comment", {"text": "Agreed", "parent": "c7Yt2LmQ0pA"}),
    response("The new comment", COMMENT, status=201),
]
COMMENT_APPROVE_EXAMPLES = [
    response("Approved: the held comment is visible now", COMMENT),
]
LIKE_EXAMPLES = done("Liked", {"liked": True, "likes": 43})
UNLIKE_EXAMPLES = done("Not liked", {"liked": False, "likes": 42})
SHARE_EXAMPLES = [
    request("Shared as a link", {"channel": "link"}),
    response("Shares now", {"shares": 6}),
]
FOLLOW_EXAMPLES = [
    response("Following", {"status": "following", "followers": 1201}),
    response("Requested (a private account)", {"status": "requested", "followers": 88}),
]
UNFOLLOW_EXAMPLES = done("Not following", {"status": "none", "followers": 1200})
BLOCK_EXAMPLES = done("Blocked", {"blocked": True})
UNBLOCK_EXAMPLES = done("Unblocked", {"blocked": False})
FOLLOW_LIST_EXAMPLES = listed("A page of accounts", OTHER_AUTHOR)
NOTIFICATION_EXAMPLES = [
    response(
        "Notifications",
        {
            "unread": 1,
            "results": [
                {
                    "id": 981,
                    "kind": "comment",
                    "actor": OTHER_AUTHOR,
                    "video_public_id": "q3Zr9XbT0aE",
                    "comment_public_id": "c7Yt2LmQ0pA",
                    "snippet": "So good!",
                    "created_at": "2026-11-28T18:10:00Z",
                    "unread": True,
                }
            ],
        },
    )
]
MARK_READ_EXAMPLES = [response("Marked as read", {"marked": 1})]
HASHTAG_EXAMPLES = [response("A hashtag", {"name": "shuffle", "videos": 128, "views": 90412})]

WATCH_EXAMPLES = [
    request(
        "Watched to the end from For You",
        {"watch_seconds": 14.2, "completed": True, "replays": 0, "source": "for_you"},
    ),
    request("A short look", {"watch_seconds": 1.5}),
    response("Recorded", {"recorded": 1, "duplicates": 0, "skipped": 0, "views": 1291}, status=201),
    response(
        "Seen before (same event_id)",
        {"recorded": 0, "duplicates": 1, "skipped": 0, "views": 1291},
        status=200,
    ),
]
WATCH_BATCH_EXAMPLES = [
    request(
        "Two watch events",
        {
            "events": [
                {"video": "q3Zr9XbT0aE", "watch_seconds": 14.2, "completed": True},
                {"video": "dU7eT0kPz2Q", "watch_seconds": 2.0, "source": "following"},
            ]
        },
    ),
    response("Recorded", {"recorded": 2, "duplicates": 0, "skipped": 0}),
]
NOT_INTERESTED_EXAMPLES = done("Not interested", {"not_interested": True})
INTERESTED_EXAMPLES = done("Interested again", {"not_interested": False})
HIDE_EXAMPLES = done("Creator hidden", {"hidden": True})
UNHIDE_EXAMPLES = done("Creator shown again", {"hidden": False})

SOUND_EXAMPLES = [response("A sound", SOUND)]
SOUND_LIST_EXAMPLES = listed("A page of sounds", SOUND)
SOUND_CREATE_EXAMPLES = [
    request(
        "Upload music (multipart)",
        {"file": "(binary MP3, M4A, OGG, WAV or FLAC)", "title": "Summer Loop"},
        media_type=MULTIPART,
    ),
    response(
        "Just uploaded, still processing",
        {**SOUND, "status": "processing", "url": None, "duration": 0.0, "uses": 0},
        status=201,
    ),
]
SOUND_UPDATE_EXAMPLES = [
    request("Rename, stop reuse", {"title": "Summer Loop (edit)", "is_reusable": False}),
    response("The changed sound", {**SOUND, "title": "Summer Loop (edit)", "is_reusable": False}),
]
CHALLENGE_LIST_EXAMPLES = [
    response("Challenges", {"active": [CHALLENGE], "upcoming": [], "past": []}),
]
CHALLENGE_EXAMPLES = [
    response(
        "A challenge with its leaderboard",
        {
            **CHALLENGE,
            "entries": 128,
            "leaderboard": [{"rank": 1, "engagement": 57, "video": VIDEO}],
        },
    )
]
HASHTAG_SUGGEST_EXAMPLES = [
    response(
        "Hashtags starting with “shu”",
        {"results": [{"name": "shuffle", "videos": 128}, {"name": "shuffledance", "videos": 9}]},
    )
]
