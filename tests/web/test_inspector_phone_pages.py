"""Issue 14, part 3: inspectors' own accounts, 我的检查 and the phone record form (HTTP; the browser test is in
tests/browser/test_phone_record_in_a_browser.py)."""

import hashlib
import io

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from shuangsuiji.accounts import services as accounts
from shuangsuiji.accounts.models import Role, User
from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.draws.models import Selection
from shuangsuiji.inspections import services
from shuangsuiji.inspections.models import Attachment, InspectionRecord, RecordMember, RecordStatus
from tests import factories
from tests.conftest import PASSWORD, login
from tests.inspections.helpers import drawn_selection

JPEG = b"\xff\xd8\xff\xe0" + b"photo-one" * 50
JPEG2 = b"\xff\xd8\xff\xe0" + b"photo-two" * 50
PNG = b"\x89PNG\r\n\x1a\n" + b"signature" * 40
COMPLETE = {
    "inspection_date": "",  # today, filled in by `sync`
    "inspection_time": "09:30",
    "methods": ["实地核查"],
    "cert_shown": "1",
    "signature": "obtained",
    "categories": ["未发现问题"],
    "measures": ["无需后续处置"],
    "note": "现场检查未发现问题",
}


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def selection(alice):
    return drawn_selection(alice)


def team_of(selection) -> list[int]:
    return list(selection.team.filter(active=True).order_by("order").values_list("inspector_id", flat=True))


def account_for(alice, inspector_id: int) -> User:
    """An inspector account as the administrator opens it, then with the test password already chosen."""
    [(user, _)] = accounts.inspector_accounts_create(actor=alice, inspector_ids=[inspector_id])
    user.set_password(PASSWORD)
    user.save()
    user.refresh_from_db()
    assert not user.must_change_password
    return user


@pytest.fixture
def first(alice, selection) -> User:
    return account_for(alice, team_of(selection)[0])


@pytest.fixture
def second(alice, selection) -> User:
    return account_for(alice, team_of(selection)[1])


def sync(client, selection, data, key=None, files=None):
    body = {**data, **(files or {})}
    body["inspection_date"] = body["inspection_date"] or timezone.localdate().isoformat()
    body.setdefault("member_ids", team_of(selection))
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(f"/my/visits/{selection.pk}/sync/", body, headers=headers)


def photos():
    return {
        "photos": [
            SimpleUploadedFile("a.jpg", JPEG, content_type="image/jpeg"),
            SimpleUploadedFile("b.jpg", JPEG2, content_type="image/jpeg"),
        ],
        "signature_png": SimpleUploadedFile("signature.png", PNG, content_type="image/png"),
    }


# --- accounts --------------------------------------------------------------------------------------------------------


def test_the_department_administrator_opens_accounts_in_bulk_with_one_time_passwords(client, alice, bob):
    mine = [factories.inspector("SCJG"), factories.inspector("SCJG")]
    login(client, alice)
    page = client.get("/accounts/inspectors/").content.decode()
    assert all(i.name in page for i in mine)
    response = client.post("/accounts/inspectors/", {"inspector": [i.pk for i in mine]})
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    users = list(User.objects.filter(inspector__in=mine).order_by("inspector_id"))
    assert [u.role for u in users] == [Role.INSPECTOR, Role.INSPECTOR]
    assert all(u.must_change_password and u.department_id == alice.department_id for u in users)
    shown = [pw for u, pw in response.context["created"]]
    assert len(set(shown)) == 2
    for user, password in zip(users, shown, strict=True):
        assert user.check_password(password) and password in response.content.decode()
        # The one-time password meets the policy (length, classes, not the username); history aside, as it is current.
        validate_password(password, User(username=user.username))
    events = AuditEvent.objects.filter(action="account.inspector_create")
    assert events.count() == 2 and not any(pw in str(e.after) for e in events for pw in shown)
    again = client.post("/accounts/inspectors/", {"inspector": [mine[0].pk]})
    assert again.status_code == 422 and "已有账号" in again.content.decode()
    assert User.objects.filter(role=Role.INSPECTOR).count() == 2


