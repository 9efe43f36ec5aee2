"""OAuth 2.0 (django-oauth-toolkit) for the API: bearer tokens limited to their scopes.

Scopes: ``read`` (every GET), ``write`` (likes, comments, follows, edits, deletions and
every other change) and ``upload`` (POST videos/ and sounds/). Only OAuth2 tokens are
limited; a browser session and our own ``Token`` keep full access. The check runs right
after the bearer token is accepted, so it holds for every API view that accepts OAuth2,
whatever its own permission classes are.
"""

from __future__ import annotations

import math

from django.http import JsonResponse
from django.utils.translation import gettext as _
from oauth2_provider import views as oauth_views
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from rest_framework import exceptions

from social.restrictions import raise_if_restricted

from .api_throttling import ScopedUserRateThrottle, request_scope


def required_oauth_scope(request, view=None) -> str:
    """The OAuth scope a request needs: read, write or upload."""
    if request.method.upper() in {"GET", "HEAD", "OPTIONS"}:
        return "read"
    return "upload" if request_scope(request, view) == "upload" else "write"


class InsufficientScope(exceptions.PermissionDenied):
    default_code = "insufficient_scope"


class ScopedOAuth2Authentication(OAuth2Authentication):
    """OAuth2 bearer tokens, refused (403) for requests outside the token's scopes."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, token = result
        # A suspended or banned account's tokens are refused (401, with the reason).
        raise_if_restricted(user)
        scope = required_oauth_scope(request)
        if not token.allow_scopes([scope]):
            raise InsufficientScope(
                _("This token does not have the “%(scope)s” scope.") % {"scope": scope}
            )
        return result


class AuthThrottleMixin:
    """django-oauth-toolkit's endpoints are plain Django views, outside DRF's throttling:
    without this, /o/token/ would let anyone guess client secrets, codes and refresh tokens
    as fast as they like. The same "auth" scope and counters as POST api/v1/auth/token/
    (per address, or per signed-in person); over the limit a 429 with Retry-After, in the
    OAuth 2.0 error format the clients of these endpoints parse."""

    throttle_scope = "auth"

    def post(self, request, *args, **kwargs):
        throttle = ScopedUserRateThrottle()
        if not throttle.allow_request(request, self):
            wait = max(1, math.ceil(throttle.wait() or 1))
            body = {
                "error": "throttled",
                "error_description": _(
                    "Request was throttled. Expected available in %(wait)d seconds."
                )
                % {"wait": wait},
            }
            response = JsonResponse(body, status=429)
            response["Retry-After"] = str(wait)
            response["Cache-Control"] = "no-store"
            return response
        return super().post(request, *args, **kwargs)


class ThrottledTokenView(AuthThrottleMixin, oauth_views.TokenView):
    """POST /o/token/: code, refresh and other grants, throttled in the "auth" scope."""


class ThrottledRevokeTokenView(AuthThrottleMixin, oauth_views.RevokeTokenView):
    """POST /o/revoke_token/, throttled in the "auth" scope."""


try:  # the schema names OAuth2 (authorization code) as a way in, with its scopes
    from drf_spectacular.contrib.django_oauth_toolkit import DjangoOAuthToolkitScheme

    class ScopedOAuth2Scheme(DjangoOAuthToolkitScheme):
        target_class = "tiktok.api_oauth.ScopedOAuth2Authentication"

        def get_security_requirement(self, auto_schema):
            """Each operation names the one scope it needs (required_oauth_scope): our
            views have no TokenHasScope permission for drf-spectacular to read it from."""
            import re
            from types import SimpleNamespace

            from django.urls import Resolver404, resolve

            try:
                match = resolve(re.sub(r"\{[^}]+\}", "x", auto_schema.path))
            except Resolver404:
                match = None
            request = SimpleNamespace(method=auto_schema.method, resolver_match=match)
            return {self.name: [required_oauth_scope(request, auto_schema.view)]}
except ImportError:  # pragma: no cover - drf-spectacular is a runtime dependency
    pass
