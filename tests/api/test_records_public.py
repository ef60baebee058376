"""The public result search (/api/v1/public/results) answers everyone, with the public fields of published results
only: never an inspector, an ID number, a phone, a risk class or an unpublished record."""

import re

import pytest

from shuangsuiji.directory.models import InspectionObject, Inspector, RiskClass
from shuangsuiji.inspections import services
from tests import factories
from tests.inspections.helpers import drawn_selection

from .conftest import ApiClient

ID_NUMBER = re.compile(r"\d{17}[\dX]")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
RISK_WORDS = ("低风险", "一般风险", "较高风险", "高风险")
COMPLETE = {
    "methods": ["实地核查"],
    "cert_shown": True,
    "signature": "obtained",
    "categories": ["发现问题经责令已改正"],
    "measures": ["责令改正并跟踪"],
}
PUBLIC_KEYS = {"object_name", "object_code", "department", "kind", "inspection_date", "results", "items"}


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


def leaks(text: str) -> list[str]:
    # A unified social credit code is 18 characters too, and public: take the codes out before searching.
    for code in InspectionObject.objects.values_list("code", flat=True):
        text = text.replace(code, "")
    found = ID_NUMBER.findall(text) + MOBILE.findall(text)
    found += [w for w in RISK_WORDS if w in text]
    for inspector in Inspector.objects.all():
        found += [
            v for v in (inspector.name, inspector.cert_no, inspector.id_number, inspector.phone) if v in text
        ]
    return found


@pytest.fixture
def results(alice, amy, rita):
    """One published random check, one published triggered check, one withheld, one submitted, one draft."""
    selection = drawn_selection(alice)
    for i, inspector in enumerate(Inspector.objects.all()):
        Inspector.objects.filter(pk=inspector.pk).update(
            id_number=factories.id_number(n=i), phone=f"1391234{i:04d}"
        )
    high = RiskClass.objects.order_by("-sort").first()
    InspectionObject.objects.filter(pk=selection.object_id).update(
        risk_class=high, name="舞钢市公开查询测试有限公司"
    )
    rec = services.record_create(actor=amy, selection=selection)
    problem = [
        {"item_id": r.item_id, "problem_found": True, "disposal": "责令当场改正"}
        for r in rec.item_results.all()
    ]
    rec = services.record_submit(actor=amy, rec=rec, data=COMPLETE | {"item_results": problem})
    services.record_review(actor=rita, rec=rec, approve=True)

    item = factories.item("SCJG", name="产品质量监督检查")
    team = [
        factories.inspector("SCJG", id_number=factories.id_number(n=900 + k), phone=f"1371111{k:04d}")
        for k in range(2)
    ]
    others = []
    for k, name in enumerate(
        [
            "舞钢市公开查询举报商行",
            "舞钢市公开查询不予公示商行",
            "舞钢市公开查询待审商行",
            "舞钢市公开查询草稿商行",
        ]
    ):
        obj = factories.entity(name=name, risk_class=high)
        t = services.record_create(
            actor=amy,
            obj=obj,
            trigger="投诉举报",
            trigger_ref=f"12315-{k}",
            item_ids=[item.pk],
            data={
                "member_ids": [m.pk for m in team],
                "note": f"检查人员 {team[0].name} 电话 {team[0].phone}",
            },
        )
        others.append(t)
    done = {"categories": ["未发现问题"], "measures": ["无需后续处置"]}
    published, withheld, submitted, _draft = others
    services.record_submit(actor=amy, rec=published, data=COMPLETE | done)
    services.record_review(actor=rita, rec=published, approve=True)
    services.record_submit(
        actor=amy, rec=withheld, data=COMPLETE | done | {"withhold_reason": "《企业信息公示暂行条例》第二条"}
    )
    services.record_review(actor=rita, rec=withheld, approve=True)
    services.record_submit(actor=amy, rec=submitted, data=COMPLETE | done)
    return {"random": rec, "triggered": published}


def test_anyone_finds_published_results_by_name_or_code(results):
    public = ApiClient()
    page = public.get("/public/results", q="公开查询").json()
    names = sorted(r["object_name"] for r in page["results"])
    assert names == ["舞钢市公开查询举报商行", "舞钢市公开查询测试有限公司"]
    code = results["random"].object.code
    [found] = public.get("/public/results", q=code.lower()).json()["results"]
    assert found["results"] == ["发现问题经责令已改正"]
    assert found["items"] == [
        {"item": "特种设备使用单位检查", "checked": True, "problem_found": True, "disposal": "责令当场改正"}
    ]


@pytest.mark.parametrize(
    "q", ["公开查询", "舞钢市", "测试有限公司", "举报商行", "不予公示", "待审商行", "草稿商行"]
)
def test_the_public_search_never_shows_more_than_the_public_fields(results, q):
    r = ApiClient().get("/public/results", q=q)
    assert r.status_code == 200
    text = r.content.decode()
    assert leaks(text) == []
    for result in r.json()["results"]:
        assert set(result) == PUBLIC_KEYS
        assert "不予公示" not in result["object_name"] and "待审" not in result["object_name"]
        assert "草稿" not in result["object_name"]


def test_the_public_search_answers_by_every_code_without_leaking(results):
    public = ApiClient()
    for obj in InspectionObject.objects.all():
        r = public.get("/public/results", q=obj.code)
        assert r.status_code == 200 and leaks(r.content.decode()) == []
    for inspector in Inspector.objects.all():
        for q in (inspector.name, inspector.id_number, inspector.phone, inspector.cert_no):
            assert public.get("/public/results", q=q).json()["count"] == 0, q


def test_the_public_search_pages_with_the_usual_shape(results):
    body = ApiClient().get("/public/results", q="公开查询", page=2, page_size=1).json()
    assert (body["count"], body["page"], body["page_size"], len(body["results"])) == (2, 2, 1, 1)
    assert body["truncated"] is False


def test_a_very_common_fragment_looks_at_a_bounded_number_of_entities(results, monkeypatch):
    from shuangsuiji.inspections import selectors

    monkeypatch.setattr(selectors, "PUBLIC_MAX_OBJECTS", 1)
    body = ApiClient().get("/public/results", q="公开查询").json()
    assert (body["count"], body["truncated"], len(body["results"])) == (1, True, 1)
    monkeypatch.setattr(selectors, "PUBLIC_MAX_OBJECTS", 50)
    body = ApiClient().get("/public/results", q="公开查询", page_size=1).json()
    assert (body["count"], body["truncated"], len(body["results"])) == (2, False, 1)
    code = results["random"].object.code
    assert ApiClient().get("/public/results", q=code).json()["truncated"] is False
