from django.db import migrations

from articles.migrations._groups import ensure_permissions

# Editors keep the standing pages and the paper's details; Moderators get neither.
PAGE_MODELS = ["standingpage", "publication"]


def grant(apps, schema_editor):
    ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(content_type__app_label="articles", content_type__model__in=PAGE_MODELS)
    )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name="Editors"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="articles", content_type__model__in=PAGE_MODELS)
        )


class Migration(migrations.Migration):
    dependencies = [("articles", "0007_standing_pages_publication_small_ads")]

    operations = [migrations.RunPython(grant, revoke)]
