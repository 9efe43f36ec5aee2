"""Celery wiring. Without a broker (the embedded default) tasks run eagerly in-process."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tiktok.settings")

app = Celery("tiktok")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["videos.feed"])  # videos/feed/tasks.py

# The For You recommender's refresh (videos/feed/precompute.py), for `celery -A tiktok beat`.
# Added to whatever CELERY_BEAT_SCHEDULE in settings holds, not instead of it.
FEED_REFRESH_SECONDS = float(os.environ.get("FEED_REFRESH_SECONDS", "600"))


@app.on_after_finalize.connect
def _feed_schedule(sender, **kwargs):
    sender.add_periodic_task(
        FEED_REFRESH_SECONDS, sender.signature("videos.feed_refresh"), name="feed-refresh"
    )
