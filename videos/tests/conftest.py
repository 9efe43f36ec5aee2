"""Fixtures for the videos tests (the shared factories live in the root conftest.py)."""

from __future__ import annotations

import pytest

from videos import moderation


@pytest.fixture
def moderator(user_factory):
    """A staff account in the Moderators group (what `manage.py moderator_add` makes)."""
    user = user_factory(username="mod_maria", is_staff=True, password="moderator pass 123")
    user.groups.add(moderation.moderators_group_ensure())
    return user


@pytest.fixture
def reporters(user_factory):
    return [user_factory() for _ in range(5)]
