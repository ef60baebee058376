"""Archive numbers under concurrent archiving: real threads, real transactions, PostgreSQL only (see
tests/draws/test_concurrency.py for why SQLite has nothing to test here)."""

import pytest

from shuangsuiji.planning.archiving import task_archive
from shuangsuiji.planning.models import SchemeStatus, TaskScheme
from tests.concurrency import run_concurrently
from tests.draws.helpers import published_scheme

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
    pytest.mark.today("2026-11-27"),
]


def test_six_tasks_archived_at_once_get_six_consecutive_numbers(alice):
    # Closed tasks without draws: the state is set directly, the rule under test is the numbering.
    schemes = [published_scheme(alice, entities=0, inspectors=0) for _ in range(6)]
    TaskScheme.objects.filter(pk__in=[s.pk for s in schemes]).update(status=SchemeStatus.CLOSED)
    queue = list(schemes)
    results = run_concurrently(6, lambda: task_archive(actor=alice, scheme=queue.pop()))
    assert all(kind == "ok" for kind, _ in results), results
    numbers = sorted(
        TaskScheme.objects.filter(pk__in=[s.pk for s in schemes]).values_list("archive_no", flat=True)
    )
    assert sorted(n.rsplit("-", 1)[1] for n in numbers) == [f"{i:03d}" for i in range(1, 7)]


def test_the_same_task_archived_twice_at_once_is_archived_once(alice):
    scheme = published_scheme(alice, entities=0, inspectors=0)
    TaskScheme.objects.filter(pk=scheme.pk).update(status=SchemeStatus.CLOSED)
    results = run_concurrently(4, lambda: task_archive(actor=alice, scheme=scheme))
    assert sum(kind == "ok" for kind, _ in results) == 1, results
    assert TaskScheme.objects.get(pk=scheme.pk).archive_no.endswith("-归档-001")
