"""Caption text: hashtags and @mentions (pure functions, no database)."""

import re
import unicodedata

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MAX_HASHTAGS = 30
HASHTAG_MAX_LENGTH = 50


def _combining_marks() -> str:
    """A regex class body with every Unicode combining mark (categories Mn, Mc, Me).

    ``\\w`` has none of them, yet many scripts need them inside words (the vowel signs of
    Devanagari, Bengali, Thai…), and so does Latin text in decomposed form.
    """
    ranges: list[tuple[int, int]] = []
    for cp in (*range(0x300, 0x20000), *range(0xE0100, 0xE01F0)):
        if unicodedata.category(chr(cp))[0] == "M":
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    return "".join(f"{chr(a)}-{chr(b)}" if a != b else chr(a) for a, b in ranges)


_MARKS = _combining_marks()
_WORD = rf"[\w{_MARKS}]"
# A hashtag is # followed by Unicode letters, digits, underscores or combining marks,
# and must contain at least one letter (so "#1" is just a number). A run longer than
# HASHTAG_MAX_LENGTH is not a hashtag (cutting it would make up a different one).
HASHTAG_RE = re.compile(rf"(?<![\w{_MARKS}&#])#({_WORD}+)", re.UNICODE)
# Usernames are 2–24 of [A-Za-z0-9_.]. The whole run is the name (possessive: a longer
# run is never a mention of a shorter name), less the full stops at its end, which belong
# to the sentence; see _mention_name.
MENTION_RE = re.compile(r"(?<![\w@])@([A-Za-z0-9_.]++)(?![\w@])")
USERNAME_MIN_LENGTH, USERNAME_MAX_LENGTH = 2, 24


def _normalize(text: str) -> str:
    # One spelling per word: "cafe" + U+0301 is the same hashtag as "caf" + U+00E9.
    return unicodedata.normalize("NFC", text or "")


def _mention_name(run: str) -> str | None:
    name = run.rstrip(".")
    return name if USERNAME_MIN_LENGTH <= len(name) <= USERNAME_MAX_LENGTH else None


def _is_hashtag(name: str) -> bool:
    return len(name) <= HASHTAG_MAX_LENGTH and any(ch.isalpha() for ch in name)


def extract_hashtags(text: str) -> list[str]:
    """Hashtag names in order of first use, de-duplicated case-insensitively, without '#'."""
    seen: dict[str, str] = {}
    for match in HASHTAG_RE.finditer(_normalize(text)):
        name = match.group(1)
        if not _is_hashtag(name):
            continue
        key = name.casefold()
        if key not in seen:
            seen[key] = name
        if len(seen) >= MAX_HASHTAGS:
            break
    return list(seen.values())


def extract_mentions(text: str) -> list[str]:
    seen: dict[str, str] = {}
    for match in MENTION_RE.finditer(_normalize(text)):
        name = _mention_name(match.group(1))
        if name is not None:
            seen.setdefault(name.lower(), name)
    return list(seen.values())


_TOKEN_RE = re.compile(f"{HASHTAG_RE.pattern}|{MENTION_RE.pattern}", re.UNICODE)


def linkify_caption(text: str) -> SafeString:
    """Escape the caption and turn #hashtags and @mentions into links.

    Escaping happens piece by piece around the matches, so no user text is ever
    emitted unescaped.
    """
    text = _normalize(text)
    out: list[str] = []
    last = 0
    for match in _TOKEN_RE.finditer(text):
        tag, run = match.group(1), match.group(2)
        if tag is not None:
            if not _is_hashtag(tag):
                continue
            out.append(escape(text[last : match.start()]))
            url = reverse("videos:hashtag", kwargs={"name": tag.lower()})
            out.append(f'<a class="tag" href="{escape(url)}">#{escape(tag)}</a>')
            last = match.end()
        else:
            mention = _mention_name(run)
            if mention is None:
                continue
            out.append(escape(text[last : match.start()]))
            url = reverse("videos:profile", kwargs={"username": mention})
            out.append(f'<a class="mention" href="{escape(url)}">@{escape(mention)}</a>')
            last = match.start() + 1 + len(mention)  # trailing full stops stay text
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped
