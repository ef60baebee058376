"""抽查结果公告: the public finds published results by name or USCC, and nothing private anywhere public."""

import datetime
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.utils import timezone

from shuangsuiji.directory.models import Inspector
from shuangsuiji.inspections import services
from shuangsuiji.inspections.models import InspectionRecord, RecordStatus
from tests import factories
from tests.inspections.helpers import drawn_selection
from tests.portal.helpers import RISK_NAMES, personal_data

MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_NUMBER = re.compile(r"\d{17}[\dX]")
COMPLETE = {
    "methods": ["实地核查"],
    "cert_shown": True,
    "signature": "obtained",
    "categories": ["未发现问题"],
    "measures": ["无需后续处置"],
}


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def submit(amy, rec, **data):
    return services.record_submit(actor=amy, rec=rec, data=COMPLETE | data)


@pytest.fixture
def world(alice, amy, rita):
    """A drawn task with one published, one withheld, one draft and one corrected (superseded) record."""
    selection = drawn_selection(alice)
    draw = selection.draw
    active = list(draw.selections.filter(active=True).select_related("object")[:4])
    published, withheld, draft, corrected = active
    rec = services.record_create(actor=amy, selection=published)
    rec = services.record_review(actor=rita, rec=submit(amy, rec, inspection_date=days_ago(2)), approve=True)

    w = services.record_create(actor=amy, selection=withheld)
    w = submit(amy, w, withhold_reason="涉及正在调查的案件（《政府信息公开条例》第十四条）")
    services.record_review(actor=rita, rec=w, approve=True)

    services.record_create(actor=amy, selection=draft)

    old = services.record_create(actor=amy, selection=corrected)
    old = services.record_review(actor=rita, rec=submit(amy, old, inspection_date=days_ago(5)), approve=True)
    new = services.record_correct(actor=amy, rec=old, reason="检查日期录入有误")
    new = services.record_submit(
        actor=amy, rec=new, data={"inspection_date": days_ago(4), "result_date": days_ago(4)}
    )
    services.record_review(actor=rita, rec=new, approve=True)

    complaint = factories.entity(name="舞钢市被投诉食品店")
    t = services.record_create(
        actor=amy,
        obj=complaint,
        trigger="投诉举报",
        trigger_ref="12315-2026-77",
        item_ids=[factories.item("SCJG", name="食品经营许可检查").pk],
    )
    t = services.record_submit(
        actor=amy,
        rec=t,
        data=COMPLETE
        | {
            "methods": ["书面检查"],
            "member_ids": list(
                Inspector.objects.filter(department__code="SCJG").values_list("pk", flat=True)[:2]
            ),
        },
    )
    services.record_review(actor=rita, rec=t, approve=True)
    return {
        "draw": draw,
        "published": published.object,
        "withheld": withheld.object,
        "draft": draft.object,
        "corrected": corrected.object,
        "complaint": complaint,
    }


def search(client, q: str) -> str:
    r = client.get("/portal/results/", {"q": q})
    assert r.status_code == 200
    return r.content.decode()


def test_the_public_finds_a_published_result_by_uscc_and_by_name(client, world):
    obj = world["published"]
    for q in (obj.code, obj.code.lower(), obj.name, obj.name[-6:]):
        page = search(client, q)
        assert obj.name in page, q
        assert "舞钢市市场监督管理局" in page and "双随机抽查" in page and "未发现问题" in page
        assert "特种设备使用单位检查：未发现问题" in page
        assert days_ago(2).isoformat() in page


def test_a_triggered_check_shows_its_trigger_as_the_kind(client, world):
    page = search(client, world["complaint"].code)
    assert "投诉举报" in page and "食品经营许可检查：未发现问题" in page
    assert "12315-2026-77" not in page  # the complaint's reference is internal


def test_withheld_draft_and_superseded_results_are_never_shown(client, world):
    assert "未查询到" in search(client, world["withheld"].code)
    assert "未查询到" in search(client, world["draft"].code)
    page = search(client, world["corrected"].code)
    assert days_ago(4).isoformat() in page and days_ago(5).isoformat() not in page
    assert InspectionRecord.objects.filter(object=world["corrected"], status=RecordStatus.SUPERSEDED).exists()
    page = search(client, "舞钢市")  # a broad name search lists only published, current versions
    assert world["withheld"].name not in page and world["draft"].name not in page


