"""Issue 13 part 1: every public fact is written to the outbox in the transaction that makes it (transactional
outbox) — present after the service, absent when the service's transaction rolls back — with public facts only."""

import datetime
import json

import pytest
from django.db import transaction
from django.utils import timezone

from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.draws import services as draws
from shuangsuiji.draws.models import TeamMember
from shuangsuiji.inspections import services as inspections
from shuangsuiji.inspections.models import ListingProposal
from shuangsuiji.outbox.models import OutboxEvent, OutboxState
from shuangsuiji.planning import services as planning
from tests import factories
from tests.draws.helpers import ANNOUNCED, REVEALS, THROWN_BY, WITNESSES, published_scheme, sources_after
from tests.inspections.helpers import drawn_selection

COMPLETE = {
    "methods": ["实地核查"],
    "cert_shown": True,
    "signature": "obtained",
    "categories": ["未发现问题"],
    "measures": ["无需后续处置"],
}
# Keys no payload may carry, at any depth: risk classes, strata, priorities, personal data, internal notes.
FORBIDDEN_KEYS = {
    "stratum",
    "strata",
    "priority",
    "rank",
    "risk_class",
    "id_number",
    "phone",
    "note",
    "reason_note",
}


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


class Rollback(Exception):
    pass


def keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys(v)}
    return set()


def emitted_only_on_commit(event_type: str, act):
    """Run `act` in a transaction that rolls back (no event), then for real (one event, pending, public keys)."""
    before = OutboxEvent.objects.filter(type=event_type).count()
    with pytest.raises(Rollback), transaction.atomic():
        act()
        assert OutboxEvent.objects.filter(type=event_type).count() == before + 1
        raise Rollback
    assert OutboxEvent.objects.filter(type=event_type).count() == before
    result = act()
    event = OutboxEvent.objects.filter(type=event_type).latest("id")
    assert OutboxEvent.objects.filter(type=event_type).count() == before + 1
    assert (
        event.state == OutboxState.PENDING and event.attempts == 0 and event.next_attempt_at <= timezone.now()
    )
    assert not keys(event.payload) & FORBIDDEN_KEYS, event.payload
    return result, event


def plan(alice):
    item = factories.item("SCJG", category="重点", ratio_cap=None)
    p = planning.plan_create(actor=alice, kind="department", year=2026, title="2026年度抽查计划")
    planning.plan_item_add(actor=alice, plan=p, item=item, ratio="0.1")
    planning.plan_batch_add(actor=alice, plan=p, name="第一批", month=12)
    planning.plan_submit(actor=alice, plan=p)
    return p


def test_an_approved_plan_and_its_adjustment_are_outbox_events(alice, olivia):
    p = plan(alice)
    _, first = emitted_only_on_commit("plan.approved", lambda: planning.plan_approve(actor=olivia, plan=p))
    assert first.object_key == f"plan:{p.pk}" and first.version == 1
    assert first.payload["plan"]["title"] == "2026年度抽查计划"
    planning.plan_adjust(actor=alice, plan=p, reason="增加批次")
    # A draft adjustment is not public: nothing is sent until it is approved.
    assert not OutboxEvent.objects.filter(type="plan.adjusted").exists()
    planning.plan_submit(actor=alice, plan=p)
    _, second = emitted_only_on_commit("plan.adjusted", lambda: planning.plan_approve(actor=olivia, plan=p))
    assert second.object_key == first.object_key and second.version == 2
    assert second.payload["version"] == 2 and second.payload["reason"] == "增加批次"


def test_a_published_scheme_is_an_outbox_event_without_its_strata(alice):
    scheme = published_scheme(alice, entities=4, inspectors=2)  # published once already: one event
    event = OutboxEvent.objects.get(type="scheme.published")
    assert event.payload["task_no"] == scheme.task_no and event.object_key == f"scheme:{scheme.pk}"
    assert sorted(event.payload["ratios"]) == ["10%", "50%"]
    draft = planning.scheme_create(
        actor=alice,
        data={
            "name": "第二批",
            "adhoc_reason": "测试",
            "strata": {"A": {"ratio": "0.1", "reserve": 1}},
            "item_ids": [factories.item("SCJG", category="重点", ratio_cap=None).pk],
            "methods": ["实地核查"],
            "window_start": "2026-12-01",
            "window_end": "2026-12-20",
            "team_slots": {"SCJG": 2},
        },
    )
    emitted_only_on_commit("scheme.published", lambda: planning.scheme_publish(actor=alice, scheme=draft))


def _days_after(day, n: int) -> str:
    # The window follows the pinned or faked date: a fixed end date made these tests fail after it (faketime found it).
    return (day + datetime.timedelta(days=n)).isoformat()


