from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VideosConfig(AppConfig):
    name = "videos"
    verbose_name = _("Videos")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # social must not import videos, so the live pushes for its events are plugged in
        # from this side.
        from social import graph

        from . import live

        graph.on_notification.append(live.push_notification)
        graph.on_unread_changed.append(live.push_unread)
        graph.on_blocks_changed.append(lambda ids: live.blocks_changed(user_ids=ids))