def test_a_result_shows_no_inspector_no_risk_class_and_no_internal_fields(client, world):
    page = search(client, world["published"].code)
    rec = InspectionRecord.objects.get(object=world["published"])
    for m in rec.members.select_related("inspector"):
        assert m.inspector.name not in page and m.inspector.cert_no not in page
    assert not [n for n in RISK_NAMES if n in page]
    main = page.split("<main>")[1].split("</main>")[0]
    assert "Rita" not in main and "审核意见" not in main and "检查人员" not in main


def test_short_or_empty_queries_show_the_form_only(client, world):
    page = search(client, "")
    assert 'name="q"' in page and "未查询到" not in page
    assert "请至少输入 2 个字符" in search(client, "舞")


def test_results_are_paginated_twenty_per_page(client, amy, rita):
    item = factories.item("SCJG", name="分页事项")
    for n in range(25):
        obj = factories.entity(name=f"舞钢市分页公司{n:02d}")
        rec = services.record_create(
            actor=amy, obj=obj, trigger="数据监测", trigger_ref=f"M{n}", item_ids=[item.pk]
        )
        inspectors = [factories.inspector("SCJG").pk for _ in range(2)]
        rec = services.record_submit(
            actor=amy, rec=rec, data=COMPLETE | {"methods": ["网络监测"], "member_ids": inspectors}
        )
        services.record_review(actor=rita, rec=rec, approve=True)
    page = search(client, "分页公司")
    assert page.count('class="card result"') == 20 and "共 25 条" in page and "下一页" in page
    page2 = client.get("/portal/results/", {"q": "分页公司", "page": 2}).content.decode()
    assert page2.count('class="card result"') == 5
    past_the_end = client.get("/portal/results/", {"q": "分页公司", "page": 99}).content.decode()
    assert past_the_end.count('class="card result"') == 5 and "第 2 / 2 页" in past_the_end
    assert "分页公司" in client.get("/portal/results/", {"q": "分页公司", "page": "x"}).content.decode()


def test_a_very_common_fragment_says_the_list_is_cut_short(client, world, monkeypatch):
    from shuangsuiji.inspections import selectors

    monkeypatch.setattr(selectors, "PUBLIC_MAX_OBJECTS", 1)
    assert "名称片段过于常见" in search(client, "舞钢市")
    assert "名称片段过于常见" not in search(client, world["published"].code)


def test_the_search_accepts_only_get(client, db):
    for method in ("post", "put", "delete"):
        assert getattr(client, method)("/portal/results/?q=abc").status_code == 405


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.hrefs.append(value)


def _crawl(client, starts: list[str], limit: int = 400) -> dict[str, str]:
    seen: dict[str, str] = {}
    queue = list(starts)
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        r = client.get(url)
        assert r.status_code in (200, 404), url
        body = b"".join(r.streaming_content) if r.streaming else r.content
        text = body.decode("utf-8", errors="replace")
        seen[url] = text
        ctype = r.get("Content-Type", "")
        if "html" in ctype:
            parser = _Links()
            parser.feed(text)
            for href in parser.hrefs:
                full = urljoin(url, href)
                parts = urlsplit(full)
                if parts.netloc or not parts.path.startswith("/portal/"):
                    continue
                path = parts.path + (f"?{parts.query}" if parts.query else "")
                if path not in seen:
                    queue.append(path)
    return seen


