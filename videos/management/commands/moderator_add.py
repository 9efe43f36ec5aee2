"""Make an account a moderator: staff (to enter the admin) and in the "Moderators" group
(the permissions moderation needs, nothing more; see migration 0010_moderators_group).
`--remove` takes both away again. Never makes anyone a superuser."""

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from social.models import User
from videos.moderation import MODERATORS_GROUP as GROUP


class Command(BaseCommand):
    help = "Add an account to the Moderators group and let it into the admin (is_staff)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--remove", action="store_true", help="Stop being a moderator.")

    def handle(self, *args, username, remove=False, **options):
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            raise CommandError(f"No account named {username!r}.")
        group = Group.objects.filter(name=GROUP).first()
        if group is None:
            raise CommandError(f"The {GROUP!r} group is missing: run migrate.")
        if remove:
            user.groups.remove(group)
            if not user.is_superuser and not user.groups.exists():
                user.is_staff = False
                user.save(update_fields=["is_staff"])
            self.stdout.write(f"@{user.username} is no longer a moderator.")
            return
        user.groups.add(group)
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        self.stdout.write(f"@{user.username} is now a moderator.")
