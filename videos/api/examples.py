"""OpenAPI examples (drf-spectacular) for the main endpoints, kept apart from the logic."""

from drf_spectacular.utils import OpenApiExample

BASE = "https://repeater.example"

AUTHOR = {
    "username": "maya",
    "display_name": "Maya",
    "avatar": f"{BASE}/media/avatars/maya/a1b2c3.jpg",
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
    "sound": {
        "public_id": "sN4d0kPq1Lw",
        "name": "original sound - maya",
        "title": "original sound",
        "artist": "maya",
    },
    "duet_of": None,
    "stitch_of": None,
    "template": None,
    "likes": 42,
    "comments": 3,
    "views": 1290,
    "shares": 5,
    "created_at": "2026-11-28T18:04:05.123456Z",
}

VIDEO_EXAMPLES = [OpenApiExample("A ready video", value=VIDEO, response_only=True)]
VIDEO_CREATE_EXAMPLES = [
    OpenApiExample(
        "Upload (multipart)",
        value={"file": "(binary MP4, MOV or WebM)", "caption": "Hello #repeater"},
        request_only=True,
    ),
    OpenApiExample(
        "Just uploaded, still processing",
        value={**VIDEO, "status": "processing", "url": None, "poster": None, "duration": None},
        response_only=True,
        status_codes=["201"],
    ),
]
VIDEO_UPDATE_EXAMPLES = [
    OpenApiExample(
        "Edit the caption, stop duets",
        value={"caption": "Better caption #shuffle", "allow_duet": False},
        request_only=True,
    )
]
COMMENT_EXAMPLES = [
    OpenApiExample(
        "A comment",
        value={
            "id": "c7Yt2LmQ0pA",
            "author": AUTHOR,
            "text": "So good!",
            "parent": None,
            "likes": 2,
            "replies": 0,
            "liked": False,
            "created_at": "2026-11-28T18:10:00Z",
        },
        response_only=True,
    ),
    OpenApiExample("Write a comment", value={"text": "So good!"}, request_only=True),
]
LIKE_EXAMPLES = [
    OpenApiExample("Liked", value={"liked": True, "likes": 43}, response_only=True),
]
