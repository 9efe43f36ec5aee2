"""Webhooks for OAuth2 apps: registration, SSRF-safe signed delivery, the delivery log.

An app (an oauth2_provider Application) registers https URLs. Events on the videos of the
app's owner and of everyone who authorized the app (video.ready, video.failed,
comment.created) are POSTed to them as JSON, signed:

    X-Repeater-Event: video.ready
    X-Repeater-Delivery: <id, the same on every attempt of one event>
    X-Repeater-Timestamp: <unix seconds, also in the body as "timestamp">
    X-Repeater-Signature: sha256=<hex HMAC-SHA256 of the raw body with the webhook's secret>

Outside DEBUG the URL must be https and its host must resolve only to public addresses:
private, loopback, link-local, multicast, reserved and unspecified addresses are refused,
when registering and on every delivery, redirects included (each hop is resolved and
checked, and the connection goes to the checked address, so DNS cannot change between
check and use). A Celery task delivers with retries and exponential backoff; every
attempt is a WebhookDelivery row the app's owner sees at /settings/apps/.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import secrets
import socket
import ssl
import time
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Webhook, WebhookDelivery

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Repeater-Signature"
TIMESTAMP_HEADER = "X-Repeater-Timestamp"
EVENT_HEADER = "X-Repeater-Event"
DELIVERY_HEADER = "X-Repeater-Delivery"
MAX_REDIRECTS = 3
TIMEOUT_SECONDS = 10
MAX_WEBHOOKS_PER_APP = 5
REDIRECT_CODES = {301, 302, 303, 307, 308}


class UnsafeURL(ValueError):
    """The URL may not be called: wrong scheme, or a host with a non-public address."""


# --- signing ------------------------------------------------------------------------------
def signature(*, secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_verify(*, secret: str, body: bytes, header: str) -> bool:
    """What a receiver does: recompute over the raw body, compare in constant time."""
    return hmac.compare_digest(signature(secret=secret, body=body), header or "")


# --- SSRF guard ---------------------------------------------------------------------------
def address_is_public(ip: str) -> bool:
    address = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def url_resolve_checked(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, address to connect to) for a URL we may call; else UnsafeURL.

    Every address the host resolves to must be public (outside DEBUG): a name with one
    public and one private address is refused, not tried on the public one."""
    parts = urlsplit(url)
    scheme = (parts.scheme or "").lower()
    allowed = {"https", "http"} if settings.DEBUG else {"https"}
    if scheme not in allowed:
        raise UnsafeURL(_("The URL must start with https://."))
    host = parts.hostname
    if not host:
        raise UnsafeURL(_("The URL has no host."))
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise UnsafeURL(_("The URL's port is not valid.")) from None
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise UnsafeURL(_("The URL's host cannot be resolved.")) from None
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise UnsafeURL(_("The URL's host cannot be resolved."))
    if not settings.DEBUG and not all(address_is_public(ip) for ip in addresses):
        raise UnsafeURL(
            _("The URL points to a private, loopback or link-local address; use a public one.")
        )
    return scheme, host, port, addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, *, address, **kwargs):
        super().__init__(host, port, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, *, address, **kwargs):
        super().__init__(host, port, context=ssl.create_default_context(), **kwargs)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post_checked(url: str, *, body: bytes, headers: dict[str, str]) -> int:
    """POST body to url, following at most MAX_REDIRECTS redirects, each hop checked."""
    for _hop in range(MAX_REDIRECTS + 1):
        scheme, host, port, address = url_resolve_checked(url)
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        cls = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
        conn = cls(host, port, address=address, timeout=TIMEOUT_SECONDS)
        try:
            conn.request("POST", target, body=body, headers=headers)
            response = conn.getresponse()
            response.read(64 * 1024)
            location = response.getheader("Location")
            status = response.status
        finally:
            conn.close()
        if status in REDIRECT_CODES and location:
            url = urljoin(url, location)
            continue
        return status
    raise UnsafeURL(_("Too many redirects."))


# --- registration -------------------------------------------------------------------------
def webhook_create(*, application, user, url: str) -> Webhook:
    if application.user_id != user.pk:
        raise ValidationError(_("Only the app's owner can add webhooks."))
    url = (url or "").strip()
    if len(url) > 500:
        raise ValidationError({"url": _("The URL is too long.")})
    try:
        url_resolve_checked(url)
    except UnsafeURL as exc:
        raise ValidationError({"url": str(exc)}) from None
    if application.webhooks.count() >= MAX_WEBHOOKS_PER_APP:
        raise ValidationError({"url": _("An app can have at most 5 webhooks.")})
    try:
        with transaction.atomic():
            return Webhook.objects.create(application=application, url=url)
    except IntegrityError:
        raise ValidationError({"url": _("This app already has that webhook.")}) from None


