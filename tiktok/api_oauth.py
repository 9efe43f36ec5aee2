"""OAuth 2.0 (django-oauth-toolkit) for the API: bearer tokens limited to their scopes.

Scopes: ``read`` (every GET), ``write`` (likes, comments, follows, edits, deletions and
every other change) and ``upload`` (POST videos/ and sounds/). Only OAuth2 tokens are
limited; a browser session and our own ``Token`` keep full access. The check runs right
after the bearer token is accepted, so it holds for every API view that accepts OAuth2,
whatever its own permission classes are.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from rest_framework import exceptions

from social.restrictions import raise_if_restricted

from .api_throttling import request_scope


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


try:  # the schema names OAuth2 (authorization code) as a way in, with its scopes
    from drf_spectacular.contrib.django_oauth_toolkit import DjangoOAuthToolkitScheme

    class ScopedOAuth2Scheme(DjangoOAuthToolkitScheme):
        target_class = "tiktok.api_oauth.ScopedOAuth2Authentication"
except ImportError:  # pragma: no cover - drf-spectacular is a runtime dependency
    pass
