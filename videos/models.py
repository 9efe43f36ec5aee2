"""Content: videos, sounds and hashtags."""

import secrets

from django.conf import settings
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
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


def sound_upload_to(instance: "Sound", filename: str) -> str:
    return f"sounds/{instance.public_id}/{secrets.token_urlsafe(6)}.m4a"


def sound_cover_upload_to(instance: "Sound", filename: str) -> str:
    return f"sounds/{instance.public_id}/{secrets.token_urlsafe(6)}.jpg"


def sound_original_upload_to(instance: "Sound", filename: str) -> str:
    return f"sound-originals/{instance.public_id}/source"


class Sound(models.Model):
    """A piece of audio videos can use: music a user uploaded, or the "original sound"
    extracted from a ready video (is_original, source_video). The stored audio is always our
    own AAC/M4A encode; uploads are kept privately until processed, never served."""

    class Status(models.TextChoices):
        PROCESSING = "processing", _("Processing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    title = models.CharField(_("title"), max_length=120)
    artist = models.CharField(_("artist"), max_length=120, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sounds"
    )
    audio = models.FileField(upload_to=sound_upload_to, blank=True)
    cover = models.ImageField(_("cover image"), upload_to=sound_cover_upload_to, blank=True)
    original = models.FileField(
        upload_to=sound_original_upload_to, storage=private_storage, blank=True
    )
    duration = models.FloatField(default=0)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.READY)
    failure_reason = models.CharField(max_length=300, blank=True)
    is_original = models.BooleanField(default=False)
    # The video an original sound was extracted from: the sound lives and dies with it, and
    # may be seen only by those who may see that video.
    source_video = models.OneToOneField(
        "Video",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="original_sound",
    )
    is_reusable = models.BooleanField(
        _("others may use this sound"), default=True, help_text=_("Off: nobody else can use it.")
    )
    uses_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "-uses_count"], name="sound_uses_idx")]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("videos:sound", kwargs={"public_id": self.public_id})

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def display_name(self) -> str:
        if self.is_original:
            # Attributed to the creator, in the viewer's language.
            return _("original sound — @%(name)s") % {"name": self.owner.username}
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
        return self.select_related(
            "author", "sound__owner", "duet_of__author", "stitch_of__author", "template"
        ).prefetch_related("tags")


