"""Issue 15, items 3–6 and 8: no codes on screen, percentages, lottery numbers in words, forms that keep input,
a warning for a scheme window that does not match its plan batch — through the pages (HTTP)."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shuangsuiji import draw as engine
from shuangsuiji import labels
from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.draw.params import Source
from shuangsuiji.draw.seed import canonical_value
from shuangsuiji.draws import services as draws
from shuangsuiji.draws.models import Draw, DrawStatus
from shuangsuiji.inspections import services as inspections
from shuangsuiji.planning import services as planning
from shuangsuiji.planning.models import TaskScheme
from tests import factories
from tests.conftest import login
from tests.draws.helpers import ANNOUNCED, SOURCES, published_scheme
from tests.inspections.helpers import drawn_selection


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


class _Text(HTMLParser):
    """The text a person sees as words: no tags, attributes, scripts or styles, and no <code> — commands to type
    and the legend of a file's codes (excluded.csv) are there to be read as code."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style", "code")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style", "code") and self._skip > 0

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


# The codes no page may show a person (labels.py has their words).
WORD_CODES = [*labels.SOURCES, *labels.SOURCE_KINDS, "RAISED", "UNRATED", "SCJG", "WJW"]
DOTTED_CODES = [*labels.ACTIONS, *labels.MODELS]


def raw_codes(html: str) -> list[str]:
    # What an operator typed is theirs to word (the tests' announcement names its sources "lottery = …").
    text = visible(html).replace(ANNOUNCED, "")
    # Item codes ("SCJG-001") are identifiers people use, not department codes.
    found = [c for c in WORD_CODES if re.search(rf"(?<![A-Za-z_]){re.escape(c)}(?![A-Za-z_\-])", text)]
    found += [c for c in DOTTED_CODES if c in text]
    found += re.findall(r"S\d+（", text)  # "S1（A）"
    return found


def page(client, url: str) -> str:
    r = client.get(url)
    assert r.status_code == 200, url
    return r.content.decode()


def test_the_pages_that_show_codes_show_their_chinese_labels(client, alice, amy, rita, audrey, bob):
    selection = drawn_selection(alice)
    draw = selection.draw
    rec = inspections.record_create(actor=amy, selection=selection)
    rec = inspections.record_submit(
        actor=amy,
        rec=rec,
        data={
            "methods": ["实地核查"],
            "cert_shown": True,
            "signature": "obtained",
            "categories": ["未发现问题"],
            "measures": ["无需后续处置"],
        },
    )
    inspections.record_review(actor=rita, rec=rec, approve=True)
    # A directed joint draft with the strata that are not risk classes.
    directed = planning.scheme_create(
        actor=alice,
        data={
            "name": "食品经营定向抽查",
            "adhoc_reason": "专项",
            "directed": True,
            "filters": {"tags": ["食品经营"], "risk_classes": ["D"]},
            "strata": {
                "A": {"ratio": "0.03", "reserve": 1},
                "RAISED": {"ratio": "0.5", "reserve": 1},
                "UNRATED": {"count": 2, "reserve": 0},
            },
            "item_ids": [factories.item("SCJG", category="重点", ratio_cap=None).pk],
            "methods": ["实地核查"],
            "window_start": "2026-12-01",
            "window_end": "2026-12-20",
            "team_slots": {"SCJG": 2, "WJW": 1},
        },
    )

    login(client, alice)
    scheme_page = page(client, f"/schemes/{directed.pk}/")
    text = visible(scheme_page)
    assert "专项库：食品经营" in text and "信用风险分类：D" in text
    assert "提高比例层：50%" in text and "风险分类 A（" in text and "：3%" in text
    assert "舞钢市市场监督管理局 2 人" in text and "舞钢市卫生健康委员会 1 人" in text
    urls = [
        f"/schemes/{draw.scheme_id}/",
        f"/schemes/{draw.scheme_id}/freeze/",
        "/schemes/new/",
        f"/draws/{draw.pk}/",
        f"/records/{rec.pk}/",
    ]
    pages = {url: page(client, url) for url in urls} | {f"/schemes/{directed.pk}/": scheme_page}
    assert "审核通过并公示" in visible(pages[f"/records/{rec.pk}/"])
    pages[f"/portal/tasks/{draw.scheme_id}/"] = page(client, f"/portal/tasks/{draw.scheme_id}/")

    login(client, audrey)
    pages["/audit/"] = page(client, "/audit/")
    event = AuditEvent.objects.get(action="record.publish")
    detail = page(client, f"/audit/{event.pk}/")
    assert "检查记录（编号" in visible(detail) and "'—'" not in detail
    # The before/after blocks show the data as recorded (its keys are the API's); the rest is in words.
    pages[f"/audit/{event.pk}/"] = re.sub(r"<pre.*?</pre>", "", detail, flags=re.S)
    assert "审核通过并公示" in visible(pages["/audit/"]) and "冻结名单" in visible(pages["/audit/"])

    shown = {url: raw_codes(html) for url, html in pages.items()}
    assert shown == {url: [] for url in pages}


