"""归档 (issue 13 part 4): a finished task is archived once, gets a numbered archive number and is read-only."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.directory.rows import RowInvalid
from shuangsuiji.draws import services as draws
from shuangsuiji.draws.models import Selection, TeamMember
from shuangsuiji.inspections import services as inspections
from shuangsuiji.planning import services as planning
from shuangsuiji.planning.archiving import task_archive
from shuangsuiji.planning.models import SchemeStatus, TaskScheme
from tests.api.conftest import ApiClient
from tests.conftest import login
from tests.draws.helpers import ANNOUNCED, published_scheme, sources_after
from tests.planning.archive_helpers import PDF, finished_task, inspected_task

pytestmark = pytest.mark.today("2026-11-27")


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def reasons(excinfo) -> list[str]:
    return [r for _, r in excinfo.value.errors]


def test_it_refuses_to_archive_an_unfinished_task_and_names_every_blocker(alice, amy, rita, wjw):
    scheme, records = inspected_task(alice, amy, rita, publish=False)
    inspections.record_review(actor=rita, rec=records[0], approve=True)
    transfer = inspections.transfer_create(
        actor=amy, rec=records[0], kind="department", content="转交卫健委处理", to_department_id=wjw.pk
    )
    with pytest.raises(RowInvalid) as refused:
        task_archive(actor=alice, scheme=scheme)
    found = reasons(refused)
    assert any("任务尚未结束" in r and "已抽取" in r for r in found), found
    for rec in records[1:]:
        assert any(f"检查记录 {rec.pk}（" in r and "已提交待审核" in r for r in found), found
    assert any(f"后续处置移交 {transfer.pk}（" in r and "尚未办结" in r for r in found), found
    assert all("归档" == field for field, _ in refused.value.errors)
    scheme.refresh_from_db()
    assert scheme.archive_no is None
    assert not AuditEvent.objects.filter(action="scheme.archive").exists()


def test_it_names_a_drawn_object_that_has_no_record(alice, amy, rita):
    scheme, records = finished_task(alice, amy, rita)
    # The last record never existed: its object was drawn and nobody inspected it. (Deleting through the ORM stands
    # for a record never made; no service deletes records.)
    last = records[-1]
    name = last.object.name
    last.item_results.all().delete()
    last.members.all().delete()
    for att in last.attachments.all():
        att.delete()
    last.delete()
    with pytest.raises(RowInvalid) as refused:
        task_archive(actor=alice, scheme=scheme)
    assert reasons(refused) == [f"抽中对象“{name}”尚无市场监管局的检查记录"] or any(
        name in r and "尚无" in r for r in reasons(refused)
    )


def test_it_archives_a_finished_task_with_an_archive_number_and_an_audit_event(alice, amy, rita):
    scheme, _ = finished_task(alice, amy, rita)
    archived = task_archive(actor=alice, scheme=scheme)
    assert archived.archive_no == f"{scheme.task_no}-归档-001"
    assert archived.archived_by == alice and archived.archived_at is not None
    event = AuditEvent.objects.get(action="scheme.archive")
    assert event.target_id == str(scheme.pk) and event.after["archive_no"] == archived.archive_no
    with pytest.raises(RowInvalid) as again:
        task_archive(actor=alice, scheme=scheme)
    assert "已归档" in reasons(again)[0]


def test_only_the_lead_departments_administrator_archives(alice, amy, rita, bob, olivia):
    scheme, _ = finished_task(alice, amy, rita)
    for actor in (amy, rita, bob, olivia):
        with pytest.raises(PermissionDenied):
            task_archive(actor=actor, scheme=scheme)
    assert TaskScheme.objects.get(pk=scheme.pk).archive_no is None


def test_an_archived_task_refuses_every_change_to_its_records_draws_and_transfers(alice, amy, rita, bob, wjw):
    scheme, records = inspected_task(alice, amy, rita)
    transfer = inspections.transfer_create(
        actor=amy, rec=records[0], kind="department", content="转交卫健委处理", to_department_id=wjw.pk
    )
    inspections.transfer_acknowledge(actor=bob, transfer=transfer)
    inspections.transfer_close(actor=bob, transfer=transfer, outcome="已处理")
    scheme = planning.scheme_close(actor=alice, scheme=scheme)
    task_archive(actor=alice, scheme=scheme)
    rec = records[0]
    sel = Selection.objects.filter(draw__scheme=scheme, active=True).order_by("pk").first()
    member = TeamMember.objects.filter(selection__draw__scheme=scheme, active=True).first()
    attempts = {
        "record_update": lambda: inspections.record_update(actor=amy, rec=rec, data={"note": "改"}),
        "record_correct": lambda: inspections.record_correct(actor=amy, rec=rec, reason="笔误"),
        "record_review": lambda: inspections.record_review(actor=rita, rec=rec, approve=True),
        "attachment_add": lambda: inspections.attachment_add(
            actor=amy, rec=rec, kind="扫描件", upload=SimpleUploadedFile("x.pdf", PDF, "application/pdf")
        ),
        "record_create": lambda: inspections.record_create(actor=amy, selection=sel),
        "transfer_create": lambda: inspections.transfer_create(
            actor=amy, rec=rec, kind="department", content="再次移交", to_department_id=wjw.pk
        ),
        "selection_substitute": lambda: draws.selection_substitute(
            actor=alice, selection=sel, reason_code="DEREGISTERED"
        ),
        "member_substitute": lambda: draws.member_substitute(
            actor=alice, member=member, reason_code="UNAVAILABLE"
        ),
        "redraw": lambda: draws.draw_freeze(
            actor=alice,
            scheme=scheme,
            sources=sources_after(datetime.date(2026, 11, 27)),
            announced=ANNOUNCED,
            redraw_reason="重新抽取",
        ),
        "scheme_close": lambda: planning.scheme_close(actor=alice, scheme=scheme),
        "transfer_close": lambda: inspections.transfer_close(actor=bob, transfer=transfer, outcome="再办结"),
    }
    for name, attempt in attempts.items():
        with pytest.raises(RowInvalid) as refused:
            attempt()
        assert "已归档" in str(refused.value) and scheme.task_no in str(refused.value), (name, refused.value)
    assert rec.__class__.objects.filter(corrects=rec).count() == 0
    assert AuditEvent.objects.filter(action__in=["record.correct", "draw.substitute_object"]).count() == 0


def test_archive_numbers_run_per_department_and_year(alice, bob):
    # Closed tasks without draws: the state is set directly, the archive rule under test is the numbering.
    ours = [published_scheme(alice, entities=0, inspectors=0) for _ in range(3)]
    theirs = published_scheme(bob, entities=0, inspectors=0)
    TaskScheme.objects.filter(pk__in=[s.pk for s in [*ours, theirs]]).update(status=SchemeStatus.CLOSED)
    numbers = [task_archive(actor=alice, scheme=s).archive_no for s in ours]
    assert [n.rsplit("-", 1)[1] for n in numbers] == ["001", "002", "003"]
    assert [n.split("-归档-")[0] for n in numbers] == [s.task_no for s in ours]
    assert task_archive(actor=bob, scheme=theirs).archive_no.endswith("-归档-001")


def test_the_scheme_page_lists_the_blockers_and_archives_on_post(client, alice, amy, rita):
    scheme, records = inspected_task(alice, amy, rita, publish=False)
    planning.scheme_close(actor=alice, scheme=scheme)
    login(client, alice)
    page = client.get(f"/schemes/{scheme.pk}/").content.decode()
    assert 'id="archive-blockers"' in page and f"检查记录 {records[0].pk}（" in page
    r = client.post(f"/schemes/{scheme.pk}/archive/", follow=True)
    assert "已提交待审核" in r.content.decode()
    assert TaskScheme.objects.get(pk=scheme.pk).archive_no is None
    for rec in records:
        inspections.record_review(actor=rita, rec=rec, approve=True)
    r = client.post(f"/schemes/{scheme.pk}/archive/", follow=True)
    body = r.content.decode()
    archived = TaskScheme.objects.get(pk=scheme.pk)
    assert archived.archive_no and archived.archive_no in body and 'id="archived-note"' in body
    assert client.get(f"/schemes/{scheme.pk}/archive/").status_code == 405


def test_the_api_archives_and_refuses_with_the_blockers(alice, amy, rita):
    scheme, records = inspected_task(alice, amy, rita)
    api = ApiClient(alice)
    r = api.post(f"/schemes/{scheme.pk}/archive")
    assert r.status_code == 422, r.content
    assert "任务尚未结束" in r.content.decode()
    planning.scheme_close(actor=alice, scheme=scheme)
    r = api.post(f"/schemes/{scheme.pk}/archive")
    assert r.status_code == 200, r.content
    assert r.json()["archive_no"] == f"{scheme.task_no}-归档-001"
    assert ApiClient(amy).post(f"/schemes/{scheme.pk}/archive").status_code == 403
