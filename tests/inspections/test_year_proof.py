"""Issue 10: the platform works through December and into a year whose holidays nobody has entered yet.

Every test pins the clock to a Beijing date (time-machine), so none depends on the day it runs.
"""

import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.directory.rows import RowInvalid
from shuangsuiji.draws.models import Draw, Selection
from shuangsuiji.inspections import services
from shuangsuiji.inspections.models import (
    CalendarDay,
    CalendarYear,
    InspectionRecord,
    Notification,
    RecordStatus,
)
from shuangsuiji.planning.models import AnnualPlan
from tests.api.conftest import ApiClient
from tests.conftest import login
from tests.inspections.helpers import drawn_selection

BEIJING = ZoneInfo("Asia/Shanghai")
# An invented 2027 notice in the official form (the real one is not out as these tests are written).
NOTICE_2027 = (Path(__file__).parent / "notice_2027.txt").read_text(encoding="utf-8")
COMPLETE = {
    "methods": ["实地核查"],
    "cert_shown": True,
    "signature": "obtained",
    "categories": ["未发现问题"],
    "measures": ["无需后续处置"],
}


def beijing(y: int, m: int, d: int, hour: int = 10):
    return time_machine.travel(datetime.datetime(y, m, d, hour, tzinfo=BEIJING), tick=False)


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    # The users are made at the real time and the clock then travels months ahead: no password expiry here.
    settings.PASSWORD_MAX_AGE_DAYS = 0


def drawn(actor, start: datetime.date, end: datetime.date) -> list[Selection]:
    first = drawn_selection(actor, window_start=start.isoformat(), window_end=end.isoformat())
    return list(Selection.objects.filter(draw=first.draw, active=True).order_by("id"))


def submitted(clerk, selection, day: datetime.date) -> InspectionRecord:
    rec = services.record_create(actor=clerk, selection=selection)
    return services.record_submit(actor=clerk, rec=rec, data=COMPLETE | {"inspection_date": day.isoformat()})


def test_a_result_submitted_in_december_gets_a_provisional_deadline_that_every_page_shows(
    alice, amy, rita, olivia, client
):
    with beijing(2026, 12, 10):
        [selection, *_] = drawn(alice, datetime.date(2026, 12, 1), datetime.date(2026, 12, 31))
        api = ApiClient(amy)
        rec = api.post(f"/draws/{selection.draw_id}/selections/{selection.pk}/record", {}).json()
        r = api.post(f"/records/{rec['id']}/submit", COMPLETE | {"inspection_date": "2026-12-10"})
        assert r.status_code == 200, r.content
        body = r.json()
        # Dec 11 is day 1 … Dec 31 day 15; 元旦 off; Jan 4–8 days 16–20.
        assert body["status"] == "submitted"
        assert (body["deadline"], body["deadline_provisional"], body["deadline_pending_year"]) == (
            "2027-01-08",
            True,
            2027,
        )
        label = "2027-01-08（暂定，待录入 2027 年节假日安排）"
        login(client, amy)
        assert label in client.get(f"/records/{rec['id']}/").content.decode()
        login(client, rita)
        assert label in client.get("/review/").content.decode()

    with beijing(2027, 1, 4, hour=8):
        call_command("send_reminders", stdout=open("/dev/null", "w"))
        [reminder] = Notification.objects.filter(user=rita, key__startswith="record:")
        assert reminder.message.startswith("【即将到期】") and label in reminder.message

    with beijing(2027, 1, 11):
        login(client, olivia)
        page = client.get("/accountability/?year=2026").content.decode()
        assert f"公示期限 {label} 已过" in page