def test_every_audit_action_the_code_writes_has_a_label():
    import pathlib

    root = pathlib.Path(labels.__file__).parent
    written = set()
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for call in re.findall(r"(?:action=|_audit\()\s*(\{[^}]*\}|[^,\n]+)", text):
            written |= set(re.findall(r"\"([a-z_]+\.[a-z_]+)\"", call))
    assert len(written) > 60 and written - set(labels.ACTIONS) == set()


@pytest.fixture
def frozen(alice):
    scheme = published_scheme(alice)
    return draws.draw_freeze(actor=alice, scheme=scheme, sources=SOURCES, announced=ANNOUNCED)


def test_a_refused_ceremony_keeps_every_input_and_lists_every_error_in_chinese(client, alice, frozen):
    login(client, alice)
    form = page(client, f"/draws/{frozen.pk}/ceremony/")
    assert "如：03,08,12,19,25,33" in form and "如：314159265358" in form and raw_codes(form) == []
    post = {
        "witness_name": ["周监督", "吴监督", ""],
        "witness_unit": ["舞钢市司法局", "", ""],
        "reveal_lottery": "30,3,十一",
        "reveal_witness": "3141 5926 5358",
        "thrown_by_witness": "",
    }
    html = client.post(f"/draws/{frozen.pk}/ceremony/", post).content.decode()
    errors = re.findall(r"<li>(.*?)</li>", html.split('class="errors"')[1].split("</ul>")[0])
    assert [e.split("：")[0] for e in errors] == [
        "监督人员",
        "随机源（彩票开奖号码）",
        "随机源（监督人员现场掷骰）掷骰人",
    ]
    assert "第 2 名监督人员缺少单位" in errors[0] and "如：03,08,12,19,25,33" in errors[1]
    for kept in [
        'value="周监督"',
        'value="吴监督"',
        'value="舞钢市司法局"',
        'value="30,3,十一"',
        'value="3141 5926 5358"',
    ]:
        assert kept in html
    assert "&#x27;" not in "".join(errors) and raw_codes(html) == []
    assert Draw.objects.get().status == DrawStatus.FROZEN

    # Full-width commas and digits from a Chinese input method, dice in groups: accepted as typed.
    post |= {"witness_unit": ["舞钢市司法局", "舞钢市审计局", ""], "thrown_by_witness": "吴监督"}
    post["reveal_lottery"] = "３０，３，１１、15，22，27"
    r = client.post(f"/draws/{frozen.pk}/ceremony/", post)
    draw = Draw.objects.get()
    assert r.status_code == 302 and draw.status == DrawStatus.DRAWN
    # The certificate holds exactly what half-width "30,3,11,15,22,27" / "314159265358" give.
    assert draw.reveals["lottery"] == "3.11.15.22.27.30." and draw.reveals["witness"] == "314159265358"
    assert engine.verify(draws.draw_dir(draw)).ok
    # The canonical form is shown with what it means, inside and on the portal.
    for url in (f"/draws/{draw.pk}/", f"/portal/tasks/{draw.scheme_id}/"):
        assert "3.11.15.22.27.30." in (html := page(client, url)) and "即开奖号码 03 11 15 22 27 30" in html


@given(st.lists(st.integers(0, 99), min_size=1, max_size=8), st.sampled_from([",", ", ", " ", ".", ";", "/"]))
def test_half_width_numbers_reach_the_engine_unchanged(numbers, sep):
    typed = sep.join(str(n) for n in numbers)
    source = Source(name="lottery", kind="numbers", commitment=None)
    assert draws.normalise_reveal("numbers", typed) == typed.strip()
    full = typed.translate(str.maketrans("0123456789,", "０１２３４５６７８９，"))
    assert canonical_value(source, draws.normalise_reveal("numbers", full), "sha256") == canonical_value(
        source, typed, "sha256"
    )


