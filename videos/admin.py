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
    Template,
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


class TemplateAdminForm(forms.ModelForm):
    class Meta:
        model = Template
        fields = [
            "name",
            "slug",
            "description",
            "layout",
            "preview",
            "sound",
            "caption_scaffold",
            "hashtag",
            "original",
            "background",
            "key_color",
            "text",
            "is_active",
            "featured",
            "ordering",
        ]

    def _reencoded(self, name: str, filename: str):
        """Our own JPEG encode of a staff picture (never served as uploaded)."""
        upload = self.cleaned_data.get(name)
        if not upload or not hasattr(upload, "content_type"):
            return upload  # unchanged or cleared
        from .remix.templates import template_background_encode

        encoded = template_background_encode(data=upload.read())
        return ContentFile(encoded.read(), name=filename)

    def clean_background(self):
        return self._reencoded("background", "background.jpg")

    def clean_preview(self):
        return self._reencoded("preview", "preview.jpg")

    def clean_hashtag(self):
        return (self.cleaned_data.get("hashtag") or "").strip().lstrip("#")

    def clean_text(self):
        from .remix.templates import template_text_clean

        try:
            return template_text_clean(self.cleaned_data.get("text") or "")
        except forms.ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["template_text"]) from None

    def clean(self):
        data = super().clean()
        layout = data.get("layout")
        if layout == Template.Layout.SIDE_BY_SIDE:
            if not data.get("original"):
                self.add_error("original", _("Side by side needs the original video."))
            if data.get("sound"):
                # A duet mixes the original's own audio: a second sound has no place.
                self.add_error("sound", _("Side by side uses the original's sound."))
        if layout == Template.Layout.GREEN_SCREEN and not data.get("background"):
            self.add_error("background", _("A green screen needs a background image."))
        if layout == Template.Layout.TEXT_ON_TOP and not data.get("text"):
            self.add_error("text", _("Text on top needs its text."))
        return data


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    form = TemplateAdminForm
    list_display = (
        "name",
        "preview_thumb",
        "layout",
        "is_active",
        "featured",
        "ordering",
        "uses_count",
    )
    list_editable = ("is_active", "featured", "ordering")
    list_filter = ("layout", "is_active", "featured")
    search_fields = ("name", "slug", "hashtag")
    prepopulated_fields = {"slug": ("name",)}
    raw_id_fields = ("sound", "original")
    readonly_fields = ("preview_large", "uses_count")
    list_select_related = ("sound__owner",)
    actions = ["render_preview"]

    @admin.display(description=_("preview"))
    def preview_thumb(self, obj):
        if not obj.preview:
            return "—"
        return format_html('<img src="{}" alt="" width="45" height="80">', obj.preview.url)

    @admin.display(description=_("current preview"))
    def preview_large(self, obj):
        if not obj.preview:
            return _("None yet: use the action “Render the preview from the layout”.")
        return format_html('<img src="{}" alt="" width="180">', obj.preview.url)

    @admin.action(description=_("Render the preview from the layout"))
    def render_preview(self, request, queryset):
        from .media import MediaError
        from .remix.templates import template_preview_render

        for template in queryset.select_related("original"):
            try:
                template_preview_render(template=template)
            except MediaError as exc:
                self.message_user(request, f"{template}: {exc.reason}", level="error")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not obj.preview:
            from .media import MediaError
            from .remix.templates import template_preview_render

            try:
                template_preview_render(template=obj)
            except MediaError as exc:
                self.message_user(request, exc.reason, level="warning")


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
