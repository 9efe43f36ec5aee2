"""Pages speak the viewer's language (Accept-Language), falling back to English."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "language, words",
    [
        ("de", ["Für dich", "Hochladen", "Anmelden"]),
        ("es", ["Para ti", "Subir", "Iniciar sesión"]),
        ("en", ["For You", "Upload", "Log in"]),
        ("xx", ["For You", "Upload", "Log in"]),
    ],
)
def test_feed_in_the_viewers_language(client, language, words):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    for word in words:
        assert word in html


def test_html_lang_attribute_follows(client):
    assert '<html lang="de"' in client.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
