"""The "Moderators" group with exactly what moderation needs (videos/moderation.py).

Moderators see reports and the queue and decide on them (view/change Report: the change
permission is what every decision checks), read the audit log (view ModerationAction, which
nobody can change), and look at the videos, comments, sounds and accounts that were
reported (view only). Nothing else: no password changes, no groups or permissions, no
editing of content or accounts outside a decision. Entering the admin also needs is_staff,
which `manage.py moderator_add <username>` sets together with the group.
"""

from django.db import migrations

GROUP = "Moderators"
PERMISSIONS = [
    ("videos", "report", "view_report"),
    ("videos", "report", "change_report"),
    ("videos", "moderationaction", "view_moderationaction"),
    ("videos", "video", "view_video"),
    ("videos", "comment", "view_comment"),
    ("videos", "heldcomment", "view_heldcomment"),
    ("videos", "heldcomment", "change_heldcomment"),
    ("videos", "filteredterm", "view_filteredterm"),
    ("videos", "filteredterm", "add_filteredterm"),
    ("videos", "filteredterm", "change_filteredterm"),
    ("videos", "filteredterm", "delete_filteredterm"),
    ("videos", "sound", "view_sound"),
    ("social", "user", "view_user"),
]


def create_group(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after all migrations (post_migrate); make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=GROUP)
    perms = [
        Permission.objects.get(content_type__app_label=app, content_type__model=model, codename=code)
        for app, model, code in PERMISSIONS
    ]
    group.permissions.set(perms)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("videos", "0009_moderation"),
        ("social", "0005_user_restrictions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
