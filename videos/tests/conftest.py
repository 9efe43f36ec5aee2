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


@pytest.fixture
def fill_queue(video_factory, user_factory, reporters):
    """Add n videos to the moderation queue, each reported as itself, through one of its
    comments and through its author's account, by two people: 3 queue groups per video."""
    from videos import engagement

    def fill(n: int) -> None:
        for _ in range(n):
            video = video_factory()
            comment = engagement.comment_create(user=user_factory(), video=video, text="bad")
            for who in reporters[:2]:
                for target in ({"video": video}, {"comment": comment}, {"user": video.author}):
                    moderation.report_create(reporter=who, reason="spam", **target)

    return fill


@pytest.fixture
def oauth_client():
    """An APIClient with a fresh OAuth2 access token of user for scope."""
    import datetime
    import secrets

    from django.utils import timezone
    from oauth2_provider.models import AccessToken
    from rest_framework.test import APIClient

    from videos.developer import oauth_app_create

    def make(user, scope: str = "read write") -> APIClient:
        app, _secret = oauth_app_create(
            user=user, name="Test app", redirect_uris="https://a.example/cb", client_type="public"
        )
        token = AccessToken.objects.create(
            user=user,
            application=app,
            token=secrets.token_urlsafe(24),
            expires=timezone.now() + datetime.timedelta(hours=1),
            scope=scope,
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.token}")
        return client

    return make
