"""The recommender's rows in the admin (imported by videos/admin.py). Watch events and the
refresh's output are read-only: views_count is the number of WatchEvent rows, and FeedStats
and FeedState are rebuilt by every refresh."""

from django.contrib import admin

from ..models import (
    FeedState,
    FeedStats,
    HiddenCreator,
    Interest,
    NotInterested,
    TopicTap,
    WatchEvent,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WatchEvent)
class WatchEventAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "user",
        "video",
        "watch_seconds",
        "completed",
        "replays",
        "skipped",
        "source",
    )
    list_filter = ("source", "completed", "skipped", "created_at")
    search_fields = ("video__public_id", "user__username")
    list_select_related = ("user", "video")
    raw_id_fields = ("user", "video")
    date_hierarchy = "created_at"
    show_full_result_count = False  # the busiest table: no COUNT(*) on every page


@admin.register(NotInterested)
class NotInterestedAdmin(admin.ModelAdmin):
    list_display = ("user", "video", "created_at")
    search_fields = ("user__username", "video__public_id")
    raw_id_fields = ("user", "video")
    list_select_related = ("user", "video")


@admin.register(HiddenCreator)
class HiddenCreatorAdmin(admin.ModelAdmin):
    list_display = ("user", "creator", "created_at")
    search_fields = ("user__username", "creator__username")
    raw_id_fields = ("user", "creator")
    list_select_related = ("user", "creator")


@admin.register(Interest)
class InterestAdmin(admin.ModelAdmin):
    list_display = ("user", "tag", "created_at")
    search_fields = ("user__username", "tag__name")
    raw_id_fields = ("user", "tag")
    list_select_related = ("user", "tag")


@admin.register(FeedStats)
class FeedStatsAdmin(ReadOnlyAdmin):
    list_display = (
        "video",
        "impressions",
        "completion",
        "watch_ratio",
        "like_rate",
        "trending",
        "stage",
        "updated_at",
    )
    list_filter = ("stage",)
    search_fields = ("video__public_id",)
    list_select_related = ("video",)
    ordering = ("-trending",)


@admin.register(FeedState)
class FeedStateAdmin(ReadOnlyAdmin):
    list_display = ("key", "updated_at")
    search_fields = ("key",)


@admin.register(TopicTap)
class TopicTapAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "tag", "sound")
    search_fields = ("user__username", "tag__name", "sound__title")
    list_select_related = ("user", "tag", "sound")
    date_hierarchy = "created_at"