def test_an_administrator_cannot_open_accounts_for_another_departments_inspectors(client, alice, bob):
    theirs = factories.inspector("WJW")
    login(client, alice)
    response = client.post("/accounts/inspectors/", {"inspector": [theirs.pk]})
    assert response.status_code == 422 and "不是本部门的执法人员" in response.content.decode()
    assert not User.objects.filter(inspector=theirs).exists()


def test_a_hostile_choice_is_refused_in_chinese(client, alice):
    login(client, alice)
    response = client.post("/accounts/inspectors/", {"inspector": ["²", "-1", "x" * 40]})
    assert response.status_code == 422 and "请选择要开通账号的执法人员" in response.content.decode()


def test_a_clerk_cannot_open_inspector_accounts(client, amy):
    ins = factories.inspector("SCJG")
    login(client, amy)
    assert client.post("/accounts/inspectors/", {"inspector": [ins.pk]}).status_code == 403
    assert not User.objects.filter(inspector=ins).exists()


def test_the_download_lists_only_passwords_that_are_still_the_one_time_ones(client, alice):
    a, b = factories.inspector("SCJG"), factories.inspector("SCJG")
    created = accounts.inspector_accounts_create(actor=alice, inspector_ids=[a.pk, b.pk])
    login(client, alice)
    body = {
        "username": [u.username for u, _ in created] + ["alice"],
        "password": [created[0][1], "Wrong#pass99", PASSWORD],
    }
    response = client.post("/accounts/inspectors/credentials.xlsx", body)
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[1:] == [(a.name, a.cert_no, created[0][0].username, created[0][1], "首次登录须修改密码")]


def test_an_inspector_must_change_the_one_time_password_at_first_sign_in(client, alice, selection):
    [(user, password)] = accounts.inspector_accounts_create(
        actor=alice, inspector_ids=[team_of(selection)[0]]
    )
    assert client.post("/login/", {"username": user.username, "password": password}).status_code == 302
    response = client.get("/my/visits/")
    assert response.status_code == 302 and response["Location"] == "/password/change/"
    changed = client.post(
        "/password/change/",
        {"old_password": password, "new_password1": "Field#Check2026", "new_password2": "Field#Check2026"},
    )
    assert changed.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password
    assert selection.object.name in client.get("/my/visits/").content.decode()


def test_the_administrator_reissues_a_lost_one_time_password_shown_once(client, alice, first, selection):
    old_client = type(client)()
    login(old_client, first)  # the inspector is signed in somewhere with the old password
    login(client, alice)
    page = client.get("/accounts/inspectors/").content.decode()
    assert f"/accounts/inspectors/{first.pk}/password/" in page and "重新发放密码" in page
    response = client.post(f"/accounts/inspectors/{first.pk}/password/")
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    [(user, password)] = response.context["created"]
    assert (
        user == first
        and password in response.content.decode()
        and "原密码即时失效" in response.content.decode()
    )
    first.refresh_from_db()
    assert first.must_change_password and first.check_password(password)
    assert not first.check_password(PASSWORD)  # the old password stops working
    # The open session of the old password ends too.
    assert old_client.get("/my/visits/").status_code == 302
    [event] = AuditEvent.objects.filter(action="account.inspector_password_reissue")
    assert event.actor_id == alice.pk and password not in str(event.after)
    # Shown once: the page does not show it again.
    assert password not in client.get("/accounts/inspectors/").content.decode()
    # The inspector signs in with it and must change it first.
    client.logout()
    assert client.post("/login/", {"username": first.username, "password": PASSWORD}).status_code == 200
    assert client.post("/login/", {"username": first.username, "password": password}).status_code == 302
    assert client.get("/my/visits/")["Location"] == "/password/change/"
    changed = client.post(
        "/password/change/",
        {"old_password": password, "new_password1": "Field#Again2026", "new_password2": "Field#Again2026"},
    )
    assert changed.status_code == 302
    first.refresh_from_db()
    assert not first.must_change_password
    assert selection.object.name in client.get("/my/visits/").content.decode()


