from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .links import link_normalise
from .models import Block, ExternalLink, Follow, FollowRequest, Notification, User


class ExternalLinkAdminForm(forms.ModelForm):
    """Moderators get the same per-platform rules as everyone else (https, right host)."""

    class Meta:
        model = ExternalLink
        fields = ["user", "platform", "url", "position"]
        field_classes = {"url": forms.CharField}

    def clean(self):
        cleaned = super().clean()
        platform, url = cleaned.get("platform"), cleaned.get("url")
        if platform and url:
            try:
                cleaned["url"] = link_normalise(platform=platform, url=url)
            except ValidationError as exc:
                self.add_error("url", exc)
        return cleaned


class ExternalLinkInline(admin.TabularInline):
    model = ExternalLink
    form = ExternalLinkAdminForm
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = (
        "username",
        "display_name",
        "email",
        "is_private",
        "followers_count",
        "is_active",
        "is_staff",
        "date_joined",
    )
    list_filter = ("is_private", "is_active", "is_staff", "date_joined")
    search_fields = ("username", "display_name", "email")
    readonly_fields = (
        "followers_count",
        "following_count",
        "likes_received_count",
        "last_login",
        "date_joined",
    )
    inlines = [ExternalLinkInline]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Profile"), {"fields": ("display_name", "bio", "avatar", "birthdate", "is_private")}),
        (_("Counters"), {"fields": ("followers_count", "following_count", "likes_received_count")}),
        # Set by moderators' decisions in the moderation queue (written to the audit log);
        # an administrator may clear them here to lift a suspension or ban early.
        (_("Moderation"), {"fields": ("suspended_until", "banned_at", "restriction_reason")}),
    )


@admin.register(ExternalLink)
class ExternalLinkAdmin(admin.ModelAdmin):
    form = ExternalLinkAdminForm
    list_display = ("user", "platform", "url")
    list_filter = ("platform",)
    search_fields = ("user__username", "url")
    raw_id_fields = ("user",)


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ("follower", "followee", "created_at")
    search_fields = ("follower__username", "followee__username")
    raw_id_fields = ("follower", "followee")
    date_hierarchy = "created_at"


@admin.register(FollowRequest)
class FollowRequestAdmin(admin.ModelAdmin):
    list_display = ("follower", "followee", "created_at")
    search_fields = ("follower__username", "followee__username")
    raw_id_fields = ("follower", "followee")


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ("blocker", "blocked", "created_at")
    search_fields = ("blocker__username", "blocked__username")
    raw_id_fields = ("blocker", "blocked")
    date_hierarchy = "created_at"


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("recipient", "actor", "kind", "video_public_id", "created_at", "read_at")
    list_filter = ("kind", "created_at")
    search_fields = ("recipient__username", "actor__username", "video_public_id", "snippet")
    raw_id_fields = ("recipient", "actor")
    date_hierarchy = "created_at"
    list_select_related = ("recipient", "actor")
