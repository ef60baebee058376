"""Issue 13 part 3: bulk reads of results, draws and plans by period (/api/v1/bulk/), public facts only, by cursor."""

import datetime
import json
import threading

import pytest
from django.db import connection
from django.utils import timezone

from shuangsuiji.inspections import services as inspections
from shuangsuiji.inspections.models import InspectionRecord, RecordKind, RecordStatus
from shuangsuiji.outbox.models import OutboxEvent
from shuangsuiji.planning import services as planning
from tests import factories
from tests.api.conftest import ApiClient, token_for
from tests.inspections.helpers import drawn_selection

COMPLETE = {
    "methods": ["实地核查"],
    "cert_shown": True,
    "signature": "obtained",
    "categories": ["未发现问题"],
    "measures": ["无需后续处置"],
}
FORBIDDEN_KEYS = {
    "stratum",
    "strata",
    "priority",
    "rank",
    "risk_class",
    "id_number",
    "phone",
    "note",
    "legal_rep",
}


def keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys(v)}
    return set()


def today() -> datetime.date:
    return timezone.localdate()


def period(**extra) -> dict:
    return {"from": (today() - datetime.timedelta(days=30)).isoformat(), "to": today().isoformat(), **extra}


def published_records(user, dept_code: str, n: int) -> list[InspectionRecord]:
    """`n` published results of `dept_code`, written directly (the review flow is tested in tests/inspections)."""
    from shuangsuiji.org.models import Department

    dept = Department.objects.get(code=dept_code)
    now = timezone.now()
    return InspectionRecord.objects.bulk_create(
        InspectionRecord(
            kind=RecordKind.RANDOM,
            object=factories.entity(),
            department=dept,
            inspection_date=today(),
            categories=["未发现问题"],
            status=RecordStatus.PUBLISHED,
            published_at=now,
            created_by=user,
        )
        for _ in range(n)
    )


def walk(client, path: str, **params) -> list[dict]:
    items, cursor = [], ""
    for _ in range(1000):
        answer = client.get(path, period(cursor=cursor, **params))
        assert answer.status_code == 200, answer.content
        body = answer.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if not body["has_more"]:
            return items
    raise AssertionError("the walk did not end")


def test_a_reviewed_result_reads_in_bulk_exactly_as_its_outbox_event(alice, amy, rita, olivia):
    selection = drawn_selection(alice)
    rec = inspections.record_create(actor=amy, selection=selection)
    rec = inspections.record_submit(actor=amy, rec=rec, data=COMPLETE)
    inspections.record_review(actor=rita, rec=rec, approve=True)
    event = OutboxEvent.objects.get(type="result.published")

    answer = ApiClient(token=token_for(olivia)).get("/bulk/results", period())

    assert answer.status_code == 200
    [item] = answer.json()["items"]
    assert item["object"] == event.object_key and item["data"] == event.payload
    assert item["data"]["items"] and item["data"]["results"] == ["未发现问题"]


def test_bulk_results_carry_no_risk_class_id_number_phone_or_legal_representative(alice, olivia):
    published_records(alice, "SCJG", 3)
    answer = ApiClient(token=token_for(olivia)).get("/bulk/results", period())
    body = answer.json()
    assert len(body["items"]) == 3
    assert not keys(body) & FORBIDDEN_KEYS
    text = json.dumps(body, ensure_ascii=False)
    assert "一般风险" not in text and "王五" not in text and "测试路" not in text


def test_a_department_token_reads_its_own_department_and_the_office_token_every_department(
    alice, bob, olivia
):
    mine = published_records(alice, "SCJG", 2)
    theirs = published_records(bob, "WJW", 3)

    scjg = walk(ApiClient(token=token_for(alice)), "/bulk/results")
    wjw = walk(ApiClient(token=token_for(bob)), "/bulk/results")
    office = walk(ApiClient(token=token_for(olivia)), "/bulk/results")

    assert [i["cursor"] for i in scjg] == [str(r.pk) for r in mine]
    assert [i["cursor"] for i in wjw] == [str(r.pk) for r in theirs]
    assert len(office) == 5


def test_a_result_outside_the_period_or_not_published_is_not_read(alice, olivia):
    old, draft, shown = published_records(alice, "SCJG", 3)
    InspectionRecord.objects.filter(pk=old.pk).update(
        published_at=timezone.now() - datetime.timedelta(days=40)
    )
    InspectionRecord.objects.filter(pk=draft.pk).update(status=RecordStatus.DRAFT)
    items = walk(ApiClient(token=token_for(olivia)), "/bulk/results")
    assert [i["cursor"] for i in items] == [str(shown.pk)]


