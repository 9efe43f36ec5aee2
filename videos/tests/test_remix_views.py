"""HTML of remix culture: the upload page's remix part (prefilled from links, refusing
what is not allowed), the Duet and Stitch buttons on slides, the duets and stitches
lists, the discover page."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from videos.models import Sound, Video

pytestmark = pytest.mark.django_db


def test_upload_page_for_a_duet_shows_the_original_beside_the_recorder(client, user, video_factory):
    original = video_factory()
    client.force_login(user)
    response = client.get(f"/upload/?duet={original.public_id}")
    page = response.content.decode()
    assert response.status_code == 200
    assert f'name="duet_of" value="{original.public_id}"' in page
    assert 'id="recorder-original"' in page and original.file.url in page
    assert 'id="recorder-camera"' in page and 'data-recorder="record"' in page
    assert 'name="layout"' in page
    assert "js/recorder.js" in page and "js/upload.js" in page
    # The recording is previewed from a blob: URL, allowed on this page only.
    assert "blob:" in response["Content-Security-Policy"].split("media-src")[1].split(";")[0]
    assert "blob:" not in client.get("/").get("Content-Security-Policy", "")


def test_upload_page_for_a_stitch_has_the_range(client, user, video_factory):
    original = video_factory(duration=12)
    client.force_login(user)
    page = client.get(f"/upload/?stitch={original.public_id}").content.decode()
    assert f'name="stitch_of" value="{original.public_id}"' in page
    assert 'name="stitch_start"' in page and 'name="stitch_end"' in page
    assert 'max="12.0"' in page


def test_upload_page_says_when_a_remix_is_not_allowed(client, user, video_factory, user_factory):
    client.force_login(user)
    no_duets = video_factory(allow_duet=False)
    page = client.get(f"/upload/?duet={no_duets.public_id}").content.decode()
    assert "The author does not allow duets of this video." in page
    private = video_factory(visibility=Video.Visibility.PRIVATE)
    page = client.get(f"/upload/?stitch={private.public_id}").content.decode()
    assert "This video is not available." in page
    assert private.file.url not in page
    sound = Sound.objects.create(
        title="Mine only", owner=user_factory(), is_reusable=False, audio="sounds/x/a.m4a"
    )
    page = client.get(f"/upload/?sound={sound.public_id}").content.decode()
    assert "does not allow others to use it" in page


def test_upload_page_with_a_sound(client, user, user_factory):
    sound = Sound.objects.create(
        title="Loop", owner=user_factory(), duration=30, audio="sounds/x/loop.m4a"
    )
    client.force_login(user)
    page = client.get(f"/upload/?sound={sound.public_id}").content.decode()
    assert f'name="sound" value="{sound.public_id}"' in page
    assert 'name="sound_offset"' in page and 'name="original_volume"' in page
    assert "Loop" in page


def test_upload_form_refuses_a_duet_that_is_not_allowed(client, user, video_factory, clips):
    original = video_factory(allow_duet=False)
    client.force_login(user)
    with clips["small_h264"].open("rb") as handle:
        response = client.post(
            "/upload/",
            {"file": handle, "caption": "hi", "duet_of": original.public_id},
            HTTP_ACCEPT="application/json",
        )
    assert response.status_code == 400
    assert response.json()["errors"]["duet_of"][0]["message"] == (
        "The author does not allow duets of this video."
    )
    with clips["small_h264"].open("rb") as handle:
        response = client.post("/upload/", {"file": handle, "duet_of": original.public_id})
    assert response.status_code == 400
    assert "The author does not allow duets of this video." in response.content.decode()
    assert Video.objects.filter(author=user).count() == 0


def test_slides_offer_duet_and_stitch_only_when_allowed(client, video_factory):
    both = video_factory()
    neither = video_factory(allow_duet=False, allow_stitch=False)
    page = client.get("/").content.decode()

    def slide(video):
        start = page.index(f'data-video="{video.public_id}"')
        return page[start : page.index("</article>", start)]

    assert f'name="duet" value="{both.public_id}"' in slide(both)
    assert f'name="stitch" value="{both.public_id}"' in slide(both)
    assert 'aria-label="Duet with @' in slide(both)
    assert 'data-action="duet"' not in slide(neither)
    assert 'data-action="stitch"' not in slide(neither)


def test_a_duet_links_to_its_original_and_the_original_to_its_duets(client, video_factory):
    original = video_factory()
    duet = video_factory(duet_of=original)
    stitch = video_factory(stitch_of=original)
    page = client.get(duet.get_absolute_url()).content.decode()
    assert f"Duet with @{original.author.username}" in page
    assert original.get_absolute_url() in page
    page = client.get(stitch.get_absolute_url()).content.decode()
    assert f"Stitched from @{original.author.username}" in page
    page = client.get(original.get_absolute_url()).content.decode()
    duets_url = f"/@{original.author.username}/video/{original.public_id}/duets/"
    stitches_url = f"/@{original.author.username}/video/{original.public_id}/stitches/"
    assert duets_url in page and stitches_url in page
    assert duet.get_absolute_url() in client.get(duets_url).content.decode()
    assert stitch.get_absolute_url() in client.get(stitches_url).content.decode()
    assert duet.get_absolute_url() not in client.get(stitches_url).content.decode()


def test_a_private_original_is_not_named_on_its_duet(client, video_factory):
    original = video_factory(visibility=Video.Visibility.PRIVATE)
    duet = video_factory(duet_of=original)
    page = client.get(duet.get_absolute_url()).content.decode()
    assert 'class="remix-of"' not in page
    assert original.public_id not in page


def test_feed_query_count_does_not_grow_with_remixes(client, video_factory):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        return len(ctx.captured_queries)

    base = video_factory()
    small = count()
    for i in range(8):
        video_factory(duet_of=base if i % 2 else None, stitch_of=None if i % 2 else base)
    assert count() == small


def test_discover_page_lists_trending_hashtags_and_sounds(client, video_factory, user_factory):
    sound = Sound.objects.create(title="Viral", owner=user_factory(), audio="sounds/v/v.m4a")
    now = timezone.now()
    for i in range(3):
        video_factory(
            tags=["rising"], sound=sound, created_at=now - datetime.timedelta(hours=i + 1)
        )
    video_factory(tags=["steady"], created_at=now - datetime.timedelta(days=3))
    page = client.get("/discover/").content.decode()
    assert 'href="/tag/rising/"' in page
    assert "/tag/steady/" not in page
    assert sound.get_absolute_url() in page
