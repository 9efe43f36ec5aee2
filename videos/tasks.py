"""Celery tasks take ids and call services."""

import logging

from celery import shared_task

from . import services
from .models import Video

logger = logging.getLogger(__name__)


@shared_task(name="videos.process", acks_late=True, max_retries=0)
def video_process_task(video_id: int) -> str:
    try:
        return services.video_process(video_id=video_id).status
    except Video.DoesNotExist:
        # Deleted before its turn came: nothing to do, and nothing to retry.
        logger.info("video %s was deleted before processing", video_id)
        return "deleted"


# --- privacy rights (videos/privacy.py) ----------------------------------------------------
@shared_task(name="videos.data_export_build", acks_late=True, max_retries=0)
def data_export_build_task(export_id: int) -> str:
    from . import privacy
    from .models import DataExport

    try:
        return privacy.data_export_build(export_id=export_id).status
    except DataExport.DoesNotExist:
        return "deleted"  # the account went before its export was built


@shared_task(name="videos.storage_files_delete", acks_late=True, max_retries=0)
def storage_files_delete_task(files: list[list[str]]) -> int:
    """Delete [storage alias, name] pairs (an account's media, after its rows are gone)."""
    from . import privacy

    return privacy.storage_files_delete(files=files)


@shared_task(name="videos.data_exports_cleanup")
def data_exports_cleanup_task() -> int:
    from . import privacy

    return privacy.data_exports_cleanup()


# --- remix culture: uploaded sounds (videos/remix/services.py) -------------------------------
@shared_task(name="videos.sound_process", acks_late=True, max_retries=0)
def sound_process_task(sound_id: int) -> str:
    from .models import Sound
    from .remix import services as remix_services

    try:
        return remix_services.sound_process(sound_id=sound_id).status
    except Sound.DoesNotExist:
        return "deleted"


# --- webhooks (videos/webhooks.py) --------------------------------------------------------
WEBHOOK_MAX_ATTEMPTS = 5


def webhook_backoff(retries: int) -> int:
    """Seconds before the next attempt: 30 s, 2 min, 8 min, 32 min (exponential)."""
    return 30 * 4**retries


@shared_task(
    bind=True, name="videos.webhook_deliver", acks_late=True, max_retries=WEBHOOK_MAX_ATTEMPTS - 1
)
def webhook_deliver_task(self, webhook_id: int, body: str) -> str:
    from . import webhooks

    delivered = webhooks.webhook_deliver(
        webhook_id=webhook_id, body=body, attempt=self.request.retries + 1
    )
    if delivered is False and self.request.retries < self.max_retries:
        raise self.retry(countdown=webhook_backoff(self.request.retries))
    return {True: "delivered", False: "failed", None: "skipped"}[delivered]
