"""Fixtures for the moderation tests (imported by the test_moderation*.py modules and by
social/tests/test_restrictions.py)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from videos import moderation


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Feed sessions, the precomputed state and the API's throttles live in the cache.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def moderator(user_factory):
    """A staff account in the Moderators group (what `manage.py moderator_add` makes)."""
    user = user_factory(username="mod_maria", is_staff=True, password="moderator pass 123")
    user.groups.add(moderation.moderators_group_ensure())
    return user


@pytest.fixture
def reporters(user_factory):
    return [user_factory() for _ in range(5)]