def test_a_draw_is_an_outbox_event_with_the_public_list_and_teams(alice):
    today = timezone.localdate()
    scheme = published_scheme(
        alice, entities=8, inspectors=2, window_start=today.isoformat(), window_end=_days_after(today, 20)
    )
    draw = draws.draw_freeze(actor=alice, scheme=scheme, sources=sources_after(today), announced=ANNOUNCED)
    _, event = emitted_only_on_commit(
        "draw.performed",
        lambda: draws.draw_perform(
            actor=alice, draw=draw, witnesses=WITNESSES, reveals=REVEALS, thrown_by=THROWN_BY
        ),
    )
    assert event.object_key == f"draw:{draw.draw_id}"
    data = event.payload
    assert data["list_public"] is True and data["objects"] and data["witnesses"]
    assert all(set(o) == {"name", "code", "role", "state", "team"} for o in data["objects"])
    assert all(set(m) == {"department", "name", "cert_no"} for o in data["objects"] for m in o["team"])


def test_a_list_published_after_the_window_is_not_in_the_draw_event(alice):
    today = timezone.localdate()
    scheme = published_scheme(
        alice,
        entities=8,
        inspectors=2,
        window_start=today.isoformat(),
        window_end=_days_after(today, 20),
        publish_list_at="window_end",
    )
    draw = draws.draw_freeze(actor=alice, scheme=scheme, sources=sources_after(today), announced=ANNOUNCED)
    draws.draw_perform(actor=alice, draw=draw, witnesses=WITNESSES, reveals=REVEALS, thrown_by=THROWN_BY)
    data = OutboxEvent.objects.get(type="draw.performed").payload
    assert data["list_public"] is False and "objects" not in data and "seed" not in data


def test_substitutions_are_outbox_events_with_the_public_reason_only(alice):
    selection = drawn_selection(alice)
    new, event = emitted_only_on_commit(
        "draw.substituted",
        lambda: draws.selection_substitute(
            actor=alice, selection=selection, reason_code="MOVED_OUT", note="听说搬去了平顶山"
        ),
    )
    assert event.payload["reason"] == "已迁出" and "平顶山" not in json.dumps(
        event.payload, ensure_ascii=False
    )
    member = TeamMember.objects.filter(selection=new, active=True).first()
    _, event = emitted_only_on_commit(
        "draw.substituted",
        lambda: draws.member_substitute(
            actor=alice, member=member, reason_code="UNAVAILABLE", note="孙之峰 休病假"
        ),
    )
    assert event.payload["reason"] == "因故无法到岗" and "病假" not in json.dumps(
        event.payload, ensure_ascii=False
    )
    versions = list(
        OutboxEvent.objects.filter(object_key=event.object_key)
        .order_by("id")
        .values_list("version", flat=True)
    )
    assert versions == [1, 2, 3]  # the draw, then each substitution, numbered per object


def submitted(selection, amy, **extra):
    rec = inspections.record_create(actor=amy, selection=selection)
    return inspections.record_submit(actor=amy, rec=rec, data=COMPLETE | extra)


def test_a_published_and_a_corrected_result_are_outbox_events_of_one_object(alice, amy, rita):
    selection = drawn_selection(alice)
    rec = submitted(selection, amy)
    rec, event = emitted_only_on_commit(
        "result.published", lambda: inspections.record_review(actor=rita, rec=rec, approve=True)
    )
    assert event.payload["object_code"] == selection.object.code and event.payload["results"] == [
        "未发现问题"
    ]
    new = inspections.record_correct(actor=amy, rec=rec, reason="录入错误")
    new = inspections.record_submit(actor=amy, rec=new, data={})
    _, corrected = emitted_only_on_commit(
        "result.corrected", lambda: inspections.record_review(actor=rita, rec=new, approve=True)
    )
    assert corrected.object_key == event.object_key and corrected.version == 2
    assert corrected.payload["record_version"] == 2


def test_a_withheld_result_is_an_outbox_event_that_does_not_say_why(alice, amy, rita):
    selection = drawn_selection(alice)
    rec = submitted(selection, amy, withhold_reason="涉及国家秘密（保守国家秘密法第九条）")
    _, event = emitted_only_on_commit(
        "result.withheld", lambda: inspections.record_review(actor=rita, rec=rec, approve=True)
    )
    assert event.payload["withheld"] is True and "results" not in event.payload
    assert "国家秘密" not in json.dumps(event.payload, ensure_ascii=False)


def test_a_returned_result_is_no_outbox_event(alice, amy, rita):
    rec = submitted(drawn_selection(alice), amy)
    inspections.record_review(actor=rita, rec=rec, approve=False, comment="请补充")
    assert not OutboxEvent.objects.filter(type__startswith="result.").exists()


def test_a_closed_transfer_is_an_outbox_event_without_its_content(alice, amy, bob):
    rec = submitted(drawn_selection(alice), amy)
    t = inspections.transfer_create(
        actor=amy,
        rec=rec,
        kind="department",
        to_department_id=bob.department_id,
        basis="谁主管谁监管",
        content="公共场所卫生许可证过期",
    )
    inspections.transfer_acknowledge(actor=bob, transfer=t)
    _, event = emitted_only_on_commit(
        "transfer.closed", lambda: inspections.transfer_close(actor=bob, transfer=t, outcome="已责令整改")
    )
    text = json.dumps(event.payload, ensure_ascii=False)
    assert "许可证" not in text and "整改" not in text and event.payload["to"] == bob.department.name