def test_another_departments_administrator_cannot_reissue_the_password(client, bob, first, amy):
    for who in (bob, amy):
        login(client, who)
        response = client.post(f"/accounts/inspectors/{first.pk}/password/")
        assert response.status_code in (403, 404), who.username
    first.refresh_from_db()
    assert first.check_password(PASSWORD) and not first.must_change_password
    assert not AuditEvent.objects.filter(action="account.inspector_password_reissue").exists()


def test_an_administrator_cannot_reissue_a_password_of_an_official_account(client, alice, amy):
    login(client, alice)
    assert client.post(f"/accounts/inspectors/{amy.pk}/password/").status_code == 404
    assert client.post("/accounts/inspectors/99999999/password/").status_code == 404
    amy.refresh_from_db()
    assert amy.check_password(PASSWORD)


def test_an_inspector_changes_their_own_password(client, first):
    login(client, first)
    assert client.get("/password/change/").status_code == 200
    changed = client.post(
        "/password/change/",
        {"old_password": PASSWORD, "new_password1": "Mine#Secret2026", "new_password2": "Mine#Secret2026"},
    )
    assert changed.status_code == 302
    first.refresh_from_db()
    assert first.check_password("Mine#Secret2026")
    assert AuditEvent.objects.filter(action="auth.password_change", actor_id=first.pk).exists()


# --- scoping ---------------------------------------------------------------------------------------------------------


def other_teams_visit(selection, inspector_id) -> Selection:
    return (
        Selection.objects.filter(draw=selection.draw, active=True)
        .exclude(team__inspector_id=inspector_id)
        .first()
    )


def test_an_inspector_sees_only_the_visits_they_are_drawn_for(client, first, selection, amy):
    other = other_teams_visit(selection, first.inspector_id)
    assert other is not None
    login(client, first)
    page = client.get("/my/visits/").content.decode()
    assert selection.object.name in page and other.object.name not in page
    assert selection.object.address in page and "uri.amap.com" in page
    assert f"/draws/{selection.draw_id}/register/{selection.pk}/" in page
    assert client.get(f"/my/visits/{selection.pk}/").status_code == 200
    assert client.get(f"/draws/{selection.draw_id}/register/{selection.pk}/").status_code == 200
    # Another team's visit of the same draw does not exist for this account.
    assert client.get(f"/my/visits/{other.pk}/").status_code == 404
    assert client.get(f"/draws/{selection.draw_id}/register/{other.pk}/").status_code == 404
    assert sync(client, other, COMPLETE | {"action": "save"}).status_code == 404
    assert not InspectionRecord.objects.exists()
    # Nothing department-wide: the draw page, the directories, the department's records.
    assert client.get(f"/draws/{selection.draw_id}/").status_code == 404
    rec = services.record_create(actor=amy, selection=other)
    assert client.get(f"/records/{rec.pk}/").status_code == 404
    assert other.object.name not in client.get("/records/").content.decode()
    colleague = selection.team.exclude(inspector_id=first.inspector_id).first().inspector
    assert colleague.cert_no not in client.get("/inspectors/").content.decode()


def test_the_work_bench_lists_the_visits_still_to_record(client, first, selection):
    login(client, first)
    page = client.get("/").content.decode()
    assert "待录入的检查（我的检查）" in page and f"/my/visits/{selection.pk}/" in page
    assert (
        "我的检查" in page and "执法检查人员名录库" not in page
    )  # the inspector's menu, not the department's
    # No department-wide tiles (issue 15 item 12: tiles follow the role): the inspector's card points to 我的检查.
    assert "检查对象（全市）" not in page and "执法人员：只能看到本人被抽中参加的检查" in page
    sync(client, selection, COMPLETE | {"action": "submit"}, key="k.1.submit")
    assert f"/my/visits/{selection.pk}/" not in client.get("/").content.decode().split("<main>")[1]


def test_a_clerk_has_no_my_visits_page(client, amy, selection):
    login(client, amy)
    assert client.get("/my/visits/").status_code == 403
    assert client.get(f"/my/visits/{selection.pk}/").status_code == 403


# --- the phone form --------------------------------------------------------------------------------------------------


