"""Per-token request budgets for /api/v1 (issue 13 part 3, ADR 0026).

A fixed window of one minute per token and budget ("api" for every call, "bulk" for /api/v1/bulk/), counted in the
database with one atomic upsert (INSERT … ON CONFLICT DO UPDATE SET n = n + 1 RETURNING n, PostgreSQL and SQLite
≥ 3.35): the default cache is per process, and the budget must hold across every worker process. The browser session is
not limited here (a person at the pages; the login is guarded by django-axes).
"""

from __future__ import annotations

import dataclasses

from django.conf import settings
from django.db import connection
from django.utils import timezone

from shuangsuiji.accounts.models import ApiRateWindow

WINDOW_SECONDS = 60
BULK_PREFIX = "/api/v1/bulk/"


@dataclasses.dataclass(frozen=True)
class Verdict:
    limit: int
    remaining: int
    reset: int  # seconds until the window ends
    allowed: bool

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset),
        }


class RateLimited(Exception):
    """Over the token's budget: answered 429 with Retry-After (api.py)."""

    def __init__(self, verdict: Verdict, bucket: str):
        super().__init__(bucket)
        self.verdict = verdict
        self.bucket = bucket


def bucket_for(path: str) -> str:
    return "bulk" if path.startswith(BULK_PREFIX) else "api"


def budget(token, bucket: str) -> int:
    if bucket == "bulk":
        own = token.bulk_rate_per_minute
        return own if own is not None else settings.API_BULK_RATE_PER_MINUTE
    own = token.rate_per_minute
    return own if own is not None else settings.API_RATE_PER_MINUTE


def _count(token_id: int, bucket: str, minute: int) -> int:
    table = connection.ops.quote_name(ApiRateWindow._meta.db_table)
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {table} (token_id, bucket, minute, n) VALUES (%s, %s, %s, 1) "
            f"ON CONFLICT (token_id, bucket, minute) DO UPDATE SET n = {table}.n + 1 RETURNING n",
            [token_id, bucket, minute],
        )
        return int(cur.fetchone()[0])


def hit(token, path: str) -> Verdict:
    """Count one request of `token` to `path`; the verdict says whether it may go ahead."""
    bucket = bucket_for(path)
    limit = budget(token, bucket)
    now = timezone.now().timestamp()
    minute = int(now // WINDOW_SECONDS)
    reset = max(1, int((minute + 1) * WINDOW_SECONDS - now + 0.999))
    n = _count(token.pk, bucket, minute)
    if n == 1:
        # The first request of a new minute sweeps this token's finished minutes: the table stays small.
        ApiRateWindow.objects.filter(token_id=token.pk, bucket=bucket, minute__lt=minute).delete()
    return Verdict(limit=limit, remaining=max(0, limit - n), reset=reset, allowed=n <= limit)
