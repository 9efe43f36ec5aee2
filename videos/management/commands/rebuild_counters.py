from django.core.management.base import BaseCommand

from videos.counters import rebuild_counters


class Command(BaseCommand):
    help = "Recompute every counter (likes, comments, shares, follows) from its rows."

    def handle(self, *args, **options):
        drift = rebuild_counters()
        for name, fixed in drift.items():
            self.stdout.write(f"{name:32} {fixed.rows} fixed (off by {fixed.amount} in total)")
        total = sum(fixed.rows for fixed in drift.values())
        self.stdout.write(self.style.SUCCESS(f"Done: {total} counters were off and are now right."))
