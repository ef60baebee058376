"""Concurrent ceremony requests over HTTP, real threads and transactions on PostgreSQL: one 200, the rest 409."""

import pytest

from shuangsuiji.draws import services
from shuangsuiji.draws.models import Draw, DrawStatus, Selection
from tests.concurrency import run_concurrently as shared_run_concurrently
from tests.draws.helpers import ANNOUNCED, REVEALS, SOURCES, THROWN_BY, WITNESSES, published_scheme

from .conftest import ApiClient, token_for

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def run_concurrently(n, fn):
    # Only completed calls count here, as before: a thread that raised simply has no response.
    return [value for kind, value in shared_run_concurrently(n, fn) if kind == "ok"]


def test_ten_concurrent_perform_requests_draw_once_and_refuse_the_rest_with_409(alice):
    scheme = published_scheme(alice)
    draw = services.draw_freeze(actor=alice, scheme=scheme, sources=SOURCES, announced=ANNOUNCED)
    key = token_for(alice)

    def perform():
        r = ApiClient(token=key).post(
            f"/draws/{draw.pk}/perform", {"witnesses": WITNESSES, "reveals": REVEALS, "thrown_by": THROWN_BY}
        )
        return r.status_code, r.json()

    results = run_concurrently(10, perform)
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] + [409] * 9, results
    for status, body in results:
        if status == 409:
            assert body["detail"].startswith(f"抽取 {draw.draw_id} 当前为")
            assert body["detail"].endswith("每次抽取只能进行一次")
    draw.refresh_from_db()
    assert draw.status == DrawStatus.DRAWN and draw.witnesses.count() == 1
    assert Selection.objects.filter(draw=draw).count() == 8 + 3
    assert Draw.objects.filter(scheme=scheme).count() == 1
