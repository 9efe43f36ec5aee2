"""The moderation queue and the audit log in the admin, through the test client: who gets
in, what the queue shows (in a constant number of queries), each one-click decision, the
bulk actions, and an audit log nobody can edit; plus what the Moderators group cannot do."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from social.models import User
from videos import engagement, moderation
from videos.models import Comment, ModerationAction, Report, Video

A = ModerationAction.Action
S = Report.Status
QUEUE = "/admin/videos/report/queue/"
DECIDE = "/admin/videos/report/queue/decide/"
AUDIT = "/admin/videos/moderationaction/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def report(reporter, reason=Report.Reason.SPAM, text="", **target):
    return moderation.report_create(reporter=reporter, reason=reason, text=text, **target)


@pytest.fixture
def mod_client(client, moderator):
    client.force_login(moderator)
    return client


def decide(client, target, action, **extra):
    kind = moderation.target_type_of(target)
    data = {"target_type": kind, "target_id": str(target.pk), "action": action, **extra}
    return client.post(DECIDE, data)


# --- who gets in -----------------------------------------------------------------------------
def test_queue_needs_staff_and_the_view_permission(client, user_factory):
    assert client.get(QUEUE).status_code == 302  # to the admin login
    client.force_login(user_factory())  # not staff
    response = client.get(QUEUE)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(user_factory(is_staff=True))  # staff, no permissions
    assert client.get(QUEUE).status_code == 403
    assert client.get("/admin/videos/report/").status_code == 403


def test_staff_without_the_group_cannot_decide(client, user_factory, video_factory, reporters):
    viewer = user_factory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_report"))
    video = video_factory()
    report(reporters[0], video=video)
    client.force_login(viewer)
    page = client.get(QUEUE)
    assert page.status_code == 200
    assert "You can view the queue but not decide." in page.content.decode()
    assert decide(client, video, A.HIDE_VIDEO).status_code == 403
    assert Video.objects.get(pk=video.pk).is_hidden is False
    assert ModerationAction.objects.count() == 0


# --- what the queue shows ---------------------------------------------------------------------
def test_queue_shows_groups_with_player_text_reasons_and_history(
    mod_client, video_factory, user_factory, reporters
):
    video = video_factory(caption="Watch me <script>alert(1)</script>")
    comment = engagement.comment_create(user=user_factory(), video=video_factory(), text="you suck")
    for who in reporters[:3]:
        report(who, video=video, reason=Report.Reason.VIOLENCE, text=f"scary, says {who.username}")
    report(reporters[0], comment=comment, reason=Report.Reason.HARASSMENT)
    response = mod_client.get(QUEUE)
    assert response.status_code == 200
    html = response.content.decode()
    # Most reporters first.
    assert html.index(f'id="group-video-{video.pk}"') < html.index(
        f'id="group-comment-{comment.pk}"'
    )
    assert f'<video src="{video.file.url}" poster="{video.poster.url}" controls' in html
    assert "Watch me &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert "you suck" in html
    assert "Violence or dangerous acts (3)" in html
    assert f"scary, says {reporters[1].username}" in html
    assert f"@{video.author.username}" in html
    assert "account 0 days old" in html
    assert "0 prior moderation actions" in html
    # Every script in the admin carries the response's nonce (CSP).
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "nonce=" in tag, tag
    assert 'value="hide_video"' in html and 'value="remove_comment"' in html


def test_queue_queries_are_constant(mod_client, fill_queue):
    fill = fill_queue

    fill(1)
    with CaptureQueriesContext(connection) as small:
        assert mod_client.get(QUEUE).status_code == 200
    fill(5)
    with CaptureQueriesContext(connection) as large:
        response = mod_client.get(QUEUE)
    assert response.content.decode().count('class="mq-group"') == 18
    assert len(large.captured_queries) == len(small.captured_queries)


def test_queue_filters_by_target_type(mod_client, video_factory, reporters):
    video = video_factory()
    report(reporters[0], video=video)
    report(reporters[0], user=video.author)
    html = mod_client.get(QUEUE + "?target=user").content.decode()
    assert f'id="group-user-{video.author.pk}"' in html
    assert f'id="group-video-{video.pk}"' not in html
    assert mod_client.get(QUEUE + "?target=<bogus>").status_code == 200


# --- one-click decisions -----------------------------------------------------------------------
def test_hide_video_from_the_queue(mod_client, moderator, video_factory, reporters):
    video = video_factory()
    report(reporters[0], video=video)
    report(reporters[1], video=video)
    response = decide(mod_client, video, A.HIDE_VIDEO, reason="gore")
    assert response.status_code == 302 and response["Location"] == QUEUE
    assert Video.objects.get(pk=video.pk).is_hidden is True
    assert set(Report.objects.values_list("status", flat=True)) == {S.ACTIONED}
    logged = ModerationAction.objects.get()
    assert (logged.moderator, logged.action, logged.video, logged.reason) == (
        moderator,
        A.HIDE_VIDEO,
        video,
        "gore",
    )
    page = mod_client.get(QUEUE).content.decode()
    assert "Nothing to review" in page
    assert "Hid the video" in page  # the success message


def test_remove_comment_from_the_queue(mod_client, video_factory, user_factory, reporters):
    comment = engagement.comment_create(user=user_factory(), video=video_factory(), text="slur")
    report(reporters[0], comment=comment)
    assert decide(mod_client, comment, A.REMOVE_COMMENT).status_code == 302
    assert Comment.objects.get(pk=comment.pk).is_removed is True
    assert ModerationAction.objects.get().action == A.REMOVE_COMMENT


def test_suspend_and_ban_from_the_queue(mod_client, video_factory, reporters):
    video = video_factory()
    report(reporters[0], video=video)
    assert decide(mod_client, video, A.SUSPEND_USER, days="14").status_code == 302
    author = User.objects.get(pk=video.author_id)
    assert author.is_suspended
    report(reporters[1], user=author)
    assert decide(mod_client, author, A.BAN_USER, reason="repeat").status_code == 302
    author.refresh_from_db()
    assert author.is_banned and author.restriction_reason == "repeat"
    assert list(ModerationAction.objects.order_by("id").values_list("action", "days")) == [
        (A.SUSPEND_USER, 14),
        (A.BAN_USER, None),
    ]


def test_dismiss_from_the_queue(mod_client, video_factory, reporters):
    video = video_factory()
    report(reporters[0], video=video)
    assert decide(mod_client, video, A.DISMISS).status_code == 302
    assert Report.objects.get().status == S.DISMISSED
    assert Video.objects.get(pk=video.pk).is_hidden is False


@pytest.mark.parametrize(
    "data",
    [
        {"target_type": "video", "target_id": "999999", "action": "hide_video"},
        {"target_type": "nope", "target_id": "1", "action": "hide_video"},
        {"target_type": "video", "target_id": "1 OR 1=1", "action": "hide_video"},
        {"target_type": "video", "target_id": "9" * 40, "action": "hide_video"},
        {"target_type": "video", "target_id": "", "action": ""},
    ],
)
def test_hostile_decisions_are_refused_with_a_message(mod_client, video_factory, data):
    video_factory()
    response = mod_client.post(DECIDE, data)
    assert response.status_code == 302
    assert "That target no longer exists." in mod_client.get(QUEUE).content.decode()
    assert ModerationAction.objects.count() == 0


def test_bad_action_or_days_show_an_error(mod_client, video_factory, reporters):
    video = video_factory()
    report(reporters[0], video=video)
    decide(mod_client, video, "delete_everything")
    assert "That action does not apply here." in mod_client.get(QUEUE).content.decode()
    decide(mod_client, video, A.SUSPEND_USER, days="-5")
    assert "Between 1 and 3650 days." in mod_client.get(QUEUE).content.decode()
    decide(mod_client, video, A.HIDE_VIDEO, reason="a\x00b")
    assert ModerationAction.objects.count() == 0
    assert Report.objects.get().status == S.OPEN


def test_decide_is_post_only_and_csrf_checked(client, moderator, video_factory, reporters):
    from django.test import Client

    video = video_factory()
    report(reporters[0], video=video)
    client.force_login(moderator)
    assert client.get(DECIDE).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(moderator)
    response = strict.post(
        DECIDE, {"target_type": "video", "target_id": str(video.pk), "action": "hide_video"}
    )
    assert response.status_code == 403
    assert Video.objects.get(pk=video.pk).is_hidden is False


# --- bulk actions on the changelist -----------------------------------------------------------
def bulk(client, action, reports):
    return client.post(
        "/admin/videos/report/",
        {"action": action, "_selected_action": [str(r.pk) for r in reports]},
    )


def test_bulk_hide_and_remove(mod_client, video_factory, user_factory, reporters):
    videos = [video_factory() for _ in range(3)]
    comment = engagement.comment_create(user=user_factory(), video=videos[0], text="x")
    rows = [report(who, video=v).report for v in videos for who in reporters[:2]]
    rows.append(report(reporters[0], comment=comment).report)
    rows.append(report(reporters[0], user=videos[1].author).report)
    response = bulk(mod_client, "hide_or_remove", rows)
    assert response.status_code == 302
    assert Video.objects.filter(is_hidden=True).count() == 3
    assert Comment.objects.get(pk=comment.pk).is_removed is True
    # One audit row per target, not per report; the account report was skipped.
    assert ModerationAction.objects.count() == 4
    assert Report.objects.filter(status=S.OPEN).count() == 1
    assert (
        "4 targets decided, 1 skipped." in mod_client.get("/admin/videos/report/").content.decode()
    )


def test_bulk_suspend_ban_and_dismiss(mod_client, video_factory, reporters):
    a, b, c = video_factory(), video_factory(), video_factory()
    ra = report(reporters[0], video=a).report
    rb = report(reporters[0], video=b).report
    rc = report(reporters[0], video=c).report
    bulk(mod_client, "suspend_owners", [ra])
    bulk(mod_client, "ban_owners", [rb])
    bulk(mod_client, "dismiss", [rc])
    assert User.objects.get(pk=a.author_id).is_suspended
    assert User.objects.get(pk=b.author_id).is_banned
    assert Report.objects.get(pk=rc.pk).status == S.DISMISSED
    assert list(ModerationAction.objects.order_by("id").values_list("action", flat=True)) == [
        A.SUSPEND_USER,
        A.BAN_USER,
        A.DISMISS,
    ]


def test_report_list_shows_open_reports_by_default(mod_client, video_factory, reporters, moderator):
    open_one, closed = video_factory(), video_factory()
    report(reporters[0], video=open_one)
    report(reporters[1], video=closed)
    moderation.moderation_act(moderator=moderator, target=closed, action=A.DISMISS)
    html = mod_client.get("/admin/videos/report/").content.decode()
    assert open_one.public_id in html and closed.public_id not in html
    assert "Open the moderation queue" in html
    html = mod_client.get("/admin/videos/report/?status=all").content.decode()
    assert closed.public_id in html
    assert mod_client.get("/admin/videos/report/add/").status_code == 403


# --- the audit log is read-only for everyone --------------------------------------------------
@pytest.fixture
def logged(moderator, video_factory, reporters):
    video = video_factory()
    report(reporters[0], video=video)
    return moderation.moderation_act(moderator=moderator, target=video, action=A.HIDE_VIDEO)


@pytest.mark.parametrize("who", ["moderator", "superuser"])
def test_audit_log_cannot_be_added_changed_or_deleted(client, who, moderator, user_factory, logged):
    account = moderator if who == "moderator" else user_factory(is_staff=True, is_superuser=True)
    client.force_login(account)
    listing = client.get(AUDIT)
    assert listing.status_code == 200
    html = listing.content.decode()
    assert logged.target_label in html
    assert 'name="action"' not in html  # no bulk actions, not even "delete selected"
    assert client.get(f"{AUDIT}add/").status_code == 403
    view = client.get(f"{AUDIT}{logged.pk}/change/")
    assert view.status_code == 200  # readable, with no form to save
    assert 'name="_save"' not in view.content.decode()
    assert client.post(f"{AUDIT}{logged.pk}/change/", {"reason": "edited"}).status_code == 403
    assert client.get(f"{AUDIT}{logged.pk}/delete/").status_code == 403
    assert client.post(f"{AUDIT}{logged.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(
        AUDIT, {"action": "delete_selected", "_selected_action": [str(logged.pk)], "post": "yes"}
    ).status_code in (200, 302)
    assert ModerationAction.objects.filter(pk=logged.pk, reason="").exists()


# --- what a moderator cannot do ----------------------------------------------------------------
def test_moderator_cannot_touch_passwords_users_groups_or_permissions(
    mod_client, moderator, user_factory
):
    victim = user_factory()
    # Accounts: may look, not change; no password changes for anyone else.
    assert mod_client.get(f"/admin/social/user/{victim.pk}/change/").status_code == 200
    assert mod_client.get(f"/admin/social/user/{victim.pk}/password/").status_code == 403
    response = mod_client.post(
        f"/admin/social/user/{victim.pk}/password/",
        {"password1": "Pwned-by-mod-42", "password2": "Pwned-by-mod-42", "usable_password": "true"},
    )
    assert response.status_code == 403
    victim.refresh_from_db()
    assert victim.check_password("correct horse battery")
    assert (
        mod_client.post(
            f"/admin/social/user/{victim.pk}/change/",
            {"username": victim.username, "is_superuser": "on", "is_staff": "on"},
        ).status_code
        == 403
    )
    assert (
        mod_client.post(
            f"/admin/social/user/{moderator.pk}/change/",
            {"username": moderator.username, "is_superuser": "on", "groups": []},
        ).status_code
        == 403
    )
    moderator.refresh_from_db()
    assert not moderator.is_superuser
    # Groups and permissions: out of reach.
    assert mod_client.get("/admin/auth/group/").status_code == 403
    group = Group.objects.get(name="Moderators")
    assert mod_client.get(f"/admin/auth/group/{group.pk}/change/").status_code == 403
    assert mod_client.post("/admin/auth/group/add/", {"name": "Admins"}).status_code == 403
    assert not moderator.has_perm("auth.change_permission")
    assert not moderator.has_perm("social.change_user")
    assert not moderator.has_perm("videos.change_video")
    assert not moderator.has_perm("videos.delete_report")
    assert not moderator.has_perm("videos.add_moderationaction")
    assert not moderator.has_perm("videos.change_moderationaction")
    assert not moderator.has_perm("videos.delete_moderationaction")
    # The user list and a video's page are readable.
    assert mod_client.get("/admin/social/user/").status_code == 200
    assert mod_client.get("/admin/videos/video/").status_code == 200


def test_moderator_add_command(user_factory):
    person = user_factory(username="newmod")
    out = io.StringIO()
    call_command("moderator_add", "NEWMOD", stdout=out)
    person.refresh_from_db()
    assert person.is_staff and not person.is_superuser
    assert person.has_perm("videos.change_report")
    assert "@newmod is now a moderator." in out.getvalue()
    call_command("moderator_add", "newmod", "--remove", stdout=out)
    person = User.objects.get(pk=person.pk)
    assert not person.is_staff and not person.has_perm("videos.change_report")
    with pytest.raises(CommandError):
        call_command("moderator_add", "nobody_here")


def test_moderator_approves_and_removes_held_comments_and_both_are_in_the_audit_log(
    mod_client, moderator, video_factory, user_factory
):
    from videos.models import FilteredTerm

    FilteredTerm.objects.create(term="scam")
    video = video_factory()
    fan = user_factory()
    keep = engagement.comment_create(user=fan, video=video, text="not a scam, honest")
    drop = engagement.comment_create(user=fan, video=video, text="scam link")
    assert keep.status == drop.status == Comment.Status.HELD_FOR_REVIEW
    assert mod_client.get("/admin/videos/heldcomment/").status_code == 200
    assert mod_client.post(f"/admin/videos/heldcomment/{keep.pk}/approve/").status_code == 302
    assert mod_client.post(f"/admin/videos/heldcomment/{drop.pk}/remove/").status_code == 302
    keep.refresh_from_db()
    drop.refresh_from_db()
    video.refresh_from_db()
    assert (keep.status, keep.is_removed) == (Comment.Status.VISIBLE, False)
    assert drop.is_removed is True
    assert video.comments_count == 1
    log = list(
        ModerationAction.objects.order_by("id").values_list(
            "moderator__username", "action", "comment_id", "target_owner_id"
        )
    )
    assert log == [
        ("mod_maria", A.APPROVE_COMMENT, keep.pk, fan.pk),
        ("mod_maria", A.REMOVE_COMMENT, drop.pk, fan.pk),
    ]
    # Deciding again changes nothing and logs nothing.
    mod_client.post(f"/admin/videos/heldcomment/{keep.pk}/approve/")
    assert ModerationAction.objects.count() == 2


def test_removing_a_thread_with_a_held_reply_counts_only_what_readers_saw(
    moderator, video_factory, user_factory
):
    from videos.models import FilteredTerm

    FilteredTerm.objects.create(term="scam")
    video = video_factory()
    top = engagement.comment_create(user=user_factory(), video=video, text="nice")
    held = engagement.comment_create(user=user_factory(), video=video, text="scam", parent=top)
    assert held.status == Comment.Status.HELD_FOR_REVIEW
    video.refresh_from_db()
    assert video.comments_count == 1
    moderation.moderation_act(moderator=moderator, target=top, action=A.REMOVE_COMMENT)
    video.refresh_from_db()
    assert video.comments_count == 0
    assert set(Comment.objects.values_list("is_removed", flat=True)) == {True}
