""" "Why am I seeing this?": reason codes (chosen by ranking.choose_reason) and their texts."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _


def describe(code: str, name: str = "") -> str:
    """The viewer-facing text for a reason code. `name` is the hashtag (without '#') or the
    username the reason is about, when it has one."""
    if code == "own":
        return _("Your new video")
    if code == "following":
        return _("From an account you follow")
    if code in {"tag_watch", "tag_like", "tag_interest", "tag_tap"} and name:
        texts = {
            "tag_watch": _("You watched #%(tag)s"),
            "tag_like": _("You liked videos with #%(tag)s"),
            "tag_interest": _("You chose #%(tag)s"),
            "tag_tap": _("You looked at #%(tag)s"),
        }
        return texts[code] % {"tag": name}
    if code == "creator" and name:
        return _("You watched videos by @%(name)s") % {"name": name}
    if code in {"tag_watch", "tag_like", "tag_interest", "tag_tap", "creator"}:
        return _("Based on what you watched")
    if code == "sound":
        return _("You watched videos with this sound")
    if code == "similar":
        return _("Viewers who finished what you watched also watched this")
    if code == "trending":
        return _("Trending")
    if code == "new_creator":
        return _("New creator")
    if code == "rising":
        return _("New and rising")
    if code == "fresh":
        return _("Just posted")
    return _("Popular on %(site)s") % {"site": settings.SITE_NAME}