class Video(models.Model):
    class Status(models.TextChoices):
        PROCESSING = "processing", _("Processing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Everyone")
        FOLLOWERS = "followers", _("Followers")
        PRIVATE = "private", _("Only me")

    class DuetLayout(models.TextChoices):
        SIDE_BY_SIDE = "horizontal", _("Side by side")
        TOP_BOTTOM = "vertical", _("Top and bottom")

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
    # Reported by REPORT_AUTOHIDE_THRESHOLD distinct people (open reports): out of For You,
    # trending and exploration until a moderator decides (videos/moderation.py keeps it).
    # A plain column, so the feed filters on it without a join or a subquery.
    report_held = models.BooleanField(
        _("held back by reports"),
        default=False,
        help_text=_("Out of For You until a moderator decides on its reports."),
    )
    allow_comments = models.BooleanField(default=True)
    allow_duet = models.BooleanField(default=True)
    allow_stitch = models.BooleanField(default=True)
    # "Save video": others may download the MP4. Never for authors under 16, whatever this
    # says (videos/selectors.can_download).
    allow_download = models.BooleanField(_("allow downloads"), default=True)

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
    # What the uploader asked the pipeline to do (kept, so a retried task does the same):
    # lay `sound` under the video from sound_offset seconds, with the video's own audio at
    # original_volume (0 = replaced); a duet's layout; a stitch's range of the original.
    # Set while `sound` / `duet_of` / `stitch_of` is empty means the source went away.
    allow_sound_reuse = models.BooleanField(default=True)
    sound_offset = models.FloatField(null=True, blank=True)
    original_volume = models.FloatField(default=0)
    duet_layout = models.CharField(max_length=10, choices=DuetLayout.choices, blank=True)
    stitch_start = models.FloatField(null=True, blank=True)
    stitch_end = models.FloatField(null=True, blank=True)
    # A template's layout to apply (green screen, text on top; side by side is a duet) and
    # the text to draw; kept like the fields above so a retried task does the same.
    template = models.ForeignKey(
        "Template", on_delete=models.SET_NULL, null=True, blank=True, related_name="videos"
    )
    template_layout = models.CharField(max_length=16, blank=True)
    template_text = models.CharField(max_length=120, blank=True)

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
            models.CheckConstraint(
                condition=Q(original_volume__gte=0) & Q(original_volume__lte=1),
                name="video_original_volume_range",
            ),
            models.CheckConstraint(
                condition=Q(stitch_start__isnull=True)
                | (
                    Q(stitch_start__gte=0)
                    & Q(stitch_end__gt=F("stitch_start"))
                    & Q(stitch_end__lte=F("stitch_start") + 5)
                ),
                name="video_stitch_range",
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
    def remix_source(self) -> tuple[str, "Video"] | None:
        """("duet" or "stitch", the original) when the original may be named to anyone:
        ready, public, not hidden, by an active public account. (with_cards joins it.)"""
        for kind, original in (("duet", self.duet_of), ("stitch", self.stitch_of)):
            if original is None:
                continue
            author = original.author
            if (
                original.status == Video.Status.READY
                and original.visibility == Video.Visibility.PUBLIC
                and not original.is_hidden
                and author.is_active
                and not author.is_private
            ):
                return kind, original
        return None

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

    class Status(models.TextChoices):
        VISIBLE = "visible", _("visible")
        # Matched the video author's own filtered words: the author approves or deletes it.
        HELD_BY_CREATOR = "held_by_creator", _("held for the creator")
        # Matched a site-wide FilteredTerm: a moderator approves or removes it in the admin.
        HELD_FOR_REVIEW = "held_for_review", _("held for review")

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
    # A held comment is seen by its author (and, held by the creator's filter, by the video's
    # author) only; it counts nowhere, is pushed nowhere and notifies nobody until approved.
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.VISIBLE
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["video", "parent", "created_at"]),
            models.Index(fields=["status", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.public_id}: {self.text[:40]}"

    @property
    def is_held(self) -> bool:
        return self.status != self.Status.VISIBLE


class HeldComment(Comment):
    """The admin's list of comments held by the site-wide filter (a proxy: same rows)."""

    class Meta:
        proxy = True
        verbose_name = _("held comment")
        verbose_name_plural = _("held comments")


class FilteredTerm(models.Model):
    """A site-wide filtered word or phrase, managed by staff: comments containing it (whole
    words, any case) are held for review by moderators."""

    term = models.CharField(_("term"), max_length=100, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["term"]
        verbose_name = _("filtered term")
        verbose_name_plural = _("filtered terms")

    def __str__(self) -> str:
        return self.term


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


# --- the For You recommender's signals (videos/feed/) ---------------------------------------
class WatchEvent(models.Model):
    """One viewing of one video: an impression with how long it was watched. Compact on
    purpose (the busiest table): no text beyond the source code, and the idempotency key is a
    16-byte UUID derived from the viewer and the client's event id, so a batch sent twice
    (a beacon retried, a tab restored) is counted once."""

    class Source(models.TextChoices):
        FOR_YOU = "for_you", _("For You")
        FOLLOWING = "following", _("Following")
        PROFILE = "profile", _("Profile")
        HASHTAG = "hashtag", _("Hashtag")
        SOUND = "sound", _("Sound")
        SHARE = "share", _("Shared link")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="watch_events",
    )
    # Anonymous viewers only: a hash of their session key (never the key itself).
    session_hash = models.CharField(max_length=32, blank=True, default="")
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="watch_events")
    watch_seconds = models.FloatField()
    completed = models.BooleanField(default=False)
    replays = models.PositiveSmallIntegerField(default=0)
    skipped = models.BooleanField(default=False)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.FOR_YOU)
    event_key = models.UUIDField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event_key"], name="watch_event_once"),
            models.CheckConstraint(
                condition=Q(watch_seconds__gte=0), name="watch_event_seconds_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(session_hash=""),
                name="watch_event_has_viewer",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="watch_user_idx"),
            models.Index(
                fields=["session_hash", "-created_at"],
                name="watch_session_idx",
                condition=~Q(session_hash=""),
            ),
            models.Index(fields=["created_at"], name="watch_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id or 'anon'} watched {self.video_id} {self.watch_seconds:.1f}s"


class NotInterested(models.Model):
    """ "Not interested" on one video: it never comes back, and its kind is ranked lower."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="not_interested"
    )
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "video"], name="not_interested_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} ✗ {self.video_id}"


class HiddenCreator(models.Model):
    """A creator whose videos the user never wants in For You (softer than a block: they can
    still visit the profile, and the creator is not told)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hidden_creators"
    )
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "creator"], name="hidden_creator_once"),
            models.CheckConstraint(
                condition=~Q(user=models.F("creator")), name="hidden_creator_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} hides {self.creator_id}"


class Interest(models.Model):
    """A hashtag the user picked on their first visit (cold start)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interests"
    )
    tag = models.ForeignKey("taggit.Tag", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "tag"], name="interest_once")]

    def __str__(self) -> str:
        return f"{self.user_id} likes #{self.tag_id}"


class FeedStats(models.Model):
    """What the periodic refresh (videos/feed/precompute.py) learned about one video:
    smoothed rates (a Beta prior, so three views do not beat three thousand), trending
    velocity and the exploration pool stage. Rebuilt from WatchEvent, Like, Share and Follow
    rows on every refresh; never moved by hand."""

    class Stage(models.IntegerChoices):
        RETIRED = -1, _("Retired from the pool")
        TESTING = 0, _("Testing with a small audience")
        PROMOTED = 1, _("Promoted")

    video = models.OneToOneField(
        Video, on_delete=models.CASCADE, primary_key=True, related_name="feed_stats"
    )
    impressions = models.PositiveIntegerField(default=0)
    completion = models.FloatField(default=0)
    watch_ratio = models.FloatField(default=0)
    skip_rate = models.FloatField(default=0)
    like_rate = models.FloatField(default=0)
    share_rate = models.FloatField(default=0)
    follow_rate = models.FloatField(default=0)
    trending = models.FloatField(default=0)
    stage = models.SmallIntegerField(choices=Stage.choices, default=Stage.TESTING)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"stats of {self.video_id}"


class FeedState(models.Model):
    """The refresh's other output, as keys and JSON values: trending and pool lists, the best
    videos per hashtag and per sound, and co-engagement neighbours per video. This table is
    the truth; the Django cache is a read-through copy (videos/feed/state.py), so the state
    reaches every process even with a per-process cache."""

    key = models.CharField(max_length=64, primary_key=True)
    value = models.JSONField()
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.key


# --- privacy rights: data export (videos/privacy.py) -----------------------------------------
class DataExport(models.Model):
    """A ZIP of everything a user has here, built by a task into the private storage and
    downloadable once, by that user only, until expires_at."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready to download")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # A name in the "private" storage (resolved when used, never served by the media view).
    file_name = models.CharField(max_length=300, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    failure_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    ready_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="data_export_user_idx")]

    def __str__(self) -> str:
        return f"export {self.public_id} of {self.user_id} ({self.status})"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def can_download(self) -> bool:
        return (
            self.status == self.Status.READY
            and self.downloaded_at is None
            and not self.is_expired
            and bool(self.file_name)
        )


