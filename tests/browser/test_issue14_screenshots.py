"""The screenshots of issue 14's note, taken in Chromium at a phone's size (390×844) — the phone form with the fields
the desktop form also asks, and the portal's verification page for a valid and for a wrong code — each page checked
for what it must say. With SCREENSHOTS_DIR set (e.g. docs/screenshots) the PNGs are written to
$SCREENSHOTS_DIR/issue14/; the offline reload is saved by test_phone_record_in_a_browser.py the same way.

    SCREENSHOTS_DIR=docs/screenshots .venv/bin/pytest tests/browser/test_issue14_screenshots.py \\
        tests/browser/test_phone_record_in_a_browser.py -p no:cacheprovider
"""

import os
from pathlib import Path

import pytest

from tests.browser.conftest import sign_in
from tests.browser.test_phone_record_in_a_browser import PHONE, inspector_account
from tests.browser.walks import english_in_context
from tests.conftest import PASSWORD
from tests.inspections.helpers import drawn_selection

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


def save(page, name: str, *, full_page: bool = False) -> None:
    if screenshots := os.environ.get("SCREENSHOTS_DIR"):
        Path(screenshots, "issue14").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{screenshots}/issue14/{name}.png", full_page=full_page)


def no_english(page) -> None:
    words = english_in_context(page.inner_text("body"))
    assert not words, words


def test_the_phone_form_with_the_desktop_fields_and_the_verification_pages(browser, live_server, alice):
    selection = drawn_selection(alice)
    team = list(selection.team.filter(active=True).order_by("order").values_list("inspector_id", flat=True))
    me = inspector_account(alice, team[0])
    code = selection.visit_code.code
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        sign_in(page, live_server, me.username, PASSWORD)
        page.goto(f"{live_server.url}/my/visits/{selection.pk}/")
        page.wait_for_selector("#phone-form[data-draft-loaded='1']", state="attached")
        for field in ("#id_result_date", "#id_agency", "#id_t1_kind", "#id_withhold_reason", "#id_documents"):
            assert page.locator(field).count() == 1, field
        page.fill("#id_inspection_time", "09:30")
        page.check("input[name=categories][value=未发现问题]")
        page.check("input[name=measures][value=无需后续处置]")
        page.fill("#id_note", "现场检查未发现问题。")
        # One column that fits the phone, even with the transfer part.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        no_english(page)
        # The whole form is saved by test_phone_record_in_a_browser.py (with photos and signature); here the part
        # the desktop form also asks: result date, documents, withholding, transfers.
        page.locator("#id_result_date").scroll_into_view_if_needed()
        save(page, "phone-record-form-result-date")
        page.locator("#transfer-part").scroll_into_view_if_needed()
        save(page, "phone-record-form-transfers")

        public = context.new_page()
        public.goto(f"{live_server.url}/portal/verify/{code}")
        # The firm's phone: nothing wider than the screen, the header included.
        assert public.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        body = public.inner_text("body")
        assert "是已登记的“双随机”抽查" in body and selection.object.name in body
        no_english(public)
        save(public, "portal-verify-valid", full_page=True)
        response = public.goto(f"{live_server.url}/portal/verify/ABCDE23456")
        assert response.status == 404
        body = public.inner_text("body")
        assert "未找到该核验码" in body and "这不是已登记的“双随机”抽查" in body
        no_english(public)
        save(public, "portal-verify-wrong", full_page=True)
    finally:
        context.close()