def test_a_cursor_walk_sees_every_result_once_while_new_ones_are_published(alice, olivia):
    first = published_records(alice, "SCJG", 25)
    client = ApiClient(token=token_for(olivia))
    seen, cursor, added = [], "", []
    while True:
        body = client.get("/bulk/results", period(cursor=cursor, limit="4")).json()
        seen += [i["cursor"] for i in body["items"]]
        cursor = body["next_cursor"]
        if len(added) < 2:  # results published between two pages
            added += published_records(alice, "SCJG", 3)
        if not body["has_more"]:
            break
    expected = [str(r.pk) for r in first + added]
    assert sorted(seen, key=int) == sorted(expected, key=int)
    assert len(seen) == len(set(seen)) == 25 + len(added)


@pytest.mark.postgres_only  # SQLite's in-memory test database locks whole tables between connections
@pytest.mark.django_db(transaction=True)
def test_a_cursor_walk_sees_every_result_once_under_a_concurrent_insert_on_its_own_connection(reference_data):
    """The writer runs in a thread with its own database connection, committing while the reader pages."""
    from tests.conftest import make_user

    olivia = make_user("olivia", "office", "SCJG")
    published_records(olivia, "SCJG", 30)
    client = ApiClient(token=token_for(olivia))
    stop = threading.Event()
    written: list[int] = []

    def writer():
        try:
            while not stop.is_set() and len(written) < 40:
                written.extend(r.pk for r in published_records(olivia, "SCJG", 2))
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    seen, cursor = [], ""
    try:
        while True:
            body = client.get("/bulk/results", period(cursor=cursor, limit="5")).json()
            seen += [int(i["cursor"]) for i in body["items"]]
            cursor = body["next_cursor"]
            if not body["has_more"]:
                break
    finally:
        stop.set()
        thread.join()
    assert len(seen) == len(set(seen)) and seen == sorted(seen)
    # Every row committed before the last page is in the walk; rows after it come with the next walk.
    everything = list(InspectionRecord.objects.order_by("pk").values_list("pk", flat=True))
    assert seen == [pk for pk in everything if pk <= seen[-1]]
    assert all(pk > seen[-1] for pk in set(everything) - set(seen))


def test_a_draw_reads_in_bulk_with_its_public_list(alice, olivia):
    selection = drawn_selection(alice)
    event = OutboxEvent.objects.get(type="draw.performed")
    [item] = walk(ApiClient(token=token_for(olivia)), "/bulk/draws")
    assert item["object"] == f"draw:{selection.draw.draw_id}" == event.object_key
    assert item["data"]["objects"] and item["data"]["list_public"] is True
    assert not keys(item) & FORBIDDEN_KEYS


def test_an_approved_plan_version_reads_in_bulk(alice, olivia):
    item = factories.item("SCJG", category="重点", ratio_cap=None)
    plan = planning.plan_create(actor=alice, kind="department", year=today().year, title="年度抽查计划")
    planning.plan_item_add(actor=alice, plan=plan, item=item, ratio="0.1")
    planning.plan_batch_add(actor=alice, plan=plan, name="第一批", month=12)
    planning.plan_submit(actor=alice, plan=plan)
    draft = walk(ApiClient(token=token_for(alice)), "/bulk/plans")
    planning.plan_approve(actor=olivia, plan=plan)

    [version] = walk(ApiClient(token=token_for(alice)), "/bulk/plans")

    assert draft == []  # a plan not yet approved is no public fact
    assert version["object"] == f"plan:{plan.pk}" and version["data"]["plan"]["title"] == "年度抽查计划"
    assert version["data"] == OutboxEvent.objects.get(type="plan.approved").payload


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"to": "2026-12-01"}, "from", "请填写起始日期"),
        ({"from": "2026-13-01", "to": "2026-12-01"}, "from", "不是有效日期"),
        ({"from": "20261201", "to": "2026-12-01"}, "from", "应写成 YYYY-MM-DD"),
        ({"from": "2026-12-01' OR '1'='1", "to": "2026-12-01"}, "from", "应写成 YYYY-MM-DD"),
        ({"from": "2026-12-02", "to": "2026-12-01"}, "to", "不能早于起始日期"),
        ({"from": "2024-01-01", "to": "2026-12-01"}, "to", "一次最多读取 366 天"),
        ({"from": "2026-11-01", "to": "2026-12-01", "limit": "1000000"}, "limit", "1—1000"),
        ({"from": "2026-11-01", "to": "2026-12-01", "limit": "0"}, "limit", "1—1000"),
        ({"from": "2026-11-01", "to": "2026-12-01", "limit": "-5"}, "limit", "1—1000"),
        ({"from": "2026-11-01", "to": "2026-12-01", "limit": "1e3"}, "limit", "1—1000"),
        ({"from": "2026-11-01", "to": "2026-12-01", "limit": "９"}, "limit", "1—1000"),
        ({"from": "2026-11-01", "to": "2026-12-01", "cursor": "abc"}, "cursor", "游标无效"),
        ({"from": "2026-11-01", "to": "2026-12-01", "cursor": "1; DROP TABLE x"}, "cursor", "游标无效"),
        ({"from": "2026-11-01", "to": "2026-12-01", "cursor": "9" * 40}, "cursor", "游标无效"),
        ({"from": "2026-11-01", "to": "2026-12-01", "cursor": "-1"}, "cursor", "游标无效"),
    ],
)
@pytest.mark.parametrize("kind", ["results", "draws", "plans"])
def test_a_hostile_parameter_is_a_chinese_400_and_nothing_else(olivia, kind, params, field, message):
    answer = ApiClient(token=token_for(olivia)).get(f"/bulk/{kind}", params)
    assert answer.status_code == 400, answer.content
    body = answer.json()
    assert message in body["detail"] and body["errors"][0]["field"] == field


