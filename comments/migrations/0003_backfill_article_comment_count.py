from django.db import migrations
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce


def backfill(apps, schema_editor):
    """Store each story's approved-comment count (comments.services keeps it from now on)."""
    Article = apps.get_model("articles", "Article")
    Comment = apps.get_model("comments", "Comment")
    approved = (
        Comment.objects.filter(article=OuterRef("pk"), status="approved")
        .order_by()
        .values("article")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Article.objects.update(comment_count=Coalesce(Subquery(approved, output_field=IntegerField()), 0))


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0002_moderator_permissions"),
        ("articles", "0006_article_comment_count"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
