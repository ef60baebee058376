"""Issue 12 items 4 and 5 through HTTP: each stratum's past problem rate and a suggested ratio on the scheme form and
page (internal only), the department's rule that objects found with problems go to the next round's raised stratum,
and the 守信 mark of the 诚信档案."""

import datetime
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.directory.models import RiskClass
from shuangsuiji.draws import services as draws
from shuangsuiji.draws.models import Draw, DrawStatus, Selection, SelectionRole
from shuangsuiji.draws.strata import scheme_plan
from shuangsuiji.inspections.models import InspectionRecord, ItemResult, RecordKind, RecordStatus
from shuangsuiji.org.models import Department
from shuangsuiji.planning import services as planning
from shuangsuiji.planning.models import TaskScheme
from tests import factories
from tests.conftest import login
from tests.draws.helpers import ANNOUNCED, SOURCES, published_scheme

TODAY = datetime.date(2026, 11, 27)
pytestmark = [pytest.mark.django_db, pytest.mark.today(TODAY.isoformat())]


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def checked(
    actor, obj, *, problem: bool, days_ago: int = 60, dept: str = "SCJG", status=RecordStatus.PUBLISHED
):
    """One random check of `obj` whose result is in force, with one item result."""
    day = TODAY - datetime.timedelta(days=days_ago)
    rec = InspectionRecord.objects.create(
        kind=RecordKind.RANDOM,
        object=obj,
        department=Department.objects.get(code=dept),
        inspection_date=day,
        status=status,
        published_at=timezone.now() - datetime.timedelta(days=days_ago),
        created_by=actor,
    )
    ItemResult.objects.create(record=rec, item=_item(dept), problem_found=problem)
    return rec


def _item(dept: str):
    from shuangsuiji.directory.models import CheckItem

    return CheckItem.objects.filter(department__code=dept).first() or factories.item(dept)


def history(actor, klass: str, n: int, problems: int) -> None:
    risk = RiskClass.objects.get(code=klass)
    for i in range(n):
        checked(actor, factories.entity(risk_class=risk), problem=i < problems)


def advice_rows(html: str) -> dict[str, str]:
    block = html.split('id="strata-advice"', 1)[1].split("</table>", 1)[0]
    return {
        code: unescape(re.sub(r"<[^>]+>", "", row))
        for code, row in re.findall(r'data-stratum="(\w+)">(.*?)</tr>', block, re.S)
    }


def test_the_form_shows_each_stratums_rate_and_a_capped_suggestion_that_prefills_a_new_form(client, alice):
    general = factories.item("SCJG", ratio_cap="0.05")
    planning.scheme_create(
        actor=alice,
        data={
            "name": "上一轮",
            "adhoc_reason": "测试",
            "strata": {"A": {"ratio": "0.03"}, "D": {"ratio": "0.03"}},
            "item_ids": [general.pk],
            "methods": ["书面检查"],
            "window_start": "2026-03-01",
            "window_end": "2026-03-31",
        },
    )
    history(alice, "D", 24, 12)
    history(alice, "A", 30, 1)
    login(client, alice)
    rows = advice_rows(client.get("/schemes/new/").content.decode())
    assert "抽查 24 户、发现问题 12 户（50%，95% 区间 31.4%–68.6%）" in rows["D"]
    assert "建议比例 5%，受一般检查事项比例上限 5% 限制（现为 3%）" in rows["D"]
    assert "建议维持现比例（现为 3%）" in rows["A"]
    assert "没有已公示的抽查结果" in rows["RAISED"]
    page = client.get("/schemes/new/").content.decode()
    link = unescape(re.search(r'id="adopt-advice" href="([^"]+)"', page).group(1))
    before = TaskScheme.objects.count()
    filled = client.get(link).content.decode()
    assert 'id="ratio_D" size="8" value="5"' in filled and 'id="ratio_A" size="8" value="3"' in filled
    assert TaskScheme.objects.count() == before  # the link only pre-fills
    hostile = client.get("/schemes/new/", {"ratio_D": "<b>五", "items": ["x", "-1"]})
    assert hostile.status_code == 200 and b"&lt;b&gt;" in hostile.content


def drawn_in_raised(actor, scheme, n: int, problems: int, real: str = "RAISED") -> None:
    """n objects of class A drawn in the raised stratum (or `real`, public code S2) of a draw of `scheme`, checked."""
    draw = Draw.objects.create(
        scheme=scheme,
        seq=1,
        draw_id=f"{real}-1",
        status=DrawStatus.DRAWN,
        commitment="0" * 64,
        params_json="{}",
        files_dir="x",
        file_hashes={},
        secret="s",
        sources=[],
        announced="",
        frozen_at=timezone.now(),
        frozen_by=actor,
        strata_map={"S1": "A、D", "S2": real},
    )
    risk = RiskClass.objects.get(code="A")
    for i in range(n):
        obj = factories.entity(risk_class=risk)
        sel = Selection.objects.create(
            draw=draw, object=obj, stratum="S2", role=SelectionRole.SELECTED, rank=i + 1, priority="0"
        )
        rec = checked(actor, obj, problem=i < problems)
        InspectionRecord.objects.filter(pk=rec.pk).update(selection=sel)


def test_the_scheme_page_advises_the_lead_department_only(client, alice, bob):
    history(alice, "D", 20, 10)
    history(alice, "A", 20, 0)
    scheme = published_scheme(alice, entities=2, team_slots={"SCJG": 2, "WJW": 1})
    public = client.get(reverse("portal:task", args=[scheme.pk])).content.decode()
    assert scheme.name in public and "风险分类 D" not in public and "建议比例" not in public
    drawn_in_raised(alice, scheme, 20, 4)  # a stand-in draw, enough for the history (not for the portal)
    login(client, alice)
    page = client.get(f"/schemes/{scheme.pk}/").content.decode()
    rows = advice_rows(page)
    assert "抽查 20 户、发现问题 4 户" in rows["RAISED"] and "抽查 20 户、发现问题 0 户" in rows["A"]
    assert "建议比例 100%" in rows["D"] and 'id="adopt-advice"' in page
    login(client, bob)  # a participating department sees the scheme, not the lead's strata history
    page = client.get(f"/schemes/{scheme.pk}/").content.decode()
    assert "strata-advice" not in page and "发现问题率" not in page


