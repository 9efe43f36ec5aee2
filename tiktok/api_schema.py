"""The OpenAPI schema's shared parts: the error responses of every operation (with
examples) and the links between operations that stateful fuzzing follows.

drf-spectacular builds each operation from its view (request and 2xx bodies, examples in
videos/api/examples.py and social/api_examples.py); ``AutoSchema`` here adds the API's error
responses, all in the one shape of tiktok.api_errors, to each operation that can answer
them, so a client (and schemathesis) sees what a 4xx looks like. ``add_links`` is a
postprocessing hook: OpenAPI links say "the public_id in this answer is the path parameter
of that operation", which lets schemathesis chain POST videos/ → GET/PATCH/DELETE, like,
comment, watch …, the way a real client does.

A missing or bad credential is a 403 (code ``not_authenticated`` or
``authentication_failed``): SessionAuthentication comes first in
DEFAULT_AUTHENTICATION_CLASSES and sends no WWW-Authenticate challenge. The one 401 is a
good credential of a suspended or banned account (code ``account_restricted``).
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import build_examples_list
from drf_spectacular.utils import OpenApiExample
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly


class ApiErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable: invalid, not_found, throttled …")
    message = serializers.CharField(help_text="For people, translated.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Field name → messages; empty when the error is not about fields.",
    )


class ApiErrorSerializer(serializers.Serializer):
    error = ApiErrorBodySerializer()


def _error(name: str, code: str, message: str, fields: dict | None = None) -> OpenApiExample:
    return OpenApiExample(
        name, value={"error": {"code": code, "message": message, "fields": fields or {}}}
    )


INVALID = _error(
    "Invalid fields",
    "invalid",
    "Some fields are not valid.",
    {"caption": ["Ensure this field has no more than 2200 characters."]},
)
BAD_CURSOR = _error(
    "Bad cursor", "invalid", "Some fields are not valid.", {"cursor": ["Invalid cursor."]}
)
NOT_AUTHENTICATED = _error(
    "Not signed in", "not_authenticated", "Authentication credentials were not provided."
)
BAD_TOKEN = _error("Bad token", "authentication_failed", "Invalid token.")
NO_SCOPE = _error(
    "OAuth scope missing",
    "insufficient_scope",
    "This token does not have the “write” scope.",
)
FORBIDDEN = _error(
    "Not allowed", "permission_denied", "You do not have permission to perform this action."
)
RESTRICTED = _error(
    "Account suspended",
    "account_restricted",
    "This account is suspended until 10 December 2026.",
)
NOT_FOUND = _error("Not found", "not_found", "Not found.")
TOO_LARGE = _error("Too large", "too_large", "The file is larger than 100 MB.")
THROTTLED = _error(
    "Throttled", "throttled", "Request was throttled. Expected available in 12 seconds."
)

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's AutoSchema plus the error responses each operation can give."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None or not path.startswith("/api/"):
            return operation
        responses = operation["responses"]
        for status, examples, description in self._errors(operation):
            if status in responses or not examples:
                continue
            response = {
                "description": description,
                "content": {
                    "application/json": {
                        "schema": self._error_schema(),
                        "examples": build_examples_list(examples),
                    }
                },
            }
            if status == "429":
                response["headers"] = {
                    "Retry-After": {
                        "schema": {"type": "integer"},
                        "description": "Seconds to wait before trying again.",
                    }
                }
            responses[status] = response
        return operation

    def _error_schema(self) -> dict:
        component = self.resolve_serializer(ApiErrorSerializer(), "response")
        return component.ref

    def _needs_login(self) -> bool:
        for permission in self.view.get_permissions():
            if isinstance(permission, IsAuthenticated):
                return True
            if isinstance(permission, IsAuthenticatedOrReadOnly) and self.method in UNSAFE:
                return True
        return False

    def _errors(self, operation: dict):
        has_query = any(p.get("in") == "query" for p in operation.get("parameters", []))
        has_path = any(p.get("in") == "path" for p in operation.get("parameters", []))
        body = operation.get("requestBody", {}).get("content", {})
        bad = []
        if body or (self.method in UNSAFE and self.method != "DELETE"):
            bad.append(INVALID)
        if has_query:
            bad.append(BAD_CURSOR)
        yield "400", bad, "The request is not valid."
        restricted = [RESTRICTED] if self.view.get_authenticators() else []
        yield "401", restricted, "The account behind this credential is suspended or banned."
        forbidden = []
        if self.view.get_authenticators():
            if self._needs_login():
                forbidden.append(NOT_AUTHENTICATED)
            forbidden += [BAD_TOKEN, NO_SCOPE]
            if self.method in UNSAFE:
                forbidden.append(FORBIDDEN)
        yield "403", forbidden, "Not signed in, a bad credential, a missing scope or not allowed."
        # A view that looks up what its body names (reports/) says so with openapi_404.
        finds = has_path or getattr(self.view, "openapi_404", False)
        yield "404", [NOT_FOUND] if finds else [], "No such object, or not visible to you."
        uploads = any(media.startswith("multipart/") for media in body)
        yield "413", [TOO_LARGE] if uploads else [], "The upload is too large."
        yield "429", [THROTTLED], "Too many requests: wait Retry-After seconds."


# --- links for stateful fuzzing ----------------------------------------
VIDEO_TARGETS = [
    "v1_videos_retrieve",
    "v1_videos_partial_update",
    "v1_videos_destroy",
    "v1_videos_like_create",
    "v1_videos_like_destroy",
    "v1_videos_comments_list",
    "v1_videos_comments_create",
    "v1_videos_views_create",
    "v1_videos_share_create",
    "v1_videos_duets_list",
    "v1_videos_stitches_list",
    "v1_videos_not_interested_create",
]
COMMENT_TARGETS = ["v1_comments_destroy", "v1_comments_like_create", "v1_comments_like_destroy"]
USER_TARGETS = [
    "v1_users_retrieve",
    "v1_users_videos_list",
    "v1_users_followers_list",
    "v1_users_following_list",
    "v1_users_follow_create",
    "v1_users_follow_destroy",
    "v1_users_block_create",
    "v1_users_block_destroy",
    "v1_users_hide_create",
    "v1_users_hide_destroy",
]
SOUND_TARGETS = [
    "v1_sounds_retrieve",
    "v1_sounds_partial_update",
    "v1_sounds_destroy",
    "v1_sounds_videos_list",
]


def _to(targets: list[str], parameter: str, expression: str) -> list[tuple[str, dict]]:
    return [(target, {"parameters": {parameter: expression}}) for target in targets]


def _video(pointer: str) -> list[tuple[str, dict]]:
    return [
        *_to(VIDEO_TARGETS, "public_id", f"$response.body#{pointer}/public_id"),
        *_to(USER_TARGETS[:2], "username", f"$response.body#{pointer}/author/username"),
    ]


def _comment(pointer: str) -> list[tuple[str, dict]]:
    reply = {
        "parameters": {"public_id": "$request.path.public_id"},
        "requestBody": {"text": "A reply", "parent": f"$response.body#{pointer}/id"},
    }
    return [
        *_to(COMMENT_TARGETS, "public_id", f"$response.body#{pointer}/id"),
        ("v1_videos_comments_create", reply),
    ]


# (operationId, status) → links from that response.
LINKS: dict[tuple[str, str], list[tuple[str, dict]]] = {
    ("v1_videos_create", "201"): _video(""),
    ("v1_videos_retrieve", "200"): _video(""),
    ("v1_videos_partial_update", "200"): _video(""),
    ("v1_videos_list", "200"): _video("/results/0"),
    ("v1_feed_for_you_list", "200"): _video("/results/0"),
    ("v1_feed_following_list", "200"): _video("/results/0"),
    ("v1_users_videos_list", "200"): _video("/results/0"),
    ("v1_videos_comments_create", "201"): _comment(""),
    ("v1_videos_comments_list", "200"): _comment("/results/0"),
    ("v1_me_retrieve", "200"): _to(USER_TARGETS, "username", "$response.body#/username"),
    ("v1_users_retrieve", "200"): _to(USER_TARGETS, "username", "$response.body#/username"),
    ("v1_users_followers_list", "200"): _to(
        USER_TARGETS, "username", "$response.body#/results/0/username"
    ),
    ("v1_challenges_list", "200"): _to(
        ["v1_challenges_retrieve"], "slug", "$response.body#/active/0/slug"
    ),
    ("v1_sounds_create", "201"): _to(SOUND_TARGETS, "public_id", "$response.body#/public_id"),
    ("v1_sounds_retrieve", "200"): _to(SOUND_TARGETS, "public_id", "$response.body#/public_id"),
    ("v1_sounds_list", "200"): _to(
        SOUND_TARGETS, "public_id", "$response.body#/results/0/public_id"
    ),
}


def _link_name(operation_id: str) -> str:
    words = operation_id.removeprefix("v1_").split("_")
    return "".join(word.capitalize() for word in words)


def add_links(result, generator, request, public):
    """POSTPROCESSING_HOOKS entry: OpenAPI links between the operations in LINKS."""
    operations = {
        operation["operationId"]: operation
        for methods in result.get("paths", {}).values()
        for operation in methods.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    for (source, status), links in LINKS.items():
        response = operations.get(source, {}).get("responses", {}).get(status)
        if response is None:
            continue
        for target, link in links:
            if target not in operations:  # an operation renamed or gone: no dangling link
                continue
            name = _link_name(target)
            if "requestBody" in link:
                name += "Reply"
            response.setdefault("links", {})[name] = {"operationId": target, **link}
    return result
