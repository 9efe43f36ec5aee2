"""Comment filters: lists of words and phrases, and matching them in text.

Matching ignores case in every script (casefold, after NFC normalisation) and is on whole
words: "ass" does not match "class", but "bad word" matches "Bad  Word!" (any run of
spaces between the words of a phrase). A word is delimited by anything that is not a
letter, digit or underscore in Unicode's sense (Python's \\w), so "ñandú" is one word.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WORDS_MAX = 200  # entries in one person's list
WORD_MAX_LENGTH = 50
TEXT_MAX_LENGTH = 5000  # the raw text of the setting
_SPLIT = re.compile(r"[,\n\r;]+")


def _key(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).casefold().split())


def words_parse(text: str) -> list[str]:
    """A list as people type it (one per line, or separated by commas) → its entries,
    cleaned, in order, without repeats. Raises ValidationError on what cannot be a list."""
    if not isinstance(text, str):
        raise ValidationError(_("Enter words separated by commas or new lines."))
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError(
            _("The list can be at most %(n)d characters long.") % {"n": TEXT_MAX_LENGTH}
        )
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in text):
        raise ValidationError(_("The list contains characters we cannot store."))
    words: list[str] = []
    seen: set[str] = set()
    for raw in _SPLIT.split(text):
        word = " ".join(unicodedata.normalize("NFC", raw).split())
        if not word:
            continue
        if len(word) > WORD_MAX_LENGTH:
            raise ValidationError(
                _("“%(word)s…” is too long: at most %(n)d characters per entry.")
                % {"word": word[:20], "n": WORD_MAX_LENGTH}
            )
        if not re.search(r"\w", word):
            raise ValidationError(
                _("“%(word)s” has no letters or digits to match.") % {"word": word}
            )
        key = _key(word)
        if key in seen:
            continue
        seen.add(key)
        words.append(word)
    if len(words) > WORDS_MAX:
        raise ValidationError(_("At most %(n)d words or phrases.") % {"n": WORDS_MAX})
    return words


@lru_cache(maxsize=512)
def _pattern(keys: tuple[str, ...]) -> re.Pattern | None:
    parts = [r"\s+".join(re.escape(piece) for piece in key.split(" ")) for key in keys if key]
    if not parts:
        return None
    # Longest first, so a phrase wins over a word it starts with (only a bool is returned,
    # but it keeps the alternation cheap to reason about).
    parts.sort(key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)")


def text_matches(text: str, words) -> bool:
    """Whether text contains any of words, as whole words, ignoring case."""
    keys = tuple(sorted({_key(w) for w in words if w and w.strip()}))
    pattern = _pattern(keys)
    if pattern is None or not text:
        return False
    return pattern.search(unicodedata.normalize("NFC", text).casefold()) is not None
