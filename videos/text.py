"""Caption text: hashtags and @mentions (pure functions, no database)."""

import re

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MAX_HASHTAGS = 30
HASHTAG_MAX_LENGTH = 50
# A hashtag is # followed by Unicode letters, digits, underscores or combining marks,
# and must contain at least one letter (so "#1" is just a number).
HASHTAG_RE = re.compile(r"(?<![\w&#])#(\w{1,50})", re.UNICODE)
MENTION_RE = re.compile(r"(?<![\w@])@([A-Za-z0-9_.]{2,24})(?<!\.)")


def extract_hashtags(text: str) -> list[str]:
    """Hashtag names in order of first use, de-duplicated case-insensitively, without '#'."""
    seen: dict[str, str] = {}
    for match in HASHTAG_RE.finditer(text or ""):
        name = match.group(1)
        if not any(ch.isalpha() for ch in name):
            continue
        key = name.casefold()
        if key not in seen:
            seen[key] = name
        if len(seen) >= MAX_HASHTAGS:
            break
    return list(seen.values())


def extract_mentions(text: str) -> list[str]:
    seen: dict[str, str] = {}
    for match in MENTION_RE.finditer(text or ""):
        seen.setdefault(match.group(1).lower(), match.group(1))
    return list(seen.values())


_TOKEN_RE = re.compile(f"{HASHTAG_RE.pattern}|{MENTION_RE.pattern}", re.UNICODE)


def linkify_caption(text: str) -> SafeString:
    """Escape the caption and turn #hashtags and @mentions into links.

    Escaping happens piece by piece around the matches, so no user text is ever
    emitted unescaped.
    """
    text = text or ""
    out: list[str] = []
    last = 0
    for match in _TOKEN_RE.finditer(text):
        tag, mention = match.group(1), match.group(2)
        if tag is not None and not any(ch.isalpha() for ch in tag):
            continue
        out.append(escape(text[last : match.start()]))
        if tag is not None:
            url = reverse("videos:hashtag", kwargs={"name": tag.lower()})
            out.append(f'<a class="tag" href="{escape(url)}">#{escape(tag)}</a>')
        else:
            url = reverse("videos:profile", kwargs={"username": mention})
            out.append(f'<a class="mention" href="{escape(url)}">@{escape(mention)}</a>')
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped
