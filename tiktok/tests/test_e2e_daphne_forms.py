"""Through a real daphne: form bodies reach Django as sent (tiktok/daphne_forms.py), so a
malformed multipart body gets the API's JSON 400 instead of Twisted's bare one."""

from __future__ import annotations

import pytest
import requests
from rest_framework.authtoken.models import Token

from tiktok import daphne_forms

pytestmark = pytest.mark.e2e


def test_disable_is_idempotent():
    assert daphne_forms.disable() is True
    from daphne.http_protocol import WebRequest

    first = WebRequest.__init__
    assert daphne_forms.disable() is True
    assert WebRequest.__init__ is first


def test_malformed_and_valid_multipart_through_daphne(live_site, user_factory, video_factory):
    user = user_factory()
    token = Token.objects.create(user=user)
    headers = {"Authorization": f"Token {token.key}"}
    # Only the closing boundary (and a boundary that does not match the header's).
    response = requests.post(
        f"{live_site}/api/v1/videos/",
        data=b"--c637e12e2b1a998d80d1b087531af51c--\r\n",
        headers={**headers, "Content-Type": "multipart/form-data; boundary=6c2f741f54"},
        timeout=20,
    )
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["error"]["fields"] == {"file": ["No file was submitted."]}
    # Garbage that claims to be multipart: a clear JSON 400 as well.
    response = requests.post(
        f"{live_site}/api/v1/videos/",
        data=b"\x00\xffnot a form at all",
        headers={**headers, "Content-Type": "multipart/form-data"},
        timeout=20,
    )
    assert response.status_code == 400
    assert set(response.json()["error"]) == {"code", "message", "fields"}
    # A well-formed multipart form is read as before.
    video = video_factory()
    response = requests.post(
        f"{live_site}/api/v1/videos/{video.public_id}/comments/",
        files={"text": (None, "through daphne")},
        headers=headers,
        timeout=20,
    )
    assert response.status_code == 201, response.text
    assert response.json()["text"] == "through daphne"