def test_a_listing_decision_is_an_outbox_event(alice, amy, rita):
    selection = drawn_selection(alice)
    rec = inspections.record_create(actor=amy, selection=selection)
    rec = inspections.record_submit(
        actor=amy,
        rec=rec,
        data=COMPLETE
        | {
            "categories": ["通过登记的住所（经营场所）无法联系"],
            "measures": ["反馈日常监管部门依法处理"],
            "item_results": [
                {"item_id": rec.item_results.first().item_id, "checked": True, "problem_found": True}
            ],
        },
        transfers=[{"kind": "case_unit", "to_agency": "舞钢市市场监管局稽查大队", "content": "住所无法联系"}],
    )
    inspections.record_review(actor=rita, rec=rec, approve=True)
    proposal = ListingProposal.objects.get()
    _, event = emitted_only_on_commit(
        "listing.decided",
        lambda: inspections.proposal_decide(actor=alice, proposal=proposal, listed=True, note="内部意见"),
    )
    assert event.payload["listed"] is True and "内部意见" not in json.dumps(event.payload, ensure_ascii=False)


def test_a_joint_visit_is_one_outbox_event_when_it_becomes_public(alice, amy, rita, bob):
    factories.inspector("WJW")
    items = [
        factories.item("SCJG", category="重点", ratio_cap=None, name="特种设备使用单位检查"),
        factories.item("WJW", category="重点", ratio_cap=None, name="公共场所卫生检查"),
    ]
    selection = drawn_selection(
        alice, entities=8, inspectors=2, team_slots={"SCJG": 2, "WJW": 1}, items=items
    )
    rec = submitted(selection, amy)
    inspections.record_review(actor=rita, rec=rec, approve=True)
    # One department's part alone is not public yet.
    assert not OutboxEvent.objects.filter(type__in=["visit.published", "result.published"]).exists()
    _, event = emitted_only_on_commit(
        "visit.published",
        lambda: inspections.visit_absence_record(
            actor=bob, selection=selection, reason="当日有突发公共卫生事件"
        ),
    )
    departments = {p["department"]: p for p in event.payload["parts"]}
    assert (
        departments["舞钢市市场监督管理局"]["attended"]
        and not departments["舞钢市卫生健康委员会"]["attended"]
    )
    assert "突发" not in json.dumps(event.payload, ensure_ascii=False)


def test_a_list_published_after_the_window_is_an_outbox_event_the_day_after_it_closes(alice, time_machine):
    today = timezone.localdate()
    scheme = published_scheme(
        alice,
        entities=8,
        inspectors=2,
        window_start=today.isoformat(),
        window_end=_days_after(today, 5),
        publish_list_at="window_end",
    )
    draw = draws.draw_freeze(actor=alice, scheme=scheme, sources=sources_after(today), announced=ANNOUNCED)
    draws.draw_perform(actor=alice, draw=draw, witnesses=WITNESSES, reveals=REVEALS, thrown_by=THROWN_BY)
    # The window's last day: the list is not public yet, nothing is sent.
    assert draws.draws_lists_publish_due(today=today + datetime.timedelta(days=5)) == 0
    assert not OutboxEvent.objects.filter(type="draw.list_published").exists()
    # The day after: the portal shows the list, and the province gets it, once, with the audit in one transaction.
    time_machine.move_to(timezone.now() + datetime.timedelta(days=6))
    after = timezone.localdate()
    _, event = emitted_only_on_commit(
        "draw.list_published", lambda: draws.draws_lists_publish_due(today=after)
    )
    assert event.object_key == f"draw:{draw.draw_id}" and event.version == 2  # after draw.performed
    assert event.payload["list_public"] is True and event.payload["objects"] and event.payload["seed"]
    assert AuditEvent.objects.filter(action="draw.list_public", target_id=str(draw.pk)).count() == 1
    assert draws.draws_lists_publish_due(today=after) == 0
    assert OutboxEvent.objects.filter(type="draw.list_published").count() == 1


def test_a_list_published_at_the_draw_gets_no_second_event(alice, time_machine):
    today = timezone.localdate()
    scheme = published_scheme(
        alice, entities=8, inspectors=2, window_start=today.isoformat(), window_end=_days_after(today, 5)
    )
    draw = draws.draw_freeze(actor=alice, scheme=scheme, sources=sources_after(today), announced=ANNOUNCED)
    draws.draw_perform(actor=alice, draw=draw, witnesses=WITNESSES, reveals=REVEALS, thrown_by=THROWN_BY)
    time_machine.move_to(timezone.now() + datetime.timedelta(days=6))
    assert draws.draws_lists_publish_due(today=timezone.localdate()) == 0
    assert not OutboxEvent.objects.filter(type="draw.list_published").exists()
