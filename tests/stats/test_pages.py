"""/stats/ through HTTP: scoping, hostile filters, figures that lead to their rows, the xlsx export, the portal page."""

import io
import re
from html import unescape

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shuangsuiji.directory.models import RiskClass
from shuangsuiji.org.models import Department
from shuangsuiji.stats import selectors
from shuangsuiji.stats.filters import StatsFilter
from shuangsuiji.stats.labels import SECTIONS
from tests.conftest import login
from tests.factories import item

from . import oracle
from .history import TODAY, YEAR, build

pytestmark = [pytest.mark.django_db, pytest.mark.today(TODAY.isoformat())]


def rows_of(html: str, section: str) -> dict[str, list[str]]:
    """{row label: [cell texts]} of one section's table."""
    block = html.split(f'id="sec-{section}"', 1)[1].split("</table>", 1)[0]
    out = {}
    for tr in re.findall(r"<tr><th>(.*?)</th>(.*?)</tr>", block, re.S):
        cells = re.findall(r'<td class="num">(.*?)</td>', tr[1], re.S)
        if tr[0] == "部门":
            continue
        out[unescape(tr[0])] = [unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells]
    return out


def test_the_office_sees_every_department_and_the_city_and_each_count_leads_to_its_rows(
    client, olivia, alice
):
    h = build(11, alice)
    login(client, olivia)
    html = client.get("/stats/", {"year": YEAR}).content.decode()
    expected = oracle.figures(h, StatsFilter(YEAR), TODAY, None)
    records = rows_of(html, "records")
    labels = [lb.key for lb in dict((k, v) for k, _t, v in SECTIONS)["records"]]
    assert records["全市"][labels.index("records_finished")] == str(expected["records_finished"])
    assert set(records) >= {d.name for d in h.departments} | {"全市"}
    # Follow the figures of SCJG's row to the lists: each list holds as many rows as the figure says.
    scjg = h.departments[1] if h.departments[1].code == "SCJG" else h.departments[0]
    mine = oracle.figures(h, StatsFilter(YEAR), TODAY, scjg.pk)
    for key in ("records_finished", "records_with_problems", "tasks_published", "transfers_opened"):
        link = re.search(rf'href="([^"]*department={scjg.pk}&amp;stat={key})"', html).group(1)
        page = client.get(unescape(link)).content.decode()
        assert f"（共 {mine[key]} 条）" in page, key


@pytest.mark.parametrize("narrow", ["none", "item", "joint_half", "department"])
def test_every_figure_with_a_list_opens_it_with_its_name_and_as_many_rows_as_it_counts(
    client, olivia, alice, narrow
):
    """Every key a list page accepts as ?stat= (the numerators of rates included, which the page links to no cell
    of): never a 500, always the figure's name, and the count the oracle computes from the rows, the office's
    unfiltered list (which reads the figure's rows directly) and a narrowed one alike."""
    h = build(11, alice)
    query = {
        "none": {},
        "item": {"item": h.items[0].pk},
        "joint_half": {"joint": "joint", "half": 2},
        "department": {"department": h.departments[0].pk},
    }[narrow]
    login(client, olivia)
    f = StatsFilter(YEAR, **{k: v for k, v in query.items() if k != "department"})
    expected = oracle.figures(h, f, TODAY, query.get("department"))
    for list_name, keys in selectors.LIST_FIGURES.items():
        for key in keys:
            r = client.get(reverse(list_name), {"year": YEAR, **query, "stat": key})
            assert r.status_code == 200, key
            page = r.content.decode()
            assert "统计数字“" in page, key
            if isinstance(expected.get(key), int) and key != "checked_thrice":  # that one counts entities
                assert f"（共 {expected[key]} 条）" in page, (key, query)


