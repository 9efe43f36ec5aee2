"""Login throttling: repeated failures lock a username, or an address, out for a while.

LOGIN_LOCKOUT_FAILURES failed logins for one username, or LOGIN_LOCKOUT_IP_FAILURES from
one address, within LOGIN_LOCKOUT_WINDOW_SECONDS lock it out for LOGIN_LOCKOUT_SECONDS.
Counting happens in the Django cache (local memory or Redis, whichever is configured),
keyed by a hash of the casefolded username whether or not such an account exists, so the
answer never tells anyone which usernames are real.

Three pieces, wired in settings and the login forms:
- ``LockoutBackend`` (first in AUTHENTICATION_BACKENDS) refuses every ``authenticate()``
  while locked, before any password is checked: the site's login, the admin's login, the
  API's token view and anything added later all obey it;
- the ``user_login_failed`` signal counts failures, ``user_logged_in`` clears the
  username's count (not the address's: a spray of guesses from one address cannot be
  reset by logging in to an account of one's own);
- ``lockout_status`` lets forms and the API say clearly that, and for how long, they
  are locked out.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.utils.translation import ngettext


@dataclass(frozen=True)
class LockoutStatus:
    locked: bool
    retry_after: int = 0  # seconds until the lock ends

    @property
    def message(self) -> str:
        minutes = max(1, math.ceil(self.retry_after / 60))
        return ngettext(
            "Too many failed login attempts. Please wait %(minutes)d minute and try again.",
            "Too many failed login attempts. Please wait %(minutes)d minutes and try again.",
            minutes,
        ) % {"minutes": minutes}


def _prefix() -> str:
    # Tests give every test its own prefix, so counts never leak from one test to another.
    return getattr(settings, "LOGIN_LOCKOUT_KEY_PREFIX", "lockout")


def _digest(value: str) -> str:
    # Fixed-length, printable keys whatever people type (memcached-safe, no key injection).
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _subjects(*, username: str | None, ip: str | None) -> list[tuple[str, int]]:
    """(key, failure limit) for the username and the address an attempt concerns."""
    subjects = []
    if isinstance(username, str) and username:
        subjects.append((f"u:{_digest(username.strip().casefold())}", _limit("username")))
    if ip:
        subjects.append((f"ip:{_digest(ip)}", _limit("ip")))
    return subjects


def _limit(kind: str) -> int:
    if kind == "ip":
        return max(1, settings.LOGIN_LOCKOUT_IP_FAILURES)
    return max(1, settings.LOGIN_LOCKOUT_FAILURES)


def client_ip(request) -> str | None:
    """The address the attempt came from: REMOTE_ADDR, or the entry TRUSTED_PROXY_COUNT
    proxies back in X-Forwarded-For (each proxy appends the address it saw)."""
    if request is None:
        return None
    meta = getattr(request, "META", {}) or {}
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies][:64]
    return (meta.get("REMOTE_ADDR") or "")[:64] or None


def lockout_status(*, request, username: str | None) -> LockoutStatus:
    """Whether this username, or the request's address, is locked out right now."""
    now = time.time()
    retry_after = 0
    for subject, _ignored in _subjects(username=username, ip=client_ip(request)):
        until = cache.get(f"{_prefix()}:lock:{subject}")
        if until is not None and until > now:
            retry_after = max(retry_after, math.ceil(until - now))
    return LockoutStatus(locked=retry_after > 0, retry_after=retry_after)


def lockout_record_failure(*, request, username: str | None) -> LockoutStatus:
    """Count one failed login; lock whatever reached its limit. Attempts made while locked
    are not counted (the lock does not grow while someone keeps trying)."""
    status = lockout_status(request=request, username=username)
    if status.locked:
        return status
    window = settings.LOGIN_LOCKOUT_WINDOW_SECONDS
    for subject, limit in _subjects(username=username, ip=client_ip(request)):
        key = f"{_prefix()}:fail:{subject}"
        start_key = f"{_prefix()}:start:{subject}"
        # The window is judged by the clock, not only by the cache's expiry, so it ends on
        # time whatever the cache backend does with timeouts.
        now = time.time()
        started = cache.get(start_key)
        if started is not None and now - started > window:
            cache.delete_many([key, start_key])
        cache.add(start_key, now, timeout=window)
        # add() starts the window at the first failure; incr() keeps the key's expiry.
        cache.add(key, 0, timeout=window)
        try:
            failures = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, timeout=window)
            failures = 1
        if failures >= limit:
            seconds = settings.LOGIN_LOCKOUT_SECONDS
            cache.set(f"{_prefix()}:lock:{subject}", time.time() + seconds, timeout=seconds)
            cache.delete_many([key, start_key])
    return lockout_status(request=request, username=username)


def lockout_reset(*, username: str | None) -> None:
    """A successful login forgets the username's failures (the address's stay counted)."""
    for subject, _ignored in _subjects(username=username, ip=None):
        cache.delete_many([f"{_prefix()}:fail:{subject}", f"{_prefix()}:start:{subject}"])


class LockoutBackend:
    """An authentication backend that never logs anyone in: it refuses while locked out.

    Raising PermissionDenied makes django.contrib.auth.authenticate() stop before the
    password backends run. It has no get_user(), so sessions and force_login() keep naming
    the model backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            from django.contrib.auth import get_user_model

            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if lockout_status(request=request, username=username).locked:
            raise PermissionDenied
        return None


def _username_from(credentials: dict) -> str | None:
    from django.contrib.auth import get_user_model

    value = credentials.get("username", credentials.get(get_user_model().USERNAME_FIELD))
    return value if isinstance(value, str) else None


@receiver(user_login_failed, dispatch_uid="social.lockout.failed")
def _on_login_failed(sender, credentials, request=None, **kwargs):
    lockout_record_failure(request=request, username=_username_from(credentials))


@receiver(user_logged_in, dispatch_uid="social.lockout.logged_in")
def _on_logged_in(sender, request, user, **kwargs):
    lockout_reset(username=user.get_username())
