"""Issue 5 through the pages: record → review → publish, corrections, transfers, proposals, archive, calendar."""

import datetime
import re

import pytest
from django.utils import timezone

from shuangsuiji.accounts.models import Role
from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.inspections import services
from shuangsuiji.inspections.models import (
    CalendarDay,
    CalendarYear,
    InspectionRecord,
    ListingProposal,
    Notification,
    RecordStatus,
    Transfer,
    TransferStatus,
)
from tests import factories
from tests.conftest import login, make_user
from tests.inspections.helpers import drawn_selection

COMPLETE = {
    "methods": ["实地核查"],
    "cert_shown": "1",
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


def form_post(rec, action="save", **overrides):
    """What the record form posts: every field, the team ticked, each item checked and fine."""
    data = {
        "action": action,
        "inspection_date": timezone.localdate().isoformat(),
        "member_ids": [str(i) for i in rec.members.values_list("inspector_id", flat=True)],
        "item_ids": [str(i) for i in rec.item_results.values_list("item_id", flat=True)],
        "note": "",
    }
    for item_id in data["item_ids"]:
        data[f"checked_{item_id}"] = "1"
    data |= COMPLETE
    data |= overrides
    return {k: v for k, v in data.items() if v is not None}


def create_from_selection(client, selection):
    r = client.post(f"/draws/{selection.draw_id}/selections/{selection.pk}/record/")
    rec = InspectionRecord.objects.get(selection=selection)
    assert r.status_code == 302 and r["Location"] == f"/records/{rec.pk}/edit/"
    return rec


def published_record(selection, amy, rita, **data):
    rec = services.record_create(actor=amy, selection=selection)
    rec = services.record_submit(
        actor=amy,
        rec=rec,
        data={
            "methods": ["实地核查"],
            "cert_shown": True,
            "signature": "obtained",
            "categories": ["未发现问题"],
            "measures": ["无需后续处置"],
        }
        | data,
    )
    return services.record_review(actor=rita, rec=rec, approve=True)


def test_a_clerk_records_a_result_and_a_reviewer_publishes_it_through_the_pages(client, selection, amy, rita):
    login(client, amy)
    page = client.get(f"/draws/{selection.draw_id}/").content.decode()
    assert "录入检查结果" in page
    rec = create_from_selection(client, selection)
    page = client.get(f"/records/{rec.pk}/edit/").content.decode()
    assert "发现问题待后续处理" in page and "暂存" in page and "提交审核" in page
    r = client.post(f"/records/{rec.pk}/edit/", form_post(rec, "save", note="现场检查情况良好"))
    assert r.status_code == 302 and r["Location"] == f"/records/{rec.pk}/edit/"
    rec.refresh_from_db()
    assert rec.status == RecordStatus.DRAFT and rec.note == "现场检查情况良好"
    r = client.post(f"/records/{rec.pk}/edit/", form_post(rec, "submit"))
    assert r["Location"] == f"/records/{rec.pk}/"
    rec.refresh_from_db()
    assert rec.status == RecordStatus.SUBMITTED and rec.deadline

    login(client, rita)
    page = client.get("/review/").content.decode()
    assert selection.object.name in page
    r = client.post(f"/records/{rec.pk}/review/", {"decision": "approve", "next": "review"})
    assert r["Location"] == "/review/"
    rec.refresh_from_db()
    assert rec.status == RecordStatus.PUBLISHED
    page = client.get(f"/portal/results/?q={selection.object.code}").content.decode()
    assert "未发现问题" in page and "双随机抽查" in page


def test_a_second_click_on_record_opens_the_existing_record(client, selection, amy):
    login(client, amy)
    rec = create_from_selection(client, selection)
    r = client.post(f"/draws/{selection.draw_id}/selections/{selection.pk}/record/")
    assert r["Location"] == f"/records/{rec.pk}/edit/" and InspectionRecord.objects.count() == 1


def test_submission_errors_are_shown_in_chinese_under_each_field_and_the_draft_is_kept(
    client, selection, amy
):
    login(client, amy)
    rec = create_from_selection(client, selection)
    one = rec.members.values_list("inspector_id", flat=True)[:1]
    post = form_post(
        rec,
        "submit",
        cert_shown=None,
        signature="refused",
        categories=["未发现问题", "已注销"],
        member_ids=[str(i) for i in one],
        note="保留这段说明",
    )
    r = client.post(f"/records/{rec.pk}/edit/", post)
    assert r.status_code == 200
    page = r.content.decode()
    assert "实地核查时执法检查人员不得少于 2 人" in page
    assert "实地核查应主动出示执法证件" in page
    assert "无法取得签字或盖章的，应注明原因" in page
    assert "“未发现问题”不能与其他检查结果同时选择" in page
    assert page.count('class="err"') >= 4 and "has-error" in page
    assert "('" not in page  # each message under its field, no raw structures
    rec.refresh_from_db()
    assert rec.status == RecordStatus.DRAFT and rec.note == "保留这段说明"


def test_an_unchecked_item_with_a_problem_is_refused_under_the_item_results(client, selection, amy):
    login(client, amy)
    rec = create_from_selection(client, selection)
    item_id = rec.item_results.get().item_id
    post = form_post(rec, "submit", **{f"checked_{item_id}": None, f"problem_{item_id}": "1"})
    page = client.post(f"/records/{rec.pk}/edit/", post).content.decode()
    assert "未检查的事项不能标记发现问题" in page
    assert "有事项发现问题，检查结果不能为“未发现问题”" in page
    rec.item_results.get().refresh_from_db()
    assert rec.item_results.get().problem_found and not rec.item_results.get().checked


def test_a_bad_date_is_refused_with_a_message_and_the_rest_is_saved(client, selection, amy):
    login(client, amy)
    rec = create_from_selection(client, selection)
    r = client.post(
        f"/records/{rec.pk}/edit/", form_post(rec, "save", inspection_date="2026-13-40", note="其余")
    )
    assert r.status_code == 200 and "不是有效日期" in r.content.decode()
    rec.refresh_from_db()
    assert rec.note == "其余" and rec.inspection_date == timezone.localdate()


def test_a_future_inspection_date_is_refused_at_submission(client, selection, amy):
    login(client, amy)
    rec = create_from_selection(client, selection)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    r = client.post(f"/records/{rec.pk}/edit/", form_post(rec, "submit", inspection_date=tomorrow))
    assert "检查日期不能晚于今天" in r.content.decode()


def test_a_reviewer_returns_a_record_with_a_comment_and_the_clerk_sees_it(client, selection, amy, rita):
    login(client, amy)
    rec = create_from_selection(client, selection)
    client.post(f"/records/{rec.pk}/edit/", form_post(rec, "submit"))
    login(client, rita)
    r = client.post(f"/records/{rec.pk}/review/", {"decision": "return", "comment": ""})
    rec.refresh_from_db()
    assert rec.status == RecordStatus.SUBMITTED
    messages = [str(m) for m in r.wsgi_request._messages]
    assert any("退回时请写明需要修改的内容" in m for m in messages)
    client.post(f"/records/{rec.pk}/review/", {"decision": "return", "comment": "请补充检查情况"})
    rec.refresh_from_db()
    assert rec.status == RecordStatus.RETURNED
    login(client, amy)
    assert "请补充检查情况" in client.get(f"/records/{rec.pk}/edit/").content.decode()


def test_a_correction_opens_a_new_draft_version_linked_to_the_old(client, selection, amy, rita):
    rec = published_record(selection, amy, rita)
    login(client, amy)
    r = client.post(f"/records/{rec.pk}/correct/", {"reason": ""})
    assert InspectionRecord.objects.count() == 1
    r = client.post(f"/records/{rec.pk}/correct/", {"reason": "检查日期录入有误"})
    new = InspectionRecord.objects.get(corrects=rec)
    assert r["Location"] == f"/records/{new.pk}/edit/" and new.version == 2
    page = client.get(f"/records/{new.pk}/").content.decode()
    assert f'href="/records/{rec.pk}/"' in page and "检查日期录入有误" in page


def test_a_submitted_record_cannot_be_edited_through_the_form(client, selection, amy):
    login(client, amy)
    rec = create_from_selection(client, selection)
    client.post(f"/records/{rec.pk}/edit/", form_post(rec, "submit"))
    r = client.post(f"/records/{rec.pk}/edit/", form_post(rec, "save", note="改"))
    assert r["Location"] == f"/records/{rec.pk}/"
    rec.refresh_from_db()
    assert rec.note == "" and rec.status == RecordStatus.SUBMITTED


def test_attachments_upload_with_their_hash_and_wrong_types_are_refused(client, selection, amy):
    login(client, amy)
    rec = create_from_selection(client, selection)
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = SimpleUploadedFile("记录表.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    client.post(f"/records/{rec.pk}/attachments/", {"kind": "扫描件", "file": pdf})
    att = rec.attachments.get()
    page = client.get(f"/records/{rec.pk}/").content.decode()
    assert att.sha256 in page and len(att.sha256) == 64
    assert client.get(f"/records/{rec.pk}/attachments/{att.pk}/").status_code == 200
    exe = SimpleUploadedFile("x.exe", b"MZ", content_type="application/x-msdownload")
    r = client.post(f"/records/{rec.pk}/attachments/", {"file": exe}, follow=True)
    assert "只接受 PDF、JPEG、PNG 文件" in r.content.decode() and rec.attachments.count() == 1


def test_a_triggered_check_is_recorded_with_its_trigger_and_refused_without_one(client, amy):
    obj = factories.entity(name="舞钢市被投诉公司")
    item = factories.item("SCJG", name="企业公示信息检查")
    login(client, amy)
    r = client.post("/records/new/", {"code": obj.code, "trigger": "", "trigger_ref": "TS-1"})
    assert "对市场主体的检查均应通过双随机抽查进行" in r.content.decode()
    r = client.post("/records/new/", {"code": "NOSUCHCODE", "trigger": "投诉举报", "trigger_ref": "TS-1"})
    assert "未找到统一社会信用代码" in r.content.decode()
    r = client.post(
        "/records/new/",
        {"code": obj.code, "trigger": "投诉举报", "trigger_ref": "12315-2026-1", "items": [item.pk]},
    )
    rec = InspectionRecord.objects.get()
    assert r["Location"] == f"/records/{rec.pk}/edit/"
    assert rec.trigger == "投诉举报" and rec.item_results.get().item == item
    page = client.get(f"/records/{rec.pk}/edit/").content.decode()
    assert "非随机检查" in page and "12315-2026-1" in page


def test_the_list_shows_due_soon_and_overdue_tabs(client, selection, amy):
    rec = services.record_create(actor=amy, selection=selection)
    rec = services.record_submit(
        actor=amy,
        rec=rec,
        data={
            "methods": ["实地核查"],
            "cert_shown": True,
            "signature": "obtained",
            "categories": ["未发现问题"],
            "measures": ["无需后续处置"],
        },
    )
    login(client, amy)
    InspectionRecord.objects.filter(pk=rec.pk).update(
        deadline=timezone.localdate() - datetime.timedelta(days=1)
    )
    page = client.get("/records/?tab=overdue").content.decode()
    assert "已逾期（1）" in page and selection.object.name in page
    assert selection.object.name not in client.get("/records/?tab=due").content.decode()
    InspectionRecord.objects.filter(pk=rec.pk).update(
        deadline=timezone.localdate() + datetime.timedelta(days=2)
    )
    page = client.get("/records/?tab=due").content.decode()
    assert "5个工作日内到期（1）" in page and selection.object.name in page
    assert client.get("/records/?status=published").content.decode().count(selection.object.name) == 0


def test_a_transfer_is_sent_acknowledged_and_closed_by_the_receiving_department(
    client, selection, amy, rita, bob, wjw
):
    rec = published_record(
        selection,
        amy,
        rita,
        categories=["违反其他部门相关规定"],
        measures=["责令改正并跟踪"],
        item_results=[
            {"item_id": i, "problem_found": True}
            for i in selection.draw.scheme.items.values_list("item_id", flat=True)
        ],
    )
    login(client, amy)
    r = client.post(
        f"/records/{rec.pk}/transfers/", {"kind": "department", "content": "卫生问题"}, follow=True
    )
    assert "请选择接收部门" in r.content.decode()
    client.post(
        f"/records/{rec.pk}/transfers/",
        {
            "kind": "department",
            "to_department": wjw.pk,
            "basis": "谁主管谁监管",
            "content": "公共场所卫生问题",
        },
    )
    t = Transfer.objects.get()
    assert t.basis == "谁主管谁监管"
    login(client, bob)
    page = client.get("/transfers/").content.decode()
    assert "移交本部门" in page and selection.object.name in page
    assert client.get(f"/records/{rec.pk}/").status_code == 404  # the record stays with SCJG
    client.post(f"/transfers/{t.pk}/acknowledge/")
    client.post(f"/transfers/{t.pk}/close/", {"outcome": "已责令整改"})
    t.refresh_from_db()
    assert t.status == TransferStatus.CLOSED and t.outcome == "已责令整改"


def test_overdue_transfers_are_highlighted(client, selection, amy, rita, wjw):
    rec = published_record(selection, amy, rita)
    t = services.transfer_create(actor=amy, rec=rec, kind="department", content="x", to_department_id=wjw.pk)
    Transfer.objects.filter(pk=t.pk).update(due=timezone.localdate() - datetime.timedelta(days=1))
    login(client, amy)
    assert "已逾期" in client.get("/transfers/").content.decode()
    assert "已逾期的后续处置" in client.get("/records/").content.decode()


def test_many_overdue_transfers_are_named_ten_at_a_time_and_the_lists_go_page_by_page(
    client, selection, amy, rita, bob, wjw
):
    """At a city's scale (thousands of transfers) the record list names the ten earliest overdue ones and links to
    all of them; the transfer list shows each part fifty at a time, each part with its own page number."""
    rec = published_record(selection, amy, rita)
    t = services.transfer_create(actor=amy, rec=rec, kind="department", content="x", to_department_id=wjw.pk)
    today = timezone.localdate()
    copies = []
    for n in range(59):
        copy = Transfer.objects.get(pk=t.pk)
        copy.pk = None
        copy.due = today - datetime.timedelta(days=n + 1) if n < 54 else today + datetime.timedelta(days=5)
        copies.append(copy)
    Transfer.objects.bulk_create(copies)
    Transfer.objects.filter(pk=t.pk).update(due=today - datetime.timedelta(days=100))  # 55 overdue, 5 not
    login(client, amy)
    page = client.get("/records/").content.decode()
    assert "已逾期的后续处置（55 件，以下为办理期限最早的 10 件" in page
    box = page.split('id="overdue-transfers"', 1)[1]
    assert len(re.findall(r'<a href="/transfers/\d+/">', box)) == 10
    assert "/transfers/?overdue=1" in box
    assert f'<a href="/transfers/{t.pk}/">' in box  # the earliest due first
    first = client.get("/transfers/", {"overdue": "1"}).content.decode()
    assert "本部门移出" in first and "共 55 条，第 1 / 2 页" in first
    # the longest overdue first, as the record list names them
    assert re.search(r'<tr class="overdue"[^>]*>\s*<td><a href="/transfers/(\d+)/">', first).group(1) == str(
        t.pk
    )
    assert first.count('<tr class="overdue"') == 50 and "page_out=2" in first
    second = client.get("/transfers/", {"overdue": "1", "page_out": "2"}).content.decode()
    assert second.count('<tr class="overdue"') == 5
    every = client.get("/transfers/").content.decode()
    assert "共 60 条" in every
    login(client, bob)
    received = client.get("/transfers/", {"page_in": "2"}).content.decode()
    assert "移交本部门" in received and "共 60 条，第 2 / 2 页" in received and "page_in=1" in received
    assert client.get("/transfers/", {"page_in": "x", "page_out": "-3"}).status_code == 200


def test_the_registering_department_decides_a_listing_proposal(client, selection, amy, rita, alice):
    rec = published_record(
        selection,
        amy,
        rita,
        categories=["通过登记的住所（经营场所）无法联系"],
        measures=["责令改正并跟踪"],
        item_results=[
            {"item_id": i, "problem_found": True}
            for i in selection.draw.scheme.items.values_list("item_id", flat=True)
        ],
    )
    proposal = ListingProposal.objects.get(record=rec)
    login(client, amy)
    assert client.post(f"/proposals/{proposal.pk}/decide/", {"decision": "listed"}).status_code == 403
    login(client, alice)
    page = client.get("/proposals/").content.decode()
    assert "通过登记的住所（经营场所）无法联系" in page and "列入" in page
    client.post(f"/proposals/{proposal.pk}/decide/", {"decision": "listed", "note": "经核实"})
    proposal.refresh_from_db()
    proposal.object.refresh_from_db()
    assert proposal.status == "listed" and proposal.object.abnormal_list


def test_the_credit_archive_lists_checks_results_and_is_linked_from_the_object(
    client, selection, amy, rita, bob
):
    published_record(selection, amy, rita)
    obj = selection.object
    login(client, amy)
    assert f"/objects/{obj.pk}/archive/" in client.get(f"/objects/{obj.pk}/").content.decode()
    page = client.get(f"/objects/{obj.pk}/archive/").content.decode()
    assert "未发现问题" in page and "已审核公示" in page
    draft_obj = factories.entity(name="草稿对象公司")
    services.record_create(actor=amy, obj=draft_obj, trigger="投诉举报", trigger_ref="T-9")
    login(client, bob)
    page = client.get(f"/objects/{obj.pk}/archive/").content.decode()
    assert "未发现问题" in page and "/records/" not in page.split("<main>")[1]
    assert "暂存" not in client.get(f"/objects/{draft_obj.pk}/archive/").content.decode()


def test_another_department_gets_404_on_every_record_and_transfer_page(
    client, selection, amy, rita, bob, wjw
):
    rec = published_record(selection, amy, rita)
    att_rec = services.record_create(actor=amy, obj=factories.entity(), trigger="数据监测", trigger_ref="M-1")
    t = services.transfer_create(
        actor=amy, rec=rec, kind="police", content="涉嫌犯罪", to_agency="舞钢市公安局"
    )
    login(client, bob)
    for url in [
        f"/records/{rec.pk}/",
        f"/records/{att_rec.pk}/edit/",
        f"/transfers/{t.pk}/",
    ]:
        assert client.get(url).status_code == 404, url
    for url in [
        f"/records/{att_rec.pk}/edit/",
        f"/records/{rec.pk}/review/",
        f"/records/{rec.pk}/correct/",
        f"/records/{rec.pk}/transfers/",
        f"/records/{att_rec.pk}/attachments/",
        f"/transfers/{t.pk}/acknowledge/",
        f"/transfers/{t.pk}/close/",
    ]:
        assert (
            client.post(
                url, {"reason": "x", "comment": "x", "content": "x", "kind": "department"}
            ).status_code
            == 404
        ), url
    assert selection.object.name not in client.get("/records/").content.decode()
    assert selection.object.name not in client.get("/transfers/").content.decode()
    assert client.post(f"/draws/{selection.draw_id}/selections/{selection.pk}/record/").status_code == 404


def test_get_never_changes_state(client, selection, amy, rita, alice, sam):
    rec = published_record(selection, amy, rita)
    login(client, amy)
    before = (
        AuditEvent.objects.exclude(action__startswith="auth.").count(),
        InspectionRecord.objects.count(),
        Transfer.objects.count(),
    )
    urls = [
        f"/draws/{selection.draw_id}/selections/{selection.pk}/record/",
        f"/records/{rec.pk}/review/",
        f"/records/{rec.pk}/correct/",
        f"/records/{rec.pk}/transfers/",
        f"/records/{rec.pk}/attachments/",
        "/transfers/1/acknowledge/",
        "/transfers/1/close/",
        "/proposals/1/decide/",
        "/calendar/days/",
        "/calendar/years/",
        "/calendar/days/1/remove/",
        "/notifications/read/",
    ]
    for url in urls:
        assert client.get(url + "?reason=x&decision=approve").status_code == 405, url
    for user in (amy, rita, alice, sam):
        login(client, user)
        for url in ["/records/", f"/records/{rec.pk}/", "/transfers/", "/proposals/", "/notifications/"]:
            client.get(url)
    assert (
        AuditEvent.objects.exclude(action__startswith="auth.").count(),
        InspectionRecord.objects.count(),
        Transfer.objects.count(),
    ) == before
    rec.refresh_from_db()
    assert rec.status == RecordStatus.PUBLISHED


def test_only_reviewers_see_the_review_queue_and_only_clerks_the_form(client, selection, amy, rita):
    login(client, amy)
    assert client.get("/review/").status_code == 403
    rec = create_from_selection(client, selection)
    login(client, rita)
    assert client.get(f"/records/{rec.pk}/edit/").status_code == 403
    assert 'href="/review/"' in client.get("/records/").content.decode()


def test_every_record_page_requires_login(client, selection, amy):
    rec = services.record_create(actor=amy, selection=selection)
    for url in [
        "/records/",
        f"/records/{rec.pk}/",
        f"/records/{rec.pk}/edit/",
        "/review/",
        "/transfers/",
        "/proposals/",
        "/calendar/",
        "/notifications/",
        "/records/new/",
    ]:
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/login/"), url


def test_the_sysadmin_maintains_the_holiday_calendar_with_audit(client, sam, alice):
    login(client, alice)
    assert client.get("/calendar/").status_code == 403
    assert client.post("/calendar/years/", {"year": "2027"}).status_code == 403
    login(client, sam)
    assert "节假日" in client.get("/").content.decode()
    r = client.get("/calendar/?start=2026-12-10").content.decode()
    assert '<b id="computed">2027-01-08（暂定，待录入 2027 年节假日安排）</b>' in r
    client.post("/calendar/days/", {"date": "2027-01-01", "is_workday": "0", "note": "元旦"})
    client.post("/calendar/years/", {"year": "2027", "reason": "测试只录入元旦"})
    assert CalendarYear.objects.get(year=2027).incomplete_reason == "测试只录入元旦"
    day = CalendarDay.objects.get(date=datetime.date(2027, 1, 1))
    assert not day.is_workday
    assert '<b id="computed">2027-01-08</b>' in client.get("/calendar/?start=2026-12-10").content.decode()
    r = client.post("/calendar/years/", {"year": "abc"}, follow=True)
    assert "不是有效年度" in r.content.decode()
    client.post(f"/calendar/days/{day.pk}/remove/")
    assert not CalendarDay.objects.exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"calendar.year_declare", "calendar.day_set", "calendar.day_remove"} <= actions


def test_the_header_counts_unread_notifications_and_they_can_be_marked_read(client, amy):
    Notification.objects.create(user=amy, message="【即将到期】某公司", key="k1", link="/records/")
    Notification.objects.create(user=amy, message="【已逾期】某公司", key="k2")
    login(client, amy)
    assert "消息（2）" in client.get("/").content.decode()
    n = Notification.objects.get(key="k1")
    client.post("/notifications/read/", {"id": n.pk})
    assert "消息（1）" in client.get("/notifications/").content.decode()
    client.post("/notifications/read/")
    page = client.get("/notifications/").content.decode()
    assert not re.search(r"消息（\d+）", page) and "【已逾期】某公司" in page


def test_a_participating_department_sees_the_record_button_but_a_reviewer_does_not(client, selection, rita):
    login(client, rita)
    assert "录入检查结果" not in client.get(f"/draws/{selection.draw_id}/").content.decode()
    clerk = make_user("carl", Role.CLERK, "SCJG")
    login(client, clerk)
    assert "录入检查结果" in client.get(f"/draws/{selection.draw_id}/").content.decode()


def test_a_draft_keeps_its_not_public_reason_and_approval_withholds_the_result(client, selection, amy, rita):
    login(client, amy)
    rec = create_from_selection(client, selection)
    client.post(f"/records/{rec.pk}/edit/", form_post(rec, "save", withhold_reason="涉及国家秘密"))
    rec.refresh_from_db()
    assert rec.withhold_requested and rec.withhold_reason == "涉及国家秘密"
    client.post(f"/records/{rec.pk}/edit/", form_post(rec, "submit", withhold_reason="涉及国家秘密"))
    login(client, rita)
    assert "申请不宜公开" in client.get("/review/").content.decode()
    client.post(f"/records/{rec.pk}/review/", {"decision": "approve"})
    rec.refresh_from_db()
    assert rec.status == RecordStatus.WITHHELD
    assert "未查询到" in client.get("/portal/results/", {"q": selection.object.code}).content.decode()
