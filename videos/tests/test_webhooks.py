"""Webhooks: signatures, the SSRF guard, real deliveries to a local receiver, retries."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.exceptions import ValidationError

from videos import webhooks
from videos.developer import oauth_app_create
from videos.engagement import comment_create
from videos.models import Webhook, WebhookDelivery
from videos.tasks import WEBHOOK_MAX_ATTEMPTS, webhook_backoff


@pytest.fixture
def app(user_factory):
    app, _secret = oauth_app_create(
        user=user_factory(),
        name="Hooks",
        redirect_uris="https://a.example/cb",
        client_type="public",
    )
    return app


class Receiver:
    """A tiny HTTP server on 127.0.0.1 that records what it gets and answers `status`."""

    def __init__(self, status: int = 200, redirect_to: str | None = None):
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                outer.requests.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": self.rfile.read(length),
                    }
                )
                if redirect_to:
                    self.send_response(307)
                    self.send_header("Location", redirect_to)
                else:
                    self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


# --- signing ------------------------------------------------------------------------------
def test_signature_verification():
    body = b'{"event":"video.ready"}'
    header = webhooks.signature(secret="s3cret", body=body)
    expected = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert header == f"sha256={expected}"
    assert webhooks.signature_verify(secret="s3cret", body=body, header=header)
    assert not webhooks.signature_verify(secret="other", body=body, header=header)
    assert not webhooks.signature_verify(secret="s3cret", body=body + b" ", header=header)
    assert not webhooks.signature_verify(secret="s3cret", body=body, header="")


# --- SSRF guard ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[fe80::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://0.0.0.0/hook",
        "https://localhost/hook",
        "http://93.184.216.34/hook",  # plain http outside DEBUG
        "ftp://example.org/hook",
    ],
)
def test_unsafe_urls_refused(url, settings, app):
    settings.DEBUG = False
    with pytest.raises(webhooks.UnsafeURL):
        webhooks.url_resolve_checked(url)
    with pytest.raises(ValidationError):
        webhooks.webhook_create(application=app, user=app.user, url=url)
    assert not Webhook.objects.exists()


def test_hostname_resolving_to_loopback_refused(settings, monkeypatch):
    settings.DEBUG = False

    def fake_getaddrinfo(host, port, *args, **kwargs):
        assert host == "sneaky.example.org"
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    with pytest.raises(webhooks.UnsafeURL):
        webhooks.url_resolve_checked("https://sneaky.example.org/hook")


def test_public_address_accepted(settings, monkeypatch):
    settings.DEBUG = False
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, port, *a, **k: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))
        ],
    )
    assert webhooks.url_resolve_checked("https://hooks.example.org/x") == (
        "https",
        "hooks.example.org",
        443,
        "93.184.216.34",
    )


def test_redirect_to_loopback_not_followed(settings, app, monkeypatch):
    """The first hop is allowed (patched as public), its redirect to 127.0.0.1 is not."""
    with Receiver(redirect_to="https://127.0.0.1:9/internal") as receiver:
        settings.DEBUG = True
        hook = webhooks.webhook_create(application=app, user=app.user, url=receiver.url)
        settings.DEBUG = False
        real = webhooks.url_resolve_checked

        def first_hop_public(url):
            if url == receiver.url:  # stands in for a public server that redirects
                port = int(url.split(":")[2].split("/")[0])
                return "http", "127.0.0.1", port, "127.0.0.1"
            return real(url)

        monkeypatch.setattr(webhooks, "url_resolve_checked", first_hop_public)
        body = json.dumps({"id": "d1", "event": "video.ready", "timestamp": 1, "data": {}})
        assert webhooks.webhook_deliver(webhook_id=hook.pk, body=body, attempt=1) is False
        assert len(receiver.requests) == 1
    delivery = WebhookDelivery.objects.get()
    assert not delivery.succeeded
    assert "private" in delivery.error


# --- deliveries ---------------------------------------------------------------------------
def test_real_delivery_signed(
    settings, app, user_factory, video_factory, django_capture_on_commit_callbacks
):
    settings.DEBUG = True  # loopback receivers are allowed only in DEBUG
    with Receiver() as receiver:
        hook = webhooks.webhook_create(application=app, user=app.user, url=receiver.url)
        video = video_factory(author=app.user)
        with django_capture_on_commit_callbacks(execute=True):
            comment_create(user=user_factory(), video=video, text="Lovely!")
        assert len(receiver.requests) == 1
    request = receiver.requests[0]
    raw = request["body"]
    headers = request["headers"]
    assert request["path"] == "/hook"
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Repeater-Event"] == "comment.created"
    expected = "sha256=" + hmac.new(hook.secret.encode(), raw, hashlib.sha256).hexdigest()
    assert headers["X-Repeater-Signature"] == expected
    payload = json.loads(raw)
    assert payload["event"] == "comment.created"
    assert str(payload["timestamp"]) == headers["X-Repeater-Timestamp"]
    assert payload["id"] == headers["X-Repeater-Delivery"]
    assert payload["data"]["video"]["public_id"] == video.public_id
    assert payload["data"]["comment"]["text"] == "Lovely!"
    delivery = WebhookDelivery.objects.get()
    assert (delivery.succeeded, delivery.status_code, delivery.attempt) == (True, 200, 1)


def test_video_events_reach_authorized_apps_only(settings, app, user_factory):
    import datetime

    from django.utils import timezone
    from oauth2_provider.models import AccessToken

    settings.DEBUG = True
    viewer = user_factory()
    stranger = user_factory()
    AccessToken.objects.create(
        user=viewer,
        application=app,
        token="t-" + "x" * 20,
        scope="read",
        expires=timezone.now() + datetime.timedelta(hours=1),
    )
    Webhook.objects.create(application=app, url="http://127.0.0.1:9/x")
    assert list(webhooks.webhooks_for_user(viewer.pk)) == list(Webhook.objects.all())
    assert list(webhooks.webhooks_for_user(app.user_id)) == list(Webhook.objects.all())
    assert list(webhooks.webhooks_for_user(stranger.pk)) == []


def test_video_ready_event(settings, app, monkeypatch, django_capture_on_commit_callbacks):
    from videos.services import video_process

    settings.DEBUG = True
    sent = []
    monkeypatch.setattr(webhooks, "webhooks_dispatch", lambda **kw: sent.append(kw) or 1)
    from videos.models import Video

    Webhook.objects.create(application=app, url="http://127.0.0.1:9/x")
    video = Video.objects.create(author=app.user, caption="x", status=Video.Status.PROCESSING)
    with django_capture_on_commit_callbacks(execute=True):
        video_process(video_id=video.pk)  # no original file: it fails
    assert [s["event"] for s in sent] == ["video.failed"]
    assert sent[0]["user_id"] == app.user_id
    assert sent[0]["data"]["video"]["public_id"] == video.public_id


def test_failing_receiver_retried_with_log(
    settings, app, user_factory, video_factory, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    with Receiver(status=500) as receiver:
        webhooks.webhook_create(application=app, user=app.user, url=receiver.url)
        video = video_factory(author=app.user)
        with django_capture_on_commit_callbacks(execute=True):
            comment_create(user=user_factory(), video=video, text="hello")
        assert len(receiver.requests) == WEBHOOK_MAX_ATTEMPTS
    log = list(WebhookDelivery.objects.order_by("attempt"))
    assert [d.attempt for d in log] == list(range(1, WEBHOOK_MAX_ATTEMPTS + 1))
    assert all(d.status_code == 500 and not d.succeeded and d.error for d in log)
    assert len({d.delivery_id for d in log}) == 1
    # The same signed body every time.
    assert len({r["body"] for r in receiver.requests}) == 1
    assert [webhook_backoff(n) for n in range(4)] == [30, 120, 480, 1920]


def test_unreachable_receiver_logged(settings, app):
    settings.DEBUG = True
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    hook = Webhook.objects.create(application=app, url=f"http://127.0.0.1:{port}/x")
    body = json.dumps({"id": "d", "event": "video.ready", "timestamp": 1, "data": {}})
    assert webhooks.webhook_deliver(webhook_id=hook.pk, body=body, attempt=2) is False
    delivery = WebhookDelivery.objects.get()
    assert delivery.status_code is None
    assert "ConnectionRefused" in delivery.error


def test_delivery_log_visible_to_owner_only(client, settings, app, user_factory):
    settings.DEBUG = True
    hook = Webhook.objects.create(application=app, url="http://127.0.0.1:9/x")
    WebhookDelivery.objects.create(
        webhook=hook,
        event="video.ready",
        delivery_id="abc",
        attempt=3,
        status_code=502,
        error="The receiver answered 502.",
    )
    client.force_login(app.user)
    html = client.get("/settings/apps/").content.decode()
    assert "The receiver answered 502." in html
    assert hook.secret in html
    client.force_login(user_factory())
    other = client.get("/settings/apps/").content.decode()
    assert hook.secret not in other and "502" not in other
    assert client.post(f"/settings/apps/webhooks/{hook.pk}/delete/").status_code == 404


def test_webhook_form(client, settings, app):
    settings.DEBUG = False
    client.force_login(app.user)
    bad = client.post(f"/settings/apps/{app.client_id}/webhooks/", {"url": "https://10.0.0.1/x"})
    assert bad.status_code == 400
    assert "private" in bad.content.decode()
    assert not Webhook.objects.exists()