def test_the_freeze_form_keeps_its_input_and_lists_every_error(client, alice):
    scheme = published_scheme(alice)
    login(client, alice)
    form = page(client, f"/schemes/{scheme.pk}/freeze/")
    assert raw_codes(form) == [] and "如：03,08,12,19,25,33" in form
    post = {"use_witness": "1", "use_lottery": "1", "lottery_name": "福利彩票双色球", "lottery_period": "12"}
    html = client.post(f"/schemes/{scheme.pk}/freeze/", post | {"announced": ""}).content.decode()
    fields = [
        e.split("：")[0]
        for e in re.findall(r"<li>(.*?)</li>", html.split('class="errors"')[1].split("</ul>")[0])
    ]
    assert fields == ["随机源公告", "随机源（彩票开奖号码）彩票期号", "随机源（彩票开奖号码）开奖日期"]
    assert 'value="福利彩票双色球"' in html and 'value="12"' in html and 'id="use_lottery" checked' in html
    html = client.post(
        f"/schemes/{scheme.pk}/freeze/", {"use_witness": "1", "announced": ""}
    ).content.decode()
    assert 'id="use_lottery" checked' not in html and 'id="use_witness" checked' in html
    assert not Draw.objects.exists()


def test_ratios_are_typed_and_shown_as_percentages(client, alice):
    item = factories.item("SCJG", category="一般", ratio_cap="0.1", default_ratio="0.03")
    login(client, alice)
    assert "3%" in visible(page(client, f"/items/{item.pk}/")) and "0.030000" not in page(client, "/items/")
    edit = page(client, f"/items/{item.pk}/edit/")
    assert 'value="3%"' in edit and 'value="10%"' in edit
    data = {
        "name": "抽查",
        "adhoc_reason": "专项",
        "items": [item.pk],
        "methods": ["实地核查"],
        "window_start": "2026-12-01",
        "window_end": "2026-12-20",
        "slots_SCJG": "2",
        "publish_list_at": "draw",
    }
    html = client.post("/schemes/new/", data | {"ratio_A": "三个点", "ratio_B": "2.5"}).content.decode()
    assert "风险分类 A（" in html and "不是百分比：请填写百分数，如 3 或 3% 表示 3%" in html
    assert 'value="三个点"' in html and 'value="2.5"' in html
    r = client.post("/schemes/new/", data | {"ratio_A": "3%", "ratio_B": "２.５％"})
    scheme = TaskScheme.objects.get()
    assert (
        r.status_code == 302
        and scheme.strata["A"]["ratio"] == "0.03"
        and scheme.strata["B"]["ratio"] == "0.025"
    )
    text = visible(page(client, f"/schemes/{scheme.pk}/"))
    assert "：3%" in text and "：2.5%" in text
    # More than the item's cap (10 %) is refused by the service as before.
    client.post("/schemes/new/", data | {"name": "超上限", "ratio_A": "30"})
    assert TaskScheme.objects.count() == 1


@pytest.mark.today("2026-11-27")
def test_a_scheme_window_outside_its_plan_batch_gets_a_warning(client, alice, olivia):
    item = factories.item("SCJG", category="重点", ratio_cap=None)
    plan = planning.plan_create(actor=alice, kind="department", year=2026, title="2026年度计划")
    planning.plan_item_add(actor=alice, plan=plan, item=item, ratio="0.05")
    batch = planning.plan_batch_add(actor=alice, plan=plan, name="第一批", month=5)
    planning.plan_submit(actor=alice, plan=plan)
    planning.plan_approve(actor=olivia, plan=plan, comment="同意")
    data = {
        "name": "五月批次",
        "batch": batch.pk,
        "items": [item.pk],
        "methods": ["实地核查"],
        "ratio_A": "5",
        "slots_SCJG": "2",
        "publish_list_at": "draw",
    }
    login(client, alice)
    r = client.post("/schemes/new/", data | {"window_start": "2026-12-08", "window_end": "2027-01-29"})
    scheme = TaskScheme.objects.get()
    assert r.status_code == 302  # a warning, not a refusal
    text = visible(page(client, f"/schemes/{scheme.pk}/"))
    assert "不含依据的计划批次“第一批”的计划月份 2026 年 5 月" in text and "超出计划年度 2026 年" in text
    good = planning.scheme_create(
        actor=alice,
        data={
            "name": "五月",
            "batch_id": batch.pk,
            "strata": {"A": {"ratio": "0.05"}},
            "item_ids": [item.pk],
            "methods": ["实地核查"],
            "window_start": "2026-05-06",
            "window_end": "2026-06-10",
            "team_slots": {"SCJG": 2},
        },
    )
    assert "提示：" not in visible(page(client, f"/schemes/{good.pk}/"))
    assert planning.window_warnings(datetime.date(2026, 5, 31), datetime.date(2026, 5, 31), batch) == []