def test_a_full_year_is_allowed_and_a_day_more_is_not(olivia):
    client = ApiClient(token=token_for(olivia))
    assert (
        client.get("/bulk/results", {"from": "2028-01-01", "to": "2028-12-31"}).status_code == 200
    )  # 366 days
    assert client.get("/bulk/results", {"from": "2027-01-01", "to": "2028-01-01"}).status_code == 200
    assert client.get("/bulk/results", {"from": "2027-01-01", "to": "2028-01-02"}).status_code == 400


def test_bulk_reads_need_a_token_or_a_session(anon):
    assert anon.get("/bulk/results", period()).status_code == 401


def test_a_page_costs_the_same_number_of_queries_for_ten_rows_as_for_a_hundred(alice, olivia):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    published_records(alice, "SCJG", 100)
    client = ApiClient(token=token_for(olivia))
    client.get("/bulk/results", period())  # opens the minute of the rate counter (one more statement, once)
    counts = []
    for limit in ("10", "100"):
        with CaptureQueriesContext(connection) as queries:
            assert len(client.get("/bulk/results", period(limit=limit)).json()["items"]) == int(limit)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_a_joint_visit_reads_once_as_the_public_sees_it_and_the_bulk_rows_are_those_of_the_portal(
    alice, amy, rita, bob, olivia
):
    from shuangsuiji.api.bulk import results_in

    factories.inspector("WJW")
    items = [
        factories.item("SCJG", category="重点", ratio_cap=None, name="特种设备使用单位检查"),
        factories.item("WJW", category="重点", ratio_cap=None, name="公共场所卫生检查"),
    ]
    selection = drawn_selection(
        alice, entities=8, inspectors=2, team_slots={"SCJG": 2, "WJW": 1}, items=items
    )
    rec = inspections.record_create(actor=amy, selection=selection)
    rec = inspections.record_submit(actor=amy, rec=rec, data=COMPLETE)
    inspections.record_review(actor=rita, rec=rec, approve=True)
    alone = walk(ApiClient(token=token_for(olivia)), "/bulk/results")
    inspections.visit_absence_record(actor=bob, selection=selection, reason="当日有突发公共卫生事件")
    published_records(alice, "SCJG", 2)

    [visit, *plain] = walk(ApiClient(token=token_for(olivia)), "/bulk/results")

    assert alone == []  # one department's part alone is not public yet
    assert visit["object"] == f"visit:{selection.visit.pk}" and len(visit["data"]["parts"]) == 2
    assert "突发" not in json.dumps(visit, ensure_ascii=False) and len(plain) == 2
    lo = timezone.now() - datetime.timedelta(days=1)
    hi = timezone.now() + datetime.timedelta(days=1)
    portal = InspectionRecord.objects.public().filter(published_at__gte=lo, published_at__lt=hi)
    assert sorted(results_in(olivia, lo, hi).values_list("pk", flat=True)) == sorted(
        portal.values_list("pk", flat=True)
    )
