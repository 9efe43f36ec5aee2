"""Content-Security-Policy with nonces on every page (the admin too), and production settings
that pass `manage.py check --deploy --fail-level WARNING`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE | re.DOTALL)
NONCE_ATTR = re.compile(r'\snonce="([^"]*)"')
# A long random literal: check --deploy wants 50+ characters with 5+ distinct ones.
DEPLOY_SECRET = "k3Vq8sZr1Xw6Tn0Lp5Hy9Bd2Mf7Gc4Ja8Ue1Rt6Wo3Ni0Sl5Ek9Dx2Pq7Yb4Hz1Cv"
DEPLOY_ENV = {"DEBUG": "false", "SECRET_KEY": DEPLOY_SECRET, "ALLOWED_HOSTS": "example.org"}


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def nonce_of(response) -> str:
    sources = policy(response)["script-src"]
    nonces = [s for s in sources if s.startswith("'nonce-")]
    assert len(nonces) == 1, sources
    return nonces[0][len("'nonce-") : -1]


def scripts(response) -> list[str]:
    return SCRIPT_TAG.findall(response.content.decode())


def assert_every_script_has_the_nonce(response) -> None:
    nonce = nonce_of(response)
    tags = scripts(response)
    assert tags, "expected the page to load at least one script"
    for tag in tags:
        found = NONCE_ATTR.search(tag)
        assert found and found.group(1) == nonce, tag


@pytest.fixture
def admin_user(user_factory):
    return user_factory(is_staff=True, is_superuser=True)


# --- the policy -------------------------------------------------------------------------
def test_policy_directives(client):
    response = client.get("/")
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"][0] == "'self'"
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert directives["style-src"] == ["'self'", "'unsafe-inline'"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["media-src"] == ["'self'"]
    assert directives["connect-src"][0] == "'self'"
    assert all(src.startswith(("wss://", "ws://")) for src in directives["connect-src"][1:])
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/signup/"])
def test_public_pages_carry_a_nonce_on_every_script(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert_every_script_has_the_nonce(response)


def test_signed_in_pages_carry_a_nonce_on_every_script(client, user, video_factory):
    video = video_factory(author=user)
    client.force_login(user)
    for path in (
        "/",
        "/upload/",
        "/settings/",
        "/settings/export/",
        "/settings/delete/",
        "/notifications/",
        "/following/",
        f"/@{user.username}/",
        video.get_absolute_url(),
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_every_script_has_the_nonce(response)
    # The upload page's own module and the live updates are among them.
    page = client.get("/upload/").content.decode()
    assert "js/upload.js" in page and "js/live.js" in page


def test_every_response_has_its_own_nonce(client):
    assert nonce_of(client.get("/")) != nonce_of(client.get("/"))


def test_error_pages_have_the_policy(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert_every_script_has_the_nonce(response)


def test_every_script_tag_in_our_templates_uses_the_nonce():
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for tag in SCRIPT_TAG.findall(path.read_text()):
            assert 'nonce="{{ request.csp_nonce }}"' in tag, f"{path}: {tag}"
    # No inline event handlers either (a nonce cannot cover them).
    handler = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
    for path in sorted((ROOT / "templates").rglob("*.html")):
        assert not handler.search(path.read_text()), path


# --- the admin keeps working under the policy ---------------------------------------------
def test_admin_login_page_has_a_nonce_on_every_script(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert_every_script_has_the_nonce(response)
    assert "admin/js/theme.js" in response.content.decode()


def test_admin_pages_work_under_the_policy(client, admin_user, user, video_factory):
    video = video_factory(author=user)
    client.force_login(admin_user)
    for path in (
        "/admin/",
        "/admin/social/user/",
        f"/admin/social/user/{user.pk}/change/",
        "/admin/social/user/add/",
        "/admin/videos/video/",
        f"/admin/videos/video/{video.pk}/change/",
        "/admin/jsi18n/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        if path.endswith("jsi18n/"):
            continue
        nonce = nonce_of(response)
        for tag in scripts(response):
            # Django's admin has no inline scripts: each one is a file from our own origin
            # ('self'); those in the shared base template carry the nonce as well.
            src = re.search(r'\ssrc="([^"]+)"', tag)
            assert src, f"inline script on {path}: {tag}"
            assert src.group(1).startswith(("/static/", "/admin/")), tag
            found = NONCE_ATTR.search(tag)
            assert found is None or found.group(1) == nonce


def test_api_docs_have_no_inline_script(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    nonce_header = response["Content-Security-Policy"]
    assert "script-src 'self'" in nonce_header
    for tag in scripts(response):
        assert ' src="' in tag, tag
    init = client.get("/api/docs/?script=")
    assert init.status_code == 200
    assert "SwaggerUIBundle" in init.content.decode()
    redoc = client.get("/api/redoc/")
    assert redoc.status_code == 200
    assert policy(redoc)["worker-src"] == ["'self'", "blob:"]
    assert "worker-src" not in policy(client.get("/"))


def test_bucket_media_origins_are_allowed_when_configured():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "d = settings.CONTENT_SECURITY_POLICY['DIRECTIVES']; "
        "print(' '.join(d['img-src'])); print(' '.join(d['media-src']))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tiktok.settings",
        "AWS_STORAGE_BUCKET_NAME": "clips",
        "AWS_S3_CUSTOM_DOMAIN": "cdn.example.org",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out == ["'self' data: https://cdn.example.org", "'self' https://cdn.example.org"]
    env.pop("AWS_S3_CUSTOM_DOMAIN")
    env["AWS_S3_ENDPOINT_URL"] = "https://s3.example.net"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out[1] == "'self' https://s3.example.net https://clips.s3.example.net"


# --- production settings ------------------------------------------------------------------
def deploy_env(**extra) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        # The e2e conftest sets DJANGO_ALLOW_ASYNC_UNSAFE for this process: not production.
        if key
        not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return {**env, **DEPLOY_ENV, **extra}


def test_check_deploy_passes_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=deploy_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_on_a_weak_secret_key():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=deploy_env(SECRET_KEY="too-short"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = deploy_env()
    env.pop("SECRET_KEY")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr
