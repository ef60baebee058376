"""Issue 10 in a real headless Chromium: in December a result's deadline is 暂定; the system administrator pastes the
State Council's notice, checks it on the month calendar, confirms, and the deadline becomes final."""

import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from shuangsuiji.inspections import services
from shuangsuiji.inspections.models import CalendarYear
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD, login
from tests.inspections.helpers import drawn_selection

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]
NOTICE_2027 = (Path(__file__).parents[1] / "inspections" / "notice_2027.txt").read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_MAX_AGE_DAYS = 0


def signed_in_as(page, live_server, user) -> None:
    """An administrator's session as after password and second factor (the factor itself is tested elsewhere)."""
    client = Client()
    login(client, user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_a_december_deadline_is_provisional_until_the_administrator_enters_the_notice(
    page, live_server, alice, amy, sam
):
    with time_machine.travel(datetime.datetime(2026, 12, 10, 9, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        selection = drawn_selection(alice)
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
                "inspection_date": "2026-12-10",
            },
        )
        sign_in(page, live_server, "amy", PASSWORD)
        page.goto(f"{live_server.url}/records/{rec.pk}/")
        assert "2027-01-08（暂定，待录入 2027 年节假日安排）" in page.inner_text("main")

        page.context.clear_cookies()
        signed_in_as(page, live_server, sam)
        page.goto(f"{live_server.url}/calendar/")
        assert "尚未录入 2027 年的节假日安排" in page.inner_text("#calendar-banner")
        assert "1 条检查记录的公示期限为暂定" in page.inner_text("#pending-deadlines")
        page.fill("#id_notice_text", NOTICE_2027)
        page.click("button:has-text('识别并在日历上核对')")
        page.wait_for_selector("#notice-months")
        assert page.locator("#notice-months caption").count() == 12
        assert page.locator("#notice-months td.day-holiday").count() == 28
        assert page.locator("#notice-months td.day-makeup").count() == 5
        assert not CalendarYear.objects.exists()
        page.click("#confirm-notice")
        page.wait_for_url(f"{live_server.url}/calendar/")
        assert "已按通知录入 2027 年节假日安排" in page.inner_text("main")
        assert "国务院办公厅通知（2026-11-20）" in page.inner_text("main")
        assert page.locator("#calendar-banner").count() == 0

        page.context.clear_cookies()
        sign_in(page, live_server, "amy", PASSWORD)
        page.goto(f"{live_server.url}/records/{rec.pk}/")
        main = page.inner_text("main")
        assert "2027-01-08" in main and "暂定" not in main
