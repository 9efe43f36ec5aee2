"""Minors' rule in For You: videos of 13–15 year olds never reach strangers' For You, even
when the account was made public; from the 16th birthday on they can."""

import datetime

import pytest
from django.utils import timezone

from videos import selectors

pytestmark = pytest.mark.django_db


def _years_ago(years: int, *, plus_days: int = 0) -> datetime.date:
    today = timezone.localdate()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:
        day = datetime.date(today.year - years, 2, 28)
    return day + datetime.timedelta(days=plus_days)


def _for_you_ids(viewer) -> set[str]:
    page = selectors.feed_for_you(viewer=viewer, limit=50)
    return {v.public_id for v in page.items}


@pytest.mark.parametrize(
    "birthdate, shown",
    [
        (_years_ago(16, plus_days=1), False),  # turns 16 tomorrow
        (_years_ago(16), True),  # 16 today
        (_years_ago(13), False),
        (_years_ago(15), False),
        (_years_ago(40), True),
        (None, True),  # staff account without a birthdate
    ],
)
def test_teen_authors_never_in_for_you(user_factory, video_factory, birthdate, shown):
    author = user_factory(birthdate=birthdate, is_private=False)
    video = video_factory(author=author)
    viewer = user_factory()
    assert (video.public_id in _for_you_ids(viewer)) is shown
    assert (video.public_id in _for_you_ids(None)) is shown


def test_the_teen_still_sees_their_own_new_video_and_followers_see_it_elsewhere(
    user_factory, video_factory, client
):
    teen = user_factory(birthdate=_years_ago(14), is_private=False)
    video = video_factory(author=teen)
    # Their profile still lists it for others (the account is public by their choice).
    assert video.public_id in client.get(f"/@{teen.username}/").content.decode()
