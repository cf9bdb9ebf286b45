from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from comments.models import Comment
from tests.factories import make_comment

pytestmark = pytest.mark.django_db


def test_anonymise_blanks_old_ips_and_browsers_only(capsys):
    old = make_comment(ip_address="203.0.113.1", user_agent="Firefox")
    Comment.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=40)
    )
    recent = make_comment(ip_address="203.0.113.2", user_agent="Safari")

    call_command("anonymise_comment_ips", "--days", "30")

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.ip_address, old.user_agent) == (None, "")
    assert (recent.ip_address, recent.user_agent) == ("203.0.113.2", "Safari")
    assert "Anonymised 1 comment" in capsys.readouterr().out


def test_anonymise_refuses_negative_days():
    with pytest.raises(CommandError):
        call_command("anonymise_comment_ips", "--days", "-1")
