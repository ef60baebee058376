import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from shuangsuiji.accountability import selectors
from shuangsuiji.inspections import services
from shuangsuiji.inspections.models import InspectionRecord, Transfer
from tests.accountability.conftest import published, submitted
from tests.conftest import login
from tests.draws.helpers import published_scheme

# The report is for 2026 and its tasks' windows run around today: today is a day of 2026.
pytestmark = pytest.mark.today("2026-11-27")

PROBLEM = {"categories": ["违反其他市场监管规定"]}


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


# --- (a) tasks not executed or delayed ------------------------------------------------------------------------------


def test_a_published_scheme_not_drawn_after_its_window_opened_is_flagged(alice, scjg, selections):
    late = published_scheme(
        alice, entities=5, window_start=days(-3).isoformat(), window_end=days(20).isoformat()
    )
    future = published_scheme(
        alice, entities=5, window_start=days(3).isoformat(), window_end=days(20).isoformat()
    )
    flagged = list(selectors.tasks_not_drawn(scjg, 2026, days(0)))
    assert late in flagged
    assert future not in flagged
    assert selections[0].draw.scheme not in flagged  # drawn
    assert list(selectors.tasks_not_drawn(scjg, 2025, days(0))) == []


def test_drawn_objects_without_a_submitted_record_after_the_window_are_flagged(amy, scjg, wjw, selections):
    after_window = selections[0].draw.scheme.window_end + datetime.timedelta(days=1)
    assert selectors.objects_not_inspected(scjg, 2026, days(0)) == []  # the window is still open
    submitted(amy, selections[0])
    services.record_create(actor=amy, selection=selections[1])  # a draft does not count
    flagged = selectors.objects_not_inspected(scjg, 2026, after_window)
    assert selections[0] not in flagged
    assert selections[1] in flagged
    assert set(flagged) == set(selections[1:])
    assert selectors.objects_not_inspected(wjw, 2026, after_window) == []  # WJW had no slots in the task


# --- (b) results published late -------------------------------------------------------------------------------------


def test_a_result_published_after_its_deadline_is_flagged_and_one_on_time_is_not(amy, rita, scjg, selections):
    late = published(amy, rita, selections[0])
    on_time = published(amy, rita, selections[1])
    InspectionRecord.objects.filter(pk=late.pk).update(deadline=days(-1))
    flagged = list(selectors.results_published_late(scjg, 2026, days(0)))
    assert flagged == [late]
    assert on_time not in flagged


def test_a_result_still_unpublished_past_its_deadline_is_flagged(amy, rita, scjg, selections):
    overdue = submitted(amy, selections[0])
    waiting = submitted(amy, selections[1])
    done = published(amy, rita, selections[2])
    InspectionRecord.objects.filter(pk__in=[overdue.pk, done.pk]).update(deadline=days(-1))
    flagged = list(selectors.results_unpublished_overdue(scjg, 2026, days(0)))
    assert flagged == [overdue]
    assert waiting not in flagged and done not in flagged


# --- (c) problems not transferred -----------------------------------------------------------------------------------


def test_a_problem_to_hand_on_without_a_transfer_is_flagged_until_it_is_transferred(
    amy, rita, scjg, selections
):
    rec = published(amy, rita, selections[0], measures=["移送办案机构"], **PROBLEM)
    compliant = published(amy, rita, selections[1], measures=["责令改正并跟踪"], **PROBLEM)
    findings = selectors.problems_not_transferred(scjg, 2026, days(0))
    assert [f.record for f in findings] == [rec]
    assert "没有相应的移交记录" in findings[0].reasons[0]
    services.transfer_create(
        actor=amy, rec=rec, kind="case_unit", to_agency="市市场监管局稽查大队", content="线索"
    )
    assert selectors.problems_not_transferred(scjg, 2026, days(0)) == []
    assert compliant.pk not in [f.record.pk for f in selectors.problems_not_transferred(scjg, 2026, days(0))]


def test_an_overdue_transfer_of_a_problem_is_flagged(amy, rita, bob, scjg, selections):
    rec = published(amy, rita, selections[0], measures=["抄告相关部门"], **PROBLEM)
    t = services.transfer_create(
        actor=amy, rec=rec, kind="department", to_department_id=bob.department_id, content="卫生许可证过期"
    )
    assert selectors.problems_not_transferred(scjg, 2026, days(0)) == []
    findings = selectors.problems_not_transferred(scjg, 2026, t.due + datetime.timedelta(days=1))
    assert [f.record for f in findings] == [rec] and "到期未办结" in findings[0].reasons[0]
    services.transfer_acknowledge(actor=bob, transfer=t)
    services.transfer_close(actor=bob, transfer=t, outcome="已责令整改")
    assert selectors.problems_not_transferred(scjg, 2026, t.due + datetime.timedelta(days=1)) == []


def test_a_transfer_made_on_an_earlier_version_counts_for_the_correction(amy, rita, scjg, selections):
    rec = published(amy, rita, selections[0], measures=["移送办案机构"], **PROBLEM)
    services.transfer_create(actor=amy, rec=rec, kind="case_unit", to_agency="稽查大队", content="线索")
    new = services.record_correct(actor=amy, rec=rec, reason="更正措施说明")
    new = services.record_submit(actor=amy, rec=new, data={"measure_note": "已移送"})
    services.record_review(actor=rita, rec=new, approve=True)
    assert selectors.problems_not_transferred(scjg, 2026, days(0)) == []