@pytest.mark.parametrize("seed", [5, 12, 30])
def test_the_entities_checked_three_times_or_more_are_listed_behind_their_figure(client, olivia, alice, seed):
    """Art. 9 (原则上不超过2次): the office follows “随机抽查 3 次及以上” to the checks of exactly those entities."""
    h = build(seed, alice)
    login(client, olivia)
    html = client.get("/stats/", {"year": YEAR}).content.decode()
    city = oracle.figures(h, StatsFilter(YEAR), TODAY, None)
    assert city["checked_thrice"] >= 1  # the seeds are chosen so
    labels = [lb.key for lb in dict((k, v) for k, _t, v in SECTIONS)["coverage"]]
    assert rows_of(html, "coverage")["全市"][labels.index("checked_thrice")] == str(city["checked_thrice"])
    links = re.findall(r'href="(/records/\?[^"]*stat=checked_thrice)"', html)
    for dept in h.departments:  # each department's figure links to its own rows, and the city's to all
        assert f"/records/?year={YEAR}&amp;department={dept.pk}&amp;stat=checked_thrice" in links
    city_link = next(unescape(x) for x in links if "department=" not in x)
    page = client.get(city_link).content.decode()
    assert f"（共 {oracle.checked_thrice_rows(h, StatsFilter(YEAR), TODAY, None)} 条）" in page
    assert "统计数字“随机抽查 3 次及以上”" in page
    for dept in h.departments:
        mine = oracle.checked_thrice_rows(h, StatsFilter(YEAR), TODAY, dept.pk)
        page = client.get("/records/", {"year": YEAR, "department": dept.pk, "stat": "checked_thrice"})
        assert f"（共 {mine} 条）" in page.content.decode(), dept.code


def test_a_department_following_the_thrice_figure_sees_its_own_checks_only(client, bob, alice):
    h = build(30, alice)
    wjw = Department.objects.get(code="WJW")
    login(client, bob)
    mine = oracle.checked_thrice_rows(h, StatsFilter(YEAR, department=wjw.pk), TODAY, wjw.pk)
    for query in ({}, {"department": h.departments[0].pk}, {"department": h.departments[2].pk}):
        page = client.get("/records/", {"year": YEAR, "stat": "checked_thrice", **query}).content.decode()
        assert f"（共 {mine} 条）" in page


def test_a_department_sees_its_own_figures_only_and_is_told_when_it_asks_for_another(
    client, bob, alice, scjg
):
    h = build(12, alice)
    login(client, bob)
    r = client.get("/stats/", {"year": YEAR, "department": scjg.pk})
    html = r.content.decode()
    assert r.status_code == 200
    assert "只能查看本部门的统计" in html
    assert set(rows_of(html, "tasks")) == {"舞钢市卫生健康委员会"}
    assert scjg.name not in rows_of(html, "records")
    assert 'name="department"' not in html  # no department choice to offer
    # A figure link tampered to name SCJG lists WJW's rows, as many as WJW's figure.
    wjw = Department.objects.get(code="WJW")
    page = client.get("/records/", {"year": YEAR, "department": scjg.pk, "stat": "records_finished"})
    expected = oracle.figures(h, StatsFilter(YEAR, department=wjw.pk), TODAY, wjw.pk)["records_finished"]
    assert f"（共 {expected} 条）" in page.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"year": "abc", "half": "3"},
        {"year": "99999999999999999999999", "department": "0", "item": "²"},
        {"year": "1899", "region": "1e9", "risk_class": "%00"},
        {"joint": "<script>alert(1)</script>", "department": "999999999"},
        {"year": "2026.5", "half": "-1"},
    ],
)
def test_hostile_filters_give_a_chinese_message_never_a_500(client, olivia, query):
    login(client, olivia)
    r = client.get("/stats/", query)
    assert r.status_code == 200
    assert 'class="msg error"' in r.content.decode()
    assert "<script>alert" not in r.content.decode()
    assert client.get("/stats/stats.xlsx", query).status_code == 200
    api = client.get("/api/v1/stats/summary", query)
    assert api.status_code == 422 and any(
        "\u4e00" <= ch <= "\u9fff" for ch in api.json()["errors"][0]["reason"]
    )


def test_the_security_administrator_and_strangers_get_no_statistics(client, sergei):
    assert client.get("/stats/").status_code == 302
    login(client, sergei)
    assert client.get("/stats/").status_code == 403
    assert client.get("/api/v1/stats/summary").status_code == 403


