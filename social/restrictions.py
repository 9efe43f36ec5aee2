"""Suspended and banned accounts: kept out everywhere, with a clear message.

Moderators decide in the admin (videos/moderation.py writes ``suspended_until``,
``banned_at`` and ``restriction_reason`` through ``user_restrict``/``user_unrestrict``
below); this module enforces it, in the places every way in passes through:

- ``RestrictionAwareModelBackend`` replaces Django's ModelBackend: ``user_can_authenticate``
  is False for a restricted account, so ``authenticate()`` (site login, admin login,
  POST auth/token/) refuses it and ``get_user()`` returns nobody for its existing sessions
  on their next request (HTTP and the WebSocket's AuthMiddlewareStack alike). Its dotted
  path is ``social.restrictions.RestrictionAwareModelBackend``; sessions made under the old
  ``django.contrib.auth.backends.ModelBackend`` path are still honoured (settings keeps that
  path's class as an alias).
- ``RestrictionAwareTokenAuthentication`` (DRF tokens) and ``tiktok.api_oauth`` (OAuth2)
  answer 401 with ``restriction_message`` in the API's error shape.
- Login forms and the token view call ``restriction_for_credentials`` after a failed login,
  so the person (and only someone who knows the password) learns *why*.

A suspension ends by itself: every check compares ``suspended_until`` with the clock.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

# Called with the user id once a suspension or ban is committed. social must not import
# videos, so videos plugs in its live push here (videos/apps.py), as with social.graph's hooks.
on_restricted = []  # callables(user_id: int)


def is_restricted(user) -> bool:
    return bool(getattr(user, "is_restricted", False))


def restriction_message(user) -> str:
    """What the person is told: banned, or suspended until when."""
    if getattr(user, "banned_at", None) is not None:
        return _("This account has been banned for breaking the community guidelines.")
    until = timezone.localtime(user.suspended_until)
    return _("This account is suspended until %(until)s.") % {
        "until": date_format(until, "DATETIME_FORMAT")
    }


class RestrictionAwareModelBackend(ModelBackend):
    """Django's ModelBackend that also refuses suspended and banned accounts."""

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and not is_restricted(user)


def restriction_for_credentials(*, username, password) -> str | None:
    """After a failed authenticate(): the restriction message if these credentials are right
    for a suspended or banned account, else None. The password is checked first, so nobody
    learns that an account is suspended without knowing its password."""
    if not isinstance(username, str) or not isinstance(password, str) or not username:
        return None
    User = get_user_model()
    try:
        user = User._default_manager.get_by_natural_key(username)
    except (User.DoesNotExist, User.MultipleObjectsReturned, ValueError):
        return None
    if not user.is_active or not is_restricted(user) or not user.check_password(password):
        return None
    return restriction_message(user)


class AccountRestricted(exceptions.AuthenticationFailed):
    default_code = "account_restricted"


def raise_if_restricted(user) -> None:
    """For API authentication classes: a restricted account's credential is refused (401)."""
    if is_restricted(user):
        raise AccountRestricted(restriction_message(user))


class RestrictionAwareTokenAuthentication(TokenAuthentication):
    """DRF's token authentication; a suspended or banned account's token answers 401."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        raise_if_restricted(user)
        return user, token


def user_restrict(
    *, user, until: datetime.datetime | None = None, ban: bool = False, reason: str = ""
) -> None:
    """Suspend until a time, or ban. Existing sessions, tokens and sockets stop working on
    their next use (the checks above); open WebSockets are told to close at once (the
    on_restricted hooks)."""
    User = get_user_model()
    fields = {"restriction_reason": reason[:500]}
    if ban:
        fields["banned_at"] = timezone.now()
    else:
        fields["suspended_until"] = until
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(**fields)
        for name, value in fields.items():
            setattr(user, name, value)
        user_id = user.pk
        transaction.on_commit(lambda: [hook(user_id) for hook in on_restricted])


def user_unrestrict(*, user) -> None:
    User = get_user_model()
    User.objects.filter(pk=user.pk).update(
        suspended_until=None, banned_at=None, restriction_reason=""
    )
    user.suspended_until = user.banned_at = None
    user.restriction_reason = ""
