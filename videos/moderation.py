"""Moderation: reports from people, decisions by moderators, the audit log.

Writes (services):
- ``report_create`` — anyone signed in reports a video, comment, account or sound they can
  see; a repeat by the same person on the same target updates their open report.
- ``moderation_act`` — a moderator decides on a target: hide the video, remove the comment,
  suspend or ban the owner, or dismiss. Every decision writes one ModerationAction and
  closes every open report on that target, in one transaction.

Reads (selectors):
- ``report_target_get`` — the target a viewer names, through the same visibility getters as
  the pages and the API (Http404 for missing and forbidden alike: nothing leaks).
- ``queue_groups`` — the admin's queue: open reports grouped by target, most distinct
  reporters first, then oldest; with the targets and their owners' history in a constant
  number of queries.

REPORT_AUTOHIDE_THRESHOLD: a video with open reports from that many distinct people gets
``Video.report_held``, which keeps it out of For You, trending and exploration (the feed
filters on the column) until a moderator decides; any decision clears it.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Min, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from social.models import User
from social.restrictions import user_restrict, user_unrestrict

from . import live, selectors
from .models import Comment, ModerationAction, Report, Sound, Video
from .remix.selectors import sound_get_visible
from .services import video_set_hidden

Action = ModerationAction.Action
TARGET_TYPES = Report.TARGET_FIELDS  # ("video", "comment", "user", "sound")
TARGET_MAX_LENGTH = 64
MAX_SUSPENSION_DAYS = 3650
# What a moderator may do to each kind of target. Suspend and ban act on the target's
# owner (the author of a video or comment, the owner of a sound, the account itself).
ACTIONS_BY_TARGET = {
    "video": (Action.HIDE_VIDEO, Action.SUSPEND_USER, Action.BAN_USER, Action.DISMISS),
    "comment": (Action.REMOVE_COMMENT, Action.SUSPEND_USER, Action.BAN_USER, Action.DISMISS),
    "user": (Action.SUSPEND_USER, Action.BAN_USER, Action.DISMISS),
    "sound": (Action.SUSPEND_USER, Action.BAN_USER, Action.DISMISS),
}
MODERATE_PERMISSION = "videos.change_report"
MODERATORS_GROUP = "Moderators"
# Exactly what moderation needs (migration 0010_moderators_group has the same list): see
# and decide on reports (change_report is what every decision checks), read the audit log,
# look at what was reported. No passwords, groups, permissions or edits to anything else.
MODERATOR_PERMISSIONS = (
    ("videos", "view_report"),
    ("videos", "change_report"),
    ("videos", "view_moderationaction"),
    ("videos", "view_video"),
    ("videos", "view_comment"),
    # Comments held by the site-wide filter: approve or remove them; keep the term list.
    ("videos", "view_heldcomment"),
    ("videos", "change_heldcomment"),
    ("videos", "view_filteredterm"),
    ("videos", "add_filteredterm"),
    ("videos", "change_filteredterm"),
    ("videos", "delete_filteredterm"),
    ("videos", "view_sound"),
    ("social", "view_user"),
)


def moderators_group_ensure(*, using: str = "default"):
    """The Moderators group, made with MODERATOR_PERMISSIONS if it does not exist yet."""
    from django.contrib.auth.models import Group, Permission

    group, created = Group.objects.using(using).get_or_create(name=MODERATORS_GROUP)
    if created:
        query = Q()
        for app, codename in MODERATOR_PERMISSIONS:
            query |= Q(content_type__app_label=app, codename=codename)
        group.permissions.set(Permission.objects.using(using).filter(query))
    return group


def autohide_threshold() -> int:
    return max(1, int(getattr(settings, "REPORT_AUTOHIDE_THRESHOLD", 3)))


def target_type_of(target) -> str:
    for kind, model in (("video", Video), ("comment", Comment), ("user", User), ("sound", Sound)):
        if isinstance(target, model):
            return kind
    raise ValueError(f"not a reportable target: {type(target).__name__}")


def target_owner_id(target) -> int:
    kind = target_type_of(target)
    if kind == "user":
        return target.pk
    if kind == "sound":
        return target.owner_id
    return target.author_id


def target_label(target) -> str:
    kind = target_type_of(target)
    if kind == "user":
        return f"@{target.username}"
    if kind == "comment":
        return f"comment {target.public_id}: {target.text[:80]}"
    if kind == "sound":
        return f"sound {target.public_id}: {target.title[:80]}"
    return f"video {target.public_id}: {target.caption[:80]}"


# --- selectors ------------------------------------------------------------------------------
def report_target_get(*, viewer: User | None, target_type: str, target: str):
    """The video, comment, account or sound `target` names, if viewer may see it.

    Http404 for unknown, invisible, removed and blocked alike, through the same getters the
    pages use, so a report can never confirm that something hidden exists."""
    if not isinstance(target, str) or not target or len(target) > TARGET_MAX_LENGTH:
        raise Http404(_("This is not available."))
    if "\x00" in target:
        raise Http404(_("This is not available."))
    if target_type == "video":
        return selectors.video_get_visible(viewer=viewer, public_id=target)
    if target_type == "sound":
        return sound_get_visible(viewer=viewer, public_id=target)
    if target_type == "user":
        return selectors.profile_get(viewer=viewer, username=target.lstrip("@"))
    if target_type == "comment":
        comment = (
            Comment.objects.select_related("video__author", "author")
            .filter(public_id=target[:16], is_removed=False, status=Comment.Status.VISIBLE)
            .first()
        )
        if comment is None or not selectors.can_view_video(viewer=viewer, video=comment.video):
            raise Http404(_("This comment is not available."))
        from social.selectors import is_blocked_between

        if is_blocked_between(a=viewer, b=comment.author):
            raise Http404(_("This comment is not available."))
        return comment
    raise Http404(_("This is not available."))


def _open_reports() -> Q:
    return Q(status=Report.Status.OPEN)


def _target_filter(target) -> Q:
    return Q(**{target_type_of(target): target})


def distinct_reporters(*, video_id: int) -> int:
    return (
        Report.objects.filter(_open_reports(), video_id=video_id)
        .values("reporter_id")
        .distinct()
        .count()
    )


@dataclass
class OwnerHistory:
    user: User
    account_age_days: int
    actions: dict[str, int] = field(default_factory=dict)  # action → count
    actions_total: int = 0
    reports_against: int = 0
    reports_upheld: int = 0
    videos_hidden: int = 0


@dataclass
class QueueGroup:
    target_type: str
    target: object
    owner: User
    reporters: int
    oldest: datetime.datetime
    latest: datetime.datetime
    reports: list[Report] = field(default_factory=list)
    history: OwnerHistory | None = None

    @property
    def key(self) -> str:
        return f"{self.target_type}:{self.target.pk}"

    @property
    def actions(self):
        return ACTIONS_BY_TARGET[self.target_type]

    @property
    def reasons(self) -> list[tuple[str, int]]:
        counts: dict[str, int] = defaultdict(int)
        for report in self.reports:
            counts[report.get_reason_display()] += 1
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def queue_groups(*, limit: int = 50, target_type: str | None = None) -> list[QueueGroup]:
    """Open reports grouped by target: most distinct reporters first, then the oldest.

    Seven queries whatever the queue's length: the groups, one per kind of target, the
    reports, and three for the owners' history."""
    qs = Report.objects.filter(_open_reports())
    if target_type in TARGET_TYPES:
        qs = qs.filter(**{f"{target_type}__isnull": False})
    rows = list(
        qs.values("video_id", "comment_id", "user_id", "sound_id", "target_owner_id")
        .annotate(
            reporters=Count("reporter", distinct=True),
            oldest=Min("created_at"),
            latest=Max("updated_at"),
        )
        .order_by("-reporters", "oldest")[:limit]
    )
    if not rows:
        return []
    ids: dict[str, set[int]] = {kind: set() for kind in TARGET_TYPES}
    for row in rows:
        for kind in TARGET_TYPES:
            if row[f"{kind}_id"] is not None:
                ids[kind].add(row[f"{kind}_id"])
    owner_ids = {row["target_owner_id"] for row in rows}
    loaders = {
        "video": Video.objects.select_related("author"),
        "comment": Comment.objects.select_related("author", "video__author"),
        "sound": Sound.objects.select_related("owner"),
    }
    # One query per kind of target that is in the queue (accounts come with the owners).
    targets: dict[str, dict[int, object]] = {
        kind: {obj.pk: obj for obj in qs.filter(pk__in=ids[kind])} if ids[kind] else {}
        for kind, qs in loaders.items()
    }
    owners = {u.pk: u for u in User.objects.filter(pk__in=owner_ids | ids["user"])}
    targets["user"] = {pk: owners[pk] for pk in ids["user"] if pk in owners}

    reports: dict[tuple[str, int], list[Report]] = defaultdict(list)
    condition = Q()
    for kind in TARGET_TYPES:
        if ids[kind]:
            condition |= Q(**{f"{kind}_id__in": ids[kind]})
    for report in (
        Report.objects.filter(_open_reports())
        .filter(condition)
        .select_related("reporter")
        .order_by("created_at", "id")
    ):
        reports[(report.target_type, getattr(report, f"{report.target_type}_id"))].append(report)

    histories = owner_histories(owners=[owners[pk] for pk in owner_ids if pk in owners])
    groups = []
    for row in rows:
        kind = next(k for k in TARGET_TYPES if row[f"{k}_id"] is not None)
        target = targets[kind].get(row[f"{kind}_id"])
        owner = owners.get(row["target_owner_id"])
        if target is None or owner is None:
            continue  # deleted while the page was being built
        groups.append(
            QueueGroup(
                target_type=kind,
                target=target,
                owner=owner,
                reporters=row["reporters"],
                oldest=row["oldest"],
                latest=row["latest"],
                reports=reports.get((kind, target.pk), []),
                history=histories.get(owner.pk),
            )
        )
    return groups


