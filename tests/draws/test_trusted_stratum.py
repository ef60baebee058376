"""Issue 12 item 5 (ADR 0028): a scheme may sample the objects marked 守信 at the moment of freezing at a lower ratio
(包容审慎, art. 8 and 15). The raised rules win; the ratio must be lower than every ordinary stratum's; the mark reads
withheld results, so such a draw is always sealed and its public files and portal page say nothing about who is 守信."""

import datetime
import subprocess
import sys

import pytest
from django.utils import timezone

from shuangsuiji import draw as engine
from shuangsuiji.directory.models import RiskClass
from shuangsuiji.directory.rows import RowInvalid
from shuangsuiji.draws import services as draws
from shuangsuiji.draws.strata import scheme_plan
from shuangsuiji.inspections.models import InspectionRecord, ItemResult, RecordKind, RecordStatus
from shuangsuiji.org.models import Department
from shuangsuiji.planning.models import TaskScheme
from tests import factories
from tests.api.conftest import ApiClient
from tests.conftest import login
from tests.draws.helpers import ANNOUNCED, REVEALS, SOURCES, THROWN_BY, WITNESSES, published_scheme

TODAY = datetime.date(2026, 11, 27)
pytestmark = [pytest.mark.django_db, pytest.mark.today(TODAY.isoformat())]

WITH_TRUSTED = {
    "A": {"ratio": "0.2", "reserve": 1},
    "D": {"ratio": "0.5", "reserve": 1},
    "RAISED": {"ratio": "0.6", "reserve": 1},
    "TRUSTED": {"ratio": "0.05", "reserve": 0},
}


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


def risk(code: str) -> RiskClass:
    return RiskClass.objects.get(code=code)


def checked(
    actor, obj, *, problem: bool, days_ago: int = 60, dept: str = "SCJG", status=RecordStatus.PUBLISHED
):
    """One check of `obj` whose result is in force (published or withheld), with one item result."""
    department = Department.objects.get(code=dept)
    item = factories.item(dept) if dept != "SCJG" else factories.item("SCJG", name="营业执照检查")
    rec = InspectionRecord.objects.create(
        kind=RecordKind.RANDOM,
        object=obj,
        department=department,
        inspection_date=TODAY - datetime.timedelta(days=days_ago),
        status=status,
        published_at=timezone.now() - datetime.timedelta(days=days_ago),
        created_by=actor,
    )
    ItemResult.objects.create(record=rec, item=item, problem_found=problem)
    return rec


def freeze(alice, scheme):
    return draws.draw_freeze(actor=alice, scheme=scheme, sources=SOURCES, announced=ANNOUNCED)


def real_strata(draw) -> dict[str, str]:
    """{object code: scheme stratum} from the full candidates.csv and the draw's internal map."""
    lines = (draws.draw_dir(draw) / "candidates.csv").read_text(encoding="utf-8").splitlines()
    return {code: draw.strata_map[public] for public, code in (line.split(",") for line in lines)}


def excluded(draw) -> dict[str, str]:
    lines = (draws.draw_dir(draw) / "excluded.csv").read_text(encoding="utf-8").splitlines()
    return dict(line.split(",") for line in lines)


def test_objects_marked_trustworthy_at_freezing_go_to_the_lower_ratio_stratum_and_the_raised_rules_win(
    alice, bob
):
    clean_a, clean_d = factories.entity(risk_class=risk("A")), factories.entity(risk_class=risk("D"))
    withheld = factories.entity(risk_class=risk("A"))
    old_problem, unchecked = factories.entity(risk_class=risk("A")), factories.entity(risk_class=risk("A"))
    abnormal = factories.entity(risk_class=risk("A"), abnormal_list=True)
    complained = factories.entity(risk_class=risk("A"), complaints_12m=1)
    clean_b = factories.entity(risk_class=risk("B"))  # B has no stratum in the scheme
    for obj in (clean_a, clean_d, abnormal, complained, clean_b):
        checked(alice, obj, problem=False)
    # A withheld (不予公示) result counts for the mark: that is why the draw is sealed.
    checked(bob, withheld, problem=False, dept="WJW", status=RecordStatus.WITHHELD)
    checked(
        bob, old_problem, problem=True, dept="WJW", days_ago=800
    )  # within three years, another department

    scheme = published_scheme(alice, entities=0, strata=WITH_TRUSTED)
    draw = freeze(alice, scheme)

    assert real_strata(draw) == {
        clean_a.code: "TRUSTED",
        clean_d.code: "TRUSTED",
        withheld.code: "TRUSTED",
        old_problem.code: "A",
        unchecked.code: "A",
        abnormal.code: "RAISED",  # on the 经营异常名录: raised, never 守信
        complained.code: "A",  # one complaint (under the raising count of 3) is enough to lose the lower ratio
    }
    assert excluded(draw) == {
        clean_b.code: "NOT_IN_STRATA"
    }  # 守信 lowers a ratio, it never adds to the scope
    assert draw.sealed