def webhook_delete(*, webhook: Webhook, user) -> None:
    if webhook.application.user_id != user.pk:
        raise ValidationError(_("Only the app's owner can remove webhooks."))
    webhook.delete()


# --- events -------------------------------------------------------------------------------
def webhooks_for_user(user_id: int):
    """Active webhooks of apps owned or authorized (a live access token) by the user."""
    from oauth2_provider.models import get_access_token_model

    authorized = (
        get_access_token_model()
        .objects.filter(user_id=user_id, expires__gt=timezone.now())
        .values("application_id")
    )
    return Webhook.objects.filter(is_active=True).filter(
        Q(application__user_id=user_id) | Q(application_id__in=authorized)
    )


def webhooks_dispatch(*, event: str, user_id: int, data: dict) -> int:
    """Queue one signed delivery per interested webhook (call after the commit)."""
    from .tasks import webhook_deliver_task

    hooks = list(webhooks_for_user(user_id).values_list("pk", flat=True))
    for webhook_id in hooks:
        now = int(time.time())
        body = json.dumps(
            {
                "id": secrets.token_hex(16),
                "event": event,
                "timestamp": now,
                "created": timezone.now().isoformat(),
                "data": data,
            },
            separators=(",", ":"),
            sort_keys=True,
        )
        webhook_deliver_task.delay(webhook_id, body)
    return len(hooks)


def _video_data(video) -> dict:
    return {
        "video": {
            "public_id": video.public_id,
            "author": video.author.username,
            "status": video.status,
            "caption": video.caption,
            "failure_reason": video.failure_reason,
            "api_url": f"/api/v1/videos/{video.public_id}/",
        }
    }


def video_processed_on_commit(video) -> None:
    """video.ready or video.failed, once the status change is committed."""
    if not webhooks_for_user(video.author_id).exists():
        return  # the common case: nobody listens, nothing to queue
    event = "video.ready" if video.status == "ready" else "video.failed"
    data = _video_data(video)
    author_id = video.author_id
    transaction.on_commit(
        lambda: webhooks_dispatch(event=event, user_id=author_id, data=data), robust=True
    )


def comment_created_on_commit(comment, video) -> None:
    if not webhooks_for_user(video.author_id).exists():
        return
    data = {
        "comment": {
            "public_id": comment.public_id,
            "author": comment.author.username,
            "text": comment.text,
            "created_at": comment.created_at.isoformat(),
        },
        "video": {"public_id": video.public_id},
    }
    author_id = video.author_id
    transaction.on_commit(
        lambda: webhooks_dispatch(event="comment.created", user_id=author_id, data=data),
        robust=True,
    )


# --- delivery -----------------------------------------------------------------------------
def webhook_deliver(*, webhook_id: int, body: str, attempt: int) -> bool | None:
    """One attempt: POST, record it in the log. True delivered, False failed (retry),
    None when there is nothing to do (webhook gone or switched off)."""
    webhook = Webhook.objects.filter(pk=webhook_id, is_active=True).first()
    if webhook is None:
        return None
    raw = body.encode()
    payload = json.loads(body)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"{settings.SITE_NAME}-Webhooks/1.0",
        EVENT_HEADER: payload["event"],
        DELIVERY_HEADER: payload["id"],
        TIMESTAMP_HEADER: str(payload["timestamp"]),
        SIGNATURE_HEADER: signature(secret=webhook.secret, body=raw),
    }
    status_code, error = None, ""
    try:
        status_code = post_checked(webhook.url, body=raw, headers=headers)
        if not 200 <= status_code < 300:
            error = _("The receiver answered %(status)s.") % {"status": status_code}
    except UnsafeURL as exc:
        error = str(exc)
    except (OSError, http.client.HTTPException) as exc:
        error = f"{type(exc).__name__}: {exc}"[:300]
    WebhookDelivery.objects.create(
        webhook=webhook,
        event=payload["event"],
        delivery_id=payload["id"],
        attempt=attempt,
        status_code=status_code,
        error=error[:300],
        succeeded=not error,
    )
    return not error
