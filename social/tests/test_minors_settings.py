"""/settings/: who can duet and stitch (choices by age) and the creator's comment filter,
with bad and hostile input."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from social.models import RemixAudience

pytestmark = pytest.mark.django_db
SETTINGS_URL = "/settings/"


def born(years: int) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=1) - datetime.timedelta(days=40)


def test_adult_sees_three_choices_with_everyone_checked(client, user_factory):
    client.force_login(user_factory(birthdate=born(30)))
    html = client.get(SETTINGS_URL).content.decode()
    for value in ("everyone", "friends", "nobody"):
        assert f'name="remix_audience" value="{value}"' in html
    assert 'value="everyone" id="id_remix_audience_0" checked' in html or (
        'value="everyone"' in html and "checked" in html.split('value="everyone"')[1][:60]
    )


def test_sixteen_year_old_defaults_to_friends_and_may_loosen(client, user_factory):
    teen = user_factory(birthdate=born(16))
    client.force_login(teen)
    html = client.get(SETTINGS_URL).content.decode()
    assert "checked" in html.split('value="friends"')[1][:60]
    response = client.post(SETTINGS_URL, {"section": "remix", "remix_audience": "everyone"})
    assert response.status_code == 302
    teen.refresh_from_db()
    assert teen.remix_audience == RemixAudience.EVERYONE


def test_fourteen_year_old_is_not_offered_a_choice_and_cannot_post_one(client, user_factory):
    teen = user_factory(birthdate=born(14))
    client.force_login(teen)
    html = client.get(SETTINGS_URL).content.decode()
    assert 'name="remix_audience"' not in html
    assert "Until you are 16, nobody can duet, stitch or save your videos" in html
    response = client.post(SETTINGS_URL, {"section": "remix", "remix_audience": "everyone"})
    assert response.status_code == 400
    teen.refresh_from_db()
    assert teen.remix_audience == ""


@pytest.mark.parametrize("value", ["anyone", "EVERYONE", "friends\x00", "x" * 5000, "1"])
def test_bad_remix_audience_is_a_form_error(client, user_factory, value):
    user = user_factory(birthdate=born(30), remix_audience=RemixAudience.FRIENDS)
    client.force_login(user)
    response = client.post(SETTINGS_URL, {"section": "remix", "remix_audience": value})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    user.refresh_from_db()
    assert user.remix_audience == RemixAudience.FRIENDS


def test_empty_choice_returns_to_the_age_default(client, user_factory):
    user = user_factory(birthdate=born(30), remix_audience=RemixAudience.NOBODY)
    client.force_login(user)
    assert client.post(SETTINGS_URL, {"section": "remix", "remix_audience": ""}).status_code == 302
    user.refresh_from_db()
    assert user.remix_audience == ""


# --- comment filter ------------------------------------------------------------------------------
def test_filtered_words_saved_cleaned(client, user_factory):
    user = user_factory()
    client.force_login(user)
    text = "Spoiler, spoiler\n  bad   word ;ñandú\n\n"
    assert (
        client.post(SETTINGS_URL, {"section": "filters", "filtered_words": text}).status_code == 302
    )
    user.refresh_from_db()
    assert user.filtered_words == "Spoiler\nbad word\nñandú"
    assert "bad word" in client.get(SETTINGS_URL).content.decode()


@pytest.mark.parametrize(
    "text, message",
    [
        ("a" * 5001, "The list can be at most 5000 characters long."),
        ("ok\x00bad", "Null characters are not allowed."),  # Django's own check, first
        ("ok\x07bad", "The list contains characters we cannot store."),
        ("x" * 51, "is too long: at most 50 characters per entry."),
        (",".join(f"w{i}" for i in range(201)), "At most 200 words or phrases."),
        ("!!!, ...", "has no letters or digits to match."),
        ("a" * 7000, "Ensure this value has at most 6000 characters"),
    ],
)
def test_bad_filtered_words_are_a_form_error_and_keep_the_old_list(
    client, user_factory, text, message
):
    user = user_factory(filtered_words="keep")
    client.force_login(user)
    response = client.post(SETTINGS_URL, {"section": "filters", "filtered_words": text})
    assert response.status_code == 400
    assert message in response.content.decode()
    user.refresh_from_db()
    assert user.filtered_words == "keep"
