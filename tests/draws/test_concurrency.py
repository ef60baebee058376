"""Real threads, real transactions, real PostgreSQL: each draw step happens once under concurrent clicks.

These run on PostgreSQL only (marked `postgres_only`, deselected on SQLite by tests/conftest.py): SQLite has no
row locks to test, it serialises whole-database writes. CI runs the suite on PostgreSQL.
"""

import threading

import pytest

from shuangsuiji.draws import services
from shuangsuiji.draws.models import Draw, DrawStatus, Selection
from shuangsuiji.planning import services as planning
from tests.concurrency import run_concurrently
from tests.draws.helpers import ANNOUNCED, REVEALS, SOURCES, THROWN_BY, WITNESSES, published_scheme

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def test_ten_concurrent_draw_requests_produce_exactly_one_draw(alice):
    scheme = published_scheme(alice)
    draw = services.draw_freeze(actor=alice, scheme=scheme, sources=SOURCES, announced=ANNOUNCED)
    results = run_concurrently(
        10,
        lambda: services.draw_perform(
            actor=alice, draw=draw, witnesses=WITNESSES, reveals=REVEALS, thrown_by=THROWN_BY
        ),
    )
    ok = [r for kind, r in results if kind == "ok"]
    refused = [r for kind, r in results if kind == "error"]
    assert len(ok) == 1 and len(refused) == 9
    assert all(isinstance(e, services.DrawRefused) for e in refused), refused
    draw.refresh_from_db()
    assert draw.status == DrawStatus.DRAWN and draw.witnesses.count() == 1
    assert (
        Selection.objects.filter(draw=draw).count()
        == Selection.objects.filter(draw=draw).values("object").distinct().count()
    )
    assert Draw.objects.filter(scheme=scheme).count() == 1


def test_ten_concurrent_publications_get_ten_different_task_numbers(alice):
    schemes = [published_scheme(alice, entities=0, inspectors=0) for _ in range(1)]
    drafts = []
    import datetime

    for n in range(10):
        drafts.append(
            planning.scheme_create(
                actor=alice,
                data={
                    "name": f"方案{n}",
                    "adhoc_reason": "测试",
                    "strata": {"A": {"count": 1}},
                    "item_ids": [schemes[0].items.first().item_id],
                    "methods": ["书面检查"],
                    "window_start": datetime.date(2026, 12, 1).isoformat(),
                    "window_end": datetime.date(2026, 12, 9).isoformat(),
                    "team_slots": {"SCJG": 1},
                },
            )
        )
    it = iter(drafts)
    lock = threading.Lock()

    def publish():
        with lock:
            scheme = next(it)
        return planning.scheme_publish(actor=alice, scheme=scheme).task_no

    results = run_concurrently(10, publish)
    numbers = [r for kind, r in results if kind == "ok"]
    assert len(numbers) == 10, results
    assert len(set(numbers)) == 10
    assert sorted(int(n.split("〕")[1].rstrip("号")) for n in numbers) == list(range(2, 12))