def test_an_anonymous_crawl_of_every_public_page_and_api_finds_no_personal_data_or_risk_class(client, world):
    obj = world["published"]
    starts = [
        "/portal/",
        f"/portal/results/?q={obj.code}",
        f"/portal/results/?q={obj.name}",
        "/portal/results/?q=舞钢市",
        f"/portal/results/?q={world['complaint'].code}",
    ]
    pages = _crawl(client, starts)
    assert len(pages) > 8, sorted(pages)
    assert any(u.startswith("/portal/tasks/") for u in pages)

    # The API: its document is public; every GET either refuses an anonymous caller (401) or is a public endpoint,
    # which is then called with the same searches.
    r = client.get("/api/v1/openapi.json")
    pages["/api/v1/openapi.json"] = r.content.decode()
    for path, ops in r.json()["paths"].items():
        if "get" not in ops:
            continue
        url = re.sub(r"\{[^}]+\}", "1", path)
        resp = client.get(url)
        pages[url] = resp.content.decode()
        if resp.status_code == 401:
            continue
        for q in (obj.code, obj.name, "舞钢市", world["complaint"].code):
            resp = client.get(url, {"q": q})
            assert resp.status_code in (200, 404, 422), url
            pages[f"{url}?q={q}"] = resp.content.decode()

    secrets = []
    for ins in Inspector.objects.all():
        secrets += [ins.phone, ins.id_number]
    assert len(secrets) >= 4
    for url, text in pages.items():
        text = text.replace("9223372036854775807", " ").replace("9223372036854775808", " ")  # int64 bounds
        leaks = personal_data(text) + MOBILE.findall(_strip_public(text))
        assert not leaks, (url, leaks)
        assert not [n for n in RISK_NAMES if n in text], url
        assert not [s for s in secrets if s and s in text], url


def _strip_public(text: str) -> str:
    """Remove what is public and may look like a mobile number: hashes, revealed lottery/dice values, object codes."""
    from shuangsuiji.directory.models import InspectionObject
    from tests.draws.helpers import REVEALS

    text = re.sub(r"[0-9a-f]{64}", " ", text)
    for value in REVEALS.values():
        text = text.replace(value, " ")
    for code in InspectionObject.objects.values_list("code", flat=True):
        text = text.replace(code, " ")
    return text


def test_a_cached_answer_gives_way_to_a_newly_published_result(client, world, amy, rita):
    obj = world["draft"]
    assert "未查询到" in search(client, obj.code)  # this answer is now cached
    rec = InspectionRecord.objects.get(object=obj, status=RecordStatus.DRAFT)
    services.record_review(actor=rita, rec=submit(amy, rec, inspection_date=days_ago(1)), approve=True)
    assert obj.name in search(client, obj.code)


def orm_page(q: str, page: int, size: int) -> dict:
    """The reference: the same page through the ORM (public_search), as the portal built it before the SQL version."""
    from shuangsuiji.inspections.models import ItemResult
    from shuangsuiji.inspections.selectors import PUBLIC_RECORD_FIELDS, public_search

    qs, truncated = public_search(q)
    rows = list(qs.values(*PUBLIC_RECORD_FIELDS)[(page - 1) * size : page * size])
    for row in rows:
        row["items"] = [
            {"item": i, "checked": c, "problem_found": p, "disposal": d}
            for i, c, p, d in ItemResult.objects.filter(record_id=row["id"])
            .order_by("item__code", "id")
            .values_list("item__name", "checked", "problem_found", "disposal")
        ]
    return {"count": qs.count(), "truncated": truncated, "rows": rows}


@pytest.mark.parametrize("limit", [1, 2, 50])
def test_the_sql_search_gives_the_same_pages_as_the_orm(world, monkeypatch, limit):
    from shuangsuiji.inspections import selectors

    monkeypatch.setattr(selectors, "PUBLIC_MAX_OBJECTS", limit)
    monkeypatch.setattr(selectors.settings, "PUBLIC_SEARCH_CACHE_SECONDS", 0)
    queries = [
        "舞钢市",
        "食品",
        "被投诉",
        "无此企业",
        "50%",
        "a_b",
        world["published"].code,
        world["draft"].code,
    ]
    queries += [world["published"].code.lower(), world["published"].name, world["corrected"].name[-5:]]
    for q in queries:
        for page, size in [(1, 20), (1, 1), (2, 1), (3, 2), (99, 5)]:
            sql = selectors.public_result_page(q, page, size)
            ref = orm_page(q, page, size)
            assert sql["truncated"] == ref["truncated"], (q, page, size)
            # With a smaller limit the two may look at different entities (any `limit` of them).
            if limit == 50:
                assert (sql["count"], sql["rows"]) == (ref["count"], ref["rows"]), (q, page, size)