def test_a_trusted_object_with_complaints_or_a_listing_is_not_lowered_even_without_a_raised_stratum(alice):
    listed = factories.entity(risk_class=risk("A"), dishonest_list=True)
    complained = factories.entity(risk_class=risk("A"), complaints_12m=5)
    clean = factories.entity(risk_class=risk("A"))
    for obj in (listed, complained, clean):
        checked(alice, obj, problem=False)
    strata = {"A": {"ratio": "0.5"}, "TRUSTED": {"ratio": "0.1"}}
    draw = freeze(alice, published_scheme(alice, entities=0, strata=strata))
    assert real_strata(draw) == {listed.code: "A", complained.code: "A", clean.code: "TRUSTED"}


def test_the_mark_is_taken_at_the_moment_of_freezing(alice):
    # Checked 3 years and 5 days before the freeze: out of the three-year window, so no longer 守信.
    old = factories.entity(risk_class=risk("A"))
    checked(alice, old, problem=False, days_ago=365 * 3 + 5)
    recent = factories.entity(risk_class=risk("A"))
    checked(alice, recent, problem=False, days_ago=365 * 3 - 5)
    strata = {"A": {"ratio": "0.5"}, "TRUSTED": {"ratio": "0.1"}}
    draw = freeze(alice, published_scheme(alice, entities=0, strata=strata))
    assert real_strata(draw) == {old.code: "A", recent.code: "TRUSTED"}


@pytest.mark.parametrize(
    ("strata", "message"),
    [
        (
            {"A": {"ratio": "0.1"}, "D": {"ratio": "0.5"}, "TRUSTED": {"ratio": "0.1"}},
            "分层 TRUSTED：守信（包容审慎）层的比例 10% 不低于普通分层的最低比例 10%",
        ),
        (
            {"A": {"ratio": "0.1"}, "TRUSTED": {"ratio": "0.2"}},
            "分层 TRUSTED：守信（包容审慎）层的比例 20% 不低于普通分层的最低比例 10%",
        ),
        ({"A": {"ratio": "0.1"}, "TRUSTED": {"count": 3}}, "分层 TRUSTED：守信（包容审慎）层只能按比例设置"),
        ({"RAISED": {"ratio": "0.5"}, "TRUSTED": {"ratio": "0.01"}}, "须与至少一个普通分层同设"),
    ],
)
def test_the_server_refuses_a_trusted_stratum_that_is_not_lower_than_the_ordinary_ones(
    alice, strata, message
):
    with pytest.raises(RowInvalid, match=message):
        published_scheme(alice, entities=0, strata=strata)
    assert not TaskScheme.objects.exists()  # nothing half-written


def test_a_count_in_an_ordinary_stratum_is_compared_with_the_trusted_ratio_at_freezing(alice):
    for _ in range(10):
        checked(alice, factories.entity(risk_class=risk("A")), problem=False)
    for _ in range(20):
        factories.entity(risk_class=risk("D"))
    # D: 1 of 20 = 5 %; 守信 10 % is not lower.
    scheme = published_scheme(
        alice, entities=0, strata={"D": {"count": 1}, "A": {"ratio": "0.5"}, "TRUSTED": {"ratio": "0.1"}}
    )
    with pytest.raises(
        RowInvalid, match=r"分层 TRUSTED：守信（包容审慎）层抽取 10.0%，不低于普通分层的最低比例 5.0%"
    ):
        freeze(alice, scheme)


def test_the_form_refuses_in_chinese_and_the_scheme_page_states_the_rule_and_its_legal_basis(client, alice):
    item = factories.item("SCJG", category="重点", ratio_cap=None)
    login(client, alice)
    form = client.get("/schemes/new/").content.decode()
    assert 'name="ratio_TRUSTED"' in form and 'id="trusted-rule"' in form and "第十五条" in form
    post = {
        "name": "2026年守信企业抽查",
        "adhoc_reason": "包容审慎试点",
        "items": [item.pk],
        "methods": ["实地核查"],
        "ratio_A": "10",
        "ratio_TRUSTED": "10",
        "window_start": "2026-12-01",
        "window_end": "2026-12-20",
        "slots_SCJG": "2",
        "publish_list_at": "draw",
    }
    r = client.post("/schemes/new/", post)
    assert r.status_code == 200 and "不低于普通分层的最低比例 10%" in r.content.decode()
    assert not TaskScheme.objects.exists()
    r = client.post("/schemes/new/", post | {"ratio_TRUSTED": "2"})
    scheme = TaskScheme.objects.get()
    assert r.status_code == 302 and scheme.strata["TRUSTED"] == {"ratio": "0.02", "reserve": 0}
    page = client.get(f"/schemes/{scheme.pk}/").content.decode()
    assert 'id="trusted-stratum"' in page and "守信（包容审慎）：2%" in page
    assert "第八条“针对不同风险等级、信用水平的检查对象采取差异化分类监管措施" in page
    assert "第十五条“鼓励创新探索实施包容审慎监管”" in page and "国发〔2019〕5号" in page
    assert "密封分层" in page and "守信（包容审慎）层依据含不予公示结果在内的检查记录" in page


