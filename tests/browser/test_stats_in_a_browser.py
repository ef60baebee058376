"""Issue 12 in a real headless Chromium: the office reads the statistics, switches to the second half-year, and follows
the city's count of finished checks to the records behind it; a department's administrator sees its own row only."""

import re

import pytest
from django.test import Client

from shuangsuiji.stats.filters import StatsFilter
from tests.conftest import login
from tests.stats import oracle
from tests.stats.history import TODAY, YEAR, build

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
    pytest.mark.today(TODAY.isoformat()),
]


def signed_in_as(page, live_server, user) -> None:
    client = Client()
    login(client, user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_the_office_switches_filters_and_follows_a_figure_and_a_department_sees_its_own(
    page, browser, live_server, olivia, bob, alice
):
    h = build(21, alice)
    signed_in_as(page, live_server, olivia)
    page.goto(f"{live_server.url}/stats/?year={YEAR}")
    page.select_option("select[name=half]", "2")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"half=2"))
    city = page.locator('#sec-records tr:has(th:text-is("全市")) td').first
    expected = oracle.figures(h, StatsFilter(YEAR, half=2), TODAY, None)["records_finished"]
    assert city.inner_text().strip() == str(expected)
    assert (
        page.locator("svg.chart").count() == 4
    )  # on time, problems by item, coverage by region, joint share
    report = page.locator("a#report").get_attribute("href")
    assert report is not None and "half=2" in report
    city.locator("a").click()
    page.wait_for_url(re.compile(r"/records/\?.*stat=records_finished"))
    assert f"（共 {expected} 条）" in page.locator("#stat-banner").inner_text()

    other = browser.new_context(locale="zh-CN").new_page()
    signed_in_as(other, live_server, bob)
    other.goto(f"{live_server.url}/stats/?year={YEAR}")
    heads = other.locator("#sec-tasks tr th:first-child").all_inner_texts()
    assert heads == ["部门", "舞钢市卫生健康委员会"]
    other.locator("#sec-transfers td a").first.click()
    other.wait_for_url(re.compile(r"/transfers/\?.*stat=transfers_opened"))
    assert "统计数字“移交”" in other.locator("#stat-banner").inner_text()
    other.context.close()