# --- (d) suspected crimes not moved to the police -------------------------------------------------------------------


def test_a_suspected_crime_without_a_police_transfer_is_flagged_until_it_is_moved(
    amy, rita, scjg, wjw, selections
):
    rec = published(amy, rita, selections[0], measures=["移送公安机关"], **PROBLEM)
    compliant = published(amy, rita, selections[1], measures=["移送办案机构"], **PROBLEM)
    services.transfer_create(actor=amy, rec=compliant, kind="case_unit", to_agency="稽查大队", content="线索")
    findings = selectors.crimes_not_moved_to_police(scjg, 2026, days(0))
    assert [f.record for f in findings] == [rec]
    # A transfer of another kind is not a transfer to the police.
    services.transfer_create(actor=amy, rec=rec, kind="department", to_department_id=wjw.pk, content="抄告")
    assert [f.record for f in selectors.crimes_not_moved_to_police(scjg, 2026, days(0))] == [rec]
    services.transfer_create(
        actor=amy, rec=rec, kind="police", to_agency="舞钢市公安局", content="涉嫌销售假冒商品"
    )
    assert selectors.crimes_not_moved_to_police(scjg, 2026, days(0)) == []


def test_a_police_transfer_without_a_receipt_after_its_due_date_is_flagged(amy, rita, scjg, selections):
    rec = published(amy, rita, selections[0], measures=["移送公安机关"], **PROBLEM)
    t = services.transfer_create(
        actor=amy, rec=rec, kind="police", to_agency="舞钢市公安局", content="涉嫌犯罪"
    )
    later = t.due + datetime.timedelta(days=1)
    findings = selectors.crimes_not_moved_to_police(scjg, 2026, later)
    assert [f.record for f in findings] == [rec] and "仍无受理回执" in findings[0].reasons[0]
    services.transfer_acknowledge(
        actor=amy, transfer=t, receipt_no="舞公受字〔2026〕88号", receipt_date="2026-11-20"
    )
    assert selectors.crimes_not_moved_to_police(scjg, 2026, later) == []


# --- the page, its export and who sees what -------------------------------------------------------------------------


@pytest.fixture
def crime(amy, rita, selections):
    return published(amy, rita, selections[0], measures=["移送公安机关"], **PROBLEM)


def test_the_office_reads_any_departments_report_with_links_to_the_records(client, olivia, scjg, crime):
    login(client, olivia)
    r = client.get(f"/accountability/?year=2026&department={scjg.pk}")
    assert r.status_code == 200
    body = r.content.decode()
    assert f'href="/records/{crime.pk}/"' in body and f"/records/{crime.pk}/evidence.zip" in body
    assert "涉嫌犯罪案件未依法移送公安机关（1）" in body
    assert "舞钢市卫生健康委员会" in body  # the department selector lists every department


def test_the_system_administrator_reads_every_department_too(client, sam, scjg, crime):
    login(client, sam)
    assert client.get(f"/accountability/?department={scjg.pk}").status_code == 200


def test_a_department_administrator_reads_only_the_own_departments_report(client, bob, scjg, wjw, crime):
    login(client, bob)
    r = client.get("/accountability/?year=2026")
    assert r.status_code == 200
    assert r.context["report"].department == wjw
    assert [d.code for d in r.context["departments"]] == ["WJW"]
    assert f"/records/{crime.pk}/" not in r.content.decode()
    assert client.get(f"/accountability/?year=2026&department={scjg.pk}").status_code == 404
    assert client.get(f"/accountability/report.xlsx?year=2026&department={scjg.pk}").status_code == 404


def test_clerks_and_reviewers_do_not_read_accountability_reports(client, amy, rita):
    for user in (amy, rita):
        login(client, user)
        assert client.get("/accountability/").status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    assert client.get("/accountability/").status_code == 302
    assert client.get("/accountability/report.xlsx").status_code == 302


def test_the_report_exports_to_xlsx_with_the_same_lines(client, alice, scjg, crime):
    login(client, alice)
    r = client.get(f"/accountability/report.xlsx?year=2026&department={scjg.pk}")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(b"".join(r.streaming_content if r.streaming else [r.content]))).active
    rows = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    lines = [row for row in rows if row[0] == "涉嫌犯罪案件未依法移送公安机关" and row[1] != "1 项"]
    assert len(lines) == 1 and lines[0][2] == crime.object.name
    assert lines[0][5].endswith(f"/records/{crime.pk}/")


def test_a_bad_year_or_department_is_not_found(client, olivia):
    login(client, olivia)
    assert client.get("/accountability/?year=abc").status_code == 404
    assert client.get("/accountability/?department=x").status_code == 404
    assert client.get("/accountability/?department=99999").status_code == 404


def test_reading_the_report_changes_nothing(client, olivia, crime):
    from shuangsuiji.audit.models import AuditEvent

    login(client, olivia)
    before = (AuditEvent.objects.count(), Transfer.objects.count())
    client.get("/accountability/")
    assert (AuditEvent.objects.count(), Transfer.objects.count()) == before
