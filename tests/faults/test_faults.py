"""Faults on real servers: a private Redis and PostgreSQL stopped under a running gunicorn.

Skipped when redis-server or initdb is missing, except under CI=true, where that fails.
Every server here is private (free ports, temp folders) and stopped even when a test fails.
"""

import json

import pytest

from tests.faults import scenarios
from tests.faults.services import (
    require_tools,
)


@pytest.fixture(scope="module")
def site():
    require_tools("redis-server", "initdb", "pg_ctl")
    with scenarios.fault_site() as (base, pg, redis, env, _):
        yield base, pg, redis, env


def test_redis_stopped_pages_served_posting_works_and_recovery_without_restart(site):
    base, _, redis, env = site

    result = scenarios.redis_stopped(base, redis, env, outage=1)

    assert result["readers"] == "article 200, home 200"
    assert result["healthz"].startswith("503")
    assert json.loads(result["healthz"].split(" ", 1)[1])["cache"] == "down"
    assert result["commenters"] == "POST 302"
    assert result["lost"] == 0
    assert result["recovery_s"] < 10


def test_postgres_stopped_readers_get_503_or_the_cached_page_commenters_their_text(
    site,
):
    base, pg, _, env = site

    result = scenarios.postgres_stopped(base, pg, env, outage=2)

    own, cached = result["readers"].split(";")
    assert "[503]" in own and "Retry-After 60" in own
    assert cached.endswith("[200]"), "the page cache keeps serving what it holds"
    assert result["healthz"].startswith("503")
    assert "database" in result["healthz"] and "Error" not in result["healthz"]
    assert result["commenters"] == "POST 503, text given back: True; after: POST 302"
    assert result["lost"] == 0
    assert result["first_page_after"] == 200
    assert result["recovery_s"] < 10


def test_smtp_hanging_the_commenter_does_not_wait_and_a_retry_delivers_once(site):
    _, _, _, env = site

    result = scenarios.smtp_failing(env, "hanging", email_timeout=1, backoff=1)

    assert result["commenters"].startswith("POST 302")
    assert result["_post_s"] < 1  # EMAIL_TIMEOUT: the request never waits for mail
    assert result["worker_attempt"].startswith(
        "FAILED (smtplib.SMTPServerDisconnected)"
    )
    assert result["_attempt_s"] < 1 + 2  # one attempt is bounded by EMAIL_TIMEOUT
    assert result["_statuses"] == ["FAILED", "SUCCESSFUL"]
    assert result["_emails"] == 1
    assert result["held"] == 1 and result["lost"] == 0
