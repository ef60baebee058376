import re

import pytest

from shuangsuiji.directory.models import CheckItem
from tests import factories
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


def test_an_official_maintains_the_item_list_in_a_real_browser(page, live_server, alice):
    sign_in(page, live_server, "alice", PASSWORD)
    page.click("text=随机抽查事项清单")
    page.click("text=新增事项")
    page.fill("#id_code", "SCJG-501")
    page.fill("#id_name", "特种设备使用单位检查")
    page.fill("#id_legal_basis", "《特种设备安全法》第五十七条")
    page.check("input[name=methods][value=实地核查]")
    page.select_option("#id_category", "重点")
    page.fill("#id_default_ratio", "10")
    page.fill("#id_reason", "新增事项")
    page.click("button:has-text('保存')")
    page.wait_for_url(re.compile(r"/items/\d+/$"))
    assert "特种设备使用单位检查" in page.content()

    page.click("a.btn:text-is('修改')")
    page.fill("#id_default_ratio", "20")
    page.fill("#id_reason", "事故多发，提高比例")
    page.click("button:has-text('保存')")
    page.wait_for_url(re.compile(r"/items/\d+/$"))
    assert "事故多发，提高比例" in page.content()
    page.click("text=v1")
    assert "10%" in page.content()
    assert CheckItem.objects.get(code="SCJG-501").version == 2


def test_a_form_error_is_shown_in_chinese_next_to_the_field(page, live_server, alice):
    sign_in(page, live_server, "alice", PASSWORD)
    page.goto(live_server.url + "/objects/new/")
    page.fill("#id_code", "91410481MA0000000O")
    page.fill("#id_name", "舞钢市某某有限公司")
    page.click("button:has-text('保存')")
    error = page.locator(".field.has-error .err").first.inner_text()
    assert "统一社会信用代码" in error


def test_the_inspector_list_masks_personal_data_in_the_browser(page, live_server, alice):
    ins = factories.inspector(name="王检查")
    sign_in(page, live_server, "alice", PASSWORD)
    page.goto(live_server.url + "/inspectors/")
    text = page.inner_text("main")
    assert "王检查" in text and ins.id_number not in text and ins.phone not in text
