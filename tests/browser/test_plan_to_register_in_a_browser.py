"""Issue 4's walk in a real headless Chromium: plan → approval → scheme → freeze → ceremony → teams → 登记表."""

import os
import re

import pytest

from shuangsuiji import draw as engine
from shuangsuiji.draws.models import Draw, DrawStatus
from shuangsuiji.draws.services import draw_dir
from tests import factories
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD
from tests.draws.helpers import DRAW_DATE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def test_a_department_walks_from_plan_to_registration_form_in_a_browser(page, live_server, alice, olivia):
    item = factories.item(
        "SCJG", code="SCJG-701", category="重点", ratio_cap=None, name="特种设备使用单位检查"
    )
    for n in range(20):
        factories.entity(name=f"舞钢市浏览器测试公司{n}")
    for _ in range(3):
        factories.inspector("SCJG")

    sign_in(page, live_server, "alice", PASSWORD)
    page.click("text=抽查计划")
    page.click("text=制定计划")
    page.fill("#id_year", "2026")
    page.fill("#id_title", "2026年度市场监管抽查计划")
    page.click("button:has-text('创建')")
    page.wait_for_url(re.compile(r"/plans/\d+/$"))
    plan_url = page.url
    page.select_option("#plan_item", value=str(item.pk))
    page.click("button:has-text('加入计划')")
    page.fill("#batch_name", "第一批")
    page.fill("#batch_month", "12")
    page.click("button:has-text('添加批次')")
    page.click("button:has-text('报送联席会议办公室')")
    assert "已报送" in page.content()

    page.click("button:has-text('退出')")
    sign_in(page, live_server, "olivia", PASSWORD)
    page.goto(plan_url)
    page.click("button:has-text('批准并公示')")
    assert "已批准并公示" in page.content()

    page.click("button:has-text('退出')")
    sign_in(page, live_server, "alice", PASSWORD)
    page.goto(live_server.url + "/schemes/new/")
    page.fill("#id_name", "2026年特种设备抽查")
    page.select_option("#id_batch", index=1)
    page.check(f"input[name=items][value='{item.pk}']")
    page.check("input[name=methods][value=实地核查]")
    page.fill("#ratio_B", "25")
    page.fill("#id_window_start", "2026-12-01")
    page.fill("#id_window_end", "2026-12-20")
    page.click("button:has-text('保存草稿')")
    page.wait_for_url(re.compile(r"/schemes/\d+/$"))
    page.click("button:has-text('公示方案并编号')")
    assert "舞市监抽查〔2026〕1号" in page.content()

    page.click("text=冻结名单")
    page.fill("#id_lottery_name", "福利彩票双色球")
    page.fill("#id_lottery_period", "2026140")
    page.fill("#id_lottery_draw_date", DRAW_DATE)
    page.fill("#id_announced", "lottery = 福利彩票双色球第2026140期红球; witness = 现场掷骰 12 位")
    page.click("button:has-text('冻结名单并公示承诺值')")
    page.wait_for_url(re.compile(r"/draws/\d+/$"))
    draw = Draw.objects.get()
    assert draw.commitment in page.content()

    page.click("text=进入抽取仪式")
    # A mistaken entry (issue 15, item 6): a witness without a unit, no thrower. Every error at once, nothing lost.
    page.fill("#witness_name_1", "周监督")
    page.fill("#witness_name_2", "吴监督")
    page.fill("#witness_unit_1", "舞钢市司法局")
    page.fill("#reveal_lottery", "30，3，11，15，22，27")
    page.fill("#reveal_witness", "314159265358")
    page.click("button:has-text('抽取')")
    page.wait_for_load_state()
    assert page.locator("ul.errors li").count() == 2
    assert "第 2 名监督人员缺少单位" in page.inner_text("ul.errors")
    assert page.input_value("#witness_name_2") == "吴监督"
    assert page.input_value("#reveal_lottery") == "30，3，11，15，22，27"
    if screenshots := os.environ.get(
        "SCREENSHOTS_DIR"
    ):  # docs/screenshots/ceremony-after-a-mistaken-entry.png
        page.screenshot(path=f"{screenshots}/ceremony-after-a-mistaken-entry.png", full_page=True)
    page.fill("#witness_unit_2", "舞钢市审计局")
    page.fill("#thrown_by_witness", "吴监督")
    page.click("button:has-text('抽取')")
    page.wait_for_url(re.compile(r"/draws/\d+/$"))
    assert "抽取完成" in page.content()
    draw.refresh_from_db()
    assert draw.status == DrawStatus.DRAWN and engine.verify(draw_dir(draw)).ok
    assert draw.reveals["lottery"] == "3.11.15.22.27.30." and "即开奖号码 03 11 15 22 27 30" in page.content()

    page.click("text=登记表（打印）")
    assert page.locator("section.card").count() == 5  # ceil(20 × 0.25)
    assert "执法证号" in page.inner_text("main")
