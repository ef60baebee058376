import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone

from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.directory.rows import RowInvalid
from shuangsuiji.inspections import services
from shuangsuiji.inspections.calendar import deadline_after
from shuangsuiji.inspections.models import (
    CalendarDay,
    CalendarYear,
    ListingProposal,
    Notification,
    RecordStatus,
)
from shuangsuiji.inspections.selectors import public_results
from tests import factories
from tests.conftest import make_user
from tests.inspections.helpers import drawn_selection

COMPLETE = {
    "methods": ["实地核查"],
    "cert_shown": True,
    "signature": "obtained",
    "categories": ["未发现问题"],
    "measures": ["无需后续处置"],
}


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def selection(alice):
    return drawn_selection(alice)


def errors_of(exc) -> str:
    return "；".join(f"{c}：{r}" for c, r in exc.value.errors)


def test_a_record_goes_from_draft_to_public_through_review(selection, amy, rita):
    rec = services.record_create(actor=amy, selection=selection)
    rec = services.record_update(actor=amy, rec=rec, data={"note": "暂存"})
    assert rec.status == RecordStatus.DRAFT
    rec = services.record_submit(actor=amy, rec=rec, data=COMPLETE)
    assert rec.status == RecordStatus.SUBMITTED and rec.deadline == deadline_after(rec.inspection_date).day
    with pytest.raises(RowInvalid, match="已不可修改"):
        services.record_update(actor=amy, rec=rec, data={"note": "改"})
    rec = services.record_review(actor=rita, rec=rec, approve=True)
    assert rec.status == RecordStatus.PUBLISHED and rec.published_at
    assert list(public_results(selection.object.code)) == [rec]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"record.create", "record.save_draft", "record.submit", "record.publish"} <= actions


def test_on_site_checks_need_two_inspectors_and_shown_certificates(selection, amy):
    rec = services.record_create(
        actor=amy,
        selection=selection,
        data={"member_ids": [selection.team.filter(active=True).first().inspector_id]},
    )
    with pytest.raises(RowInvalid) as e:
        services.record_submit(actor=amy, rec=rec, data=COMPLETE | {"cert_shown": False})
    assert "不得少于 2 人" in errors_of(e) and "出示执法证件" in errors_of(e)


def test_only_drawn_inspectors_may_appear_on_a_random_record(selection, amy):
    stranger = factories.inspector("SCJG", name="未抽中者")
    drawn = list(selection.team.filter(active=True).values_list("inspector_id", flat=True))
    rec = services.record_create(actor=amy, selection=selection, data={"member_ids": drawn + [stranger.pk]})
    with pytest.raises(RowInvalid) as e:
        services.record_submit(actor=amy, rec=rec, data=COMPLETE)
    assert "未抽中者 不是抽取的检查组成员" in errors_of(e)


def test_the_inspection_date_is_not_in_the_future_and_outside_the_window_needs_a_reason(selection, amy):
    rec = services.record_create(actor=amy, selection=selection)
    future = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    with pytest.raises(RowInvalid, match="不能晚于今天"):
        services.record_submit(actor=amy, rec=rec, data=COMPLETE | {"inspection_date": future})
    early = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    with pytest.raises(RowInvalid, match="请写明理由"):
        services.record_submit(actor=amy, rec=rec, data=COMPLETE | {"inspection_date": early})
    rec = services.record_submit(
        actor=amy,
        rec=rec,
        data=COMPLETE | {"inspection_date": early, "outside_window_reason": "企业提前申请"},
    )
    assert rec.status == RecordStatus.SUBMITTED


@pytest.mark.parametrize(
    ("categories", "measures", "message"),
    [
        (["未发现问题", "已注销"], ["无需后续处置"], "不能与其他检查结果同时选择"),
        (["已注销", "已迁出"], ["无需后续处置"], "互相排斥"),
        (["未按规定公示应当公示的信息"], ["无需后续处置"], "必须选择后续处置措施"),
        (["违反其他市场监管规定"], ["其他（说明）"], "请写明具体措施"),
        ([], [], "请选择检查结果"),
    ],
)
def test_result_categories_follow_the_forms_rules(selection, amy, categories, measures, message):
    rec = services.record_create(actor=amy, selection=selection)
    with pytest.raises(RowInvalid, match=message):
        services.record_submit(
            actor=amy, rec=rec, data=COMPLETE | {"categories": categories, "measures": measures}
        )


