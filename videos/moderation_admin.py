"""The moderation queue and the audit log, in the Django admin (imported by videos/admin.py).

- ``ReportAdmin``: every report, read-only, with bulk actions that decide on the selected
  reports' targets; its "queue/" page groups the open reports by target (most distinct
  reporters first, then oldest) with one-click decisions per target.
- ``ModerationActionAdmin``: the audit log; nobody can add, change or delete a row here,
  superusers included. Rows are written only by videos.moderation.moderation_act.

Moderators are staff in the "Moderators" group (migration 0010_moderators_group); every
decision checks ``videos.change_report`` again in the service.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from social.models import User

from . import moderation
from .models import Comment, ModerationAction, Report, Sound, Video

Action = ModerationAction.Action
SUSPEND_DAYS_DEFAULT = 7
_MODELS = {"video": Video, "comment": Comment, "user": User, "sound": Sound}


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or _("You cannot do that.")


class StatusFilter(admin.SimpleListFilter):
    """Open reports by default: the changelist is a work list."""

    title = gettext_lazy("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [*Report.Status.choices, ("all", gettext_lazy("All"))]

    def choices(self, changelist):
        value = self.value() or Report.Status.OPEN
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or Report.Status.OPEN
        if value == "all":
            return queryset
        return queryset.filter(status=value)


class TargetTypeFilter(admin.SimpleListFilter):
    title = gettext_lazy("target")
    parameter_name = "target"

    def lookups(self, request, model_admin):
        return [(kind, kind) for kind in moderation.TARGET_TYPES]

    def queryset(self, request, queryset):
        if self.value() in moderation.TARGET_TYPES:
            return queryset.filter(**{f"{self.value()}__isnull": False})
        return queryset


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "target_type",
        "target_display",
        "target_owner",
        "reason",
        "short_text",
        "reporter",
        "status",
        "created_at",
    )
    list_filter = (StatusFilter, TargetTypeFilter, "reason")
    search_fields = ("reporter__username", "target_owner__username", "text")
    list_select_related = ("reporter", "target_owner", "video", "comment", "user", "sound")
    readonly_fields = [f.name for f in Report._meta.fields]
    date_hierarchy = "created_at"
    actions = ["hide_or_remove", "suspend_owners", "ban_owners", "dismiss"]
    change_list_template = "admin/videos/report/change_list.html"

    # Reports come from people; moderators decide through actions, never by editing rows.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("target"))
    def target_display(self, obj):
        return moderation.target_label(obj.target)[:80] if obj.target is not None else "—"

    @admin.display(description=gettext_lazy("details"))
    def short_text(self, obj):
        return (obj.text[:60] + "…") if len(obj.text) > 60 else obj.text

    def get_urls(self):
        return [
            path(
                "queue/",
                self.admin_site.admin_view(self.queue_view),
                name="videos_report_queue",
            ),
            path(
                "queue/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="videos_report_decide",
            ),
            *super().get_urls(),
        ]

    # --- the queue --------------------------------------------------------------------------
    def queue_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        kind = request.GET.get("target")
        groups = moderation.queue_groups(
            target_type=kind if kind in moderation.TARGET_TYPES else None
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Moderation queue"),
            "opts": self.model._meta,
            "groups": groups,
            "can_decide": self.has_change_permission(request),
            "threshold": moderation.autohide_threshold(),
            "suspend_days": SUSPEND_DAYS_DEFAULT,
            "target_types": moderation.TARGET_TYPES,
            "current_type": kind if kind in moderation.TARGET_TYPES else "",
            "Action": Action,
        }
        return TemplateResponse(request, "admin/videos/report/queue.html", context)

    def decide_view(self, request):
        """One decision on one target (the queue's buttons). POST only, CSRF-checked."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request):
            raise PermissionDenied
        back = reverse("admin:videos_report_queue")
        kind = request.POST.get("target_type", "")
        model = _MODELS.get(kind)
        target_id = request.POST.get("target_id", "")
        target = None
        if model is not None and target_id.isdigit() and len(target_id) < 19:
            target = model.objects.filter(pk=int(target_id)).first()
        if target is None:
            messages.error(request, _("That target no longer exists."))
            return HttpResponseRedirect(back)
        try:
            done = moderation.moderation_act(
                moderator=request.user,
                target=target,
                action=request.POST.get("action", ""),
                reason=request.POST.get("reason", ""),
                days=request.POST.get("days") or None,
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _message(exc))
        else:
            messages.success(
                request,
                _("%(action)s — %(target)s (%(n)d reports closed).")
                % {
                    "action": done.get_action_display(),
                    "target": done.target_label,
                    "n": done.reports_closed,
                },
            )
        return HttpResponseRedirect(back)

    # --- bulk actions on the changelist -----------------------------------------------------
    def _bulk(self, request, queryset, action_for, **kwargs):
        done = failed = 0
        reports = queryset.select_related("video", "comment", "user", "sound")
        for target in moderation.report_targets(reports):
            action = action_for(target)
            if action is None:
                failed += 1
                continue
            try:
                moderation.moderation_act(
                    moderator=request.user,
                    target=target,
                    action=action,
                    reason=_("Bulk action from the report list."),
                    **kwargs,
                )
                done += 1
            except (ValidationError, PermissionDenied) as exc:
                failed += 1
                messages.warning(request, f"{moderation.target_label(target)}: {_message(exc)}")
        messages.info(
            request,
            _("%(done)d targets decided, %(failed)d skipped.") % {"done": done, "failed": failed},
        )

    @admin.action(
        description=gettext_lazy("Hide the videos / remove the comments"),
        permissions=["change"],
    )
    def hide_or_remove(self, request, queryset):
        by_kind = {"video": Action.HIDE_VIDEO, "comment": Action.REMOVE_COMMENT}
        self._bulk(request, queryset, lambda t: by_kind.get(moderation.target_type_of(t)))

    @admin.action(description=gettext_lazy("Suspend the owners for 7 days"), permissions=["change"])
    def suspend_owners(self, request, queryset):
        self._bulk(request, queryset, lambda t: Action.SUSPEND_USER, days=SUSPEND_DAYS_DEFAULT)

    @admin.action(description=gettext_lazy("Ban the owners"), permissions=["change"])
    def ban_owners(self, request, queryset):
        self._bulk(request, queryset, lambda t: Action.BAN_USER)

    @admin.action(description=gettext_lazy("Dismiss the reports"), permissions=["change"])
    def dismiss(self, request, queryset):
        self._bulk(request, queryset, lambda t: Action.DISMISS)


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin):
    """The audit log: view only, for everyone (superusers too)."""

    list_display = (
        "created_at",
        "moderator",
        "action",
        "target_label",
        "target_owner",
        "days",
        "reason",
        "reports_closed",
    )
    list_filter = ("action", "created_at")
    search_fields = ("moderator__username", "target_owner__username", "target_label", "reason")
    list_select_related = ("moderator", "target_owner")
    readonly_fields = [f.name for f in ModerationAction._meta.fields]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}  # not even the "delete selected" action
