"""The OpenAPI schema documents every operation fully: a 2xx body with a schema, examples
for each JSON request body and each 2xx JSON response, the API's error responses, and
examples that match their schemas. New endpoints must bring their examples
(videos/api/examples.py, social/api_examples.py); the failure names what is missing.
"""

from __future__ import annotations

import copy
from datetime import datetime
from urllib.parse import urlsplit

import pytest
from drf_spectacular.generators import SchemaGenerator
from jsonschema import Draft202012Validator, FormatChecker
from rest_framework.test import APIClient

from tiktok import api_schema

JSON = "application/json"
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if method in METHODS:
                yield f"{method.upper()} {path} ({operation['operationId']})", operation


def _json_schema(node):
    """OpenAPI 3.0 schema → JSON Schema: `nullable` becomes a "null" type."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        if "type" in node and not any(k in node for k in ("allOf", "oneOf", "anyOf", "$ref")):
            node["type"] = [node["type"], "null"]
            if "enum" in node:
                node["enum"] = [*node["enum"], None]
        else:
            return {"anyOf": [node, {"type": "null"}]}
    return node


FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value) -> bool:
    if not isinstance(value, str):
        return True
    parsed = datetime.fromisoformat(value)
    return parsed.tzinfo is not None  # the API promises times with a zone


@FORMATS.checks("uri", raises=ValueError)
def _uri(value) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def validator(schema, node) -> Draft202012Validator:
    root = {**_json_schema(copy.deepcopy(node)), "components": _json_schema(schema["components"])}
    return Draft202012Validator(root, format_checker=FORMATS)


def example_errors(schema, name: str, media: dict) -> list[str]:
    problems = []
    check = validator(schema, media.get("schema", {}))
    for example_name, example in media.get("examples", {}).items():
        try:
            errors = list(check.iter_errors(example.get("value")))
        except Exception as exc:
            problems.append(f"{name}: schema cannot be checked: {str(exc)[:200]}")
            continue
        for error in errors:
            where = "/".join(str(part) for part in error.absolute_path) or "(root)"
            problems.append(f"{name}: example {example_name!r} at {where}: {error.message}")
    return problems


def test_every_operation_has_bodies_and_examples_that_match(schema):
    problems: list[str] = []
    count = 0
    for name, operation in operations(schema):
        count += 1
        responses = operation.get("responses", {})
        ok = {code: r for code, r in responses.items() if code.startswith("2")}
        if not ok:
            problems.append(f"{name}: no 2xx response")
        for code, response in ok.items():
            content = response.get("content", {})
            if code == "204":
                if content:
                    problems.append(f"{name}: 204 has a body")
                continue
            if JSON not in content:
                problems.append(f"{name}: {code} response has no application/json body")
                continue
            media = content[JSON]
            if not media.get("schema"):
                problems.append(f"{name}: {code} response has no schema")
            if not media.get("examples"):
                problems.append(f"{name}: {code} response has no examples")
            problems += example_errors(schema, f"{name} {code} response", media)
        for media_type, media in operation.get("requestBody", {}).get("content", {}).items():
            if media_type == JSON and not media.get("examples"):
                problems.append(f"{name}: JSON request body has no examples")
            if media_type in {JSON, "multipart/form-data"}:
                problems += example_errors(schema, f"{name} {media_type} request", media)
        for code, response in responses.items():
            if code >= "400":
                media = response.get("content", {}).get(JSON)
                if media is None or not media.get("examples"):
                    problems.append(f"{name}: {code} response has no JSON example")
                else:
                    problems += example_errors(schema, f"{name} {code} response", media)
        if "429" not in responses:
            problems.append(f"{name}: no 429 (throttled) response")
        has_path = any(p["in"] == "path" for p in operation.get("parameters", []))
        if has_path and "404" not in responses:
            problems.append(f"{name}: has a path parameter but no 404 response")
    assert count >= 40, f"only {count} operations in the schema"
    assert not problems, "Schema problems:\n" + "\n".join(problems)


def test_the_check_catches_a_wrong_example(schema):
    """The validation above can fail: an example that breaks its schema is reported."""
    media = copy.deepcopy(
        schema["paths"]["/api/v1/videos/{public_id}/"]["get"]["responses"]["200"]["content"][JSON]
    )
    [example] = media["examples"].values()
    example["value"]["likes"] = "many"
    example["value"]["created_at"] = "yesterday"
    del example["value"]["public_id"]
    problems = "\n".join(example_errors(schema, "GET video", media))
    assert "'many' is not of type 'integer'" in problems
    assert "'yesterday' is not a 'date-time'" in problems
    assert "'public_id' is a required property" in problems


def test_error_responses_use_the_one_error_shape(schema):
    error = schema["components"]["schemas"]["ApiError"]
    assert error["required"] == ["error"]
    body = schema["components"]["schemas"]["ApiErrorBody"]
    assert set(body["required"]) == {"code", "message", "fields"}
    like = schema["paths"]["/api/v1/videos/{public_id}/like/"]["post"]["responses"]
    assert set(like) == {"200", "400", "401", "403", "404", "429"}
    assert like["429"]["headers"]["Retry-After"]["schema"] == {"type": "integer"}
    examples = like["403"]["content"][JSON]["examples"]
    assert {e["value"]["error"]["code"] for e in examples.values()} == {
        "not_authenticated",
        "authentication_failed",
        "insufficient_scope",
        "permission_denied",
    }
    # auth/token/ takes no credentials: no 403 documented; uploads can be too large.
    assert "403" not in schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    assert "413" in schema["paths"]["/api/v1/videos/"]["post"]["responses"]
    # DELETEs that answer with a body say so (not drf-spectacular's default 204).
    unlike = schema["paths"]["/api/v1/videos/{public_id}/like/"]["delete"]["responses"]
    assert "204" not in unlike and "200" in unlike


def test_documented_403_for_missing_credentials(db):
    """Missing or bad credentials are a 403 (401 is only for restricted accounts)."""
    anonymous = APIClient().get("/api/v1/me/")
    assert anonymous.status_code == 403
    assert anonymous.json()["error"]["code"] == "not_authenticated"
    bad = APIClient(HTTP_AUTHORIZATION="Token not-a-token").get("/api/v1/me/")
    assert bad.status_code == 403
    assert bad.json()["error"]["code"] == "authentication_failed"


def test_links_point_at_existing_operations(schema):
    ids = {op["operationId"] for _name, op in operations(schema)}
    links = {
        (op["operationId"], code, link_name): link
        for _name, op in operations(schema)
        for code, response in op["responses"].items()
        for link_name, link in response.get("links", {}).items()
    }
    assert len(links) >= 60
    for key, link in links.items():
        assert link["operationId"] in ids, key
    create = links[("v1_videos_create", "201", "VideosRetrieve")]
    assert create["parameters"] == {"public_id": "$response.body#/public_id"}
    assert ("v1_videos_create", "201", "VideosPartialUpdate") in links
    assert ("v1_videos_create", "201", "VideosDestroy") in links
    assert ("v1_videos_create", "201", "VideosLikeCreate") in links
    assert ("v1_videos_create", "201", "VideosViewsCreate") in links
    reply = links[("v1_videos_comments_create", "201", "VideosCommentsCreateReply")]
    assert reply["requestBody"]["parent"] == "$response.body#/id"
    me = links[("v1_me_retrieve", "200", "UsersRetrieve")]
    assert me["parameters"] == {"username": "$response.body#/username"}
    # Every link's path parameter is one the target operation has.
    by_id = {op["operationId"]: op for _name, op in operations(schema)}
    for key, link in links.items():
        params = {p["name"] for p in by_id[link["operationId"]].get("parameters", [])}
        assert set(link.get("parameters", {})) <= params, key


def test_add_links_skips_missing_targets():
    result = {
        "paths": {
            "/x/": {"post": {"operationId": "v1_videos_create", "responses": {"201": {}}}},
            "/x/{public_id}/": {
                "get": {"operationId": "v1_videos_retrieve", "responses": {"200": {}}}
            },
        }
    }
    api_schema.add_links(result, None, None, True)
    links = result["paths"]["/x/"]["post"]["responses"]["201"]["links"]
    assert set(links) == {"VideosRetrieve"}


def test_unknown_api_paths_answer_the_documented_json_404(client, settings):
    settings.DEBUG = True  # the e2e server runs with DEBUG, whose own 404 page is HTML
    for path in ("/api/v1/nothing-here/", "/api/v1/videos/a/b/c/", "/api/v2/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json() == {
            "error": {"code": "not_found", "message": "Not found.", "fields": {}}
        }
    # A known path without its slash is still redirected, as before the catch-all.
    response = client.get("/api/v1/videos?author=maya")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/videos/?author=maya"
    # The schema and docs stay reachable.
    assert client.get("/api/schema/").status_code == 200


def test_documented_oauth_scopes_are_the_enforced_ones(schema, user_factory):
    """Each operation names its OAuth scope in `security`; a token without that scope is
    refused (403 insufficient_scope) and a token with only that scope is not."""
    import datetime
    import re
    import secrets

    from django.core.cache import cache
    from django.utils import timezone
    from oauth2_provider.models import AccessToken, get_application_model

    cache.clear()
    user = user_factory()
    app = get_application_model().objects.create(
        name="Scope check",
        user=user,
        client_type="public",
        authorization_grant_type="authorization-code",
        redirect_uris="https://app.example.org/cb",
    )

    def client_with(scope: str) -> APIClient:
        token = AccessToken.objects.create(
            user=user,
            application=app,
            token=secrets.token_urlsafe(24),
            scope=scope,
            expires=timezone.now() + datetime.timedelta(hours=1),
        )
        return APIClient(HTTP_AUTHORIZATION=f"Bearer {token.token}")

    clients = {scope: client_with(scope) for scope in ("read", "write", "upload")}
    checked = 0
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if method not in METHODS:
                continue
            scopes = [r["oauth2"] for r in operation.get("security", []) if "oauth2" in r]
            if not scopes:
                continue
            [[needed]] = scopes
            url = re.sub(r"\{[^}]+\}", "nothing0here", path)
            for scope, client in clients.items():
                response = getattr(client, method)(url, format="json")
                refused = (
                    response.status_code == 403
                    and response.json()["error"]["code"] == "insufficient_scope"
                )
                assert refused == (scope != needed), (method.upper(), path, scope, needed)
            checked += 1
            cache.clear()  # the read throttle must not end the walk
    assert checked >= 40
