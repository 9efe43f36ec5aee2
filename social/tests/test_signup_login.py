"""Signup, login and logout over HTTP, plus CSRF on every form that writes."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from pytest_django.asserts import assertTemplateUsed

from social.models import User
from social.services import user_create

from .utils import LOGIN_URL, LOGOUT_URL, SETTINGS_URL, SIGNUP_URL, STRONG_PASSWORD, signup_data

DAY = datetime.timedelta(days=1)
USERNAME_RULE = "2–24 characters: letters, digits, underscores and full stops."
LOGIN_ERROR = (
    "Please enter a correct username and password. Note that both fields may be case-sensitive."
)


def birthdate_for(age: int, *, plus_days: int = 0) -> str:
    today = timezone.localdate()
    try:
        day = today.replace(year=today.year - age)
    except ValueError:  # 29 February
        day = today.replace(year=today.year - age, day=28)
    return (day + datetime.timedelta(days=plus_days)).isoformat()


def form_errors(response) -> dict[str, list[str]]:
    assert response.status_code == 200
    assertTemplateUsed(response, "social/signup.html")
    return response.context["form"].errors


# --- signup -------------------------------------------------------------------------------


def test_signup_page_renders_the_documented_fields(client, db):
    response = client.get(SIGNUP_URL)

    assert response.status_code == 200
    html = response.content.decode()
    for name in ("username", "email", "password1", "password2", "birthdate"):
        assert f'name="{name}"' in html
    assert 'type="date"' in html
    assert "csrfmiddlewaretoken" in html


def test_signup_happy_path(client, settings, db):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]

    response = client.post(
        SIGNUP_URL,
        signup_data(username="Night_Owl.7", email="Night.Owl@EXAMPLE.COM", birthdate="1990-06-15"),
    )

    assert response.status_code == 302
    assert response["Location"] == "/"
    user = User.objects.get()
    assert user.username == "Night_Owl.7"
    assert user.email == "Night.Owl@example.com"  # domain part normalised
    assert user.birthdate == datetime.date(1990, 6, 15)
    assert user.password != STRONG_PASSWORD
    assert STRONG_PASSWORD not in user.password
    assert identify_hasher(user.password).algorithm == "pbkdf2_sha256"
    assert user.check_password(STRONG_PASSWORD)
    assert user.is_active and not user.is_staff and not user.is_superuser
    assert user.is_private is False
    assert client.session["_auth_user_id"] == str(user.pk)

    home = client.get("/")
    assert "Welcome to the party, @Night_Owl.7!" in home.content.decode()


@pytest.mark.parametrize(
    ("age", "plus_days", "private"),
    [
        (13, 0, True),
        (15, 0, True),
        (16, 1, True),  # 16 tomorrow: still 15 today
        (16, 0, False),
        (17, 0, False),
        (45, 0, False),
    ],
)
def test_teens_get_a_private_account(client, db, age, plus_days, private):
    response = client.post(
        SIGNUP_URL, signup_data(birthdate=birthdate_for(age, plus_days=plus_days))
    )

    assert response.status_code == 302
    assert User.objects.get().is_private is private


@pytest.mark.parametrize("typed", ["taken_name", "TAKEN_NAME", "Taken_Name", "tAkEn_nAmE"])
def test_duplicate_username_case_insensitively(client, user_factory, typed):
    user_factory(username="Taken_Name")

    response = client.post(SIGNUP_URL, signup_data(username=typed))

    assert form_errors(response) == {"username": ["That username is taken."]}
    assert User.objects.count() == 1
    assert "_auth_user_id" not in client.session


def test_user_create_refuses_a_case_variant_too(user_factory):
    user_factory(username="Taken_Name")

    with pytest.raises(ValidationError) as caught:
        user_create(
            username="taken_NAME",
            email="x@example.org",
            password=STRONG_PASSWORD,
            birthdate=datetime.date(1990, 1, 1),
        )

    assert caught.value.message_dict == {"username": ["That username is taken."]}
    assert User.objects.count() == 1


def test_user_create_refuses_a_trailing_newline_in_the_username(db):
    # The model's regex ends in "$", which matches before a final "\n".
    with pytest.raises(ValidationError) as caught:
        user_create(
            username="sneaky\n",
            email="x@example.org",
            password=STRONG_PASSWORD,
            birthdate=datetime.date(1990, 1, 1),
        )

    assert caught.value.message_dict == {"username": [USERNAME_RULE]}
    assert User.objects.count() == 0


def test_password_mismatch(client, db):
    response = client.post(SIGNUP_URL, signup_data(password2=STRONG_PASSWORD + "!"))

    assert form_errors(response) == {"password2": ["The two passwords don't match."]}
    assert "The two passwords don&#x27;t match." in response.content.decode()
    assert User.objects.count() == 0


@pytest.mark.parametrize(
    ("password", "messages"),
    [
        ("password", ["This password is too common."]),
        ("58204719365", ["This password is entirely numeric."]),
        (
            "zq7#Lp",
            ["This password is too short. It must contain at least 8 characters."],
        ),
        (
            "1234",
            [
                "This password is too short. It must contain at least 8 characters.",
                "This password is too common.",
                "This password is entirely numeric.",
            ],
        ),
        ("marmalade_fox", ["The password is too similar to the username."]),
    ],
)
def test_weak_passwords_are_refused_by_the_validators(client, db, password, messages):
    response = client.post(
        SIGNUP_URL,
        signup_data(username="marmalade_fox", password1=password, password2=password),
    )

    assert form_errors(response) == {"password1": messages}
    assert User.objects.count() == 0


def test_password_similar_to_the_email_is_refused(client, db):
    response = client.post(
        SIGNUP_URL,
        signup_data(
            email="quixotic.heron@example.org",
            password1="quixotic.heron",
            password2="quixotic.heron",
        ),
    )

    assert form_errors(response) == {
        "password1": ["The password is too similar to the email address."]
    }


@pytest.mark.parametrize(
    "username",
    ["bad name", "bad-name", "x", "émile", "semi;colon", "at@sign", "slash/name", "tab\tname"],
)
def test_invalid_username_characters(client, db, username):
    response = client.post(SIGNUP_URL, signup_data(username=username))

    assert form_errors(response) == {"username": [USERNAME_RULE]}
    assert User.objects.count() == 0


def test_username_longer_than_24(client, db):
    response = client.post(SIGNUP_URL, signup_data(username="a" * 25))

    assert form_errors(response) == {
        "username": [
            USERNAME_RULE,
            "Ensure this value has at most 24 characters (it has 25).",
        ]
    }


def test_empty_post_shows_required_errors(client, db):
    response = client.post(SIGNUP_URL, {})

    errors = form_errors(response)
    assert set(errors) == {"username", "email", "password1", "password2", "birthdate"}
    assert all(messages == ["This field is required."] for messages in errors.values())
    assert User.objects.count() == 0


def test_invalid_email(client, db):
    response = client.post(SIGNUP_URL, signup_data(email="not-an-email"))

    assert form_errors(response) == {"email": ["Enter a valid email address."]}


def test_xss_payloads_are_escaped_in_the_rerendered_form(client, db):
    username = '<script>alert("u")</script>'
    email = '"><script>alert("e")</script>@example.org'

    response = client.post(SIGNUP_URL, signup_data(username=username, email=email))

    errors = form_errors(response)
    assert errors["username"] == [
        USERNAME_RULE,
        "Ensure this value has at most 24 characters (it has 27).",
    ]
    assert errors["email"] == ["Enter a valid email address."]
    html = response.content.decode()
    assert "<script>alert" not in html
    assert '"><script>' not in html
    assert 'value="&lt;script&gt;alert(&quot;u&quot;)&lt;/script&gt;"' in html
    assert 'value="&quot;&gt;&lt;script&gt;alert(&quot;e&quot;)&lt;/script&gt;@example.org"' in html
    # Passwords are never echoed back.
    assert STRONG_PASSWORD not in html
    assert User.objects.count() == 0


def test_signed_in_people_are_sent_home_from_signup(client, user):
    client.force_login(user)

    response = client.get(SIGNUP_URL)

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_signup_rejects_other_methods(client, db):
    assert client.put(SIGNUP_URL).status_code == 405
    assert client.delete(SIGNUP_URL).status_code == 405


# --- login / logout -------------------------------------------------------------------------


def test_login_with_username_and_password(client, user_factory):
    user = user_factory(username="returning_user", password="correct horse battery")

    page = client.get(LOGIN_URL)
    assert page.status_code == 200
    assert 'name="username"' in page.content.decode()
    assert 'name="password"' in page.content.decode()

    response = client.post(
        LOGIN_URL, {"username": "returning_user", "password": "correct horse battery"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(user.pk)


def test_login_follows_a_local_next(client, user_factory):
    user_factory(username="returning_user", password="correct horse battery")

    response = client.post(
        LOGIN_URL,
        {"username": "returning_user", "password": "correct horse battery", "next": SETTINGS_URL},
    )

    assert response.status_code == 302
    assert response["Location"] == SETTINGS_URL


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"]
)
def test_login_ignores_a_foreign_next(client, user_factory, next_url):
    user_factory(username="returning_user", password="correct horse battery")

    response = client.post(
        LOGIN_URL,
        {"username": "returning_user", "password": "correct horse battery", "next": next_url},
    )

    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("returning_user", "wrong horse battery"),
        ("returning_user", ""),
        ("nobody_here", "correct horse battery"),
    ],
)
def test_login_with_wrong_credentials(client, user_factory, username, password):
    user_factory(username="returning_user", password="correct horse battery")

    response = client.post(LOGIN_URL, {"username": username, "password": password})

    assert response.status_code == 200
    assertTemplateUsed(response, "social/login.html")
    if password:
        assert response.context["form"].non_field_errors() == [LOGIN_ERROR]
        assert LOGIN_ERROR in response.content.decode()
    else:
        assert response.context["form"].errors == {"password": ["This field is required."]}
    assert "_auth_user_id" not in client.session
    assert "correct horse battery" not in response.content.decode()


def test_inactive_user_cannot_log_in(client, user_factory):
    user_factory(username="gone_quiet", password="correct horse battery", is_active=False)

    response = client.post(
        LOGIN_URL, {"username": "gone_quiet", "password": "correct horse battery"}
    )

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_logout_is_post_only(client, user):
    client.force_login(user)

    response = client.get(LOGOUT_URL)

    assert response.status_code == 405
    assert response["Allow"] == "POST, OPTIONS"
    assert client.session["_auth_user_id"] == str(user.pk)


def test_logout_post_logs_out(client, user):
    client.force_login(user)
    assert Session.objects.count() == 1

    response = client.post(LOGOUT_URL)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session
    assert Session.objects.count() == 0
    assert client.get(SETTINGS_URL).status_code == 302


# --- CSRF ---------------------------------------------------------------------------------


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def test_signup_without_csrf_token_is_forbidden(csrf_client, db):
    response = csrf_client.post(SIGNUP_URL, signup_data())

    assert response.status_code == 403
    assert User.objects.count() == 0


def test_signup_with_csrf_token_works(csrf_client, db):
    csrf_client.get(SIGNUP_URL)
    token = csrf_client.cookies["csrftoken"].value

    response = csrf_client.post(SIGNUP_URL, {**signup_data(), "csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert User.objects.count() == 1


def test_login_without_csrf_token_is_forbidden(csrf_client, user_factory):
    user_factory(username="returning_user", password="correct horse battery")

    response = csrf_client.post(
        LOGIN_URL, {"username": "returning_user", "password": "correct horse battery"}
    )

    assert response.status_code == 403
    assert "_auth_user_id" not in csrf_client.session


def test_logout_without_csrf_token_is_forbidden(csrf_client, user):
    csrf_client.force_login(user)

    response = csrf_client.post(LOGOUT_URL)

    assert response.status_code == 403
    assert csrf_client.session["_auth_user_id"] == str(user.pk)


def test_settings_without_csrf_token_is_forbidden(csrf_client, user):
    csrf_client.force_login(user)
    name = user.display_name

    response = csrf_client.post(
        SETTINGS_URL, {"section": "profile", "display_name": "Hijacked", "bio": ""}
    )

    assert response.status_code == 403
    user.refresh_from_db()
    assert user.display_name == name
