"""The walk record → 暂存 → submit → review → public search, corrections and attachments, through /api/v1 only."""

import datetime
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.inspections.calendar import deadline_after
from shuangsuiji.inspections.models import InspectionRecord
from tests import factories
from tests.inspections.helpers import drawn_selection

from .conftest import ApiClient

COMPLETE = {
    "methods": ["实地核查"],
    "cert_shown": True,
    "signature": "obtained",
    "categories": ["未发现问题"],
    "measures": ["无需后续处置"],
}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


def ok(response, status=200) -> dict:
    assert response.status_code == status, response.content.decode()[:2000]
    return response.json()


@pytest.fixture
def selection(alice):
    return drawn_selection(alice)


def create_url(selection) -> str:
    return f"/draws/{selection.draw_id}/selections/{selection.pk}/record"


def test_a_record_walks_from_draft_to_the_public_search(selection, amy, rita):
    clerk, reviewer, public = ApiClient(amy), ApiClient(rita), ApiClient()
    rec = ok(clerk.post(create_url(selection), {"note": "现场检查"}), 201)
    assert rec["status"] == "draft" and rec["editable"] and rec["kind"] == "random"
    assert rec["object"]["code"] == selection.object.code and rec["department"]["code"] == "SCJG"
    assert rec["methods"] == ["实地核查"] and rec["draw_id"] and len(rec["members"]) == 2
    assert all(set(m) == {"inspector_id", "name", "department", "cert_no"} for m in rec["members"])
    [item] = rec["item_results"]
    assert item["name"] == "特种设备使用单位检查" and item["checked"] and not item["problem_found"]

    rec = ok(clerk.patch(f"/records/{rec['id']}", {"witness": "赵见证"}))
    assert rec["status"] == "draft" and rec["note"] == "现场检查" and rec["witness"] == "赵见证"

    rec = ok(clerk.post(f"/records/{rec['id']}/submit", COMPLETE))
    assert rec["status"] == "submitted" and not rec["editable"]
    deadline = deadline_after(datetime.date.fromisoformat(rec["inspection_date"]))
    assert rec["deadline"] == deadline.day.isoformat()
    assert rec["deadline_provisional"] == deadline.provisional

    assert ok(public.get("/public/results", q=selection.object.code))["count"] == 0
    rec = ok(reviewer.post(f"/records/{rec['id']}/review", {"approve": True}))
    assert rec["status"] == "published" and rec["published_at"] and rec["reviewed_by"] == "Rita"

    page = ok(public.get("/public/results", q=selection.object.code))
    assert page["count"] == 1 and page["page"] == 1 and page["page_size"] == 50
    [found] = page["results"]
    assert found == {
        "object_name": selection.object.name,
        "object_code": selection.object.code,
        "department": "舞钢市市场监督管理局",
        "kind": "双随机抽查",
        "inspection_date": rec["inspection_date"],
        "results": ["未发现问题"],
        "items": [{"item": "特种设备使用单位检查", "checked": True, "problem_found": False, "disposal": ""}],
    }
    by_name = ok(public.get("/public/results", q=selection.object.name[2:8]))
    assert [r["object_code"] for r in by_name["results"]] == [selection.object.code]

    actions = list(AuditEvent.objects.filter(action__startswith="record.").values_list("action", flat=True))
    assert {"record.create", "record.save_draft", "record.submit", "record.publish"} <= set(actions)


def test_a_returned_record_is_edited_and_submitted_again(selection, amy, rita):
    clerk, reviewer = ApiClient(amy), ApiClient(rita)
    rec = ok(clerk.post(create_url(selection)), 201)
    ok(clerk.post(f"/records/{rec['id']}/submit", COMPLETE))
    returned = ok(
        reviewer.post(f"/records/{rec['id']}/review", {"approve": False, "comment": "请补充见证人"})
    )
    assert returned["status"] == "returned" and returned["review_comment"] == "请补充见证人"
    ok(clerk.patch(f"/records/{rec['id']}", {"witness": "钱见证"}))
    assert ok(clerk.post(f"/records/{rec['id']}/submit"))["status"] == "submitted"


def test_a_correction_is_a_new_version_that_replaces_the_published_one_when_approved(selection, amy, rita):
    clerk, reviewer = ApiClient(amy), ApiClient(rita)
    rec = ok(clerk.post(create_url(selection), COMPLETE), 201)
    ok(clerk.post(f"/records/{rec['id']}/submit"))
    ok(reviewer.post(f"/records/{rec['id']}/review", {"approve": True}))

    new = ok(clerk.post(f"/records/{rec['id']}/correct", {"reason": "检查日期录入错误"}), 201)
    assert new["version"] == 2 and new["status"] == "draft" and new["corrects"] == rec["id"]
    assert [(v["version"], v["status"]) for v in new["versions"]] == [(1, "published"), (2, "draft")]
    assert new["versions"][1]["correction_reason"] == "检查日期录入错误"
    ok(clerk.post(f"/records/{new['id']}/submit"))
    ok(reviewer.post(f"/records/{new['id']}/review", {"approve": True}))

    old = ok(clerk.get(f"/records/{rec['id']}"))
    assert old["status"] == "superseded"
    assert [v["id"] for v in old["versions"]] == [rec["id"], new["id"]]
    found = ok(ApiClient().get("/public/results", q=selection.object.code))
    assert found["count"] == 1