def test_the_trusted_stratum_has_its_own_history_row_and_is_never_suggested_higher(client, alice):
    strata = {"A": {"ratio": "0.1"}, "D": {"ratio": "0.1"}, "TRUSTED": {"ratio": "0.02"}}
    scheme = published_scheme(alice, entities=0, strata=strata)
    history(alice, "A", 30, 1)
    # Objects drawn in the 守信 stratum turned out to have problems far above the department's rate.
    drawn_in_raised(alice, scheme, 30, 20, real="TRUSTED")
    login(client, alice)
    page = client.get("/schemes/new/").content.decode()
    rows = advice_rows(page)
    assert rows["TRUSTED"].startswith("守信（包容审慎）") and "抽查 30 户、发现问题 20 户" in rows["TRUSTED"]
    assert "守信（包容审慎）层不建议提高比例；可考虑不设守信层" in rows["TRUSTED"]
    assert "建议 " not in rows["TRUSTED"]
    # A's 30 checks are the A-class history only: the checks drawn as 守信 count in their own row.
    assert "抽查 30 户、发现问题 1 户" in rows["A"]
    link = re.search(r'id="adopt-advice" href="([^"]+)"', page)
    if link:  # whatever else is suggested, the 守信 ratio is filled in unchanged
        assert 'id="ratio_TRUSTED" size="8" value="2"' in client.get(unescape(link.group(1))).content.decode()


def test_no_trusted_row_when_the_department_never_used_one(client, alice):
    published_scheme(alice, entities=0)
    login(client, alice)
    assert "TRUSTED" not in advice_rows(client.get("/schemes/new/").content.decode())


def test_the_department_admin_switches_the_rule_off_audited_and_a_clerk_cannot(client, alice, amy):
    login(client, amy)
    assert client.post("/schemes/raise-problems/", {"on": "0"}).status_code == 403
    login(client, alice)
    assert "当前<strong>启用</strong>" in client.get("/schemes/").content.decode()
    client.post("/schemes/raise-problems/", {"on": "0"})
    assert Department.objects.get(code="SCJG").raise_problems is False
    event = AuditEvent.objects.get(action="department.raise_problems")
    assert event.actor == alice and event.after == {"raise_problems": False}
    assert "当前<strong>停用</strong>" in client.get("/schemes/").content.decode()


def test_an_object_found_with_a_problem_goes_to_the_raised_stratum_of_the_next_round_and_the_draw_stays_plain(
    client, alice
):
    risk = RiskClass.objects.get(code="A")
    found, elsewhere, long_ago, clean = (factories.entity(risk_class=risk) for _ in range(4))
    checked(alice, found, problem=True)
    checked(alice, elsewhere, problem=True, dept="WJW")  # another department's finding
    checked(alice, long_ago, problem=True, days_ago=400)
    checked(alice, clean, problem=False)
    strata = {"A": {"ratio": "0.1"}, "D": {"ratio": "0.1"}, "RAISED": {"ratio": "0.5"}}
    scheme = published_scheme(alice, entities=0, strata=strata, raise_complaints=0)
    assert scheme.raise_problems and not scheme_plan(scheme).sealed
    assert "本部门近12个月已公示结果中发现问题的对象" in scheme_plan(scheme).reason
    login(client, alice)
    assert 'id="raise-problems"' in client.get(f"/schemes/{scheme.pk}/").content.decode()
    draw = draws.draw_freeze(actor=alice, scheme=scheme, sources=SOURCES, announced=ANNOUNCED)
    lines = (draws.draw_dir(draw) / "candidates.csv").read_text(encoding="utf-8").splitlines()
    strata_of = {code: stratum for stratum, code in (line.split(",") for line in lines)}
    # Two public strata (S1, S2 in an order unrelated to their meaning): the raised one holds only `found`.
    assert {strata_of[o.code] for o in (elsewhere, long_ago, clean)} == {strata_of[clean.code]}
    assert strata_of[found.code] != strata_of[clean.code]

    client.post("/schemes/raise-problems/", {"on": "0"})
    later = published_scheme(alice, entities=0, strata=strata, raise_complaints=0)
    assert not later.raise_problems and scheme_plan(later).reason.count("发现问题") == 0
    assert TaskScheme.objects.get(pk=scheme.pk).raise_problems  # a scheme keeps the rule it was made with


def test_the_archive_marks_an_object_checked_without_problems_as_trustworthy(client, alice, bob):
    good, bad, unchecked = (factories.entity() for _ in range(3))
    checked(alice, good, problem=False, days_ago=500)
    checked(bob, good, problem=False, dept="WJW", status=RecordStatus.WITHHELD)
    checked(alice, bad, problem=False)
    checked(bob, bad, problem=True, dept="WJW", days_ago=900)
    login(client, alice)
    page = client.get(f"/objects/{good.pk}/archive/").content.decode()
    assert 'id="trust-mark">守信' in page and "近3年检查 2 次均未发现问题" in page
    page = client.get(f"/objects/{bad.pk}/archive/").content.decode()
    assert "trust-mark" not in page and "近3年检查 2 次，1 次发现问题" in page
    assert "近3年未被检查" in client.get(f"/objects/{unchecked.pk}/archive/").content.decode()