def test_entering_the_notice_recomputes_every_provisional_deadline_and_tells_the_reviewers(
    alice, amy, rita, sam, client
):
    with beijing(2027, 4, 20):
        first, second, *_ = drawn(alice, datetime.date(2027, 1, 10), datetime.date(2027, 5, 30))
        january = submitted(amy, first, datetime.date(2027, 1, 20))
        april = submitted(amy, second, datetime.date(2027, 4, 20))
    # Provisionally 春节 is 除夕 Fri 5 Feb to 初三 plus two weekday days given back; 劳动节 3–4 May.
    assert (january.deadline, january.deadline_pending_year) == (datetime.date(2027, 2, 23), 2027)
    assert (april.deadline, april.deadline_pending_year) == (datetime.date(2027, 5, 20), 2027)

    with beijing(2027, 5, 20):
        login(client, sam)
        preview = client.post("/calendar/notice/preview/", {"text": NOTICE_2027})
        assert preview.status_code == 200
        assert "2 条暂定公示期限将按本安排重算" in preview.content.decode()
        assert not CalendarDay.objects.exists()  # the preview stores nothing
        r = client.post("/calendar/notice/", {"text": NOTICE_2027})
        assert r.status_code == 302

    january.refresh_from_db()
    april.refresh_from_db()
    # The notice's 春节 runs to Fri 12 Feb with Sat 20 Feb worked: one day later, and final.
    assert (january.deadline, january.deadline_pending_year, january.deadline_note) == (
        datetime.date(2027, 2, 24),
        None,
        "",
    )
    # The notice's make-up Sun 25 Apr and Sat 8 May bring the April result's deadline to 19 May, which had passed
    # on the day the notice was entered: it stays at 20 May, with the reason.
    assert (april.deadline, april.deadline_pending_year) == (datetime.date(2027, 5, 20), None)
    assert (
        april.deadline_note
        == "按已录入的节假日安排应为 2027-05-19，早于可以完成的日期，按规定顺延至 2027-05-20"
    )

    year = CalendarYear.objects.get(year=2027)
    assert (year.notice_date, year.declared_by) == (datetime.date(2026, 11, 20), sam.display_name)
    assert CalendarDay.objects.filter(date__year=2027).count() == 33
    event = AuditEvent.objects.get(action="calendar.deadlines_recompute")
    assert [(c["id"], c["before"], c["after"]) for c in event.after["records"]] == [
        (january.pk, "2027-02-23", "2027-02-24"),
        (april.pk, "2027-05-20", "2027-05-20"),
    ]
    assert AuditEvent.objects.filter(action="calendar.notice_import").count() == 1
    [moved] = Notification.objects.filter(user=rita, key__startswith="deadline-moved:")
    assert moved.link == f"/records/{january.pk}/"
    assert "由 2027-02-23（暂定）改为 2027-02-24" in moved.message
    assert not Notification.objects.filter(user=amy, key__startswith="deadline-moved:").exists()


def test_a_malformed_notice_names_the_line_and_stores_nothing(sam, amy, client):
    login(client, sam)
    wrong = NOTICE_2027.replace("1月1日（周五）", "1月1日（周四）")
    r = client.post("/calendar/notice/preview/", {"text": wrong})
    assert r.status_code == 422
    assert "第 7 行：1月1日是周五，通知写的是周四" in r.content.decode()
    r = client.post("/calendar/notice/", {"text": wrong})
    assert r.status_code == 302
    assert not CalendarDay.objects.exists() and not CalendarYear.objects.exists()
    login(client, amy)
    assert client.post("/calendar/notice/preview/", {"text": NOTICE_2027}).status_code == 403
    assert client.post("/calendar/notice/", {"text": NOTICE_2027}).status_code == 403
    assert not CalendarYear.objects.exists()


def test_a_notice_without_a_festival_needs_a_reason(sam):
    partial = NOTICE_2027.replace(
        "七、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。", ""
    )
    with pytest.raises(RowInvalid, match="2027 年还缺少国庆节的放假安排"):
        services.calendar_notice_import(actor=sam, text=partial)
    assert not CalendarDay.objects.exists()
    year = services.calendar_notice_import(actor=sam, text=partial, reason="国庆另行通知")
    assert year.incomplete_reason == "国庆另行通知"


def test_declaring_a_year_with_only_new_years_day_is_refused_unless_a_reason_is_given(sam, client):
    services.calendar_day_set(actor=sam, date="2027-01-01", is_workday=False, note="元旦")
    login(client, sam)
    r = client.post("/calendar/years/", {"year": "2027"}, follow=True)
    assert "2027 年还缺少春节、清明节、劳动节、端午节、中秋节、国庆节的放假安排" in r.content.decode()
    assert not CalendarYear.objects.exists()
    r = client.post(
        "/calendar/years/", {"year": "2027", "reason": "其余节日按通知另行录入前暂用"}, follow=True
    )
    assert "已声明 2027 年节假日录入完毕" in r.content.decode()
    event = AuditEvent.objects.get(action="calendar.year_declare")
    assert event.reason == "其余节日按通知另行录入前暂用"
    assert event.after["missing"] == ["春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"]


def test_a_hand_entered_year_with_every_festival_is_declared_without_a_question(sam):
    for day in ["01-01", "02-08", "04-05", "05-03", "06-09", "09-15", "10-01"]:
        services.calendar_day_set(actor=sam, date=f"2027-{day}", is_workday=False)
    assert services.calendar_year_declare(actor=sam, year="2027").incomplete_reason == ""


@pytest.mark.parametrize("role_user", ["sam", "olivia"])
def test_from_the_first_of_november_the_administrator_and_the_office_are_warned(
    role_user, request, amy, client
):
    user = request.getfixturevalue(role_user)
    CalendarYear.objects.create(year=2030, declared_by="测试")  # so that only the next year can be missing
    with beijing(2030, 10, 31):
        login(client, user)  # inside the pinned day: a day's idle time ends a session
        assert 'id="calendar-banner"' not in client.get("/", follow=True).content.decode()
    with beijing(2030, 11, 1):
        login(client, user)
        page = client.get("/", follow=True).content.decode()
        assert 'id="calendar-banner"' in page and "尚未录入 2031 年的节假日安排" in page
        login(client, amy)
        assert 'id="calendar-banner"' not in client.get("/", follow=True).content.decode()


