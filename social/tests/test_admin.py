"""Moderators manage people in the admin: the pages render and an account can be added."""

from __future__ import annotations

import pytest

from social.models import ExternalLink, User
from social.services import links_set

# The ExternalLink inline's management form (the add page shows the inline too).
NO_INLINE_LINKS = {"links-TOTAL_FORMS": "0", "links-INITIAL_FORMS": "0"}


def test_user_admin_pages_render(admin_client, user_factory):
    person = user_factory(username="listed_person")
    links_set(user=person, links={"youtube": "https://youtube.com/@listed"})

    assert admin_client.get("/admin/social/user/").status_code == 200
    assert admin_client.get("/admin/social/user/?q=listed").status_code == 200
    change = admin_client.get(f"/admin/social/user/{person.pk}/change/")
    assert change.status_code == 200
    assert "https://youtube.com/@listed" in change.content.decode()
    assert admin_client.get("/admin/social/user/add/").status_code == 200
    assert admin_client.get("/admin/social/externallink/").status_code == 200


def test_admin_can_add_a_user(admin_client, db):
    response = admin_client.post(
        "/admin/social/user/add/",
        {
            "username": "made_by_admin",
            "usable_password": "true",
            "password1": "violet-tangerine-43-kayak",
            "password2": "violet-tangerine-43-kayak",
            **NO_INLINE_LINKS,
        },
    )

    assert response.status_code == 302
    user = User.objects.get(username="made_by_admin")
    assert user.check_password("violet-tangerine-43-kayak")


def test_admin_refuses_a_case_variant_username(admin_client, user_factory):
    user_factory(username="Taken_Name")

    response = admin_client.post(
        "/admin/social/user/add/",
        {
            "username": "taken_name",
            "usable_password": "true",
            "password1": "violet-tangerine-43-kayak",
            "password2": "violet-tangerine-43-kayak",
            **NO_INLINE_LINKS,
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["username"] == ["That username is taken."]
    assert User.objects.filter(username__iexact="taken_name").count() == 1


@pytest.mark.parametrize(
    ("platform", "url", "message"),
    [
        ("website", "javascript:alert(1)", "Links must start with https://"),
        ("website", "http://example.org/", "Links must start with https://"),
        ("youtube", "https://evil.example/@x", "YouTube links must be on youtube.com."),
        ("x", "https://x.com@evil.example/", "Links cannot contain a user name or password."),
    ],
)
def test_admin_link_form_applies_the_platform_rules(
    admin_client, user_factory, platform, url, message
):
    person = user_factory()

    response = admin_client.post(
        "/admin/social/externallink/add/",
        {"user": person.pk, "platform": platform, "url": url, "position": 0},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"url": [message]}
    assert ExternalLink.objects.count() == 0


def test_admin_link_form_saves_the_normalised_link(admin_client, user_factory):
    person = user_factory()

    response = admin_client.post(
        "/admin/social/externallink/add/",
        {
            "user": person.pk,
            "platform": "youtube",
            "url": " HTTPS://YouTube.com/@X ",
            "position": 0,
        },
    )

    assert response.status_code == 302
    assert ExternalLink.objects.get().url == "https://youtube.com/@X"


def test_admin_inline_applies_the_platform_rules(admin_client, user_factory):
    person = user_factory()
    page = admin_client.get(f"/admin/social/user/{person.pk}/change/")
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in {"password", "avatar", "groups", "user_permissions"}
    }
    data.update(
        {
            "birthdate": person.birthdate.isoformat(),
            "date_joined_0": person.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": person.date_joined.strftime("%H:%M:%S"),
            "links-TOTAL_FORMS": "1",
            "links-INITIAL_FORMS": "0",
            "links-0-platform": "instagram",
            "links-0-url": "javascript:alert(1)",
            "links-0-position": "0",
        }
    )

    response = admin_client.post(f"/admin/social/user/{person.pk}/change/", data)

    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.errors == [
        {"url": ["Links must start with https://"]}
    ]
    assert ExternalLink.objects.count() == 0
