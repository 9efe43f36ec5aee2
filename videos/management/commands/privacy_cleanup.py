"""Delete the files of data exports that expired or were already downloaded.

Run it hourly from cron, or let `celery beat` run the same job (CELERY_BEAT_SCHEDULE)."""

from django.core.management.base import BaseCommand

from videos.privacy import data_exports_cleanup


class Command(BaseCommand):
    help = "Delete expired and already-downloaded data export files."

    def handle(self, *args, **options):
        deleted = data_exports_cleanup()
        self.stdout.write(f"Deleted {deleted} export file(s).")
