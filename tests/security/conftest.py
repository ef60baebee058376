"""The fixture world of the role × URL matrix (tests/security/test_role_url_matrix.py).

The world is built once per module, through the services, inside one transaction that is rolled back when the module
ends. Every test of the module runs inside pytest-django's own per-test transaction, which is a savepoint nested in
the module's one, so whatever an allowed write changes (a record submitted, a plan approved, a session logged out) is
undone before the next cell runs: each (URL, method, role) cell sees the same fresh world.

Every department-owned object belongs to 市场监管局 (SCJG), the department of alice, amy and rita; bob (卫健委, WJW) is
the administrator of another department and must not reach them.
"""

from __future__ import annotations

import datetime
import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from shuangsuiji.accounts.models import Role
from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.caps import services as caps
from shuangsuiji.directory import services as directory
from shuangsuiji.draws import services as draws
from shuangsuiji.draws.models import Selection, SelectionRole, TeamMember, VisitCode
from shuangsuiji.inspections import services as inspections
from shuangsuiji.inspections.models import ListingProposal, Notification
from shuangsuiji.org.models import Department
from shuangsuiji.outbox.files import FilesConnector
from shuangsuiji.outbox.models import OutboxEvent
from shuangsuiji.planning import services as planning
from tests import factories
from tests.conftest import login, make_user
from tests.draws.helpers import ANNOUNCED, REVEALS, SOURCES, THROWN_BY, WITNESSES, published_scheme

# The columns of the matrix. "dept_admin@WJW" is bob, the administrator of another department.
ANONYMOUS = "anonymous"
CLERK = "clerk"
REVIEWER = "reviewer"
DEPT_ADMIN = "dept_admin"
OFFICE = "office"
SYSADMIN = "sysadmin"
SECURITY_ADMIN = "security_admin"
AUDITOR = "auditor"
OTHER_DEPT_ADMIN = "dept_admin@WJW"
# ivan, an SCJG inspector's own account (issue 14), drawn for `sel_ivan` and for none of the visits the rows name.
INSPECTOR = "inspector"
ROLES = (
    ANONYMOUS,
    CLERK,
    REVIEWER,
    DEPT_ADMIN,
    OFFICE,
    SYSADMIN,
    SECURITY_ADMIN,
    AUDITOR,
    OTHER_DEPT_ADMIN,
    INSPECTOR,
)

# The named users of tests/conftest.py, made the same way (those fixtures are function-scoped; the world is not).
USERS = {
    CLERK: ("amy", Role.CLERK, "SCJG", {}),
    REVIEWER: ("rita", Role.REVIEWER, "SCJG", {}),
    DEPT_ADMIN: ("alice", Role.DEPT_ADMIN, "SCJG", {"can_view_personal_data": True}),
    OFFICE: ("olivia", Role.OFFICE, "SCJG", {}),
    SYSADMIN: ("sam", Role.SYSADMIN, None, {"is_staff": True}),
    SECURITY_ADMIN: ("sergei", Role.SECURITY_ADMIN, None, {}),
    AUDITOR: ("audrey", Role.AUDITOR, None, {}),
    OTHER_DEPT_ADMIN: ("bob", Role.DEPT_ADMIN, "WJW", {}),
    INSPECTOR: ("ivan", Role.INSPECTOR, "SCJG", {}),
}

COMPLETE = {
    "methods": ["实地核查"],
    "cert_shown": True,
    "signature": "obtained",
    "categories": ["未发现问题"],
    "measures": ["无需后续处置"],
}
# A result that makes the reviewer's approval propose listing the entity (inspections.categories.LISTING_TRIGGERS).
UNREACHABLE = "通过登记的住所（经营场所）无法联系"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@dataclass
class World:
    ids: dict[str, Any]  # the placeholders of the URL templates and bodies
    sessions: dict[str, str]  # role -> session key
    usernames: dict[str, str]  # role -> username, for the failure messages


def png_upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("现场照片.png", PNG, content_type="image/png")


def _scheme_data(item, **extra) -> dict[str, Any]:
    return {
        "name": "矩阵测试方案",
        "adhoc_reason": "测试",
        "strata": {"A": {"ratio": "0.1", "reserve": 2}, "D": {"ratio": "0.5", "reserve": 1}},
        "item_ids": [item.pk],
        "methods": ["实地核查"],
        "window_start": datetime.date(2026, 12, 1).isoformat(),
        "window_end": datetime.date(2026, 12, 20).isoformat(),
        "team_slots": {"SCJG": 2},
    } | extra


def _ready_plan(alice, title: str, item):
    plan = planning.plan_create(actor=alice, kind="department", year=2026, title=title)
    planning.plan_item_add(actor=alice, plan=plan, item=item)
    planning.plan_batch_add(actor=alice, plan=plan, name="第一批", month=12)
    return plan


