from django.db import migrations

from articles.migrations._groups import ensure_permissions
from comments.groups import MODERATORS_GROUP

# Moderators read and decide on comments and manage blocked terms and trusted commenters.
# They never delete comments (spam and removed ones stay for the record) and cannot touch articles.
MODERATOR_PERMISSIONS = [
    "view_comment",
    "change_comment",
    "moderate_comment",
    "view_blockedterm",
    "add_blockedterm",
    "change_blockedterm",
    "delete_blockedterm",
    "view_trustedcommenter",
    "add_trustedcommenter",
    "change_trustedcommenter",
    "delete_trustedcommenter",
]


def grant(apps, schema_editor):
    ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    moderators, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    moderators.permissions.add(
        *Permission.objects.filter(content_type__app_label="comments", codename__in=MODERATOR_PERMISSIONS)
    )
    # Editors get no comment permissions: commenters' emails and IPs are for moderators only.


def revoke(apps, schema_editor):
    # The group is the comments app's own: unapplying its migrations removes it.
    apps.get_model("auth", "Group").objects.filter(name=MODERATORS_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0001_initial"),
        ("articles", "0002_editor_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
