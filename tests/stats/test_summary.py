"""The summary tables (ADR 0022): the pages show the figures as of the last refresh, say so, and catch up on the next
refresh; a refresh replaces the previous one whole, item cells included; the live path stays for small installations
and before the first refresh."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.db.models import IntegerField, Sum
from django.test.utils import CaptureQueriesContext

from shuangsuiji.inspections.models import InspectionRecord
from shuangsuiji.stats import reading, selectors, summary
from shuangsuiji.stats.filters import StatsFilter
from shuangsuiji.stats.models import LEVELS, REGION, RISK, RecordCell, Refresh
from tests.conftest import login

from . import oracle
from .history import TODAY, YEAR, build

pytestmark = [pytest.mark.django_db, pytest.mark.today(TODAY.isoformat())]


def city(f: StatsFilter, h) -> dict:
    return selectors.department_table(f, h.departments, TODAY, city=True).rows[-1].values


def a_finished_record_of_the_year() -> InspectionRecord:
    return (
        InspectionRecord.objects.filter(corrects__isnull=True, status="published", inspection_date__year=YEAR)
        .order_by("pk")
        .first()
    )


def test_the_summary_shows_the_figures_of_its_last_refresh_until_the_next_one(settings, alice):
    settings.STATS_SOURCE = "summary"
    h = build(21, alice)  # refreshes at the end
    f = StatsFilter(YEAR)
    before = city(f, h)["records_finished"]
    assert before == oracle.figures(h, f, TODAY, None)["records_finished"]
    InspectionRecord.objects.filter(pk=a_finished_record_of_the_year().pk).update(status="draft")
    assert city(f, h)["records_finished"] == before  # as of the refresh
    summary.refresh()
    assert city(f, h)["records_finished"] == before - 1
    settings.STATS_SOURCE = "live"
    assert city(f, h)["records_finished"] == before - 1


def test_the_unpublished_overdue_records_are_counted_live_between_refreshes(settings, alice):
    settings.STATS_SOURCE = "summary"
    h = build(22, alice)
    f = StatsFilter(YEAR)
    before = city(f, h)["results_overdue"]
    rec = a_finished_record_of_the_year()
    InspectionRecord.objects.filter(pk=rec.pk).update(
        status="submitted", published_at=None, deadline=TODAY - datetime.timedelta(days=1)
    )
    # Without a refresh: the record is overdue now (live part), and still counted as published on time or late
    # in the summary until the next refresh.
    assert city(f, h)["results_overdue"] >= before + (0 if rec.published_at.date() > rec.deadline else 1)
    summary.refresh()
    settings.STATS_SOURCE = "live"
    live = city(f, h)["results_overdue"]
    settings.STATS_SOURCE = "summary"
    assert city(f, h)["results_overdue"] == live


def test_a_refresh_keeps_the_previous_generation_for_pages_reading_it_and_drops_older_ones(settings, alice):
    settings.STATS_SOURCE = "summary"
    build(23, alice)
    out = io.StringIO()
    call_command("refresh_stats", stdout=out)
    call_command("refresh_stats", stdout=out)
    assert "统计汇总已刷新" in out.getvalue()
    last = Refresh.objects.order_by("-pk").first()
    assert list(Refresh.objects.order_by("pk").values_list("pk", flat=True)) == [last.pk - 1, last.pk]
    assert set(RecordCell.objects.values_list("generation", flat=True)) == {last.pk - 1, last.pk}
    assert (
        RecordCell.objects.filter(generation=last.pk).count()
        == RecordCell.objects.filter(generation=last.pk - 1).count()
    )


def test_auto_computes_live_until_the_first_refresh_then_reads_the_summary_with_or_without_an_item(
    settings, alice
):
    settings.STATS_SOURCE = "auto"
    h = build(24, alice)  # no refresh under "auto"
    assert summary.source(StatsFilter(YEAR)) is None
    assert summary.source(StatsFilter(YEAR, item=h.items[0].pk)) is None
    summary.refresh()
    assert summary.source(StatsFilter(YEAR)) is not None
    assert summary.source(StatsFilter(YEAR, item=h.items[0].pk)) is not None  # the item cells (sixth pass)
    settings.STATS_SOURCE = "live"
    assert summary.source(StatsFilter(YEAR)) is None
    assert summary.source(StatsFilter(YEAR, item=h.items[0].pk)) is None


def test_the_pages_say_as_of_when_the_figures_are_and_what_to_do_before_the_first_refresh(
    client, settings, olivia, alice
):
    settings.STATS_SOURCE = "auto"
    build(25, alice)
    login(client, olivia)
    html = client.get("/stats/", {"year": YEAR}).content.decode()
    assert "以下数字按实时数据计算" in html and "refresh_stats" in html
    settings.STATS_SOURCE = "summary"
    Refresh.objects.all().delete()
    html = client.get("/stats/", {"year": YEAR}).content.decode()
    assert "统计汇总尚未生成" in html
    state = summary.refresh()
    state.finished_at = datetime.datetime(
        2026, 11, 30, 16, 5, tzinfo=datetime.UTC
    )  # 00:05 on 1 Dec in Beijing
    state.save()
    for path in ("/stats/", "/stats/report/", "/portal/stats/"):
        html = client.get(path, {"year": YEAR}).content.decode()
        assert "数据截至 2026年12月1日 00:05（北京时间）" in html, path
    public = client.get("/portal/stats/", {"year": YEAR}).content.decode()
    assert "refresh_stats" not in public and "每 10 分钟更新" not in public


def test_transfers_due_since_the_last_refresh_count_as_overdue_the_days_after(settings, alice):
    settings.STATS_SOURCE = "summary"
    h = build(26, alice)
    f = StatsFilter(YEAR)
    with time_machine.travel(datetime.datetime(2026, 10, 1, 10, tzinfo=datetime.UTC), tick=False):
        summary.refresh()  # a refresh two months ago: cron stopped since
    assert Refresh.objects.order_by("-pk").first().day == datetime.date(2026, 10, 1)
    got = city(f, h)["transfers_overdue"]
    settings.STATS_SOURCE = "live"
    assert got == city(f, h)["transfers_overdue"] == oracle.figures(h, f, TODAY, None)["transfers_overdue"]


def test_the_api_says_whether_its_figures_are_live_or_as_of_which_refresh(client, settings, olivia, alice):
    settings.STATS_SOURCE = "auto"
    build(27, alice)
    login(client, olivia)
    body = client.get("/api/v1/stats/summary", {"year": YEAR}).json()
    assert body["source"] == "live" and body["data_as_of"] is None
    state = summary.refresh()
    body = client.get("/api/v1/stats/summary", {"year": YEAR}).json()
    assert body["source"] == "summary"
    as_of = datetime.datetime.fromisoformat(body["data_as_of"])  # JSON keeps milliseconds
    assert abs(as_of - state.finished_at) < datetime.timedelta(milliseconds=1)


def test_each_roll_up_holds_the_same_totals_as_the_detail_it_sums(settings, alice):
    settings.STATS_SOURCE = "summary"
    build(28, alice)
    g = Refresh.objects.order_by("-pk").first().pk
    for model in summary.ROLLED_UP:
        measures = [
            f.name for f in model._meta.concrete_fields if type(f) is IntegerField and f.name != "generation"
        ]
        detail = model.objects.filter(generation=g, level=0).aggregate(**{m: Sum(m) for m in measures})
        assert any(detail.values()), model  # the history fills every table
        for level in LEVELS:
            rows = model.objects.filter(generation=g, level=level)
            assert rows.aggregate(**{m: Sum(m) for m in measures}) == detail, (model, level)
            if level & REGION:
                assert not rows.filter(region_id__isnull=False).exists()
            if level & RISK:
                assert not rows.filter(risk_class_id__isnull=False).exists()


def test_a_page_reads_one_refresh_even_when_another_commits_meanwhile(settings, client, olivia, alice):
    settings.STATS_SOURCE = "summary"
    build(29, alice)
    first = summary.latest()
    with reading.one_reading():
        assert summary.latest() == first
        second = summary.refresh()
        assert summary.latest() == first  # the figures already read came from it: the rest do too
    assert summary.latest() == second
    login(client, olivia)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/stats/", {"year": YEAR}).status_code == 200
    assert sum('"stats_refresh"' in q["sql"] for q in queries.captured_queries) == 1


def test_a_refreshs_cells_are_read_once_and_the_next_refresh_is_read_anew(settings, client, olivia, alice):
    settings.STATS_SOURCE = "summary"
    build(30, alice)
    login(client, olivia)

    def cell_reads() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/stats/", {"year": YEAR}).status_code == 200
        return sum("cell" in q["sql"] and '"stats_' in q["sql"] for q in queries.captured_queries)

    assert cell_reads() > 0
    assert cell_reads() == 0  # the same refresh's cells, from the cache
    summary.refresh()
    assert cell_reads() > 0
    # A restore from a backup can bring a generation number back with other cells: the refresh's time tells them apart.
    Refresh.objects.filter(pk=summary.latest().pk).update(
        finished_at=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)
    )
    assert cell_reads() > 0
