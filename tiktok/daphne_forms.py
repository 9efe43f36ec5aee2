"""Daphne without Twisted's own form parsing.

Twisted's HTTP request parses every POST multipart/form-data body into ``request.args``
before daphne hands the request to Django. daphne never reads those args, so an upload is
parsed twice and held in memory once more; and a body Twisted cannot parse (found by
schemathesis: a multipart body with only its closing boundary) is answered by Twisted with a
bare ``400`` — no Content-Type, no body, never logged — instead of reaching Django, whose
API answers every bad request in its one JSON error shape. Twisted has a switch for this,
``parsePOSTFormSubmission``, that daphne does not pass; ``disable()`` turns it off for
every request daphne makes. Imported from tiktok/asgi.py, so it holds wherever daphne
serves the project; under uvicorn it changes nothing.
"""

from __future__ import annotations


def disable() -> bool:
    """Turn Twisted's POST form parsing off for daphne's requests (idempotent)."""
    try:
        from daphne.http_protocol import WebRequest
    except ImportError:  # daphne not installed: nothing to do
        return False
    original = WebRequest.__init__
    if getattr(original, "_form_parsing_disabled", False):
        return True

    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self._parsePOSTFormSubmission = False  # read by twisted's requestReceived

    __init__._form_parsing_disabled = True
    WebRequest.__init__ = __init__
    return True