def test_the_phone_draft_arrives_once_with_its_photos_and_signature(client, first, selection):
    login(client, first)
    first_send = sync(
        client, selection, COMPLETE | {"action": "submit"}, key="draft-1.3.submit", files=photos()
    )
    assert first_send.status_code == 200, first_send.content.decode()
    assert first_send.json()["submitted"] is True
    again = sync(client, selection, COMPLETE | {"action": "submit"}, key="draft-1.3.submit", files=photos())
    assert again["Idempotent-Replayed"] == "true" and again.json() == first_send.json()
    [rec] = InspectionRecord.objects.filter(selection=selection)
    assert rec.status == RecordStatus.SUBMITTED and str(rec.inspection_time) == "09:30:00"
    assert sorted(rec.attachments.values_list("kind", flat=True)) == ["现场照片", "现场照片", "签字"]
    signature = rec.attachments.get(kind="签字")
    assert signature.sha256 == hashlib.sha256(PNG).hexdigest() and signature.content_type == "image/png"
    assert AuditEvent.objects.filter(action="record.submit").count() == 1


def test_a_draft_sent_again_with_a_new_key_attaches_nothing_twice(client, first, selection):
    login(client, first)
    assert (
        sync(client, selection, COMPLETE | {"action": "save"}, key="k.1.save", files=photos()).status_code
        == 200
    )
    assert (
        sync(client, selection, COMPLETE | {"action": "save"}, key="k.2.save", files=photos()).status_code
        == 200
    )
    assert InspectionRecord.objects.filter(selection=selection).count() == 1
    assert Attachment.objects.count() == 3


def test_the_phone_form_refuses_what_the_desktop_form_refuses(client, first, selection):
    login(client, first)
    response = sync(client, selection, COMPLETE | {"cert_shown": "", "action": "submit"}, key="k.1.submit")
    assert response.status_code == 422
    assert "出示执法证件" in response.json()["detail"]
    # All or nothing: the phone keeps its draft and shows why; the platform holds no half-sent record.
    assert not InspectionRecord.objects.filter(selection=selection).exists()
    bad = sync(client, selection, COMPLETE | {"inspection_time": "25:99", "action": "save"}, key="k.2.save")
    assert bad.status_code == 422 and "不是有效时间" in bad.json()["detail"]


def test_the_second_inspector_confirms_presence_from_their_own_account(client, first, second, selection, amy):
    login(client, first)
    assert sync(client, selection, COMPLETE | {"action": "save"}, key="k.1.save").status_code == 200
    rec = InspectionRecord.objects.get(selection=selection)
    mine = RecordMember.objects.get(record=rec, inspector_id=first.inspector_id)
    theirs = RecordMember.objects.get(record=rec, inspector_id=second.inspector_id)
    assert mine.confirmed_at is not None and theirs.confirmed_at is None and theirs.entered_by == first
    login(client, amy)
    assert f"由 {first.display_name} 登记到场" in client.get(f"/records/{rec.pk}/").content.decode()
    login(client, second)
    assert "确认本人到场" in client.get(f"/my/visits/{selection.pk}/").content.decode()
    assert client.post(f"/my/visits/{selection.pk}/confirm/").status_code == 302
    theirs.refresh_from_db()
    assert theirs.confirmed_at is not None
    assert AuditEvent.objects.filter(action="record.member_confirm", actor=second).count() == 1


# --- what the desktop form also asks (ADR 0027): same fields, same service, same messages ---------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_the_phone_form_offers_the_desktop_forms_fields(client, first, selection):
    login(client, first)
    page = client.get(f"/my/visits/{selection.pk}/").content.decode()
    for name in (
        'name="result_date"',
        'name="late_result_reason"',
        'name="agency"',
        'name="agency_report"',
        'name="withhold_reason"',
        'name="t1_kind"',
        'name="t1_to_department"',
        'name="t1_content"',
        'id="id_documents"',
    ):
        assert name in page, name