def test_one_ratio_for_every_class_plus_a_trusted_stratum_is_sealed(alice):
    strata = {"A": {"ratio": "0.1"}, "D": {"ratio": "0.1"}, "TRUSTED": {"ratio": "0.05"}}
    scheme = published_scheme(alice, entities=0, strata=strata)
    plan = scheme_plan(scheme)
    assert plan.sealed and "守信" in plan.reason
    assert plan.groups == {"A": "A", "D": "D", "TRUSTED": "TRUSTED"}


# --- what the public sees ------------------------------------------------------------------------------------------

PUBLIC_FILES = [
    "params-public.json",
    "candidates-public.csv",
    "excluded.csv",
    "inspectors.csv",
    "recusals.csv",
]
PUBLIC_FILES += ["result-public.json", "ceremony.json"]


def test_the_public_files_and_portal_of_a_draw_with_a_trusted_stratum_reveal_no_membership_and_verify(
    client, alice, tmp_path
):
    trusted = [factories.entity(risk_class=risk("A")) for _ in range(6)]
    for obj in trusted:
        checked(alice, obj, problem=False, status=RecordStatus.WITHHELD)
    others = [factories.entity(risk_class=risk("A" if n % 2 else "D")) for n in range(10)]
    strata = {
        "A": {"ratio": "0.3", "reserve": 1},
        "D": {"ratio": "0.3", "reserve": 1},
        "TRUSTED": {"ratio": "0.2"},
    }
    scheme = published_scheme(alice, entities=0, strata=strata)
    draw = freeze(alice, scheme)
    draw = draws.draw_perform(
        actor=alice, draw=draw, witnesses=WITNESSES, reveals=REVEALS, thrown_by=THROWN_BY
    )
    assert draw.sealed and set(real_strata(draw).values()) == {"A", "D", "TRUSTED"}

    portal = client.get(f"/portal/tasks/{scheme.pk}/").content.decode()
    for word in ("守信", "包容审慎", "TRUSTED", "风险分类 A", "不予公示"):
        assert word not in portal, word
    download = tmp_path / "公开"
    download.mkdir()
    for name in PUBLIC_FILES:
        url = f"/portal/draws/{draw.pk}/files/{name}"
        assert url in portal, name
        body = b"".join(client.get(url).streaming_content)
        text = body.decode("utf-8")
        assert "TRUSTED" not in text and "守信" not in text, name
        (download / name).write_bytes(body)
    # The public list holds identifiers only: no stratum column, so nobody can tell the 守信 objects apart.
    public_rows = (download / "candidates-public.csv").read_text("utf-8").splitlines()
    codes = {o.code for o in trusted + others}
    assert {row.split(",")[-1] for row in public_rows} == codes
    assert all(len(row.split(",")) == 1 for row in public_rows)
    # Full files on the server keep the stratum only under opaque codes (S1…), never its meaning.
    for path in draws.draw_dir(draw).iterdir():
        if path.is_file():
            assert "TRUSTED" not in path.read_text("utf-8", errors="replace"), path.name

    public_check = subprocess.run(
        [sys.executable, "-m", "shuangsuiji.draw", "verify", str(download)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert public_check.returncode == 0 and "通过" in public_check.stdout, (
        public_check.stdout + public_check.stderr
    )
    full_check = subprocess.run(
        [sys.executable, "-m", "shuangsuiji.draw", "verify", str(draws.draw_dir(draw))],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert full_check.returncode == 0 and "通过" in full_check.stdout, full_check.stdout + full_check.stderr
    assert engine.verify_full(draws.draw_dir(draw), draws.public_dir(draw)).ok


def test_the_internal_draw_page_names_the_trusted_stratum_for_the_department(client, alice):
    for _ in range(3):
        checked(alice, factories.entity(risk_class=risk("A")), problem=False)
    factories.entity(risk_class=risk("A"))
    draw = freeze(
        alice,
        published_scheme(alice, entities=0, strata={"A": {"ratio": "0.5"}, "TRUSTED": {"ratio": "0.1"}}),
    )
    login(client, alice)
    page = client.get(f"/draws/{draw.pk}/").content.decode()
    assert "守信（包容审慎）" in page


def test_the_api_takes_a_trusted_stratum_and_refuses_one_not_lower_with_the_same_message(alice):
    item = factories.item("SCJG", category="重点", ratio_cap=None)
    body = {
        "name": "2026年守信企业抽查",
        "adhoc_reason": "包容审慎试点",
        "item_ids": [item.pk],
        "methods": ["实地核查"],
        "strata": {"A": {"ratio": "0.05"}, "TRUSTED": {"ratio": "0.05"}},
        "window_start": "2026-12-01",
        "window_end": "2026-12-20",
    }
    r = ApiClient(alice).post("/schemes", body)
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["分层 TRUSTED"]
    assert "不低于普通分层的最低比例 5%" in r.json()["errors"][0]["reason"]
    assert not TaskScheme.objects.exists()
    r = ApiClient(alice).post(
        "/schemes", body | {"strata": {"A": {"ratio": "0.05"}, "TRUSTED": {"ratio": "0.01"}}}
    )
    assert r.status_code == 201, r.content.decode()
    assert r.json()["strata"]["TRUSTED"] == {"ratio": "0.01", "count": None, "reserve": 0}
