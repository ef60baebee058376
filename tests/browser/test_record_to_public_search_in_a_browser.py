"""Issue 5's walk in a real headless Chromium: a clerk records a result → a reviewer approves → the public finds it."""

import re

import pytest

from shuangsuiji.inspections.models import InspectionRecord, RecordStatus
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD
from tests.inspections.helpers import drawn_selection

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def test_a_result_goes_from_the_clerk_through_review_to_the_public_search_in_a_browser(
    page, live_server, alice, amy, rita
):
    selection = drawn_selection(alice)
    obj = selection.object

    sign_in(page, live_server, "amy", PASSWORD)
    page.goto(f"{live_server.url}/draws/{selection.draw_id}/")
    page.click(f"form[action='/draws/{selection.draw_id}/selections/{selection.pk}/record/'] button")
    page.wait_for_url(re.compile(r"/records/\d+/edit/$"))
    assert "已为" in page.content()

    # A first submission without the signature and the result shows the reasons under their fields.
    page.click("button:has-text('提交审核')")
    assert "请说明检查对象是否签字（盖章）" in page.inner_text("main")
    assert "请选择检查结果" in page.inner_text("main")

    page.check("#id_cert_shown")
    page.check("#id_signature_obtained")
    page.check("input[name=categories][value=未发现问题]")
    # The transfer part shows while a measure hands the problem on and hides for 无需后续处置 (issue 15, item 9).
    page.check("input[name=measures][value=反馈日常监管部门依法处理]")
    assert page.locator("#transfer-part").is_visible()
    page.uncheck("input[name=measures][value=反馈日常监管部门依法处理]")
    page.check("input[name=measures][value=无需后续处置]")
    assert page.locator("#transfer-part").is_hidden()
    page.fill("#id_note", "现场检查，未发现问题。")
    page.click("button:has-text('提交审核')")
    page.wait_for_url(re.compile(r"/records/\d+/$"))
    assert "已提交审核" in page.inner_text("main")
    rec = InspectionRecord.objects.get(selection=selection)
    assert rec.status == RecordStatus.SUBMITTED

    page.click("button:has-text('退出')")
    sign_in(page, live_server, "rita", PASSWORD)
    page.click("header >> text=审核")
    assert obj.name in page.inner_text("main")
    page.click("button:has-text('审核通过')")
    page.wait_for_url(re.compile(r"/review/$"))
    assert "检查结果已公示" in page.inner_text("main")
    rec.refresh_from_db()
    assert rec.status == RecordStatus.PUBLISHED

    page.click("button:has-text('退出')")
    page.goto(f"{live_server.url}/portal/results/")
    page.fill("#id_q", obj.code)
    page.click("button:has-text('查询')")
    page.wait_for_url(re.compile(r"/portal/results/\?q="))
    text = page.inner_text("main")
    assert obj.name in text and "舞钢市市场监督管理局" in text and "双随机抽查" in text
    assert "未发现问题" in text and "特种设备使用单位检查：未发现问题" in text
