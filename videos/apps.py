from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VideosConfig(AppConfig):
    name = "videos"
    verbose_name = _("Videos")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # social must not import videos, so the live pushes for its events are plugged in
        # from this side.
        from social import graph, restrictions

        from . import live

        graph.on_notification.append(live.push_notification)
        graph.on_unread_changed.append(live.push_unread)
        graph.on_blocks_changed.append(lambda ids: live.blocks_changed(user_ids=ids))
        restrictions.on_restricted.append(lambda uid: live.account_restricted(user_id=uid))

        # The "Moderators" group comes from migration 0009; a database flushed since (tests
        # that truncate tables, `manage.py flush`) gets it back after migrate, like Django's
        # own permissions. An existing group is left as the administrators keep it.
        from django.db.models.signals import post_migrate

        post_migrate.connect(_ensure_moderators_group, sender=self, dispatch_uid="moderators")


def _ensure_moderators_group(sender, using="default", **kwargs) -> None:
    from .moderation import moderators_group_ensure

    moderators_group_ensure(using=using)