def test_a_commissioned_agency_is_asked_for_as_on_the_desktop(client, first, selection):
    login(client, first)
    body = COMPLETE | {"methods": ["实地核查", "委托专业机构"], "action": "submit"}
    refused = sync(client, selection, body, key="a.1.submit")
    assert refused.status_code == 422
    assert "受委托专业机构：委托专业机构检查的，请填写机构名称及其报告编号" in refused.json()["detail"]
    assert not InspectionRecord.objects.exists()
    done = sync(
        client, selection, body | {"agency": "某检测中心", "agency_report": "JC-2026-001"}, key="a.2.submit"
    )
    assert done.status_code == 200, done.content.decode()
    rec = InspectionRecord.objects.get(selection=selection)
    assert rec.agency == "某检测中心" and rec.agency_report == "JC-2026-001"


def test_a_late_result_needs_its_reason_and_document_as_on_the_desktop(client, first, selection):
    import datetime

    today = timezone.localdate()
    late = COMPLETE | {
        "inspection_date": (today - datetime.timedelta(days=2)).isoformat(),
        "result_date": today.isoformat(),
        "action": "submit",
    }
    login(client, first)
    refused = sync(client, selection, late, key="l.1.submit")
    assert refused.status_code == 422
    detail = refused.json()["detail"]
    assert (
        "结果晚于检查日期的理由：" in detail
        and "结果依据附件：" in detail
        and "“检测报告”或“专家意见”" in detail
    )
    assert not InspectionRecord.objects.exists()
    hostile = sync(
        client,
        selection,
        late | {"late_result_reason": "等待检测报告", "document_kinds": ["现场照片"]},
        key="l.2.submit",
        files={"documents": [SimpleUploadedFile("报告.pdf", PDF, content_type="application/pdf")]},
    )
    assert hostile.status_code == 422 and "附件类型应为" in hostile.json()["detail"]
    done = sync(
        client,
        selection,
        late | {"late_result_reason": "等待检测报告", "document_kinds": ["检测报告"]},
        key="l.3.submit",
        files={"documents": [SimpleUploadedFile("报告.pdf", PDF, content_type="application/pdf")]},
    )
    assert done.status_code == 200, done.content.decode()
    rec = InspectionRecord.objects.get(selection=selection)
    assert rec.result_date == today and rec.late_result_reason == "等待检测报告"
    assert list(rec.attachments.values_list("kind", flat=True)) == ["检测报告"]


def test_transfers_are_sent_with_the_submission_as_on_the_desktop(client, first, selection, bob):
    from shuangsuiji.inspections.models import Transfer

    items = list(
        selection.draw.scheme.items.filter(department_id=first.department_id).values_list(
            "item_id", flat=True
        )
    )
    problem = COMPLETE | {
        "categories": ["违反其他市场监管规定"],
        "measures": ["移送办案机构"],
        "item_ids": items,
        **{f"checked_{i}": "1" for i in items},
        **{f"problem_{i}": "1" for i in items},
        "action": "submit",
    }
    login(client, first)
    refused = sync(client, selection, problem, key="t.1.submit")
    assert refused.status_code == 422
    assert "后续处置措施为“移送办案机构”，提交审核前请一并填写移交" in refused.json()["detail"]
    assert not InspectionRecord.objects.exists() and not Transfer.objects.exists()
    done = sync(
        client,
        selection,
        problem
        | {
            "t1_kind": "case_unit",
            "t1_to_agency": "某区市场监管局执法大队",
            "t1_basis": "谁主管谁监管",
            "t1_content": "涉嫌无照经营，移送立案查处",
        },
        key="t.2.submit",
    )
    assert done.status_code == 200, done.content.decode()
    [transfer] = Transfer.objects.all()
    assert transfer.to_agency == "某区市场监管局执法大队" and transfer.record.selection_id == selection.pk


def test_a_withholding_request_is_made_as_on_the_desktop(client, first, selection):
    login(client, first)
    done = sync(
        client,
        selection,
        COMPLETE | {"withhold_reason": "涉及国家秘密（《保守国家秘密法》）", "action": "submit"},
        key="w.1.submit",
    )
    assert done.status_code == 200, done.content.decode()
    rec = InspectionRecord.objects.get(selection=selection)
    assert rec.withhold_requested and rec.withhold_reason.startswith("涉及国家秘密")
