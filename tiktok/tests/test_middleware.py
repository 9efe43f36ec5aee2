"""Hostile query strings the database would choke on get a clear 400, never a 500."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/hashtags/", "/api/v1/videos/", "/search/", "/"])
def test_nul_byte_in_the_query_is_refused(client, path):
    response = client.get(path, {"q": "a\x00b"})
    assert response.status_code == 400
    if path.startswith("/api/"):
        assert response.json()["error"]["code"] == "invalid"


@pytest.mark.parametrize(
    "value", ["1392-07-21T19:57:45-23:06", "0001-01-01T00:00:00Z", "2026-01-01T00:00:00+15:00"]
)
def test_impossible_dates_in_filters_are_refused(client, value):
    response = client.get("/api/v1/videos/", {"created_after": value})
    assert response.status_code == 400
    assert "created_after" in response.json()["error"]["fields"]


def test_ordinary_dates_still_filter(client, video_factory):
    video_factory()
    response = client.get("/api/v1/videos/", {"created_after": "2020-01-01T00:00:00+02:00"})
    assert response.status_code == 200 and len(response.json()["results"]) == 1