def test_the_export_has_one_sheet_per_table_with_title_and_units_and_keeps_formula_text_as_text(
    client, olivia, alice
):
    h = build(13, alice)
    evil = item("SCJG", name='=HYPERLINK("http://x","点我")\x07', code="=1+1")  # and a control character
    h.items.append(evil)
    type(h.regions[0]).objects.filter(pk=h.regions[0].pk).update(name="=2+3")
    login(client, olivia)
    r = client.get("/stats/stats.xlsx", {"year": YEAR, "item": evil.pk})
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == [t for _k, t, _l in SECTIONS] + [
        "按月按时公示",
        "分事项问题发现率",
        "分抽查事项",
        "分乡镇（街道）",
        "分行业门类（GBT 4754）",
        "分信用风险分类（内部）",
        "检查人员工作量（内部，不作排名）",
    ]
    ws = wb["检查与结果公示"]
    assert ws["A1"].value.startswith("“双随机、一公开”统计：2026 年")
    assert [c.value for c in ws[2]][:4] == ["单位", "户次", "户次", "%"]
    assert [c.value for c in ws[3]][:2] == ["部门", "完成检查"]
    assert ws["A1"].font.b and ws["A1"].font.sz == 13 and ws["B3"].font.b  # title and header
    assert 28 <= ws.column_dimensions["A"].width < 29  # 28 characters, as Excel stores it (with its padding)
    [town] = [c for c in wb["分乡镇（街道）"]["A"] if c.value == "=2+3"]
    assert town.data_type == "s" and town.quotePrefix  # editing the cell in Excel does not run it either
    for sheet in wb:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    # the title names the item, without the control character (which xlsx does not allow)
    assert wb["检查与结果公示"]["A1"].value.startswith(
        '“双随机、一公开”统计：2026 年，=HYPERLINK("http://x","点我")（'
    )


def test_the_portal_shows_the_citys_figures_with_no_cell_under_five_and_no_risk_class(client, alice):
    build(14, alice)
    html = client.get("/portal/stats/", {"year": YEAR}).content.decode()
    assert "抽查统计" in client.get("/portal/").content.decode()  # in the portal's navigation
    cells = re.findall(r'<td class="num">(.*?)</td>', html, re.S)
    assert cells and "&lt;5" in cells
    for text in cells:
        text = unescape(text).strip()
        if re.fullmatch(r"\d+", text):
            assert int(text) >= 5, text
        else:
            assert text in ("<5", "—") or re.fullmatch(r"\d+\.\d%|\d+\.\d", text), text
    main = html.split("<main>", 1)[1].split("</main>", 1)[0]  # the footer names what is never published
    assert "风险" not in main
    for rc in RiskClass.objects.all():
        assert rc.name not in main
    assert "检查员" not in html and '<a href="/records' not in html
    for hostile in ("x", "3000", "-1"):
        r = client.get("/portal/stats/", {"year": hostile})
        assert r.status_code == 200 and "年度应为" in r.content.decode()


def test_the_api_summary_returns_the_pages_figures(client, olivia, bob, alice, wjw):
    h = build(15, alice)
    login(client, olivia)
    body = client.get("/api/v1/stats/summary", {"year": YEAR, "half": 2}).json()
    table = selectors.department_table(StatsFilter(YEAR, half=2), h.departments, TODAY, city=True)
    by_name = {r["department_name"]: r["figures"] for r in body["rows"]}
    for row in table.rows:
        for key, value in oracle.figures(
            h, StatsFilter(YEAR, half=2), TODAY, row.department.pk if row.department else None
        ).items():
            if key in by_name[row.label]:
                assert by_name[row.label][key] == pytest.approx(value), (row.label, key)
    client.logout()
    login(client, bob)
    assert (
        client.get("/api/v1/stats/summary", {"year": YEAR, "department": h.departments[1].pk}).status_code
        == 403
    )
    mine = client.get("/api/v1/stats/summary", {"year": YEAR}).json()
    assert [r["department_code"] for r in mine["rows"]] == ["WJW"]


def test_the_printable_report_holds_the_tables_the_breakdowns_and_four_charts_for_the_same_filter(
    client, olivia, alice
):
    h = build(16, alice)
    login(client, olivia)
    page = client.get("/stats/", {"year": YEAR, "half": 1}).content.decode()
    assert f'href="/stats/report/?year={YEAR}&amp;half=1"' in page  # linked from /stats/ with the filter
    html = client.get("/stats/report/", {"year": YEAR, "half": 1}).content.decode()
    assert "半年统计报告" in html and "2026 年上半年" in html
    assert html.count("<svg") == 4
    expected = oracle.figures(h, StatsFilter(YEAR, half=1), TODAY, None)
    records = rows_of(html, "records")
    labels = [lb.key for lb in dict((k, v) for k, _t, v in SECTIONS)["records"]]
    assert records["全市"][labels.index("records_finished")] == str(expected["records_finished"])
    for key in ("item", "region", "industry", "risk", "inspector"):
        assert f'id="brk-{key}"' in html
    assert "年度统计报告" in client.get("/stats/report/", {"year": YEAR}).content.decode()


