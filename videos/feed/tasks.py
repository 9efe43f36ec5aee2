"""Celery tasks of the recommender (beat runs feed_refresh; see tiktok/celery.py)."""

from celery import shared_task


@shared_task(name="videos.feed_refresh", ignore_result=True)
def feed_refresh_task() -> dict:
    from .precompute import refresh

    return refresh().as_dict()
