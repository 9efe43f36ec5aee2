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
