"""Issue 17 (7), art. 14 and 20: deadlines that cannot be gamed. The result date, from which the 20 working days run,
is not in the future, not before the inspection, and later than the inspection day only with a reason and the
document that formed the result; a draft left open after the inspection window is overdue."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import load_workbook

from shuangsuiji.accountability import selectors as accountability
from shuangsuiji.directory.rows import RowInvalid
from shuangsuiji.inspections import selectors, services
from shuangsuiji.inspections.calendar import deadline_after
from shuangsuiji.inspections.models import Notification, RecordStatus
from shuangsuiji.planning.models import TaskScheme
from tests.api.conftest import ApiClient
from tests.conftest import login
from tests.inspections.helpers import drawn_selection

# drawn_selection's window runs from 2026-11-17 to 2026-12-07 around this day.
pytestmark = pytest.mark.today("2026-11-27")

COMPLETE = {
    "methods": ["实地核查"],
    "cert_shown": True,
    "signature": "obtained",
    "categories": ["未发现问题"],
    "measures": ["无需后续处置"],
}
INSPECTED = datetime.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def selection(alice):
    return drawn_selection(alice)


@pytest.fixture
def draft(selection, amy):
    return services.record_create(actor=amy, selection=selection, data={"inspection_date": INSPECTED})


def lab_report(name="检测报告.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 lab report", content_type="application/pdf")


def refusals(exc) -> list[tuple[str, str]]:
    return list(exc.value.errors)


def fields(exc) -> set[str]:
    return {field for field, _ in exc.value.errors}


# --- (a) the result date ------------------------------------------------------------------------------------------


def test_a_result_date_after_today_is_refused_naming_the_field(draft, amy):
    # Issue 17: inspected, result dated months ahead, deadline pushed out with it.
    with pytest.raises(RowInvalid) as e:
        services.record_submit(actor=amy, rec=draft, data=COMPLETE | {"result_date": "2027-03-01"})
    assert (
        "结果产生日期",
        "结果产生日期 2027-03-01 晚于今天 2026-11-27；结果尚未产生的，请在产生后再填写",
    ) in (refusals(e))
    draft.refresh_from_db()
    assert draft.status == RecordStatus.DRAFT and draft.deadline is None


def test_a_result_date_before_the_inspection_is_refused(draft, amy):
    with pytest.raises(RowInvalid) as e:
        services.record_submit(actor=amy, rec=draft, data=COMPLETE | {"result_date": "2026-11-19"})
    assert ("结果产生日期", "结果产生日期 2026-11-19 早于检查日期 2026-11-20") in refusals(e)


def test_a_result_on_the_inspection_day_needs_nothing_more(draft, amy):
    rec = services.record_submit(actor=amy, rec=draft, data=COMPLETE | {"result_date": "2026-11-20"})
    assert rec.status == RecordStatus.SUBMITTED and rec.deadline == deadline_after(INSPECTED).day


def test_a_later_result_needs_a_reason_and_the_lab_report_attached(draft, amy):
    later = COMPLETE | {"result_date": "2026-11-26"}
    with pytest.raises(RowInvalid) as e:
        services.record_submit(actor=amy, rec=draft, data=later)
    assert {"结果晚于检查日期的理由", "结果依据附件"} <= fields(e)

    with pytest.raises(RowInvalid) as e:
        services.record_submit(actor=amy, rec=draft, data=later | {"late_result_reason": "等待检验检测报告"})
    assert fields(e) == {"结果依据附件"}

    services.attachment_add(actor=amy, rec=draft, kind="扫描件", upload=lab_report("记录表.pdf"))
    with pytest.raises(RowInvalid, match="附件类型选“检测报告”或“专家意见”"):
        services.record_submit(actor=amy, rec=draft, data=later | {"late_result_reason": "等待检验检测报告"})

    services.attachment_add(actor=amy, rec=draft, kind="检测报告", upload=lab_report())
    rec = services.record_submit(
        actor=amy, rec=draft, data=later | {"late_result_reason": "等待检验检测报告"}
    )
    assert rec.status == RecordStatus.SUBMITTED
    assert rec.deadline == deadline_after(datetime.date(2026, 11, 26)).day
    assert rec.late_result_reason == "等待检验检测报告"


def test_a_correction_keeps_the_document_attached_to_the_version_it_corrects(draft, amy, rita):
    services.attachment_add(actor=amy, rec=draft, kind="专家意见", upload=lab_report("专家意见.pdf"))
    rec = services.record_submit(
        actor=amy, rec=draft, data=COMPLETE | {"result_date": "2026-11-25", "late_result_reason": "专家论证"}
    )
    rec = services.record_review(actor=rita, rec=rec, approve=True)
    new = services.record_correct(actor=amy, rec=rec, reason="更正检查情况")
    assert services.record_submit(actor=amy, rec=new, data={"note": "更正"}).status == RecordStatus.SUBMITTED


def test_the_api_refuses_a_future_result_date_and_takes_the_reason_and_the_report(draft, amy):
    api = ApiClient(amy)
    r = api.post(f"/records/{draft.pk}/submit", COMPLETE | {"result_date": "2026-11-28"})
    assert r.status_code == 422
    assert {
        "field": "结果产生日期",
        "reason": "结果产生日期 2026-11-28 晚于今天 2026-11-27；结果尚未产生的，请在产生后再填写",
    }.items() <= r.json()["errors"][0].items()

    late = COMPLETE | {"result_date": "2026-11-26", "late_result_reason": "等待检验检测报告"}
    r = api.post(f"/records/{draft.pk}/submit", late)
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["结果依据附件"]
    r = api.client.post(
        f"/api/v1/records/{draft.pk}/attachments",
        {"file": lab_report(), "kind": "检测报告"},
        headers=api.headers,
    )
    assert r.status_code == 201, r.content.decode()
    r = api.post(f"/records/{draft.pk}/submit", late)
    assert r.status_code == 200, r.content.decode()
    assert r.json()["late_result_reason"] == "等待检验检测报告" and r.json()["result_date"] == "2026-11-26"


def test_the_form_shows_the_refusal_under_the_result_date_and_keeps_the_draft(client, draft, amy):
    login(client, amy)
    post = {
        "action": "submit",
        "inspection_date": "2026-11-20",
        "result_date": "2026-11-26",
        "note": "已抽样送检",
        "member_ids": [str(i) for i in draft.members.values_list("inspector_id", flat=True)],
        "item_ids": [str(i) for i in draft.item_results.values_list("item_id", flat=True)],
        "methods": ["实地核查"],
        "cert_shown": "1",
        "signature": "obtained",
        "categories": ["未发现问题"],
        "measures": ["无需后续处置"],
    }
    page = client.post(f"/records/{draft.pk}/edit/", post).content.decode()
    assert 'name="late_result_reason"' in page
    result_field = page[page.index('id="id_result_date"') : page.index('id="id_withhold_reason"')]
    assert "请写明理由（如检验检测报告、专家意见）" in result_field and "请上传作为依据的文件" in result_field
    draft.refresh_from_db()
    assert draft.status == RecordStatus.DRAFT and draft.note == "已抽样送检"


# --- (b) a draft after the window ---------------------------------------------------------------------------------


def close_window(selection, day: str = "2026-11-26") -> None:
    TaskScheme.objects.filter(pk=selection.draw.scheme_id).update(window_end=datetime.date.fromisoformat(day))


def test_a_draft_is_overdue_once_its_window_has_closed(selection, draft, amy, rita):
    assert list(selectors.drafts_overdue(type(draft).objects.all())) == []  # the window is open
    close_window(selection)
    assert list(selectors.drafts_overdue(type(draft).objects.all())) == [draft]
    services.record_submit(actor=amy, rec=draft, data=COMPLETE)
    assert list(selectors.drafts_overdue(type(draft).objects.all())) == []


def test_a_corrections_draft_is_not_overdue(selection, draft, amy, rita):
    rec = services.record_review(
        actor=rita, rec=services.record_submit(actor=amy, rec=draft, data=COMPLETE), approve=True
    )
    services.record_correct(actor=amy, rec=rec, reason="更正")
    close_window(selection)
    assert list(selectors.drafts_overdue(type(draft).objects.all())) == []


def test_the_reminders_name_an_overdue_draft_with_the_day_its_window_closed(selection, draft, amy, rita, bob):
    close_window(selection)
    call_command("send_reminders")
    call_command("send_reminders")
    note = Notification.objects.get(user=amy)
    assert note.message.startswith("【草稿逾期（检查期已于 2026-11-26 结束）】")
    assert selection.object.name in note.message and note.link == f"/records/{draft.pk}/"
    assert Notification.objects.filter(user=rita).count() == 1  # once a day
    assert not Notification.objects.filter(user=bob).exists()  # not WJW's record


def test_the_accountability_report_shows_the_draft_as_overdue(client, selection, draft, alice, scjg):
    close_window(selection)
    flagged = accountability.objects_not_inspected(scjg, 2026, datetime.date(2026, 11, 27))
    assert [s.draft for s in flagged if s.draft] == [draft]
    login(client, alice)
    label = f"草稿逾期（检查期已于 2026-11-26 结束）：检查记录 {draft.pk} 仍为暂存，未提交检查结果"
    page = client.get("/accountability/", {"year": 2026}).content.decode()
    assert label in page and f'href="/records/{draft.pk}/"' in page
    sheet = load_workbook(
        io.BytesIO(client.get("/accountability/report.xlsx", {"year": 2026}).content)
    ).active
    assert label in [row[4] for row in sheet.iter_rows(values_only=True)]


def test_the_record_list_has_a_tab_for_drafts_past_their_window(client, selection, draft, amy):
    close_window(selection)
    login(client, amy)
    page = client.get("/records/?tab=drafts").content.decode()
    assert "检查期已结束仍为暂存（1）" in page and "草稿逾期（检查期已于 2026-11-26 结束）" in page
