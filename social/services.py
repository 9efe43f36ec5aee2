"""Every write about people. Keyword-only, validated, transactional."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .images import avatar_reencode
from .links import link_normalise
from .models import ExternalLink, User, age_on, username_validator

# Nobody alive is this old; a birthdate this far back is a typo (or a made-up one).
MAXIMUM_PLAUSIBLE_AGE = 120
# Names that are paths of the API's users/ collection (users/suggested/).
RESERVED_USERNAMES = frozenset({"suggested"})


def age_gate_check(*, birthdate: datetime.date, today: datetime.date | None = None) -> None:
    """Refuse people under MINIMUM_AGE, kindly. Nothing about them is kept."""
    today = today or timezone.localdate()
    if birthdate > today:
        raise ValidationError(_("Your birthdate cannot be in the future."), code="future")
    age = age_on(birthdate=birthdate, today=today)
    if age >= MAXIMUM_PLAUSIBLE_AGE:
        raise ValidationError(_("Please check your birthdate."), code="implausible")
    if age < settings.MINIMUM_AGE:
        raise ValidationError(
            _(
                "Sorry, you need to be at least %(age)d to use %(site)s. "
                "We haven't saved anything you typed. See you in a little while!"
            )
            % {"age": settings.MINIMUM_AGE, "site": settings.SITE_NAME},
            code="too_young",
        )


@transaction.atomic
def user_create(*, username: str, email: str, password: str, birthdate: datetime.date) -> User:
    age_gate_check(birthdate=birthdate)
    # The model's regex ends in "$", which also matches before a trailing newline.
    if not isinstance(username, str) or not username_validator.regex.fullmatch(username):
        raise ValidationError({"username": username_validator.message}, code="invalid")
    if username.lower() in RESERVED_USERNAMES or (
        User.objects.filter(username__iexact=username).exists()
    ):
        raise ValidationError({"username": _("That username is taken.")}, code="unique")
    user = User(username=username, email=User.objects.normalize_email(email), birthdate=birthdate)
    user.set_password(password)
    # Teens get a private account by default; they can change it in settings.
    if age_on(birthdate=birthdate, today=timezone.localdate()) < 16:
        user.is_private = True
    user.full_clean(exclude=["password"])
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # Someone took the name between the check above and this insert.
        raise ValidationError({"username": _("That username is taken.")}, code="unique") from None
    return user


def profile_update(
    *, user: User, display_name: str, bio: str, is_private: bool | None = None
) -> User:
    user.display_name = display_name.strip()
    user.bio = bio.strip()
    fields = ["display_name", "bio"]
    if is_private is not None:
        user.is_private = is_private
        fields.append("is_private")
    user.full_clean(exclude=["password", "username", "email", "birthdate", "avatar"])
    user.save(update_fields=fields)
    return user


def remix_audience_set(*, user: User, audience: str | None) -> User:
    """Who may duet and stitch user's videos. None or "" goes back to the default for their
    age. 13–15 year olds cannot choose (it is always nobody: social.selectors)."""
    from .selectors import remix_audience_choices

    audience = audience or None
    if audience is not None:
        allowed = remix_audience_choices(user)
        if not allowed:
            raise ValidationError(
                {"remix_audience": _("Until you are 16, nobody can duet or stitch your videos.")}
            )
        if audience not in allowed:
            raise ValidationError({"remix_audience": _("Choose one of the options.")})
    user.remix_audience = audience or ""
    user.save(update_fields=["remix_audience"])
    return user


def filtered_words_set(*, user: User, text: str) -> list[str]:
    """Store the creator's own comment filter; returns the entries as understood."""
    from .wordfilter import words_parse

    try:
        words = words_parse(text)
    except ValidationError as exc:
        raise ValidationError({"filtered_words": exc.messages}) from None
    user.filtered_words = "\n".join(words)
    user.save(update_fields=["filtered_words"])
    return words


def avatar_set(*, user: User, data: bytes) -> User:
    """Re-encode the upload and store it; the old file is removed after the commit."""
    jpeg = avatar_reencode(data=data)
    old_name = user.avatar.name if user.avatar else ""
    storage = user.avatar.storage
    with transaction.atomic():
        user.avatar.save("avatar.jpg", ContentFile(jpeg), save=False)
        user.save(update_fields=["avatar"])
    if old_name:
        transaction.on_commit(lambda: storage.delete(old_name))
    return user


def avatar_remove(*, user: User) -> User:
    if user.avatar:
        name, storage = user.avatar.name, user.avatar.storage
        user.avatar = ""
        user.save(update_fields=["avatar"])
        transaction.on_commit(lambda: storage.delete(name))
    return user


@transaction.atomic
def links_set(*, user: User, links: dict[str, str]) -> list[ExternalLink]:
    """Replace the user's links with links ({platform: url}; empty url removes it).

    Every link is validated before anything is written, so one bad link loses nothing.
    """
    cleaned: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for platform, url in links.items():
        if not (url or "").strip():
            continue
        try:
            cleaned[platform] = link_normalise(platform=platform, url=url)
        except ValidationError as exc:
            errors[platform] = exc.messages
    if errors:
        raise ValidationError(errors)
    ExternalLink.objects.filter(user=user).exclude(platform__in=cleaned).delete()
    order = {value: index for index, value in enumerate(ExternalLink.Platform.values)}
    result = []
    for platform, url in cleaned.items():
        link, _created = ExternalLink.objects.update_or_create(
            user=user, platform=platform, defaults={"url": url, "position": order[platform]}
        )
        result.append(link)
    return sorted(result, key=lambda link: link.position)


def api_token_revoke(*, user: User) -> bool:
    """Delete the person's API token (POST /api/v1/auth/token/ makes a new one).
    Requests carrying the old token are refused from now on. True when there was one."""
    from rest_framework.authtoken.models import Token

    deleted, _rows = Token.objects.filter(user=user).delete()
    return deleted > 0
