"""The minimum-age gate at /accounts/signup/: kind, final, and keeps nothing."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.utils import timezone
from pytest_django.asserts import assertTemplateNotUsed, assertTemplateUsed

from social.models import User, age_on
from social.services import age_gate_check

from .utils import SIGNUP_URL, signup_data, years_ago

DAY = datetime.timedelta(days=1)
KID_USERNAME = "sunny_kid_4821"
KID_EMAIL = "sunny.kid.4821@example.org"


def kind_message(settings) -> str:
    return f"Sorry, you need to be at least 13 to use {settings.SITE_NAME}."


def post_signup(client, birthdate: datetime.date | str, **overrides):
    value = birthdate.isoformat() if isinstance(birthdate, datetime.date) else birthdate
    return client.post(SIGNUP_URL, signup_data(birthdate=value, **overrides))


def assert_refused_without_a_trace(client, response, settings):
    html = response.content.decode()
    assert response.status_code == 200
    assertTemplateUsed(response, "social/too_young.html")
    assertTemplateNotUsed(response, "social/signup.html")
    assert kind_message(settings) in html
    assert "We haven&#x27;t saved anything you typed." in html
    # Nothing they typed is echoed back: no form, no username, no email, no birthdate.
    for typed in (KID_USERNAME, "sunny_kid", KID_EMAIL, "sunny.kid", "example.org"):
        assert typed not in html
    assert 'name="username"' not in html
    assert 'name="email"' not in html
    assert User.objects.count() == 0
    assert Session.objects.count() == 0
    assert list(client.session.keys()) == []
    assert settings.SESSION_COOKIE_NAME not in response.cookies


def test_born_13_years_ago_tomorrow_is_refused_and_nothing_is_stored(client, settings, db):
    today = timezone.localdate()
    birthdate = years_ago(today, 13) + DAY
    assert age_on(birthdate=birthdate, today=today) == 12

    response = post_signup(client, birthdate, username=KID_USERNAME, email=KID_EMAIL)

    assert_refused_without_a_trace(client, response, settings)


def test_too_young_wins_over_other_errors_and_still_echoes_nothing(client, settings, db):
    birthdate = years_ago(timezone.localdate(), 9)

    response = post_signup(
        client,
        birthdate,
        username=KID_USERNAME,
        email=KID_EMAIL,
        password2="something else entirely",
    )

    assert_refused_without_a_trace(client, response, settings)


def test_born_13_years_ago_today_is_accepted_and_logged_in(client, db):
    today = timezone.localdate()
    birthdate = years_ago(today, 13)
    assert age_on(birthdate=birthdate, today=today) == 13

    response = post_signup(client, birthdate, username="just_thirteen", email="j13@example.org")

    assert response.status_code == 302
    assert response["Location"] == "/"
    user = User.objects.get()
    assert (user.username, user.email, user.birthdate) == (
        "just_thirteen",
        "j13@example.org",
        birthdate,
    )
    assert user.is_private is True
    assert client.session["_auth_user_id"] == str(user.pk)
    assert Session.objects.count() == 1


@pytest.mark.parametrize(
    ("today", "birthdate", "accepted"),
    [
        # A 29 February birthday turns over on 1 March in common years.
        (datetime.date(2025, 2, 28), datetime.date(2012, 2, 29), False),
        (datetime.date(2025, 3, 1), datetime.date(2012, 2, 29), True),
        (datetime.date(2029, 2, 28), datetime.date(2016, 2, 29), False),
        (datetime.date(2029, 3, 1), datetime.date(2016, 2, 29), True),
        # In a leap year the 29th is the birthday itself.
        (datetime.date(2024, 2, 28), datetime.date(2011, 2, 28), True),
        (datetime.date(2024, 2, 28), datetime.date(2011, 3, 1), False),
        # Signing up on 29 February: born 28 February 13 years ago is 13, 1 March is not.
        (datetime.date(2028, 2, 29), datetime.date(2015, 2, 28), True),
        (datetime.date(2028, 2, 29), datetime.date(2015, 3, 1), False),
    ],
)
def test_29_february_at_the_boundary(
    client, settings, db, freeze_today, today, birthdate, accepted
):
    freeze_today(today)
    assert (age_on(birthdate=birthdate, today=today) >= 13) is accepted

    response = post_signup(client, birthdate, username=KID_USERNAME, email=KID_EMAIL)

    if accepted:
        assert response.status_code == 302
        assert response["Location"] == "/"
        assert User.objects.get().birthdate == birthdate
        assert "_auth_user_id" in client.session
    else:
        assert_refused_without_a_trace(client, response, settings)


@pytest.mark.parametrize(
    ("birthdate", "today", "age"),
    [
        (datetime.date(2012, 2, 29), datetime.date(2025, 2, 28), 12),
        (datetime.date(2012, 2, 29), datetime.date(2025, 3, 1), 13),
        (datetime.date(2012, 2, 29), datetime.date(2024, 2, 28), 11),
        (datetime.date(2012, 2, 29), datetime.date(2024, 2, 29), 12),
        (datetime.date(2000, 2, 29), datetime.date(2016, 2, 29), 16),
        (datetime.date(2000, 1, 1), datetime.date(2000, 1, 1), 0),
        (datetime.date(2000, 12, 31), datetime.date(2013, 12, 30), 12),
        (datetime.date(2000, 12, 31), datetime.date(2013, 12, 31), 13),
    ],
)
def test_age_on(birthdate, today, age):
    assert age_on(birthdate=birthdate, today=today) == age


@pytest.mark.parametrize(
    ("birthdate", "code"),
    [
        (datetime.date(2012, 3, 2), "too_young"),
        (datetime.date(2012, 3, 1), None),
        (datetime.date(2025, 3, 2), "future"),
        (datetime.date(2025, 3, 1), "too_young"),  # born today: not the future, but 0
        (datetime.date(1905, 3, 2), None),  # 119
        (datetime.date(1905, 3, 1), "implausible"),  # 120 today
        (datetime.date(1, 1, 1), "implausible"),
    ],
)
def test_age_gate_check_codes(birthdate, code):
    today = datetime.date(2025, 3, 1)
    if code is None:
        age_gate_check(birthdate=birthdate, today=today)
        return
    with pytest.raises(ValidationError) as caught:
        age_gate_check(birthdate=birthdate, today=today)
    assert caught.value.code == code


def test_future_birthdate_is_a_form_error(client, db):
    tomorrow = timezone.localdate() + DAY

    response = post_signup(client, tomorrow)

    assert response.status_code == 200
    assertTemplateUsed(response, "social/signup.html")
    assert response.context["form"].errors["birthdate"] == [
        "Your birthdate cannot be in the future."
    ]
    assert User.objects.count() == 0
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2010-13-45", "Enter your birthdate as YYYY-MM-DD."),
        ("2010-02-30", "Enter your birthdate as YYYY-MM-DD."),
        ("yesterday", "Enter your birthdate as YYYY-MM-DD."),
        ("15/06/1990", "Enter your birthdate as YYYY-MM-DD."),
        ("1990-06-15T00:00", "Enter your birthdate as YYYY-MM-DD."),
        ("99999-01-01", "Enter your birthdate as YYYY-MM-DD."),
        ("   ", "Enter your birthdate as YYYY-MM-DD."),
        ("", "This field is required."),
    ],
)
def test_malformed_birthdate_is_a_form_error(client, db, value, message):
    response = post_signup(client, value, username="valid_name", email="valid@example.org")

    assert response.status_code == 200
    assertTemplateUsed(response, "social/signup.html")
    assert response.context["form"].errors["birthdate"] == [message]
    assert User.objects.count() == 0
    assert Session.objects.count() == 0
    # A plain form error (not the too-young page): what they typed is kept for them to fix.
    assert 'value="valid_name"' in response.content.decode()


def test_missing_birthdate_field_is_required(client, db):
    data = signup_data()
    del data["birthdate"]

    response = client.post(SIGNUP_URL, data)

    assert response.status_code == 200
    assert response.context["form"].errors["birthdate"] == ["This field is required."]
    assert User.objects.count() == 0


@pytest.mark.parametrize("years", [120, 121, 150, 1000])
def test_120_years_or_more_is_implausible(client, db, years):
    birthdate = years_ago(timezone.localdate(), years)

    response = post_signup(client, birthdate)

    assert response.status_code == 200
    assertTemplateUsed(response, "social/signup.html")
    assert response.context["form"].errors["birthdate"] == ["Please check your birthdate."]
    assert User.objects.count() == 0


def test_year_one_is_implausible(client, db):
    response = post_signup(client, "0001-01-01")

    assert response.status_code == 200
    assert response.context["form"].errors["birthdate"] == ["Please check your birthdate."]
    assert User.objects.count() == 0


def test_119_is_accepted(client, db):
    birthdate = years_ago(timezone.localdate(), 120) + DAY

    response = post_signup(client, birthdate)

    assert response.status_code == 302
    assert User.objects.get().birthdate == birthdate
