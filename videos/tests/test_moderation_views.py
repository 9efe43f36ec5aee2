"""The Report page (/report/<type>/<target>/): a plain form that works without JavaScript,
with its confirmation; refusals and hostile input; and the Report links on the pages."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from social import graph
from videos import engagement
from videos.models import Report, Sound, Video


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def url(kind, target):
    return f"/report/{kind}/{target}/"


def test_anonymous_is_sent_to_login(client, video_factory):
    video = video_factory()
    response = client.get(url("video", video.public_id))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/report/video/")


def test_form_lists_every_reason_as_a_radio(client, user, video_factory):
    video = video_factory(caption="a caption")
    client.force_login(user)
    response = client.get(url("video", video.public_id))
    assert response.status_code == 200
    html = response.content.decode()
    for value, label in Report.Reason.choices:
        assert f'type="radio" name="reason" value="{value}"' in html
        assert str(label) in html
    assert 'name="text"' in html and 'maxlength="500"' in html
    assert "<script" not in html.split("<main", 1)[-1].split("</main>", 1)[0]


def test_submit_then_repeat_merges(client, user, video_factory):
    video = video_factory()
    client.force_login(user)
    first = client.post(url("video", video.public_id), {"reason": "violence", "text": "fight"})
    assert first.status_code == 200
    assert "We received your report." in first.content.decode()
    again = client.post(url("video", video.public_id), {"reason": "nudity", "text": ""})
    assert "We updated your earlier report." in again.content.decode()
    row = Report.objects.get()
    assert (row.reason, row.text, row.video, row.reporter) == ("nudity", "", video, user)


def test_report_comment_account_and_sound(client, user, user_factory, video_factory):
    video = video_factory()
    comment = engagement.comment_create(user=user_factory(), video=video, text="so mean")
    sound = Sound.objects.create(title="tune", owner=user_factory(), status=Sound.Status.READY)
    client.force_login(user)
    page = client.get(url("comment", comment.public_id)).content.decode()
    assert "so mean" in page and "Report comment" in page
    for kind, target in (
        ("comment", comment.public_id),
        ("user", video.author.username),
        ("sound", sound.public_id),
    ):
        response = client.post(url(kind, target), {"reason": "spam"})
        assert (
            response.status_code == 200 and "We received your report." in response.content.decode()
        )
    assert Report.objects.count() == 3


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose a reason."),
        ({"reason": "bogus"}, "Choose a reason from the list."),
        ({"reason": "spam", "text": "x" * 501}, "Ensure this value has at most 500 characters"),
        ({"reason": "spam", "text": "bad\x00"}, "Null characters are not allowed."),
    ],
)
def test_bad_input_is_a_form_error_and_keeps_the_text(client, user, video_factory, data, message):
    video = video_factory()
    client.force_login(user)
    response = client.post(url("video", video.public_id), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    if data.get("text") and "\x00" not in data["text"]:
        assert data["text"] in html  # nothing typed is lost
    assert Report.objects.count() == 0


def test_own_content_shows_a_refusal(client, user, video_factory):
    video = video_factory(author=user)
    client.force_login(user)
    response = client.get(url("video", video.public_id))
    assert "You cannot report yourself or your own content." in response.content.decode()
    assert client.post(url("video", video.public_id), {"reason": "spam"}).status_code == 400
    assert client.post(url("user", user.username), {"reason": "spam"}).status_code == 400
    assert Report.objects.count() == 0


def test_invisible_or_unknown_targets_are_404(client, user, user_factory, video_factory):
    blocker = user_factory()
    graph.block_create(blocker=blocker, blocked=user)
    client.force_login(user)
    for kind, target in [
        ("video", video_factory(is_hidden=True).public_id),
        ("video", video_factory(visibility=Video.Visibility.PRIVATE).public_id),
        ("video", video_factory(author=blocker).public_id),
        ("video", "nope"),
        ("planet", "earth"),
        ("user", "x" * 100),
    ]:
        assert client.get(url(kind, target)).status_code == 404, (kind, target)
        assert client.post(url(kind, target), {"reason": "spam"}).status_code == 404
    assert Report.objects.count() == 0


def test_csrf_is_required(user, video_factory):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    video = video_factory()
    assert strict.post(url("video", video.public_id), {"reason": "spam"}).status_code == 403
    assert Report.objects.count() == 0


def test_report_links_on_the_pages(client, user, user_factory, video_factory):
    video = video_factory()
    sound = Sound.objects.create(title="tune", owner=user_factory(), status=Sound.Status.READY)
    client.force_login(user)
    detail = client.get(video.get_absolute_url()).content.decode()
    assert f'href="/report/video/{video.public_id}/"' in detail
    profile = client.get(f"/@{video.author.username}/").content.decode()
    assert f'href="/report/user/{video.author.username}/"' in profile
    assert (
        f'href="/report/sound/{sound.public_id}/"'
        in client.get(sound.get_absolute_url()).content.decode()
    )
    # Not on one's own things.
    mine = video_factory(author=user)
    # (The page goes on with other people's videos, which do offer it.)
    own_page = client.get(mine.get_absolute_url()).content.decode()
    assert f"/report/video/{mine.public_id}/" not in own_page
    assert "/report/user/" not in client.get(f"/@{user.username}/").content.decode()


def test_for_you_slides_offer_report_next_to_not_interested(client, user, video_factory):
    other = video_factory()
    mine = video_factory(author=user)
    client.force_login(user)
    page = client.get("/").content.decode()
    assert page.count('class="why"') == 2  # both slides explain themselves
    assert f'href="/report/video/{other.public_id}/"' in page
    assert f'href="/report/video/{mine.public_id}/"' not in page
