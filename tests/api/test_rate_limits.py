"""Issue 13 part 3: per-token request budgets on /api/v1 (ADR 0026) — counted in the database, per minute, with a
separate budget for bulk reads; over budget a Chinese 429 with Retry-After; set per token by the security
administrator."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from shuangsuiji.accounts.models import ApiRateWindow, ApiToken
from shuangsuiji.audit.models import AuditEvent
from tests.api.conftest import ApiClient, token_for
from tests.concurrency import run_concurrently
from tests.conftest import login


def minute_start() -> datetime.datetime:
    """The start of the next whole minute, Beijing time, from the real clock (never a fixed date)."""
    now = datetime.datetime.now(ZoneInfo("Asia/Shanghai")).replace(second=0, microsecond=0)
    return now + datetime.timedelta(minutes=1)


def with_budget(user, per_minute=None, bulk=None) -> str:
    key = token_for(user)
    ApiToken.objects.filter(key_hash=ApiToken.hash_key(key)).update(
        rate_per_minute=per_minute, bulk_rate_per_minute=bulk
    )
    return key


PERIOD = {"from": "2026-01-01", "to": "2026-12-31"}


def test_a_token_gets_its_budget_then_a_chinese_429_with_retry_after_until_the_minute_ends(amy):
    client = ApiClient(token=with_budget(amy, per_minute=3))
    start = minute_start()
    with time_machine.travel(start + datetime.timedelta(seconds=10), tick=False) as clock:
        answers = [client.get("/departments") for _ in range(3)]
        refused = client.get("/departments")
        clock.move_to(start + datetime.timedelta(seconds=59))
        still = client.get("/departments")
        clock.move_to(start + datetime.timedelta(seconds=60))
        next_minute = client.get("/departments")

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a["RateLimit-Remaining"] for a in answers] == ["2", "1", "0"]
    assert all(a["RateLimit-Limit"] == "3" and a["RateLimit-Reset"] == "50" for a in answers)
    assert refused.status_code == 429 and refused["Retry-After"] == "50"
    assert refused.json() == {
        "detail": "请求过于频繁：该令牌每分钟最多 3 次请求，请 50 秒后再试",
        "retry_after": 50,
    }
    assert still.status_code == 429 and still["Retry-After"] == "1"
    assert next_minute.status_code == 200 and next_minute["RateLimit-Remaining"] == "2"


def test_the_default_budget_comes_from_the_settings(amy, settings):
    settings.API_RATE_PER_MINUTE = 2
    client = ApiClient(token=token_for(amy))
    with time_machine.travel(minute_start(), tick=False):
        codes = [client.get("/departments").status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_bulk_reads_count_in_their_own_smaller_budget(olivia):
    client = ApiClient(token=with_budget(olivia, per_minute=3, bulk=1))
    with time_machine.travel(minute_start(), tick=False):
        bulk = client.get("/bulk/results", PERIOD)
        bulk_again = client.get("/bulk/results", PERIOD)
        others = [client.get("/departments").status_code for _ in range(3)]

    assert bulk.status_code == 200 and bulk["RateLimit-Limit"] == "1"
    assert bulk_again.status_code == 429 and "批量读取" in bulk_again.json()["detail"]
    assert others == [200, 200, 200]  # the bulk budget spent does not touch the ordinary one


def test_the_budget_is_kept_in_the_database_not_in_a_process_cache(amy):
    client = ApiClient(token=with_budget(amy, per_minute=2))
    with time_machine.travel(minute_start(), tick=False):
        codes = []
        for _ in range(3):
            cache.clear()  # what another worker process would see: nothing of this one's cache
            codes.append(client.get("/departments").status_code)
    assert codes == [200, 200, 429]
    assert ApiRateWindow.objects.get().n == 3


def test_finished_minutes_are_swept_when_a_new_minute_opens(amy):
    client = ApiClient(token=with_budget(amy, per_minute=5))
    start = minute_start()
    for minutes in range(3):
        with time_machine.travel(start + datetime.timedelta(minutes=minutes), tick=False):
            client.get("/departments")
    assert ApiRateWindow.objects.count() == 1


def test_the_browser_session_is_not_limited(amy, settings):
    settings.API_RATE_PER_MINUTE = 1
    client = ApiClient(amy)
    with time_machine.travel(minute_start(), tick=False):
        answers = [client.get("/departments") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert "RateLimit-Limit" not in answers[0]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_clients_on_separate_connections_share_one_budget(reference_data):
    """Ten threads, each with its own database connection (as worker processes would have), spend one budget of 10."""
    from tests.conftest import make_user

    amy = make_user("amy", "clerk", "SCJG")
    key = with_budget(amy, per_minute=10)

    def call():
        return ApiClient(token=key).get("/departments").status_code

    with time_machine.travel(minute_start(), tick=False):
        codes = [value for kind, value in run_concurrently(20, call) if kind == "ok"]
    assert sorted(codes) == [200] * 10 + [429] * 10


# --- set by the security administrator ------------------------------------------------------------------------------


def security_page(user) -> Client:
    client = Client()
    login(client, user)
    return client


def test_the_security_administrator_sets_a_tokens_budgets_and_it_is_audited(sergei, amy):
    token = ApiToken.objects.get(key_hash=ApiToken.hash_key(token_for(amy)))
    client = security_page(sergei)

    answer = client.post(
        f"/security/tokens/{token.pk}/limits/", {"rate_per_minute": "120", "bulk_rate_per_minute": "10"}
    )

    assert answer.status_code == 302
    token.refresh_from_db()
    assert (token.rate_per_minute, token.bulk_rate_per_minute) == (120, 10)
    event = AuditEvent.objects.get(action="api_token.limits")
    assert event.after["rate_per_minute"] == 120 and event.before["rate_per_minute"] is None
    page = client.get("/security/").content.decode()
    assert 'value="120"' in page and "每分钟" in page


def test_an_empty_field_restores_the_default(sergei, amy):
    token = ApiToken.objects.get(key_hash=ApiToken.hash_key(with_budget(amy, per_minute=5, bulk=2)))
    security_page(sergei).post(
        f"/security/tokens/{token.pk}/limits/", {"rate_per_minute": "", "bulk_rate_per_minute": " "}
    )
    token.refresh_from_db()
    assert token.rate_per_minute is None and token.bulk_rate_per_minute is None


@pytest.mark.parametrize(
    "value", ["0", "-1", "abc", "1e9", "100001", "５", "1; DROP TABLE accounts_apitoken"]
)
def test_a_bad_budget_is_refused_with_a_message_and_nothing_changes(sergei, amy, value):
    token = ApiToken.objects.get(key_hash=ApiToken.hash_key(with_budget(amy, per_minute=7)))
    client = security_page(sergei)
    answer = client.post(f"/security/tokens/{token.pk}/limits/", {"rate_per_minute": value}, follow=True)
    assert answer.status_code == 200
    assert "应为 1—100000 的整数" in answer.content.decode()
    token.refresh_from_db()
    assert token.rate_per_minute == 7
    assert not AuditEvent.objects.filter(action="api_token.limits").exists()


def test_only_the_security_administrator_sets_budgets_on_the_page(alice, sam, amy):
    token = ApiToken.objects.get(key_hash=ApiToken.hash_key(token_for(amy)))
    for user in (alice, sam):
        answer = security_page(user).post(f"/security/tokens/{token.pk}/limits/", {"rate_per_minute": "1"})
        assert answer.status_code == 403
    token.refresh_from_db()
    assert token.rate_per_minute is None


def test_the_system_administrator_sets_budgets_with_the_command(amy):
    from io import StringIO

    from django.core.management import call_command

    token = ApiToken.objects.get(key_hash=ApiToken.hash_key(token_for(amy)))
    out = StringIO()
    call_command(
        "api_token", "limits", token.prefix, "--per-minute", "30", "--bulk-per-minute", "3", stdout=out
    )
    token.refresh_from_db()
    assert (token.rate_per_minute, token.bulk_rate_per_minute) == (30, 3)
    assert "每分钟 30 次" in out.getvalue()
