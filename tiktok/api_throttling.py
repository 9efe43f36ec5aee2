"""API throttling: per user (or per anonymous address), per scope.

Every API request falls into one scope: ``auth``, ``upload``, ``comment``, ``like``,
``report``, ``read`` or ``write`` (every other change: follow, edit, delete …). Rates come
from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` (settings, overridable from the
environment); the counters live in the Django cache. Signed-in people are counted by
user id, everyone else by address (``social.lockout.client_ip``, which honours
TRUSTED_PROXY_COUNT). Over the limit the answer is 429 with Retry-After in the API's
error shape (tiktok.api_errors).

A view can name its scope (``throttle_scope = "auth"``); otherwise the scope follows from
the route's name and the method (``SCOPE_BY_ROUTE``), and then from the method alone.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from social.lockout import client_ip

SCOPES = ("auth", "upload", "comment", "like", "read", "write", "report")

# (url name, method) → scope; "*" matches every method of the route.
SCOPE_BY_ROUTE: dict[tuple[str, str], str] = {
    ("api-token", "*"): "auth",
    ("oauth2_provider:token", "*"): "auth",
    ("api-videos", "POST"): "upload",
    ("api-sounds", "POST"): "upload",
    ("api-video-comments", "POST"): "comment",
    ("api-video-like", "POST"): "like",
    ("api-video-like", "DELETE"): "like",
    ("api-comment-like", "POST"): "like",
    ("api-comment-like", "DELETE"): "like",
}

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def request_scope(request, view=None) -> str:
    """The throttle (and OAuth) scope family a request belongs to."""
    named = getattr(view, "throttle_scope", None)
    if named in SCOPES:
        return named
    match = getattr(request, "resolver_match", None)
    name = match.view_name if match is not None else ""
    method = request.method.upper()
    for key in ((name, method), (name, "*")):
        if key in SCOPE_BY_ROUTE:
            return SCOPE_BY_ROUTE[key]
    return "read" if method in SAFE_METHODS else "write"


class ScopedUserRateThrottle(SimpleRateThrottle):
    """ScopedRateThrottle whose scope may be derived from the route, keyed by user or IP."""

    scope_attr = "throttle_scope"

    def __init__(self):  # the rate is only known per request, in allow_request
        pass

    def get_rate(self):
        # Read per request: tests (and override_settings) change the rates at run time.
        rates = api_settings.DEFAULT_THROTTLE_RATES
        if self.anonymous and f"{self.scope}_anon" in rates:
            return rates[f"{self.scope}_anon"]
        return rates.get(self.scope)

    def allow_request(self, request, view):
        self.scope = request_scope(request, view)
        user = getattr(request, "user", None)
        self.anonymous = user is None or not user.is_authenticated
        self.rate = self.get_rate()
        if self.rate is None:  # a scope without a rate is not throttled
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_ident(self, request):
        return client_ip(request) or super().get_ident(request)

    def get_cache_key(self, request, view):
        ident = f"ip:{self.get_ident(request)}" if self.anonymous else f"user:{request.user.pk}"
        # Tests give every test its own prefix, so counts never add up across tests.
        prefix = getattr(settings, "API_THROTTLE_KEY_PREFIX", "throttle")
        return f"{prefix}:{self.scope}:{ident}"
