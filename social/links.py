"""Per-platform validation of external profile links (pure functions, no database)."""

from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from .models import ExternalLink

Platform = ExternalLink.Platform

PLATFORM_HOSTS: dict[str, frozenset[str]] = {
    Platform.YOUTUBE: frozenset({"youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be"}),
    Platform.INSTAGRAM: frozenset({"instagram.com", "www.instagram.com"}),
    Platform.TIKTOK: frozenset({"tiktok.com", "www.tiktok.com"}),
    Platform.X: frozenset({"x.com", "www.x.com", "twitter.com", "www.twitter.com"}),
    Platform.TWITCH: frozenset({"twitch.tv", "www.twitch.tv", "m.twitch.tv"}),
}
# The host named in error messages (not simply the shortest one: that is youtu.be).
PLATFORM_HOME: dict[str, str] = {
    Platform.YOUTUBE: "youtube.com",
    Platform.INSTAGRAM: "instagram.com",
    Platform.TIKTOK: "tiktok.com",
    Platform.X: "x.com",
    Platform.TWITCH: "twitch.tv",
}

_url_validator = URLValidator(schemes=["https"])


def link_normalise(*, platform: str, url: str) -> str:
    """Return the cleaned https URL for platform, or raise ValidationError saying why."""
    url = (url or "").strip()
    if platform not in Platform.values:
        raise ValidationError(_("Unknown platform."), code="platform")
    if not url:
        raise ValidationError(_("Enter a link."), code="required")
    if len(url) > 300:
        raise ValidationError(_("That link is too long."), code="too_long")
    invalid = ValidationError(_("That is not a valid web address."), code="invalid")
    try:
        # urlsplit and .port raise ValueError on a broken IPv6 literal or a port over 65535.
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise invalid from None
    if parts.scheme.lower() != "https":
        raise ValidationError(_("Links must start with https://"), code="scheme")
    try:
        _url_validator(url)
    except ValidationError:
        raise invalid from None
    if "@" in parts.netloc:
        raise ValidationError(_("Links cannot contain a user name or password."), code="userinfo")
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        raise invalid
    allowed = PLATFORM_HOSTS.get(platform)
    if allowed is not None:
        if host not in allowed:
            label = Platform(platform).label
            raise ValidationError(
                _("%(platform)s links must be on %(host)s.")
                % {"platform": label, "host": PLATFORM_HOME[platform]},
                code="host",
            )
        path = parts.path.strip("/")
        if not path:
            raise ValidationError(
                _("Link to your profile, not the %(platform)s home page.")
                % {"platform": Platform(platform).label},
                code="path",
            )
    netloc = f"[{host}]" if ":" in host else host  # an IPv6 literal keeps its brackets
    if port is not None:
        netloc = f"{netloc}:{port}"
    return urlunsplit(("https", netloc, parts.path, parts.query, ""))
