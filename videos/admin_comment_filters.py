"""Admin for comment filters (issue 7): the site-wide FilteredTerm list, and the held comments
it catches, with approve and remove in one click or in bulk.

Every approve/remove goes through videos/moderation.py, so it lands in the audit log."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import moderation
from .models import Comment, FilteredTerm, HeldComment


@admin.register(FilteredTerm)
class FilteredTermAdmin(admin.ModelAdmin):
    list_display = ("term", "created_at")
    search_fields = ("term",)

    def save_model(self, request, obj, form, change):
        obj.term = " ".join(obj.term.split())
        super().save_model(request, obj, form, change)


@admin.register(HeldComment)
class HeldCommentAdmin(admin.ModelAdmin):
    """Comments held by a filter and not yet decided (not removed)."""

    list_display = ("public_id", "author", "video", "short_text", "status", "created_at", "row")
    list_filter = ("status", "created_at")
    search_fields = ("public_id", "text", "author__username", "video__public_id")
    list_select_related = ("author", "video")
    readonly_fields = ("public_id", "video", "author", "parent", "text", "status", "created_at")
    fields = readonly_fields
    actions = ("approve_selected", "remove_selected")
    ordering = ("created_at",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(is_removed=False)
            .exclude(status=Comment.Status.VISIBLE)
        )

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("text"))
    def short_text(self, obj):
        return (obj.text[:120] + "…") if len(obj.text) > 120 else obj.text

    @admin.display(description=_("decide"))
    def row(self, obj):
        # Buttons of the changelist's own form (it carries the CSRF token): one click each.
        return format_html(
            '<button type="submit" class="button" formmethod="post" formaction="{}">{}</button> '
            '<button type="submit" class="button" formmethod="post" formaction="{}">{}</button>',
            reverse("admin:videos_heldcomment_approve", args=[obj.pk]),
            _("Approve"),
            reverse("admin:videos_heldcomment_remove", args=[obj.pk]),
            _("Remove"),
        )

    def get_urls(self):
        own = [
            path(
                "<int:pk>/approve/",
                self.admin_site.admin_view(self.approve_one),
                name="videos_heldcomment_approve",
            ),
            path(
                "<int:pk>/remove/",
                self.admin_site.admin_view(self.remove_one),
                name="videos_heldcomment_remove",
            ),
        ]
        return own + super().get_urls()

    def _decide(self, request, comments, *, approve: bool) -> int:
        done = 0
        for comment in comments:
            try:
                done += moderation.held_comment_decide(
                    moderator=request.user, comment=comment, approve=approve
                )
            except (PermissionDenied, ValidationError) as exc:
                self.message_user(
                    request, f"{comment.public_id}: {' '.join(exc.messages)}", messages.WARNING
                )
        return done

    def _one(self, request, pk: int, *, approve: bool):
        if request.method != "POST":
            return redirect("admin:videos_heldcomment_changelist")
        if not self.has_change_permission(request):
            raise PermissionDenied
        comment = get_object_or_404(self.get_queryset(request).select_related("video"), pk=pk)
        if self._decide(request, [comment], approve=approve):
            self.message_user(
                request, _("Approved.") if approve else _("Removed."), messages.SUCCESS
            )
        return redirect("admin:videos_heldcomment_changelist")

    def approve_one(self, request, pk: int):
        return self._one(request, pk, approve=True)

    def remove_one(self, request, pk: int):
        return self._one(request, pk, approve=False)

    @admin.action(description=_("Approve selected comments"), permissions=["change"])
    def approve_selected(self, request, queryset):
        done = self._decide(request, queryset.select_related("video"), approve=True)
        self.message_user(
            request,
            ngettext("%(n)d comment approved.", "%(n)d comments approved.", done) % {"n": done},
        )

    @admin.action(description=_("Remove selected comments"), permissions=["change"])
    def remove_selected(self, request, queryset):
        done = self._decide(request, queryset.select_related("video"), approve=False)
        self.message_user(
            request,
            ngettext("%(n)d comment removed.", "%(n)d comments removed.", done) % {"n": done},
        )
