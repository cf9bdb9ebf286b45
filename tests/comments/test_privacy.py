import json
from io import StringIO

import pytest
from django.core.management import call_command

from articles.models import Article
from comments.models import BlockedTerm, Comment, TrustedCommenter
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db

EMAIL = "ann@example.org"


@pytest.fixture
def ann():
    """Ann's comments: one with a reply from someone else, one alone, one held; plus a stranger's."""
    article = make_article()
    first = make_comment(
        article=article, name="Ann Bell", email=EMAIL, url="https://ann.example",
        body="My first words.", ip_address="203.0.113.5", user_agent="Firefox/1",
    )  # fmt: skip
    reply = make_comment(article=article, parent=first, body="A reply to Ann.")
    alone = make_comment(article=article, name="Ann B", email=EMAIL, body="Alone.")
    held = make_comment(article=article, email=EMAIL, status="pending", body="Held.")
    other = make_comment(
        article=article, body="Someone else.", ip_address="198.51.100.9"
    )
    TrustedCommenter.objects.create(name="Ann Bell", email=EMAIL)
    BlockedTerm.objects.create(term="203.0.113.5", note="old abuse")
    return article, first, reply, alone, held, other


def _run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_export_lists_everything_stored_about_the_address(ann):
    article, first, reply, alone, held, other = ann

    data = json.loads(_run("export_commenter_data", "ANN@example.org"))

    assert [c["id"] for c in data["comments"]] == [first.pk, alone.pk, held.pk]
    one = data["comments"][0]
    assert one["name"] == "Ann Bell"
    assert one["website"] == "https://ann.example"
    assert one["text"] == "My first words."
    assert one["ip_address"] == "203.0.113.5"
    assert one["browser"] == "Firefox/1"
    assert one["status"] == "approved"
    assert one["story_url"] == article.get_absolute_url()
    assert one["submitted"]
    assert data["comments"][2]["status"] == "pending"
    assert data["trusted_commenter"][0]["name"] == "Ann Bell"
    assert [b["term"] for b in data["blocked_terms"]] == ["203.0.113.5"]
    assert "Someone else." not in json.dumps(data)


def test_erase_anonymises_by_default_and_keeps_threads(ann, settings):
    article, first, reply, alone, held, other = ann
    count_before = Article.objects.get(pk=article.pk).comment_count

    out = _run("erase_commenter_data", EMAIL)

    assert EMAIL not in out
    first.refresh_from_db()
    assert (first.name, first.email, first.url, first.ip_address, first.user_agent) == (
        "Former commenter", "", "", None, "",
    )  # fmt: skip
    assert first.body == "My first words."
    reply.refresh_from_db()
    assert reply.parent_id == first.pk
    assert not Comment.objects.filter(email=EMAIL).exists()
    assert not TrustedCommenter.objects.filter(email=EMAIL).exists()
    assert Article.objects.get(pk=article.pk).comment_count == count_before
    assert json.loads(_run("export_commenter_data", EMAIL))["comments"] == []


def test_erase_in_delete_mode_deletes_but_keeps_replies_attached(ann, settings, client):
    settings.COMMENTS_ERASE_MODE = "delete"
    article, first, reply, alone, held, other = ann

    _run("erase_commenter_data", EMAIL)

    assert not Comment.objects.filter(pk__in=[alone.pk, held.pk]).exists()
    first.refresh_from_db()
    assert first.name == "Former commenter"
    assert "removed at its author" in first.body
    assert "My first words" not in first.body_html
    assert (first.email, first.ip_address) == ("", None)
    reply.refresh_from_db()
    assert reply.parent_id == first.pk
    # first, reply and the stranger's comment remain approved: the stored count follows.
    assert Article.objects.get(pk=article.pk).comment_count == 3
    page = client.get(article.get_absolute_url()).content.decode()
    assert "A reply to Ann." in page and "Alone." not in page


def test_erase_mode_option_overrides_the_setting(ann):
    article, first, reply, alone, held, other = ann

    _run("erase_commenter_data", EMAIL, "--mode", "delete")

    assert not Comment.objects.filter(pk=alone.pk).exists()
