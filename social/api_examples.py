"""OpenAPI examples for the people endpoints (social/api.py and users/{username}/ in
videos/api). Here, not in videos/api/examples.py: social never imports videos."""

from drf_spectacular.utils import OpenApiExample

BASE = "https://repeater.example"

USER = {
    "username": "maya",
    "display_name": "Maya",
    "bio": "Dancer. Shuffle every day.",
    "avatar": f"{BASE}/media/avatars/maya/a1b2c3.jpg",
    "is_private": False,
    "links": [
        {"platform": "instagram", "platform_name": "Instagram", "url": "https://instagram.com/maya"}
    ],
    "followers": 1200,
    "following": 180,
    "likes": 40321,
    "date_joined": "2026-01-15T10:20:30Z",
}

USER_EXAMPLES = [OpenApiExample("A profile", value=USER, response_only=True, status_codes=["200"])]
ME_EXAMPLES = [
    OpenApiExample(
        "You",
        value={**USER, "email": "maya@example.org"},
        response_only=True,
        status_codes=["200"],
    )
]
TOKEN_EXAMPLES = [
    OpenApiExample(
        "Credentials",
        value={"username": "maya", "password": "s3cret-pass"},
        request_only=True,
    ),
    OpenApiExample(
        "A token",
        value={"token": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"},
        response_only=True,
        status_codes=["200"],
    ),
]
SUGGESTED_EXAMPLES = [
    OpenApiExample(
        "Accounts to follow",
        value={
            "results": [
                {
                    "username": "leo.dance",
                    "display_name": "Leo",
                    "avatar": None,
                    "followers": 310,
                    "mutuals": 2,
                }
            ]
        },
        response_only=True,
        status_codes=["200"],
    )
]
