"""Celery tasks take ids and call services."""

from celery import shared_task

from . import services


@shared_task(name="videos.process", acks_late=True, max_retries=0)
def video_process_task(video_id: int) -> str:
    return services.video_process(video_id=video_id).status