def test_an_attachment_is_stored_with_its_hash_and_listed_on_the_record(selection, amy):
    clerk = ApiClient(amy)
    rec = ok(clerk.post(create_url(selection)), 201)
    upload = SimpleUploadedFile("现场照片.png", PNG, content_type="image/png")
    r = clerk.client.post(f"/api/v1/records/{rec['id']}/attachments", {"file": upload, "kind": "照片"})
    att = ok(r, 201)
    assert att["sha256"] == hashlib.sha256(PNG).hexdigest() and att["size"] == len(PNG)
    assert (
        att["kind"] == "照片"
        and att["original_name"] == "现场照片.png"
        and att["content_type"] == "image/png"
    )
    assert ok(clerk.get(f"/records/{rec['id']}"))["attachments"] == [att]


def test_it_refuses_an_attachment_of_the_wrong_type_with_422(selection, amy):
    clerk = ApiClient(amy)
    rec = ok(clerk.post(create_url(selection)), 201)
    upload = SimpleUploadedFile("a.exe", b"MZ" + b"\x00" * 10, content_type="application/octet-stream")
    body = ok(clerk.client.post(f"/api/v1/records/{rec['id']}/attachments", {"file": upload}), 422)
    assert body["errors"] == [
        {"field": "附件", "reason": "只接受 PDF、JPEG、PNG 文件（收到 application/octet-stream）"}
    ]
    fake = SimpleUploadedFile("a.png", b"not a png", content_type="image/png")
    body = ok(clerk.client.post(f"/api/v1/records/{rec['id']}/attachments", {"file": fake}), 422)
    assert body["errors"] == [{"field": "附件", "reason": "文件内容与类型不符"}]


def test_a_triggered_check_is_recorded_with_its_trigger_and_reference(amy, rita):
    entity = factories.entity(name="舞钢市投诉对象商行")
    item = factories.item("SCJG", name="产品质量监督检查")
    inspectors = [factories.inspector("SCJG") for _ in range(2)]
    clerk = ApiClient(amy)
    rec = ok(
        clerk.post(
            "/records",
            {
                "object_code": entity.code,
                "trigger": "投诉举报",
                "trigger_ref": "12315-2026-0042",
                "item_ids": [item.pk],
                "member_ids": [i.pk for i in inspectors],
                **COMPLETE,
            },
        ),
        201,
    )
    assert (
        rec["kind"] == "triggered"
        and rec["trigger"] == "投诉举报"
        and rec["trigger_ref"] == "12315-2026-0042"
    )
    assert [r["item_id"] for r in rec["item_results"]] == [item.pk] and len(rec["members"]) == 2
    ok(clerk.post(f"/records/{rec['id']}/submit"))
    ok(ApiClient(rita).post(f"/records/{rec['id']}/review", {"approve": True}))
    [found] = ok(ApiClient().get("/public/results", q="投诉对象"))["results"]
    assert found["kind"] == "非随机检查（投诉举报/转办交办/数据监测）"


def test_lists_filter_by_status_kind_and_due(selection, amy):
    clerk = ApiClient(amy)
    rec = ok(clerk.post(create_url(selection), COMPLETE), 201)
    assert ok(clerk.get("/records", status="draft"))["count"] == 1
    assert ok(clerk.get("/records", status="submitted"))["count"] == 0
    assert ok(clerk.get("/records", kind="triggered"))["count"] == 0
    ok(clerk.post(f"/records/{rec['id']}/submit"))
    assert ok(clerk.get("/records", due="overdue"))["count"] == 0
    today = timezone.localdate()
    InspectionRecord.objects.filter(pk=rec["id"]).update(deadline=today + datetime.timedelta(days=1))
    assert [r["id"] for r in ok(clerk.get("/records", due="soon"))["results"]] == [rec["id"]]
    InspectionRecord.objects.filter(pk=rec["id"]).update(deadline=today - datetime.timedelta(days=1))
    assert [r["id"] for r in ok(clerk.get("/records", due="overdue"))["results"]] == [rec["id"]]
    assert ok(clerk.get("/records", due="soon"))["count"] == 0


def test_the_deadline_calculator_counts_working_days(amy):
    body = ok(ApiClient(amy).get("/calendar/deadline", date="2025-09-30", days=20))
    # 国庆中秋 2025-10-01..08 are holidays; Saturday 2025-10-11 is a make-up working day.
    assert body == {
        "date": "2025-09-30",
        "days": 20,
        "deadline": "2025-11-04",
        "deadline_provisional": False,
        "pending_year": None,
        "label": "2025-11-04",
    }