def test_a_departments_report_shows_its_own_figures_only(client, bob, alice):
    h = build(17, alice)
    login(client, bob)
    html = client.get("/stats/report/", {"year": YEAR}).content.decode()
    names = set(rows_of(html, "records"))
    assert names == {bob.department.name}
    others = [d.name for d in h.departments if d != bob.department]
    assert all(f"<th>{name}</th>" not in html for name in others)


def test_the_api_summary_carries_the_breakdowns_and_they_add_up_to_the_city(client, olivia, alice):
    h = build(18, alice)
    login(client, olivia)
    body = client.get("/api/v1/stats/summary", {"year": YEAR}).json()
    parts = {b["key"]: b for b in body["breakdowns"]}
    assert list(parts) == ["item", "region", "industry", "risk", "inspector"]
    city = oracle.figures(h, StatsFilter(YEAR), TODAY, None)
    assert sum(row[1] for row in parts["region"]["rows"]) == city["records_finished"]
    assert sum(row[6] for row in parts["region"]["rows"]) == city["entities_checked"]
    assert sum(row[3] for row in parts["risk"]["rows"]) == city["records_with_problems"]
    assert parts["region"]["units"][-1] == "%"


def test_the_portal_shows_no_breakdown_no_inspector_and_no_risk_class(client, alice):
    h = build(19, alice)
    html = client.get("/portal/stats/", {"year": YEAR}).content.decode()
    main = html.split("<main>", 1)[1].split("</main>", 1)[0]
    for ins in h.inspectors.values():
        assert ins["name"] not in html
    assert "工作量" not in main and "检查人员" not in main and 'id="brk-' not in html
    for rc in RiskClass.objects.all():
        assert rc.name not in main
    # the figures added for the joint meeting are there, each suppressed under five
    assert "三年覆盖率" in main and "投诉举报" in main and "接收移交" in main


def test_names_with_markup_are_shown_as_text_in_every_table_and_breakdown(client, olivia, alice):
    h = build(17, alice)
    evil = '<img src=x onerror="alert(1)">'
    Department.objects.filter(pk=h.departments[0].pk).update(name=f"{evil}局")
    type(h.regions[0]).objects.filter(pk=h.regions[0].pk).update(name=f"{evil}镇")
    type(h.items[0]).objects.filter(pk=h.items[0].pk).update(name=f"{evil}事项")
    login(client, olivia)
    for path in ("/stats/", "/stats/report/", "/portal/stats/"):
        html = client.get(path, {"year": YEAR}).content.decode()
        assert "<img" not in html, path
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;局" in html, path
    html = client.get("/stats/", {"year": YEAR}).content.decode()
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;镇" in html  # the region breakdown
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;事项" in html  # the item breakdown


def test_pages_filtered_by_an_item_show_its_figures_and_say_when_they_were_counted(
    client, olivia, alice, stats_source
):
    """/stats/, the report, the xlsx and the API with an item filter (alone and with the half, region, risk class and
    joint/own): every count of the city row is the oracle's, and on the summary path the page says “数据截至…” (the
    item cells, ADR 0022 sixth pass), not that it computed live."""
    h = build(41, alice)
    login(client, olivia)
    it = h.items[0].pk
    for query in (
        {"item": it},
        {"item": it, "half": 2, "region": h.regions[0].pk},
        {"item": it, "joint": "own", "risk_class": h.risks[1].pk},
    ):
        f = StatsFilter(YEAR, **query)
        expected = oracle.figures(h, f, TODAY, None)
        for path in ("/stats/", "/stats/report/"):
            html = client.get(path, {"year": YEAR, **query}).content.decode()
            for section, _title, labels in SECTIONS:
                city = rows_of(html, section)["全市"]
                for i, lb in enumerate(labels):
                    if isinstance(expected.get(lb.key), int) and not isinstance(expected[lb.key], bool):
                        assert city[i] == str(expected[lb.key]), (path, query, lb.key)
            if stats_source == "summary":
                assert "数据截至" in html and "按实时数据计算" not in html, path
            else:
                assert "以下数字按实时数据计算。" in html, path
        wb = load_workbook(io.BytesIO(client.get("/stats/stats.xlsx", {"year": YEAR, **query}).content))
        heading = wb["检查与结果公示"]["A1"].value
        assert ("数据截至" in heading) == (stats_source == "summary") != ("实时计算" in heading), heading
        body = client.get("/api/v1/stats/summary", {"year": YEAR, **query}).json()
        city_api = next(r["figures"] for r in body["rows"] if r["department_id"] is None)
        for key, value in expected.items():
            if key in city_api:
                assert city_api[key] == pytest.approx(value), (query, key)
