"""Content: videos, sounds and hashtags."""

import secrets

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

CAPTION_MAX_LENGTH = 2200


def new_public_id() -> str:
    # 11 URL-safe characters = 64 random bits: unguessable, short enough to share.
    return secrets.token_urlsafe(8)


def private_storage():
    from django.core.files.storage import storages

    return storages["private"]


def original_upload_to(instance: "Video", filename: str) -> str:
    return f"originals/{instance.public_id}/source"


def video_upload_to(instance: "Video", filename: str) -> str:
    return f"videos/{instance.public_id}/{secrets.token_urlsafe(6)}.mp4"


def poster_upload_to(instance: "Video", filename: str) -> str:
    return f"videos/{instance.public_id}/{secrets.token_urlsafe(6)}.jpg"


class TaggedVideo(TaggedItemBase):
    """Through model so hashtag queries join one table instead of generic relations."""

    content_object = models.ForeignKey("Video", on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="tagged_video_unique"),
        ]


class Sound(models.Model):
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    title = models.CharField(_("title"), max_length=120)
    artist = models.CharField(_("artist"), max_length=120, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sounds"
    )
    audio = models.FileField(upload_to="sounds/", blank=True)
    duration = models.FloatField(default=0)
    is_original = models.BooleanField(default=False)
    is_reusable = models.BooleanField(default=True)
    uses_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("videos:sound", kwargs={"public_id": self.public_id})

    @property
    def display_name(self) -> str:
        return f"{self.title} — {self.artist}" if self.artist else self.title


class VideoQuerySet(models.QuerySet):
    def ready(self):
        return self.filter(status=Video.Status.READY)

    def public(self):
        """Ready, public, not hidden, by an active public account: fit for anonymous eyes."""
        return self.ready().filter(
            visibility=Video.Visibility.PUBLIC,
            is_hidden=False,
            author__is_active=True,
            author__is_private=False,
        )

    def with_cards(self):
        """Everything a feed slide or a grid tile renders, in one query."""
        return self.select_related("author", "sound").prefetch_related("tags")


class Video(models.Model):
    class Status(models.TextChoices):
        PROCESSING = "processing", _("Processing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Everyone")
        FOLLOWERS = "followers", _("Followers")
        PRIVATE = "private", _("Only me")

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="videos"
    )
    caption = models.TextField(
        _("caption"), blank=True, validators=[MaxLengthValidator(CAPTION_MAX_LENGTH)]
    )
    tags = TaggableManager(through=TaggedVideo, blank=True, verbose_name=_("hashtags"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROCESSING)
    failure_reason = models.CharField(max_length=300, blank=True)
    visibility = models.CharField(
        max_length=12, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    is_hidden = models.BooleanField(
        _("hidden by moderation"), default=False, help_text=_("Hidden everywhere but the admin.")
    )
    allow_comments = models.BooleanField(default=True)
    allow_duet = models.BooleanField(default=True)
    allow_stitch = models.BooleanField(default=True)

    original = models.FileField(upload_to=original_upload_to, storage=private_storage, blank=True)
    original_size = models.PositiveBigIntegerField(default=0)
    file = models.FileField(upload_to=video_upload_to, blank=True)
    poster = models.ImageField(upload_to=poster_upload_to, blank=True)
    duration = models.FloatField(default=0)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    sound = models.ForeignKey(
        Sound, on_delete=models.SET_NULL, null=True, blank=True, related_name="videos"
    )
    duet_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duets"
    )
    stitch_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="stitches"
    )

    likes_count = models.PositiveIntegerField(default=0, editable=False)
    comments_count = models.PositiveIntegerField(default=0, editable=False)
    views_count = models.PositiveIntegerField(default=0, editable=False)
    shares_count = models.PositiveIntegerField(default=0, editable=False)

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    processing_seconds = models.FloatField(default=0)
    transcoded = models.BooleanField(
        default=False, help_text=_("False when the fast path remuxed the upload.")
    )

    objects = VideoQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-created_at", "-id"], name="video_feed_idx"),
            models.Index(fields=["author", "-created_at"], name="video_author_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~(Q(duet_of__isnull=False) & Q(stitch_of__isnull=False)),
                name="video_duet_xor_stitch",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} by {self.author_id}"

    def get_absolute_url(self) -> str:
        return reverse(
            "videos:detail",
            kwargs={"username": self.author.username, "public_id": self.public_id},
        )

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def hashtag_names(self) -> list[str]:
        return sorted(tag.name for tag in self.tags.all())

    @property
    def aspect_ratio(self) -> str:
        return f"{self.width} / {self.height}" if self.width and self.height else "9 / 16"


class Like(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="likes"
    )
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="like_set")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "video"], name="like_once")]
        indexes = [models.Index(fields=["video", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} ♥ {self.video_id}"


class Comment(models.Model):
    MAX_LENGTH = 500

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    # Replies are one level deep: a reply's parent is always a top-level comment.
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    text = models.TextField(validators=[MaxLengthValidator(MAX_LENGTH)])
    likes_count = models.PositiveIntegerField(default=0, editable=False)
    replies_count = models.PositiveIntegerField(default=0, editable=False)
    is_removed = models.BooleanField(_("removed by moderation"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["video", "parent", "created_at"])]

    def __str__(self) -> str:
        return f"{self.public_id}: {self.text[:40]}"


class CommentLike(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_likes"
    )
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="like_set")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "comment"], name="comment_like_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} ♥ comment {self.comment_id}"


class Share(models.Model):
    """One counted share per viewer and video. Anonymous viewers are keyed by a hash of their
    session, so a reload-and-share loop cannot inflate the count."""

    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="share_set")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="shares",
    )
    viewer_key = models.CharField(max_length=64)
    channel = models.CharField(max_length=16, default="link")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["video", "viewer_key"], name="share_once"),
        ]

    def __str__(self) -> str:
        return f"share of {self.video_id}"