def _published_record(amy, rita, selection):
    rec = inspections.record_create(actor=amy, selection=selection)
    results = [{"item_id": r.item_id, "checked": True, "problem_found": True} for r in rec.item_results.all()]
    data = COMPLETE | {
        "categories": [UNREACHABLE],
        "measures": ["责令改正并跟踪"],
        "item_results": results,
    }
    rec = inspections.record_submit(actor=amy, rec=rec, data=data)
    return inspections.record_review(actor=rita, rec=rec, approve=True)


def _error_report(owner) -> str:
    """An import error report of `owner`, stored the way web/import_views.py stores one."""
    folder = Path(settings.MEDIA_ROOT) / "import-errors"
    folder.mkdir(parents=True, exist_ok=True)
    report_id = uuid.uuid4().hex
    (folder / f"{report_id}.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    meta = {"user": owner.pk, "kind": "entities", "filename": "对象.xlsx", "created": time.time()}
    (folder / f"{report_id}.json").write_text(json.dumps(meta, ensure_ascii=False))
    return report_id


def build_world() -> World:
    users = {
        role: make_user(username, role_value, dept, **extra)
        for role, (username, role_value, dept, extra) in USERS.items()
    }
    alice, amy, rita, olivia, sam = (users[r] for r in (DEPT_ADMIN, CLERK, REVIEWER, OFFICE, SYSADMIN))
    scjg, wjw = Department.objects.get(code="SCJG"), Department.objects.get(code="WJW")

    # 两库一单: two city-wide objects, an SCJG inspector with a declared conflict, two SCJG items (one versioned).
    obj, obj2 = (
        factories.entity(name="舞钢市矩阵对象甲有限公司"),
        factories.entity(name="舞钢市矩阵对象乙有限公司"),
    )
    ins = factories.inspector("SCJG")
    conflict = directory.conflict_declare(actor=alice, inspector=ins, obj=obj, reason="近亲属任职")
    item = factories.item("SCJG", category="重点", ratio_cap=None, name="矩阵测试事项")
    directory.item_version(actor=alice, item=item, reason="新增事项", before=None).save()
    item2 = factories.item("SCJG", category="重点", ratio_cap=None, name="矩阵测试事项二")

    # Plans in each state the actions need.
    plan_draft = _ready_plan(alice, "草稿计划", item)
    plan_submitted = _ready_plan(alice, "已报送计划", item)
    planning.plan_submit(actor=alice, plan=plan_submitted)
    plan_approved = _ready_plan(alice, "已批准计划", item)
    planning.plan_submit(actor=alice, plan=plan_approved)
    planning.plan_approve(actor=olivia, plan=plan_approved, comment="同意")

    # A drawn scheme whose window contains today (records can be made), a frozen one, a published one, a draft.
    today = timezone.localdate()
    scheme_drawn = published_scheme(
        alice,
        inspectors=12,  # enough that some team shares no inspector with the visits the rows name (ivan's)
        window_start=(today - datetime.timedelta(days=10)).isoformat(),
        window_end=(today + datetime.timedelta(days=10)).isoformat(),
    )
    draw = draws.draw_freeze(actor=alice, scheme=scheme_drawn, sources=SOURCES, announced=ANNOUNCED)
    draw = draws.draw_perform(
        actor=alice, draw=draw, witnesses=WITNESSES, reveals=REVEALS, thrown_by=THROWN_BY
    )
    scheme_frozen = published_scheme(alice, entities=0, inspectors=0)
    draw_frozen = draws.draw_freeze(actor=alice, scheme=scheme_frozen, sources=SOURCES, announced=ANNOUNCED)
    scheme_published = published_scheme(alice, entities=0, inspectors=0)
    # SCJG's task with a WJW slot that WJW has not accepted yet (issue 11, item 7).
    scheme_joint = published_scheme(
        alice, entities=0, inspectors=0, team_slots={"SCJG": 2, "WJW": 1}, consent=False
    )
    scheme_draft = planning.scheme_create(actor=alice, data=_scheme_data(item))

    selected = list(
        Selection.objects.filter(draw=draw, active=True, role=SelectionRole.SELECTED).order_by("pk")
    )
    assert len(selected) >= 5, "the drawn scheme should select at least five objects"
    sel_draft, sel_submitted, sel_published, sel_free, sel_sub = selected[:5]
    member = TeamMember.objects.filter(selection=sel_free, active=True).order_by("pk").first()
    # ivan's account belongs to an inspector drawn for `sel_ivan`, a visit of the drawn task with no record, and for
    # none of the visits the rows name (so those answer him 404).
    named = [sel_draft, sel_submitted, sel_published, sel_free, sel_sub]
    busy = TeamMember.objects.filter(selection__in=named).values("inspector_id")
    ivan_member = (
        TeamMember.objects.filter(selection__draw=draw, selection__active=True, active=True)
        .exclude(selection__in=named)
        .exclude(inspector_id__in=busy)
        .select_related("selection")
        .order_by("pk")
        .first()
    )
    assert ivan_member is not None, (
        "the drawn task should have a visit whose team is on none of the named visits"
    )
    sel_ivan = ivan_member.selection
    users[INSPECTOR].inspector_id = ivan_member.inspector_id
    users[INSPECTOR].save(update_fields=["inspector"])
    # A second SCJG inspector account, whose one-time password the administrator may reissue (ivan's own session must
    # survive the matrix). Its inspector is made after the draw, so it is never ivan's: which inspector the draw gives
    # ivan depends on the factories' counters, hence on which tests ran before (an account for `ins` once collided).
    from shuangsuiji.accounts import services as account_services

    spare = factories.inspector("SCJG")
    [(ins_account, _)] = account_services.inspector_accounts_create(actor=alice, inspector_ids=[spare.pk])

    # Records of SCJG: a draft with an attachment, a submitted one, a published one with transfers and a proposal.
    rec_draft = inspections.record_create(actor=amy, selection=sel_draft)
    attachment = inspections.attachment_add(actor=amy, rec=rec_draft, kind="扫描件", upload=png_upload())
    rec_submitted = inspections.record_create(actor=amy, selection=sel_submitted)
    rec_submitted = inspections.record_submit(actor=amy, rec=rec_submitted, data=COMPLETE)
    rec_published = _published_record(amy, rita, sel_published)
    proposal = ListingProposal.objects.get(record=rec_published)
    t_police_sent = inspections.transfer_create(
        actor=amy, rec=rec_published, kind="police", content="涉嫌犯罪线索", to_agency="舞钢市公安局"
    )
    t_police_acked = inspections.transfer_create(
        actor=amy, rec=rec_published, kind="case_unit", content="违法线索", to_agency="舞钢市综合执法大队"
    )
    inspections.transfer_acknowledge(actor=amy, transfer=t_police_acked, receipt_no="执法〔2026〕1号")
    t_to_wjw = inspections.transfer_create(
        actor=amy,
        rec=rec_published,
        kind="department",
        content="卫生许可线索",
        to_department_id=wjw.pk,
        basis="谁审批谁监管",
    )

    # A pending request of SCJG to check `obj` beyond the city-wide cap (issue 17, item 2).
    cap_exemption = caps.cap_exemption_request(
        actor=alice, obj=obj, year=today.year, reason="矩阵测试法定理由"
    )

    cal_day = inspections.calendar_day_set(actor=sam, date="2030-01-02", is_workday=False, note="矩阵测试")
    report_id = _error_report(amy)

    sessions = {}
    for role, user in users.items():
        client = Client()
        login(client, user)
        sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value

    # A token whose request budgets the security administrator may set (ADR 0026).
    from shuangsuiji.accounts.models import ApiToken

    token = ApiToken.objects.create(user=amy, name="矩阵测试", prefix="matrix01", key_hash="0" * 64)

    ids = {
        "token": token.pk,
        "scjg": scjg.pk,
        "wjw": wjw.pk,
        "sam": sam.pk,
        "obj": obj.pk,
        "obj_code": obj.code,
        "obj2": obj2.pk,
        "obj2_code": obj2.code,
        "new_uscc": factories.uscc("1", 990001),
        "ins": ins.pk,
        "conflict": conflict.pk,
        "item": item.pk,
        "item2": item2.pk,
        "plan_draft": plan_draft.pk,
        "plan_item": plan_draft.items.get().pk,
        "plan_batch": plan_draft.batches.get().pk,
        "plan_submitted": plan_submitted.pk,
        "plan_approved": plan_approved.pk,
        "scheme_draft": scheme_draft.pk,
        "scheme_published": scheme_published.pk,
        "scheme_joint": scheme_joint.pk,
        "scheme_drawn": scheme_drawn.pk,
        "draw": draw.pk,
        "draw_frozen": draw_frozen.pk,
        "sel_free": sel_free.pk,
        "sel_ivan": sel_ivan.pk,
        "ins_account": ins_account.pk,
        "visit_code": VisitCode.objects.get(selection=sel_free).code,
        "sel_sub": sel_sub.pk,
        "member": member.pk,
        "rec_draft": rec_draft.pk,
        "attachment": attachment.pk,
        "rec_submitted": rec_submitted.pk,
        "rec_published": rec_published.pk,
        "t_police_sent": t_police_sent.pk,
        "t_acked": t_police_acked.pk,
        "t_to_wjw": t_to_wjw.pk,
        "proposal": proposal.pk,
        "cal_day": cal_day.pk,
        "cap_exemption": cap_exemption.pk,
        "audit_event": AuditEvent.objects.order_by("id").first().pk,
        "outbox_event": OutboxEvent.objects.order_by("id").first().pk,
        # The files connector's batch of the world's events (ADR 0025), its folder in the world's media.
        "outbox_batch": FilesConnector().write_batch(force=True).pk,
        "report_id": report_id,
        # rita's message about the submitted record (issue 15, item 2): hers alone to open.
        "note_reviewer": Notification.objects.filter(user=rita).order_by("id").first().pk,
        "today": today.isoformat(),
    }
    return World(ids=ids, sessions=sessions, usernames={r: u[0] for r, u in USERS.items()})


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("security-media"))
    media.enable()
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = build_world()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            media.disable()
            raise
    try:
        yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
        media.disable()
