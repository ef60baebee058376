"""Issue 15, item 13 in a real headless Chromium: from the login page to the first-login tour, a task, the page's 帮助
link to its section of the manual, and the tour's dismissal, by clicking only; no request of the session is a 404."""

import re
from urllib.parse import unquote

import pytest

from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


def test_the_department_administrator_follows_the_tour_and_the_help_link_then_dismisses_the_tour(
    page, live_server, alice
):
    missing = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    page.goto(live_server.url + "/login/")
    assert page.locator("#portal-link a").get_attribute("href") == "/portal/"

    sign_in(page, live_server, "alice", PASSWORD)
    tasks = page.locator("#tour li > a:first-child")
    assert tasks.all_inner_texts() == ["导入检查对象名录", "制定年度计划", "发布任务方案"]
    page.click("#tour a:has-text('制定年度计划')")
    page.wait_for_url(re.compile(r"/plans/new/$"))

    page.click("#help-link")
    page.wait_for_url(re.compile(r"/help/#"))
    assert unquote(page.url.split("#", 1)[1]) == "年度抽查计划"
    heading = page.locator("h3#年度抽查计划")
    assert heading.inner_text() == "年度抽查计划"
    top = heading.evaluate("h => h.getBoundingClientRect().top")
    assert 0 <= top < 200, f"the section is not scrolled into view (top {top})"

    page.click("#nav-home")
    page.click("#tour-dismiss")
    page.wait_for_url(live_server.url + "/")
    assert page.locator("#tour").count() == 0
    assert page.request.get(live_server.url + "/favicon.ico").status == 200
    assert not missing, missing