def test_a_refused_signature_needs_its_reason(selection, amy):
    rec = services.record_create(actor=amy, selection=selection)
    with pytest.raises(RowInvalid, match="应注明原因"):
        services.record_submit(actor=amy, rec=rec, data=COMPLETE | {"signature": "refused"})
    rec = services.record_submit(
        actor=amy,
        rec=rec,
        data=COMPLETE | {"signature": "refused", "signature_reason": "负责人外出", "witness": "社区网格员"},
    )
    assert rec.status == RecordStatus.SUBMITTED


def test_a_commissioned_agency_needs_its_name_and_report(selection, amy):
    rec = services.record_create(actor=amy, selection=selection)
    with pytest.raises(RowInvalid, match="报告编号"):
        services.record_submit(actor=amy, rec=rec, data=COMPLETE | {"methods": ["委托专业机构"]})


def test_only_the_inspecting_department_records_and_reviews(selection, bob, amy, rita):
    wjw_clerk = make_user("wendy", "clerk", "WJW")
    with pytest.raises(PermissionDenied):
        services.record_create(actor=wjw_clerk, selection=selection)
    rec = services.record_submit(
        actor=amy, rec=services.record_create(actor=amy, selection=selection), data=COMPLETE
    )
    wjw_reviewer = make_user("walt", "reviewer", "WJW")
    with pytest.raises(PermissionDenied):
        services.record_review(actor=wjw_reviewer, rec=rec, approve=True)
    with pytest.raises(PermissionDenied):
        services.record_review(actor=amy, rec=rec, approve=True)


def test_a_correction_is_a_new_version_and_the_old_one_stays_until_it_is_approved(selection, amy, rita):
    rec = services.record_submit(
        actor=amy, rec=services.record_create(actor=amy, selection=selection), data=COMPLETE
    )
    rec = services.record_review(actor=rita, rec=rec, approve=True)
    new = services.record_correct(actor=amy, rec=rec, reason="录入错误")
    assert new.version == 2 and new.corrects == rec and new.status == RecordStatus.DRAFT
    assert list(public_results(selection.object.code)) == [rec]
    new = services.record_submit(
        actor=amy,
        rec=new,
        data={
            "categories": ["发现问题经责令已改正"],
            "measures": ["责令改正并跟踪"],
            "item_results": [
                {"item_id": new.item_results.first().item_id, "checked": True, "problem_found": True}
            ],
        },
    )
    services.record_review(actor=rita, rec=new, approve=True)
    rec.refresh_from_db()
    assert rec.status == RecordStatus.SUPERSEDED
    assert list(public_results(selection.object.code)) == [new]


def test_not_public_needs_a_legal_reason_and_the_reviewers_approval(selection, amy, rita):
    rec = services.record_create(actor=amy, selection=selection)
    rec = services.record_submit(
        actor=amy, rec=rec, data=COMPLETE | {"withhold_reason": "涉及国家秘密（保守国家秘密法第九条）"}
    )
    rec = services.record_review(actor=rita, rec=rec, approve=True)
    assert rec.status == RecordStatus.WITHHELD and not list(public_results(selection.object.code))


def test_an_unreachable_address_proposes_listing_with_a_ten_working_day_deadline(selection, amy, rita, alice):
    rec = services.record_create(actor=amy, selection=selection)
    item_id = rec.item_results.first().item_id
    rec = services.record_submit(
        actor=amy,
        rec=rec,
        data=COMPLETE
        | {
            "categories": ["通过登记的住所（经营场所）无法联系"],
            "measures": ["反馈日常监管部门依法处理"],
            "item_results": [{"item_id": item_id, "checked": True, "problem_found": True}],
        },
        transfers=[{"kind": "case_unit", "to_agency": "舞钢市市场监管局稽查大队", "content": "住所无法联系"}],
    )
    services.record_review(actor=rita, rec=rec, approve=True)
    proposal = ListingProposal.objects.get()
    assert proposal.department.code == "SCJG" and proposal.due == deadline_after(timezone.localdate(), 10).day
    services.proposal_decide(actor=alice, proposal=proposal, listed=True, note="决定列入")
    selection.object.refresh_from_db()
    assert selection.object.abnormal_list


