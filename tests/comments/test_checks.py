import pytest
from django.core.checks import Error, run_checks

from comments.checks import check_moderation_mode


@pytest.mark.parametrize("mode", ["all", "first_time", "none"])
def test_every_moderation_mode_passes_the_check(settings, mode):
    settings.COMMENTS_MODERATION = mode

    assert check_moderation_mode() == []


@pytest.mark.parametrize("bad", ["first-time", "ALL", "", None])
def test_an_unknown_moderation_mode_is_an_error_naming_the_choices(settings, bad):
    settings.COMMENTS_MODERATION = bad

    [error] = check_moderation_mode()

    assert isinstance(error, Error)
    assert error.id == "comments.E001"
    assert repr(bad) in error.msg
    assert "all, first_time, none" in error.hint


def test_the_check_is_registered_so_manage_py_check_reports_it(settings):
    settings.COMMENTS_MODERATION = "sometimes"

    ids = [message.id for message in run_checks()]

    assert "comments.E001" in ids