def owner_histories(*, owners: list[User]) -> dict[int, OwnerHistory]:
    """Account age, prior moderation actions, reports against them (and how many were
    upheld), videos hidden: three grouped queries for any number of owners."""
    if not owners:
        return {}
    now = timezone.now()
    ids = [u.pk for u in owners]
    result = {
        u.pk: OwnerHistory(user=u, account_age_days=max(0, (now - u.date_joined).days))
        for u in owners
    }
    for owner_id, action, n in (
        ModerationAction.objects.filter(target_owner_id__in=ids)
        .values_list("target_owner_id", "action")
        .annotate(n=Count("id"))
        .order_by()
    ):
        history = result[owner_id]
        history.actions[Action(action).label] = n
        history.actions_total += n
    for owner_id, total, upheld in (
        Report.objects.filter(target_owner_id__in=ids)
        .values("target_owner_id")
        .annotate(
            total=Count("id"),
            upheld=Count("id", filter=Q(status=Report.Status.ACTIONED)),
        )
        .order_by()
        .values_list("target_owner_id", "total", "upheld")
    ):
        result[owner_id].reports_against = total
        result[owner_id].reports_upheld = upheld
    for author_id, n in (
        Video.objects.filter(author_id__in=ids, is_hidden=True)
        .values("author_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("author_id", "n")
    ):
        result[author_id].videos_hidden = n
    return result


# --- services -------------------------------------------------------------------------------
def _clean_report_text(text) -> str:
    if text is None:
        return ""
    if not isinstance(text, str):
        raise ValidationError({"text": _("Enter text.")})
    if "\x00" in text:
        raise ValidationError({"text": _("The text contains characters we cannot store.")})
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n")).strip()
    if len(text) > Report.TEXT_MAX_LENGTH:
        raise ValidationError(
            {"text": _("At most %(n)d characters, please.") % {"n": Report.TEXT_MAX_LENGTH}}
        )
    return text


@dataclass(frozen=True)
class ReportResult:
    report: Report
    created: bool  # False: an open report by the same person was updated (merged)


def report_create(
    *,
    reporter: User,
    video: Video | None = None,
    comment: Comment | None = None,
    user: User | None = None,
    sound: Sound | None = None,
    reason: str,
    text: str = "",
) -> ReportResult:
    """Report one target. The caller has resolved it with report_target_get (visibility).

    One open report per person and target: a repeat updates its reason and text. Nobody
    reports themselves or their own content."""
    given = [
        (k, t)
        for k, t in (("video", video), ("comment", comment), ("user", user), ("sound", sound))
        if t is not None
    ]
    if len(given) != 1:
        raise ValidationError({"target": _("Report exactly one thing.")})
    kind, target = given[0]
    if reporter is None or not reporter.is_authenticated or not reporter.is_active:
        raise PermissionDenied(_("Log in to report."))
    if reason not in Report.Reason.values:
        raise ValidationError({"reason": _("Choose a reason from the list.")})
    text = _clean_report_text(text)
    owner_id = target_owner_id(target)
    if owner_id == reporter.pk:
        raise ValidationError({"target": _("You cannot report yourself or your own content.")})
    now = timezone.now()
    lookup = {"reporter": reporter, kind: target, "status": Report.Status.OPEN}
    for _attempt in range(2):
        try:
            with transaction.atomic():
                existing = Report.objects.select_for_update().filter(**lookup).first()
                if existing is not None:
                    existing.reason, existing.text, existing.updated_at = reason, text, now
                    existing.save(update_fields=["reason", "text", "updated_at"])
                    report, created = existing, False
                else:
                    report = Report.objects.create(
                        **lookup,
                        target_owner_id=owner_id,
                        reason=reason,
                        text=text,
                        created_at=now,
                        updated_at=now,
                    )
                    created = True
                if kind == "video" and created:
                    _hold_update(video_id=target.pk)
            return ReportResult(report=report, created=created)
        except IntegrityError:
            continue  # the same person's other request made it first: update that one
    raise ValidationError({"target": _("Please try again.")})


def _hold_update(*, video_id: int) -> bool:
    """Keep Video.report_held in step with the open reports: held from the threshold's
    distinct reporters until a decision closes them. Returns whether it is held."""
    held = distinct_reporters(video_id=video_id) >= autohide_threshold()
    Video.objects.filter(pk=video_id).exclude(report_held=held).update(report_held=held)
    return held


def _close_reports(*, target, moderator: User, status: str, now) -> int:
    return Report.objects.filter(_open_reports(), _target_filter(target)).update(
        status=status, decided_by=moderator, decided_at=now, updated_at=now
    )


def comment_remove(*, comment: Comment) -> int:
    """Moderation removes a comment (and, for a top-level one, its replies): the rows stay
    for the record, readers never see them again, counters count what readers see."""
    with transaction.atomic():
        ids = [comment.pk]
        if comment.parent_id is None:
            ids += list(Comment.objects.filter(parent_id=comment.pk).values_list("pk", flat=True))
        # Held comments (comment filters) were never counted, so only visible ones move counters.
        removed = Comment.objects.filter(
            pk__in=ids, is_removed=False, status=Comment.Status.VISIBLE
        ).update(is_removed=True)
        Comment.objects.filter(pk__in=ids, is_removed=False).update(is_removed=True)
        if removed:
            Video.objects.filter(pk=comment.video_id).update(
                comments_count=F("comments_count") - removed
            )
            if comment.parent_id is None:
                Comment.objects.filter(pk=comment.pk).update(replies_count=0)
            elif not comment.is_removed:
                Comment.objects.filter(pk=comment.parent_id, replies_count__gt=0).update(
                    replies_count=F("replies_count") - 1
                )
            video = Video.objects.only("public_id").get(pk=comment.video_id)
            public_id, video_pk = comment.public_id, comment.video_id
            transaction.on_commit(
                lambda: live.comment_removed(
                    video_public_id=video.public_id, comment_public_id=public_id
                )
            )
            transaction.on_commit(lambda: live.video_stats_changed(video_pk))
        comment.is_removed = True
    return removed


def _require_moderator(moderator: User) -> None:
    if (
        moderator is None
        or not moderator.is_authenticated
        or not moderator.is_active
        or not moderator.is_staff
        or not moderator.has_perm(MODERATE_PERMISSION)
    ):
        raise PermissionDenied(_("Only moderators can do that."))


def moderation_act(
    *,
    moderator: User,
    target,
    action: str,
    reason: str = "",
    days: int | None = None,
) -> ModerationAction:
    """Decide on a target; write the audit row; close its open reports.

    hide_video and remove_comment act on the content; suspend_user (for `days`) and
    ban_user on its owner; dismiss closes the reports as unfounded (and releases a video
    held back by reports). Staff accounts are beyond a moderator's reach."""
    _require_moderator(moderator)
    kind = target_type_of(target)
    if action not in ACTIONS_BY_TARGET[kind] and (kind, action) not in {
        ("video", Action.UNHIDE_VIDEO),
        ("user", Action.LIFT_RESTRICTION),
    }:
        raise ValidationError({"action": _("That action does not apply here.")})
    if not isinstance(reason, str) or "\x00" in reason:
        raise ValidationError({"reason": _("The reason contains characters we cannot store.")})
    reason = reason.strip()[:500]
    owner = target if kind == "user" else User.objects.get(pk=target_owner_id(target))
    if action in (Action.SUSPEND_USER, Action.BAN_USER, Action.LIFT_RESTRICTION):
        if owner.is_staff or owner.is_superuser:
            raise PermissionDenied(_("Staff accounts are managed by administrators."))
        if owner.pk == moderator.pk:
            raise PermissionDenied(_("You cannot act on your own account."))
    if action == Action.SUSPEND_USER:
        try:
            days = int(days)
        except (TypeError, ValueError):
            raise ValidationError({"days": _("Give the number of days.")}) from None
        if not 1 <= days <= MAX_SUSPENSION_DAYS:
            raise ValidationError(
                {"days": _("Between 1 and %(n)d days.") % {"n": MAX_SUSPENSION_DAYS}}
            )
    else:
        days = None
    now = timezone.now()
    with transaction.atomic():
        if action == Action.HIDE_VIDEO:
            video_set_hidden(video=target, hidden=True)
        elif action == Action.UNHIDE_VIDEO:
            video_set_hidden(video=target, hidden=False)
        elif action == Action.REMOVE_COMMENT:
            comment_remove(comment=target)
        elif action == Action.SUSPEND_USER:
            user_restrict(user=owner, until=now + datetime.timedelta(days=days), reason=reason)
        elif action == Action.BAN_USER:
            user_restrict(user=owner, ban=True, reason=reason)
        elif action == Action.LIFT_RESTRICTION:
            user_unrestrict(user=owner)
        status = Report.Status.DISMISSED if action == Action.DISMISS else Report.Status.ACTIONED
        closed = _close_reports(target=target, moderator=moderator, status=status, now=now)
        if kind == "video":
            _hold_update(video_id=target.pk)
        return ModerationAction.objects.create(
            moderator=moderator,
            action=action,
            target_owner=owner,
            target_label=target_label(target)[:200],
            reason=reason,
            days=days,
            reports_closed=closed,
            created_at=now,
            **{kind: target},
        )


def held_comment_decide(*, moderator: User, comment: Comment, approve: bool) -> bool:
    """A moderator approves or removes a comment held by a comment filter; the decision goes
    to the audit log like every other. False (and no log row) when it was no longer held."""
    from . import engagement

    with transaction.atomic():
        if approve:
            done = engagement.comment_approve(user=moderator, comment=comment)
        else:
            done = engagement.comment_hold_remove(user=moderator, comment=comment)
        if done:
            ModerationAction.objects.create(
                moderator=moderator,
                action=Action.APPROVE_COMMENT if approve else Action.REMOVE_COMMENT,
                target_owner_id=comment.author_id,
                target_label=target_label(comment)[:200],
                comment=comment,
            )
    return bool(done)


def report_targets(reports) -> list:
    """The distinct targets of some reports (for the admin's bulk actions), in order."""
    seen, targets = set(), []
    for report in reports:
        key = (report.target_type, getattr(report, f"{report.target_type}_id"))
        if key not in seen:
            seen.add(key)
            targets.append(report.target)
    return targets
