"""Issue 14, part 1 in a real headless Chromium: a team member's papers print to an A4 PDF with one page per paper,
and no paper runs past its page (nothing cut) in print media."""

import re

import pytest

from shuangsuiji.draws.models import Selection, TeamMember
from tests import factories
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD
from tests.inspections.helpers import drawn_selection

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
    pytest.mark.today("2026-12-05"),
]

# A4 less the margins of papers.css (@page { margin: 12mm 14mm }), in CSS pixels (96 per inch).
MM = 96 / 25.4
CONTENT_HEIGHT = (297 - 2 * 12) * MM
CONTENT_WIDTH = (210 - 2 * 14) * MM


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def pdf_pages(pdf: bytes) -> int:
    """Page objects of a PDF (Chromium writes them uncompressed): `/Type /Page`, not `/Type /Pages`."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def test_a_team_members_papers_print_on_a4_one_page_each_with_nothing_cut(page, live_server, alice):
    for _ in range(2):
        factories.inspector("WJW")
    items = [
        factories.item(
            "SCJG",
            category="重点",
            ratio_cap=None,
            name="特种设备使用单位检查",
            legal_basis="《中华人民共和国特种设备安全法》第三十二条、第三十三条、第五十七条；《特种设备安全监察条例》第二十五条",
            sub_items="\n".join(
                [
                    "特种设备使用登记情况",
                    "压力容器、电梯定期检验情况",
                    "作业人员持证上岗情况",
                    "安全技术档案建立情况",
                    "日常维护保养和自行检查记录",
                    "应急预案制定和演练情况",
                ]
            ),
        ),
        factories.item(
            "SCJG", name="企业公示信息抽查", ratio_cap=None, sub_items="年度报告公示信息\n即时公示信息"
        ),
        factories.item("WJW", name="公共场所卫生检查", category="重点", ratio_cap=None),
    ]
    selection = drawn_selection(
        alice, entities=16, inspectors=3, items=items, team_slots={"SCJG": 2, "WJW": 1}
    )
    draw = selection.draw
    member = TeamMember.objects.filter(selection=selection, active=True, department__code="SCJG").first()
    visits = Selection.objects.filter(
        draw=draw, active=True, team__inspector=member.inspector, team__active=True
    ).count()
    assert visits >= 1

    sign_in(page, live_server, "alice", PASSWORD)
    page.goto(f"{live_server.url}/draws/{draw.pk}/teams/")
    page.click(f'a.papers[href$="?member={member.inspector_id}"]')
    page.wait_for_selector("section.paper")
    assert f"共 {visits} 个检查对象、{2 * visits} 页" in page.inner_text("#papers-count")

    page.emulate_media(media="print")
    assert not page.is_visible("#papers-toolbar")
    boxes = page.eval_on_selector_all(
        "section.paper",
        """els => els.map(e => {
            const r = e.getBoundingClientRect();
            const over = [...e.querySelectorAll('*')].filter(c => c.scrollWidth > c.clientWidth + 1
                && getComputedStyle(c).overflow !== 'visible').length;
            return {kind: e.dataset.paper, width: r.width, height: r.height, over: over,
                    wide: e.scrollWidth > e.clientWidth + 1};
        })""",
    )
    assert len(boxes) == 2 * visits
    assert [b["kind"] for b in boxes[:2]] == ["notice", "record"]
    for b in boxes:
        assert b["width"] <= CONTENT_WIDTH + 1 and not b["wide"] and b["over"] == 0, b
        assert b["height"] <= CONTENT_HEIGHT, b

    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and pdf_pages(pdf) == 2 * visits
    assert re.findall(rb"/Count (\d+)", pdf) == [str(2 * visits).encode()]
