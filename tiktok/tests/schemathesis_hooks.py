"""schemathesis hooks for tiktok/tests/test_schemathesis.py (loaded with SCHEMATHESIS_HOOKS).

One false positive is dropped, nothing else: in a multipart/form-data body every value
travels as text, so a "string field given an object" mutation reaches the server as a
string (the object's JSON) — a valid string, rightly accepted. schemathesis already skips
this mutation for urlencoded forms, headers and query strings, but not for multipart. A
failure is dropped only when every violation in it is such a type change of a string field
in a multipart request; a too-long caption or a "yes" for a boolean still fails the run.
"""

from __future__ import annotations

import re

import schemathesis

VIOLATION = re.compile(r"violates `([^`]*)`(?: at \S+)?(?: \(([^)]*)\))?")


def is_form_string_type_change(message: str, media_type: str | None) -> bool:
    if not (media_type or "").startswith("multipart/"):
        return False
    found = VIOLATION.findall(message)
    return bool(found) and all(
        keyword == "type" and detail.startswith("was string,") for keyword, detail in found
    )


@schemathesis.hook
def filter_failure(context, failure, case, response) -> bool:
    if failure.code != "ST201":
        return True
    return not is_form_string_type_change(failure.message, case.media_type)
