"""Records, transfers and proposals over /api/v1 belong to a department: every other department gets 404, the
anonymous public 401 (except the public result search)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shuangsuiji.accounts.models import Role
from shuangsuiji.inspections import services
from shuangsuiji.inspections.models import ListingProposal
from tests.conftest import make_user
from tests.inspections.helpers import drawn_selection

from .conftest import ApiClient
from .test_openapi import openapi, operations

RECORD_OPERATIONS = {
    ("get", "/api/v1/records"),
    ("post", "/api/v1/records"),
    ("get", "/api/v1/records/{id}"),
    ("patch", "/api/v1/records/{id}"),
    ("post", "/api/v1/draws/{draw_id}/selections/{sel_id}/record"),
    ("post", "/api/v1/records/{id}/submit"),
    ("post", "/api/v1/records/{id}/review"),
    ("post", "/api/v1/records/{id}/correct"),
    ("post", "/api/v1/records/{id}/attachments"),
    ("post", "/api/v1/records/{id}/transfers"),
    ("get", "/api/v1/transfers"),
    ("get", "/api/v1/transfers/{id}"),
    ("post", "/api/v1/transfers/{id}/acknowledge"),
    ("post", "/api/v1/transfers/{id}/close"),
    ("get", "/api/v1/proposals"),
    ("post", "/api/v1/proposals/{id}/decide"),
    ("get", "/api/v1/calendar/deadline"),
}
PUBLIC_OPERATIONS = {("get", "/api/v1/public/results")}

COMPLETE = {
    "methods": ["实地核查"],
    "cert_shown": True,
    "signature": "obtained",
    "categories": ["通过登记的住所（经营场所）无法联系"],
    "measures": ["反馈日常监管部门依法处理"],
}


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


def concrete(path: str) -> str:
    for name in ("{id}", "{draw_id}", "{sel_id}"):
        path = path.replace(name, "1")
    return path


def test_the_openapi_document_lists_every_record_endpoint(db):
    assert RECORD_OPERATIONS | PUBLIC_OPERATIONS <= operations(openapi())


def test_only_the_public_result_search_is_open_to_everyone(db):
    doc = openapi()
    assert "security" not in doc["paths"]["/api/v1/public/results"]["get"]
    for method, path in RECORD_OPERATIONS:
        assert doc["paths"][path][method].get("security"), (method, path)


@pytest.mark.parametrize(("method", "path"), sorted(RECORD_OPERATIONS))
def test_it_refuses_anonymous_calls_with_401(db, method, path):
    r = getattr(ApiClient(), method)(concrete(path), {})
    assert r.status_code == 401
    assert r.json() == {"detail": "未登录或令牌无效"}


@pytest.fixture
def published(alice, amy, rita):
    """A published SCJG record whose result raised a listing proposal, and a transfer from SCJG to 税务局."""
    selection = drawn_selection(alice)
    rec = services.record_create(actor=amy, selection=selection)
    from shuangsuiji.org.models import Department

    to_tax = {
        "kind": "department",
        "content": "住所无法联系，请属地核查",
        "to_department_id": Department.objects.get(code="SWJ").pk,
        "basis": "属地管理",
    }
    rec = services.record_submit(
        actor=amy, rec=rec, data=COMPLETE | {"item_results": _problem(rec)}, transfers=[to_tax]
    )
    transfer = rec.transfers.get()
    rec = services.record_review(actor=rita, rec=rec, approve=True)
    draft = services.record_create(
        actor=amy, obj=selection.object, trigger="投诉举报", trigger_ref="12315-1", data={"note": "草稿"}
    )
    return {
        "selection": selection,
        "record": rec,
        "draft": draft,
        "transfer": transfer,
        "proposal": ListingProposal.objects.get(record=rec),
    }


def _problem(rec) -> list[dict]:
    return [{"item_id": r.item_id, "problem_found": True} for r in rec.item_results.all()]


def test_another_department_gets_404_on_every_record_transfer_and_proposal_endpoint(published, bob):
    c = ApiClient(bob)
    rec, draft = published["record"].pk, published["draft"].pk
    transfer, proposal = published["transfer"].pk, published["proposal"].pk
    sel = published["selection"]
    png = SimpleUploadedFile("a.png", b"\x89PNG" + b"\x00" * 8, content_type="image/png")
    calls = [
        c.get(f"/records/{rec}"),
        c.get(f"/records/{draft}"),
        c.patch(f"/records/{draft}", {"note": "改"}),
        c.post(f"/records/{draft}/submit", {}),
        c.post(f"/records/{draft}/review", {"approve": True}),
        c.post(f"/records/{rec}/review", {"approve": False, "comment": "退回"}),
        c.post(f"/records/{rec}/correct", {"reason": "改"}),
        c.client.post(f"/api/v1/records/{draft}/attachments", {"file": png}),
        c.post(f"/records/{rec}/transfers", {"kind": "police", "content": "线索", "to_agency": "派出所"}),
        c.post(f"/draws/{sel.draw_id}/selections/{sel.pk}/record", {}),
        c.get(f"/transfers/{transfer}"),
        c.post(f"/transfers/{transfer}/acknowledge", {}),
        c.post(f"/transfers/{transfer}/close", {"outcome": "办结"}),
        c.post(f"/proposals/{proposal}/decide", {"listed": True}),
    ]
    for r in calls:
        assert (r.status_code, r.json()) == (404, {"detail": "未找到"}), r.request["PATH_INFO"]
    assert c.get("/records").json()["count"] == 0
    assert c.get("/transfers").json()["count"] == 0
    assert c.get("/proposals").json()["count"] == 0


def test_the_receiving_department_sees_acknowledges_and_closes_a_transfer(published, amy):
    tax = ApiClient(make_user("tom", Role.CLERK, "SWJ"))
    transfer = published["transfer"].pk
    assert [t["id"] for t in tax.get("/transfers", box="received").json()["results"]] == [transfer]
    assert tax.get("/transfers", box="sent").json()["count"] == 0
    assert tax.get(f"/records/{published['record'].pk}").status_code == 404
    # The sender cannot acknowledge on the receiver's behalf.
    r = ApiClient(amy).post(f"/transfers/{transfer}/acknowledge", {})
    assert (r.status_code, r.json()["detail"]) == (403, "只有接收部门可以确认接收")
    body = tax.post(f"/transfers/{transfer}/acknowledge", {"receipt_no": "舞税收〔2026〕1号"}).json()
    assert body["status"] == "acknowledged" and body["receipt_no"] == "舞税收〔2026〕1号"
    assert body["from_department"]["code"] == "SCJG" and body["to_department"]["code"] == "SWJ"
    r = tax.post(f"/transfers/{transfer}/close", {"outcome": "已实地核查，住所确实无法联系"})
    assert r.status_code == 200 and r.json()["status"] == "closed"
    again = tax.post(f"/transfers/{transfer}/close", {"outcome": "再次办结"})
    assert again.status_code == 409
    assert ApiClient(amy).get("/transfers", box="sent", status="closed").json()["count"] == 1


def test_a_transfer_to_the_police_is_acknowledged_by_the_sender_with_a_receipt(published, amy):
    clerk = ApiClient(amy)
    body = clerk.post(
        f"/records/{published['record'].pk}/transfers",
        {"kind": "police", "content": "涉嫌生产销售伪劣产品", "to_agency": "舞钢市公安局寺坡派出所"},
    ).json()
    assert body["kind_label"] == "移送公安机关" and body["to_department"] is None and body["status"] == "sent"
    r = clerk.post(f"/transfers/{body['id']}/acknowledge", {})
    assert r.status_code == 422 and r.json()["errors"] == [
        {"field": "回执编号", "reason": "移送公安机关或办案机构的，请登记回执编号"}
    ]
    r = clerk.post(
        f"/transfers/{body['id']}/acknowledge",
        {"receipt_no": "公受〔2026〕88号", "receipt_date": "2026-11-20"},
    )
    assert r.status_code == 200 and r.json()["receipt_date"] == "2026-11-20"


def test_the_registering_department_decides_a_listing_proposal(published, alice, amy):
    proposal = published["proposal"]
    assert (
        ApiClient(amy).get("/proposals").json()["results"][0]["reason"]
        == "通过登记的住所（经营场所）无法联系"
    )
    r = ApiClient(amy).post(f"/proposals/{proposal.pk}/decide", {"listed": True})
    assert (r.status_code, r.json()["detail"]) == (403, "只有登记机关的部门管理员可以作出决定")
    body = (
        ApiClient(alice).post(f"/proposals/{proposal.pk}/decide", {"listed": True, "note": "依法列入"}).json()
    )
    assert body["status"] == "listed" and body["decision_note"] == "依法列入"
    proposal.object.refresh_from_db()
    assert proposal.object.abnormal_list
    assert ApiClient(alice).get("/proposals", status="proposed").json()["count"] == 0


def test_only_a_reviewer_of_the_department_reviews(published, amy, alice):
    r = ApiClient(amy).post(f"/records/{published['draft'].pk}/review", {"approve": True})
    assert (r.status_code, r.json()["detail"]) == (403, "只有审核员可以审核检查结果")
    r = ApiClient(make_user("ray", Role.REVIEWER, "WJW")).post(
        f"/records/{published['record'].pk}/review", {"approve": True}
    )
    assert r.status_code == 404