def test_transfers_are_acknowledged_and_closed_by_the_receiving_department(selection, amy, bob):
    rec = services.record_submit(
        actor=amy, rec=services.record_create(actor=amy, selection=selection), data=COMPLETE
    )
    t = services.transfer_create(
        actor=amy,
        rec=rec,
        kind="department",
        to_department_id=bob.department_id,
        basis="谁主管谁监管",
        content="公共场所卫生许可证过期",
    )
    with pytest.raises(PermissionDenied):
        services.transfer_acknowledge(actor=amy, transfer=t)
    services.transfer_acknowledge(actor=bob, transfer=t)
    t = services.transfer_close(actor=bob, transfer=t, outcome="已责令整改")
    assert t.status == "closed"
    police = services.transfer_create(
        actor=amy, rec=rec, kind="police", to_agency="舞钢市公安局", content="涉嫌销售假冒商品"
    )
    with pytest.raises(RowInvalid, match="回执编号"):
        services.transfer_acknowledge(actor=amy, transfer=police)
    services.transfer_acknowledge(
        actor=amy, transfer=police, receipt_no="舞公受字〔2026〕88号", receipt_date="2026-11-20"
    )


def test_a_check_of_a_market_entity_without_a_trigger_is_refused(amy):
    obj = factories.entity()
    with pytest.raises(RowInvalid, match="第十九条"):
        services.record_create(actor=amy, obj=obj, trigger="日常巡查", trigger_ref="x")
    rec = services.record_create(actor=amy, obj=obj, trigger="投诉举报", trigger_ref="12315-2026-001")
    assert rec.kind == "triggered"


def test_reminders_reach_the_department_once_a_day(selection, amy, rita):
    rec = services.record_submit(
        actor=amy, rec=services.record_create(actor=amy, selection=selection), data=COMPLETE
    )
    type(rec).objects.filter(pk=rec.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=1))
    call_command("send_reminders")
    call_command("send_reminders")
    # Besides the submission's hand-over message (tests/web/test_workbench.py), one reminder, not two.
    [reminder] = Notification.objects.filter(user=rita, key__startswith=f"record:{rec.pk}:")
    assert "已逾期" in reminder.message


def test_the_deadline_command_prints_the_date_or_names_the_missing_year(capsys, db):
    call_command("deadline", "2026-02-10")
    assert capsys.readouterr().out.strip() == "2026-03-16"
    call_command("deadline", "2026-12-10")
    assert capsys.readouterr().out.strip() == "2027-01-08（暂定，待录入 2027 年节假日安排）"
    # An administrator declares 2027 with its New Year's Day holiday; 2026-12-11 … 2027-01-08 holds 20 working days.
    CalendarYear.objects.create(year=2027, declared_by="sam")
    CalendarDay.objects.create(date=datetime.date(2027, 1, 1), is_workday=False, note="元旦")
    call_command("deadline", "2026-12-10", "--days", "20")
    assert capsys.readouterr().out.strip() == "2027-01-08"


def test_attachments_keep_their_hash_and_refuse_the_wrong_type(selection, amy):
    from django.core.files.uploadedfile import SimpleUploadedFile

    rec = services.record_create(actor=amy, selection=selection)
    pdf = SimpleUploadedFile("检查记录.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    att = services.attachment_add(actor=amy, rec=rec, kind="扫描件", upload=pdf)
    import hashlib

    assert att.sha256 == hashlib.sha256(b"%PDF-1.4 test").hexdigest()
    exe = SimpleUploadedFile("x.pdf", b"MZ\x90\x00", content_type="application/pdf")
    with pytest.raises(RowInvalid, match="不符"):
        services.attachment_add(actor=amy, rec=rec, kind="扫描件", upload=exe)
