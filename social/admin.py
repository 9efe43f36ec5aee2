from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import ExternalLink, Follow, User


class ExternalLinkInline(admin.TabularInline):
    model = ExternalLink
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
    )


@admin.register(ExternalLink)
class ExternalLinkAdmin(admin.ModelAdmin):
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
