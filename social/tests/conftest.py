"""Fixtures for the social tests (the shared factories live in the root conftest.py)."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone


@pytest.fixture
def freeze_today(monkeypatch):
    """Make timezone.localdate() return a chosen day (the age rules read nothing else)."""

    def freeze(day: datetime.date) -> None:
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)

    return freeze


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The API's auth throttle counts in the cache; start every test from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 at full strength costs ~0.2 s per hash; tests that check hashing opt back in."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
