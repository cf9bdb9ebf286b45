from django.db import migrations

from articles.migrations._groups import ensure_permissions
from comments.groups import MODERATORS_GROUP

# Moderators manage blocks, deal with readers' reports and can see (not edit) who asked for
# reply notices and what was sent; Editors get none of it (commenters' data is for moderators).
MODERATOR_PERMISSIONS = [
    "view_block",
    "add_block",
    "change_block",
    "delete_block",
    "view_commentreport",
    "change_commentreport",
    "view_subscriber",
    "view_noticelog",
]


def grant(apps, schema_editor):
    ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    moderators, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    moderators.permissions.add(
        *Permission.objects.filter(content_type__app_label="comments", codename__in=MODERATOR_PERMISSIONS)
    )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name=MODERATORS_GROUP):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="comments", codename__in=MODERATOR_PERMISSIONS)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0004_edits_reports_notices_blocks"),
        ("articles", "0008_editors_manage_pages"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