# --- remix culture: hashtag challenges (videos/remix/) ---------------------------------------
def challenge_cover_upload_to(instance: "Challenge", filename: str) -> str:
    return f"challenges/{instance.slug}/{secrets.token_urlsafe(6)}.jpg"


class Challenge(models.Model):
    """A hashtag challenge, run by staff in the admin. Its entries are the hashtag's visible
    videos posted between starts_at and ends_at (remix/selectors.py); nothing is stored per
    entry, so an entry is simply a video, and the leaderboard is always current."""

    hashtag = models.CharField(
        _("hashtag"), max_length=100, help_text=_("Without the #, e.g. dancechallenge.")
    )
    slug = models.SlugField(_("slug"), max_length=100, unique=True, allow_unicode=True)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    rules = models.TextField(_("rules"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    sound = models.ForeignKey(
        Sound,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="challenges",
        verbose_name=_("sound"),
    )
    cover = models.ImageField(_("cover image"), upload_to=challenge_cover_upload_to, blank=True)
    featured = models.BooleanField(_("featured"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-featured", "starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="challenge_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="challenge_window_idx")]

    def __str__(self) -> str:
        return f"#{self.hashtag}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("videos:hashtag", kwargs={"name": self.hashtag})

    def state(self, now=None) -> str:
        now = now or timezone.now()
        if now < self.starts_at:
            return "upcoming"
        if now >= self.ends_at:
            return "past"
        return "active"

    @property
    def is_active(self) -> bool:
        return self.state() == "active"


# --- webhooks for OAuth2 apps (videos/webhooks.py) ----------------------------------------
def new_webhook_secret() -> str:
    return secrets.token_hex(32)


class Webhook(models.Model):
    """An https URL an OAuth2 app registered; it receives signed POSTs for events on the
    videos of the app's owner and of everyone who authorized the app."""

    class Event(models.TextChoices):
        VIDEO_READY = "video.ready", "video.ready"
        VIDEO_FAILED = "video.failed", "video.failed"
        COMMENT_CREATED = "comment.created", "comment.created"

    application = models.ForeignKey(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        on_delete=models.CASCADE,
        related_name="webhooks",
    )
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(max_length=64, default=new_webhook_secret, editable=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "url"], name="webhook_app_url_unique")
        ]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One attempt to deliver one event to one webhook: the delivery log."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=32, choices=Webhook.Event.choices)
    delivery_id = models.CharField(max_length=32)  # the same for every attempt of one event
    attempt = models.PositiveSmallIntegerField(default=1)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    succeeded = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["webhook", "-created_at"], name="webhook_delivery_log_idx")]

    def __str__(self) -> str:
        return f"{self.event} #{self.attempt} → {self.status_code or self.error}"


