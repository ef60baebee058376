"""Issue 16 in a real headless Chromium: a scheme with different ratios per risk class is drawn sealed; the witnesses
see what to check and a fingerprint to sign; the portal shows the drawn list without strata, ranks or priorities, and
the verifier page offers the programs to check it."""

import re

import pytest

from shuangsuiji import draw as engine
from shuangsuiji.draws import services
from shuangsuiji.draws.models import Draw, DrawStatus, Selection
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD
from tests.draws.helpers import published_scheme

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
    pytest.mark.today("2026-11-27"),
]


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def test_a_sealed_draw_from_freeze_to_the_public_page_in_a_browser(page, live_server, alice):
    scheme = published_scheme(alice, entities=40, publish_list_at="draw")
    sign_in(page, live_server, "alice", PASSWORD)
    page.goto(f"{live_server.url}/schemes/{scheme.pk}/")
    assert "密封分层（DRAW-v1.1）" in page.inner_text("#draw-mode")

    page.click("text=冻结名单")
    page.fill("#id_lottery_name", "福利彩票双色球")
    page.fill("#id_lottery_period", "2026140")
    page.fill("#id_lottery_draw_date", "2026-11-29")
    page.fill("#id_announced", "lottery = 福利彩票双色球第2026140期红球; witness = 现场掷骰 12 位")
    page.click("button:has-text('冻结名单并公示承诺值')")
    page.wait_for_url(re.compile(r"/draws/\d+/$"))
    draw = Draw.objects.get()
    assert draw.sealed and draw.commitment in page.content()

    page.click("text=进入抽取仪式")
    fingerprint = page.inner_text("#fingerprint")
    assert fingerprint == services.fingerprint(draw) and "请监督人员核对" in page.content()
    page.fill("#witness_name_1", "周监督")
    page.fill("#witness_unit_1", "舞钢市司法局")
    page.fill("#reveal_lottery", "30,3,11,15,22,27")
    page.fill("#reveal_witness", "314159265358")
    page.fill("#thrown_by_witness", "周监督")
    page.click("button:has-text('抽取')")
    page.wait_for_url(re.compile(r"/draws/\d+/$"))
    draw.refresh_from_db()
    assert draw.status == DrawStatus.DRAWN and "完整文件" in page.content() and "firm-proof" in page.content()
    assert engine.verify_full(services.draw_dir(draw), services.public_dir(draw)).ok

    page.click("button:has-text('退出')")
    page.goto(f"{live_server.url}/portal/tasks/{scheme.pk}/")
    text = page.inner_text("main")
    assert "密封" in text and draw.public_seed in text and draw.seed not in text
    for sel in Selection.objects.filter(draw=draw):
        assert sel.priority not in text
    assert "分层代码（随机）" in text
    assert (
        page.locator("th:has-text('优先值')").count() == 0
        and page.locator("th:has-text('序位')").count() == 0
    )
    assert page.locator("a[href$='/files/candidates-public.csv']").count() == 1
    assert page.locator("a[href$='/files/candidates.csv']").count() == 0
    page.click("text=独立核验程序")
    assert "verify_draw.py" in page.content() and "SHA-256" in page.content()
