"""Recompute the For You feed's precomputed state now (what Celery beat does periodically)."""

from django.core.management.base import BaseCommand

from videos.feed import precompute, state


class Command(BaseCommand):
    help = (
        "Recompute the For You recommender's state: per-video smoothed rates, trending, the "
        "exploration pool, per-hashtag/sound lists and co-engagement neighbours."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--clear", action="store_true", help="Forget the precomputed state instead."
        )

    def handle(self, *args, clear: bool = False, **options):
        if clear:
            state.clear()
            self.stdout.write("feed state cleared")
            return
        report = precompute.refresh()
        for key, value in report.as_dict().items():
            self.stdout.write(f"{key}: {value}")
