"""``make faults``: every fault scripted on private servers, with what each side got.

Starts its own PostgreSQL and Redis (free ports, temp folders; never the shared ones) and a
gunicorn with production settings, then: Redis stopped, PostgreSQL stopped for 20 s, media
storage full and read-only, an SMTP server refusing connections and one that never answers. Prints what readers, commenters and editors got, what was lost
and how long recovery took. Run: ``make faults`` (or ``python -m tests.faults.run``).
"""

import os
import sys
import time

from tests.faults import scenarios
from tests.faults.services import (
    require_tools,
)

PG_OUTAGE = float(os.environ.get("FAULTS_PG_OUTAGE", "20"))
REDIS_OUTAGE = float(os.environ.get("FAULTS_REDIS_OUTAGE", "10"))


EMAIL_TIMEOUT = int(os.environ.get("FAULTS_EMAIL_TIMEOUT", "2"))
NOTIFY_BACKOFF = int(os.environ.get("FAULTS_NOTIFY_BACKOFF", "2"))


def smtp_scenarios(base, env) -> list[dict]:
    """SMTP refusing (a closed port) and SMTP hanging (accepts, never answers).

    Each runs its own gunicorn with EMAIL_URL at that server, every comment held and
    EMAIL_TIMEOUT / the retry backoff shortened for the run (2 s each by default), then
    ``db_worker --batch`` against the fault, then against a real SMTP sink on the same address.
    """
    return [
        scenarios.smtp_failing(
            env, mode, email_timeout=EMAIL_TIMEOUT, backoff=NOTIFY_BACKOFF
        )
        for mode in ("refusing", "hanging")
    ]


def main() -> int:
    try:
        require_tools("redis-server", "initdb", "pg_ctl")
    except BaseException as exc:  # pytest's skip/fail outcomes outside pytest
        print(f"faults: {exc}", file=sys.stderr)
        return 1
    results = []
    started = time.monotonic()
    with scenarios.fault_site() as (base, pg, redis, env, media):
        results.append(scenarios.redis_stopped(base, redis, env, outage=REDIS_OUTAGE))
        results.append(scenarios.postgres_stopped(base, pg, env, outage=PG_OUTAGE))
        for mode in ("full", "read-only"):
            results.append(scenarios.media_refused(base, env, media, mode))
        results.extend(smtp_scenarios(base, env))
    for result in results:
        print(f"\n== {result.pop('fault')}")
        for key, value in result.items():
            if key.startswith("_"):  # raw figures for the tests
                continue
            print(f"  {key:18} {value}")
    print(f"\n(all private servers stopped; {time.monotonic() - started:.0f} s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