def test_the_system_check_and_send_reminders_warn_from_the_first_of_november(sam, olivia, capsys):
    CalendarYear.objects.create(year=2030, declared_by="测试")
    with beijing(2030, 10, 31):
        call_command("check")
        call_command("send_reminders")
        out = capsys.readouterr()
        assert "W010" not in out.err + out.out and "节假日" not in out.out
    with beijing(2030, 11, 1):
        call_command("check")
        out = capsys.readouterr()
        assert "shuangsuiji.W010" in out.err + out.out and "尚未录入 2031 年的节假日安排" in out.err + out.out
        call_command("send_reminders")
        call_command("send_reminders")  # twice: one message each, not two
        assert "节假日：尚未录入 2031 年的节假日安排" in capsys.readouterr().out
    assert Notification.objects.filter(user=sam, key="calendar-missing:2031", link="/calendar/").count() == 1
    assert Notification.objects.filter(user=olivia, key="calendar-missing:2031").count() == 1


def test_the_deadline_command_answers_for_a_known_a_provisional_and_a_malformed_date(db, capsys):
    call_command("deadline", "2026-02-10")
    assert capsys.readouterr().out.strip() == "2026-03-16"
    call_command("deadline", "2033-06-01", "--days", "5")
    assert capsys.readouterr().out.strip() == "2033-06-08（暂定，待录入 2033 年节假日安排）"
    for args, message in [
        (["2026-13-01"], "“2026-13-01”不是有效日期，应为 YYYY-MM-DD"),
        (["1899-12-31"], "1899 年超出可计算的范围（1900—2200 年）"),
        (["2200-12-31"], "2201 年超出可计算的范围（1900—2200 年）"),
        (["2026-01-05", "--days", "x"], "--days 应为 0—365 之间的整数"),
    ]:
        with pytest.raises(CommandError, match=message) as caught:
            call_command("deadline", *args)
        assert caught.value.returncode == 2


def test_the_api_deadline_calculator_answers_provisionally(amy):
    r = ApiClient(amy).get("/calendar/deadline", date="2026-12-20", days=20)
    assert r.status_code == 200
    assert r.json() == {
        "date": "2026-12-20",
        "days": 20,
        "deadline": "2027-01-18",
        "deadline_provisional": True,
        "pending_year": 2027,
        "label": "2027-01-18（暂定，待录入 2027 年节假日安排）",
    }
    r = ApiClient(amy).get("/calendar/deadline", date="2200-12-20", days=20)
    assert r.status_code == 422 and "超出可计算的范围" in r.json()["errors"][0]["reason"]


def _demo_data():
    call_command("seed_demo", "--entities", "2000", "--seed", "3", stdout=open("/dev/null", "w"))
    call_command("demo_accounts", stdout=open("/dev/null", "w"))


def _fail_on_third_review(monkeypatch):
    real = services.record_review
    calls = []

    def flaky(**kw):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("注入的故障")
        return real(**kw)

    monkeypatch.setattr(services, "record_review", flaky)


def test_the_demo_is_all_or_nothing_and_a_second_run_completes_it(db, monkeypatch, capsys):
    with beijing(2026, 12, 7):
        _demo_data()
        _fail_on_third_review(monkeypatch)
        with pytest.raises(RuntimeError, match="注入的故障"):
            call_command("demo_workflow")
        assert not AnnualPlan.objects.exists() and not Draw.objects.exists()
        assert not InspectionRecord.objects.exists()
        monkeypatch.undo()
        call_command("demo_workflow")
        assert InspectionRecord.objects.published().count() == 5
        assert "演示流程完成" in capsys.readouterr().out


def test_the_demo_finishes_a_cycle_an_older_run_left_halfway(db, monkeypatch, capsys):
    from shuangsuiji.accounts.models import User
    from shuangsuiji.inspections.management.commands.demo_workflow import Command

    with beijing(2027, 6, 15):
        _demo_data()
        _fail_on_third_review(monkeypatch)
        users = [
            User.objects.get(username=n) for n in ("scjg_admin", "office", "scjg_clerk", "scjg_reviewer")
        ]
        with pytest.raises(RuntimeError):
            Command()._walk(*users)  # as the old command did: no transaction around the walk
        assert InspectionRecord.objects.filter(status=RecordStatus.SUBMITTED).count() == 1
        monkeypatch.undo()
        call_command("demo_workflow")
        assert "演示流程完成" in capsys.readouterr().out
        assert AnnualPlan.objects.count() == 1 and Draw.objects.count() == 1
        assert InspectionRecord.objects.published().count() == 5
        call_command("demo_workflow")
        assert "跳过" in capsys.readouterr().out and InspectionRecord.objects.count() == 5