class TopicTap(models.Model):
    """A signed-in viewer opened a hashtag or a sound (a tap on it in a caption or the
    player): a light taste signal for For You (videos/feed/scoring.py SIGNAL_VALUES["tap"])."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="topic_taps"
    )
    tag = models.ForeignKey(
        "taggit.Tag", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    sound = models.ForeignKey(
        Sound, on_delete=models.CASCADE, null=True, blank=True, related_name="taps"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(tag__isnull=False, sound__isnull=True)
                | Q(tag__isnull=True, sound__isnull=False),
                name="topic_tap_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} tapped {'#' + str(self.tag_id) if self.tag_id else self.sound_id}"


# --- moderation (videos/moderation.py) ---------------------------------------------------
class Report(models.Model):
    """One person's report of one video, comment, account or sound.

    Exactly one target column is set (a CheckConstraint), so the queue groups and filters
    with plain indexed columns instead of generic relations. A person has at most one open
    report per target (a conditional UniqueConstraint): reporting again updates it."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or scam")
        HARASSMENT = "harassment", _("Harassment or bullying")
        HATE = "hate", _("Hate speech")
        VIOLENCE = "violence", _("Violence or dangerous acts")
        NUDITY = "nudity", _("Nudity or sexual content")
        MINOR_SAFETY = "minor_safety", _("Minor safety")
        SELF_HARM = "self_harm", _("Suicide or self-harm")
        MISINFORMATION = "misinformation", _("Misinformation")
        INTELLECTUAL_PROPERTY = "ip", _("Intellectual property")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACTIONED = "actioned", _("Actioned")
        DISMISSED = "dismissed", _("Dismissed")

    TEXT_MAX_LENGTH = 500
    TARGET_FIELDS = ("video", "comment", "user", "sound")

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_made"
    )
    video = models.ForeignKey(
        Video, on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reports_received",
    )
    sound = models.ForeignKey(
        Sound, on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    # Whose content it is (the video's or comment's author, the sound's owner, the account
    # itself): the queue shows their history, and counts reports against them, by this column.
    target_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reports_against",
        editable=False,
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    text = models.TextField(
        _("details"), blank=True, validators=[MaxLengthValidator(TEXT_MAX_LENGTH)]
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    video__isnull=False, comment__isnull=True, user__isnull=True, sound__isnull=True
                )
                | Q(
                    video__isnull=True, comment__isnull=False, user__isnull=True, sound__isnull=True
                )
                | Q(
                    video__isnull=True, comment__isnull=True, user__isnull=False, sound__isnull=True
                )
                | Q(
                    video__isnull=True, comment__isnull=True, user__isnull=True, sound__isnull=False
                ),
                name="report_one_target",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "actioned", "dismissed"]),
                name="report_status_valid",
            ),
        ] + [
            models.UniqueConstraint(
                fields=["reporter", field],
                condition=Q(status="open", **{f"{field}__isnull": False}),
                name=f"report_open_once_{field}",
            )
            for field in ("video", "comment", "user", "sound")
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="report_status_idx"),
            models.Index(fields=["target_owner", "status"], name="report_owner_idx"),
        ]

    def __str__(self) -> str:
        return f"report {self.pk} of {self.target_type} ({self.reason}, {self.status})"

    @property
    def target_type(self) -> str:
        for field in self.TARGET_FIELDS:
            if getattr(self, f"{field}_id") is not None:
                return field
        return ""

    @property
    def target(self):
        kind = self.target_type
        return getattr(self, kind) if kind else None


