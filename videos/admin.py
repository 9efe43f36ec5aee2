from django import forms
from django.contrib import admin
from django.core.files.base import ContentFile
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import services
from .models import (
    Challenge,
    Comment,
    CommentLike,
    DataExport,
    Like,
    Share,
    Sound,
    TaggedVideo,
    Video,
    Webhook,
    WebhookDelivery,
)


@admin.register(Video)
class VideoAdmin(admin.ModelAdmin):
    list_display = (
        "public_id",
        "thumb",
        "author",
        "short_caption",
        "status",
        "visibility",
        "is_hidden",
        "likes_count",
        "comments_count",
        "views_count",
        "duration",
        "created_at",
    )
    list_filter = ("status", "visibility", "is_hidden", "transcoded", "created_at")
    search_fields = ("public_id", "caption", "author__username")
    raw_id_fields = ("author", "sound", "duet_of", "stitch_of")
    readonly_fields = (
        "public_id",
        "player",
        "status",
        "failure_reason",
        "duration",
        "width",
        "height",
        "likes_count",
        "comments_count",
        "views_count",
        "shares_count",
        "processed_at",
        "processing_seconds",
        "transcoded",
        "original_size",
    )
    exclude = ("original",)
    date_hierarchy = "created_at"
    list_select_related = ("author",)
    actions = ["hide", "unhide"]

    @admin.display(description=_("poster"))
    def thumb(self, obj):
        if not obj.poster:
            return "—"
        return format_html(
            '<img src="{}" alt="" style="height:64px;border-radius:4px">', obj.poster.url
        )

    @admin.display(description=_("player"))
    def player(self, obj):
        if not obj.file:
            return "—"
        return format_html(
            '<video src="{}" poster="{}" controls preload="metadata" '
            'style="max-height:360px"></video>',
            obj.file.url,
            obj.poster.url if obj.poster else "",
        )

    @admin.display(description=_("caption"))
    def short_caption(self, obj):
        return (obj.caption[:60] + "…") if len(obj.caption) > 60 else obj.caption

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"is_hidden", "visibility"} & set(form.changed_data):
            services.video_set_hidden(video=obj, hidden=obj.is_hidden)

    @admin.action(description=_("Hide selected videos"))
    def hide(self, request, queryset):
        for video in queryset:
            services.video_set_hidden(video=video, hidden=True)

    @admin.action(description=_("Unhide selected videos"))
    def unhide(self, request, queryset):
        for video in queryset:
            services.video_set_hidden(video=video, hidden=False)


@admin.register(Sound)
class SoundAdmin(admin.ModelAdmin):
    list_display = (
        "public_id",
        "title",
        "artist",
        "owner",
        "status",
        "is_original",
        "is_reusable",
        "uses_count",
        "duration",
        "created_at",
    )
    list_filter = ("status", "is_original", "is_reusable")
    search_fields = ("public_id", "title", "artist", "owner__username")
    raw_id_fields = ("owner", "source_video")
    readonly_fields = ("public_id", "status", "failure_reason", "duration", "uses_count")
    exclude = ("original",)
    list_select_related = ("owner",)


class ChallengeAdminForm(forms.ModelForm):
    class Meta:
        model = Challenge
        fields = [
            "hashtag",
            "slug",
            "title",
            "description",
            "rules",
            "starts_at",
            "ends_at",
            "sound",
            "cover",
            "featured",
        ]

    def clean_cover(self):
        """Our own JPEG encode of the picture (never served as uploaded)."""
        cover = self.cleaned_data.get("cover")
        if not cover or not hasattr(cover, "content_type"):
            return cover  # unchanged or cleared
        from social.images import avatar_reencode

        jpeg = avatar_reencode(data=cover.read())
        return ContentFile(jpeg, name="cover.jpg")

    def clean_hashtag(self):
        return (self.cleaned_data.get("hashtag") or "").strip().lstrip("#")


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    form = ChallengeAdminForm
    list_display = ("title", "hashtag", "starts_at", "ends_at", "featured", "sound")
    list_filter = ("featured", "starts_at")
    search_fields = ("title", "hashtag", "slug")
    prepopulated_fields = {"slug": ("hashtag",)}
    raw_id_fields = ("sound",)
    date_hierarchy = "starts_at"
    list_select_related = ("sound__owner",)


@admin.register(TaggedVideo)
class TaggedVideoAdmin(admin.ModelAdmin):
    list_display = ("tag", "content_object")
    search_fields = ("tag__name", "content_object__public_id")
    raw_id_fields = ("content_object",)


@admin.register(Like)
class LikeAdmin(admin.ModelAdmin):
    list_display = ("user", "video", "created_at")
    search_fields = ("user__username", "video__public_id")
    raw_id_fields = ("user", "video")
    date_hierarchy = "created_at"
    list_select_related = ("user", "video")


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = (
        "public_id",
        "author",
        "video",
        "short_text",
        "parent",
        "likes_count",
        "replies_count",
        "is_removed",
        "created_at",
    )
    list_filter = ("is_removed", "created_at")
    search_fields = ("public_id", "text", "author__username", "video__public_id")
    raw_id_fields = ("author", "video", "parent")
    readonly_fields = ("public_id", "likes_count", "replies_count")
    date_hierarchy = "created_at"
    list_select_related = ("author", "video", "parent")

    @admin.display(description=_("text"))
    def short_text(self, obj):
        return (obj.text[:80] + "…") if len(obj.text) > 80 else obj.text


@admin.register(CommentLike)
class CommentLikeAdmin(admin.ModelAdmin):
    list_display = ("user", "comment", "created_at")
    search_fields = ("user__username", "comment__public_id")
    raw_id_fields = ("user", "comment")


@admin.register(Share)
class ShareAdmin(admin.ModelAdmin):
    list_display = ("video", "user", "channel", "created_at")
    list_filter = ("channel", "created_at")
    search_fields = ("video__public_id", "user__username")
    raw_id_fields = ("video", "user")
    exclude = ("viewer_key",)


@admin.register(DataExport)
class DataExportAdmin(admin.ModelAdmin):
    """Data exports, for support questions: who asked, when, and what became of it. Read only:
    the files are the person's (never downloadable here) and the cleanup job removes them."""

    list_display = (
        "public_id",
        "user",
        "status",
        "size",
        "created_at",
        "expires_at",
        "downloaded_at",
    )
    list_filter = ("status", "created_at")
    search_fields = ("public_id", "user__username")
    raw_id_fields = ("user",)
    readonly_fields = [f.name for f in DataExport._meta.fields if f.name != "file_name"]
    exclude = ("file_name",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


from .feed import admin as feed_admin  # noqa: E402, F401 - the recommender's models


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ("url", "application", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("url", "application__name", "application__user__username")
    raw_id_fields = ("application",)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("webhook", "event", "attempt", "status_code", "succeeded", "created_at")
    list_filter = ("event", "succeeded")
    search_fields = ("delivery_id", "webhook__url", "error")
    raw_id_fields = ("webhook",)


# Registered on import: comment filters (FilteredTerm, held comments), the moderation queue
# and the audit log.
from . import admin_comment_filters, moderation_admin  # noqa: E402, F401
