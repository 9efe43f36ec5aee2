"""People: accounts, profiles, external links and the follow graph."""

import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

username_validator = RegexValidator(
    r"^[A-Za-z0-9_.]{2,24}$",
    _("2–24 characters: letters, digits, underscores and full stops."),
)


def age_on(*, birthdate: datetime.date, today: datetime.date) -> int:
    """Whole years between birthdate and today (a 29 February birthday turns over on 1 March)."""
    years = today.year - birthdate.year
    if (today.month, today.day) < (birthdate.month, birthdate.day):
        years -= 1
    return years


def avatar_upload_to(instance: "User", filename: str) -> str:
    # The file name is ours, never the uploader's.
    from secrets import token_urlsafe

    return f"avatars/{instance.pk or 'new'}/{token_urlsafe(8)}.jpg"


class RemixAudience(models.TextChoices):
    EVERYONE = "everyone", _("Everyone")
    FRIENDS = "friends", _("Friends (people you follow who follow you back)")
    NOBODY = "nobody", _("Nobody")


class UserManager(DjangoUserManager):
    def get_by_natural_key(self, username):
        # Usernames are unique regardless of case, so logging in ignores case too.
        return self.get(username__iexact=username)


class User(AbstractUser):
    username = models.CharField(
        _("username"),
        max_length=24,
        unique=True,
        validators=[username_validator],
        error_messages={"unique": _("That username is taken.")},
    )
    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    bio = models.CharField(_("bio"), max_length=200, blank=True)
    avatar = models.ImageField(_("avatar"), upload_to=avatar_upload_to, blank=True)
    # Null only for accounts made with createsuperuser; people signing up must give it.
    birthdate = models.DateField(_("birthdate"), null=True, blank=True)
    is_private = models.BooleanField(
        _("private account"),
        default=False,
        help_text=_("Only approved followers see your videos."),
    )
    # Who may duet or stitch this person's videos. Empty means the default for their age
    # (social/selectors.remix_audience_for): everyone for adults, friends for 16–17, and
    # nobody at all for 13–15 whatever is stored here.
    remix_audience = models.CharField(
        _("who can duet and stitch your videos"),
        max_length=8,
        choices=RemixAudience.choices,
        blank=True,
        default="",
    )
    # The creator's own comment filter: one word or phrase per line (or comma-separated).
    # Comments on their videos that contain one are held for them to approve.
    filtered_words = models.TextField(_("filtered words"), blank=True, default="")
    followers_count = models.PositiveIntegerField(default=0, editable=False)
    following_count = models.PositiveIntegerField(default=0, editable=False)
    likes_received_count = models.PositiveIntegerField(default=0, editable=False)
    # Moderation (videos/moderation.py decides, social/restrictions.py enforces): while
    # suspended_until is in the future, or once banned_at is set, the account cannot log in,
    # its sessions, API tokens and OAuth tokens stop working and its WebSockets are refused.
    # A suspension ends by itself; nothing has to run when it does.
    suspended_until = models.DateTimeField(_("suspended until"), null=True, blank=True)
    banned_at = models.DateTimeField(_("banned at"), null=True, blank=True)
    restriction_reason = models.CharField(_("suspension or ban reason"), max_length=500, blank=True)

    objects = UserManager()

    class Meta:
        ordering = ["username"]
        constraints = [
            models.UniqueConstraint(
                models.functions.Lower("username"), name="user_username_ci_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.username

    @property
    def is_banned(self) -> bool:
        return self.banned_at is not None

    @property
    def is_suspended(self) -> bool:
        return self.suspended_until is not None and self.suspended_until > timezone.now()

    @property
    def is_restricted(self) -> bool:
        """Banned, or suspended right now: the account may not sign in or use tokens."""
        return self.is_banned or self.is_suspended

    @property
    def name(self) -> str:
        return self.display_name or self.username

    @property
    def age(self) -> int | None:
        if self.birthdate is None:
            return None
        return age_on(birthdate=self.birthdate, today=timezone.localdate())

    def get_absolute_url(self) -> str:
        return reverse("videos:profile", kwargs={"username": self.username})


class ExternalLink(models.Model):
    """A link to the creator's presence elsewhere, validated per platform in services."""

    class Platform(models.TextChoices):
        YOUTUBE = "youtube", "YouTube"
        INSTAGRAM = "instagram", "Instagram"
        TIKTOK = "tiktok", "TikTok"
        X = "x", "X"
        TWITCH = "twitch", "Twitch"
        WEBSITE = "website", _("Website")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="links"
    )
    platform = models.CharField(max_length=16, choices=Platform.choices)
    url = models.URLField(max_length=300)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "platform"], name="link_one_per_platform"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_platform_display()}"


class Follow(models.Model):
    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="following_set"
    )
    followee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follower_set"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "followee"], name="follow_unique"),
            models.CheckConstraint(condition=~Q(follower=F("followee")), name="follow_not_self"),
        ]
        indexes = [models.Index(fields=["followee", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.follower} → {self.followee}"


class FollowRequest(models.Model):
    """A pending request to follow a private account; accepted, it becomes a Follow."""

    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sent_follow_requests"
    )
    followee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follow_requests"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "followee"], name="follow_request_unique"),
            models.CheckConstraint(
                condition=~Q(follower=F("followee")), name="follow_request_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.follower} ⇢ {self.followee}"


class Block(models.Model):
    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_made"
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_received"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_unique"),
            models.CheckConstraint(condition=~Q(blocker=F("blocked")), name="block_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.blocker} ⊘ {self.blocked}"


class Notification(models.Model):
    """Something that happened to the recipient. Targets in the videos app are referenced by
    public id (social never imports videos), so the text is rendered from these fields."""

    class Kind(models.TextChoices):
        LIKE = "like", _("liked your video")
        COMMENT = "comment", _("commented on your video")
        REPLY = "reply", _("replied to your comment")
        FOLLOW = "follow", _("started following you")
        FOLLOW_REQUEST = "follow_request", _("asked to follow you")
        FOLLOW_ACCEPTED = "follow_accepted", _("accepted your follow request")
        MENTION = "mention", _("mentioned you")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    video_public_id = models.CharField(max_length=16, blank=True)
    comment_public_id = models.CharField(max_length=16, blank=True)
    snippet = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.actor} {self.get_kind_display()} → {self.recipient}"