class ModerationAction(models.Model):
    """The audit log: one row per moderator decision. Written only by videos/moderation.py;
    the admin shows it read-only to everyone, superusers included. Targets keep a text label
    as well, so the log still says what was decided after the target is deleted."""

    class Action(models.TextChoices):
        HIDE_VIDEO = "hide_video", _("Hid the video")
        UNHIDE_VIDEO = "unhide_video", _("Restored the video")
        REMOVE_COMMENT = "remove_comment", _("Removed the comment")
        APPROVE_COMMENT = "approve_comment", _("Approved the held comment")
        SUSPEND_USER = "suspend_user", _("Suspended the account")
        BAN_USER = "ban_user", _("Banned the account")
        LIFT_RESTRICTION = "lift_restriction", _("Lifted the suspension or ban")
        DISMISS = "dismiss", _("Dismissed the reports")

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="moderation_actions_taken",
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    video = models.ForeignKey(
        Video, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    sound = models.ForeignKey(
        Sound, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The owner of the target, for "prior actions against this person" in the queue.
    target_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderation_actions_received",
    )
    target_label = models.CharField(max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    days = models.PositiveSmallIntegerField(null=True, blank=True)
    reports_closed = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_owner", "-created_at"], name="modaction_owner_idx")]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.target_label}"


# --- remix culture: templates, "one-tap formats" (videos/remix/templates.py) ------------------
def template_preview_upload_to(instance: "Template", filename: str) -> str:
    return f"templates/{instance.slug}/{secrets.token_urlsafe(6)}.jpg"


def template_background_upload_to(instance: "Template", filename: str) -> str:
    return f"templates/{instance.slug}/bg-{secrets.token_urlsafe(6)}.jpg"


class Template(models.Model):
    """A ready-made format, run by staff in the admin: picking one pre-fills the upload
    (caption scaffold, hashtag, sound, layout inputs) and the server applies its layout.

    The caption scaffold marks what the creator fills in with square brackets, e.g.
    "Best food in [your city] #foodtour": a caption that still contains one of the
    template's placeholders is refused (videos/remix/templates.py)."""

    class Layout(models.TextChoices):
        SIDE_BY_SIDE = "side_by_side", _("Side by side with the original")
        GREEN_SCREEN = "green_screen", _("Green screen over an image")
        TEXT_ON_TOP = "text_on_top", _("Text on top")

    TEXT_MAX_LENGTH = 120
    TEXT_MAX_LINES = 3

    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    layout = models.CharField(_("layout"), max_length=16, choices=Layout.choices)
    preview = models.ImageField(
        _("preview picture"),
        upload_to=template_preview_upload_to,
        blank=True,
        help_text=_("Shown in the gallery. Leave empty to render one from the layout."),
    )
    sound = models.ForeignKey(
        Sound,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="templates",
        verbose_name=_("sound"),
    )
    caption_scaffold = models.CharField(
        _("caption scaffold"),
        max_length=300,
        blank=True,
        help_text=_("Put what the creator fills in between square brackets: [your city]."),
    )
    hashtag = models.CharField(
        _("hashtag"), max_length=100, blank=True, help_text=_("Without the #.")
    )
    # side_by_side: the video the creator duets (composed like a duet, its switches hold).
    original = models.ForeignKey(
        "Video",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="templates",
        verbose_name=_("original video"),
    )
    # green_screen: our own JPEG encode of the staff's picture; key_color is keyed out.
    background = models.ImageField(
        _("background image"), upload_to=template_background_upload_to, blank=True
    )
    key_color = models.CharField(
        _("key colour"),
        max_length=7,
        default="#00ff00",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("A colour like #00ff00."))],
    )
    # text_on_top: the lines drawn over the top of the video (the creator may edit them).
    text = models.TextField(
        _("text on top"),
        blank=True,
        validators=[MaxLengthValidator(TEXT_MAX_LENGTH)],
        help_text=_("At most 3 lines."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    featured = models.BooleanField(_("featured"), default=False)
    ordering = models.IntegerField(_("ordering"), default=0, help_text=_("Lower comes first."))
    uses_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-featured", "ordering", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(layout__in=["side_by_side", "green_screen", "text_on_top"]),
                name="template_layout_known",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def placeholders(self) -> list[str]:
        from .remix.templates import placeholders

        return placeholders(self.caption_scaffold)

    @property
    def prefilled_caption(self) -> str:
        """The scaffold with the hashtag after it (unless the scaffold already has it)."""
        caption = self.caption_scaffold.strip()
        if self.hashtag and f"#{self.hashtag}".casefold() not in caption.casefold():
            caption = f"{caption} #{self.hashtag}".strip()
        return caption
