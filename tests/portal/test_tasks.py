"""抽查任务公告: published schemes, every draw of them, the drawn list when the scheme allows it."""

import pytest

from shuangsuiji.directory.models import Conflict, InspectionObject, Inspector
from shuangsuiji.draws import services
from shuangsuiji.draws.models import DrawStatus, Selection, TeamMember
from shuangsuiji.planning import services as planning
from shuangsuiji.planning.models import TaskScheme
from tests import factories
from tests.draws.helpers import ANNOUNCED, REVEALS, SOURCES, THROWN_BY, WITNESSES, published_scheme
from tests.portal.helpers import RISK_NAMES, close_window, drawn, frozen, personal_data

# The tasks' window is 1–20 December 2026; a list hidden until the window ends needs a today before it.
pytestmark = pytest.mark.today("2026-11-27")


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def _page(client, scheme) -> str:
    r = client.get(f"/portal/tasks/{scheme.pk}/")
    assert r.status_code == 200
    return r.content.decode()


def _draft(alice) -> TaskScheme:
    item = factories.item("SCJG", category="重点", ratio_cap=None)
    return planning.scheme_create(
        actor=alice,
        data={
            "name": "尚未公示的草稿方案",
            "adhoc_reason": "测试",
            "strata": {"B": {"ratio": "0.1", "reserve": 1}},
            "item_ids": [item.pk],
            "methods": ["实地核查"],
            "window_start": "2026-12-01",
            "window_end": "2026-12-20",
            "team_slots": {"SCJG": 2},
        },
    )


def test_a_draft_scheme_is_not_listed_and_its_page_is_404(client, alice):
    scheme = _draft(alice)
    assert "尚未公示的草稿方案" not in client.get("/portal/tasks/").content.decode()
    assert client.get(f"/portal/tasks/{scheme.pk}/").status_code == 404


def test_a_published_scheme_is_listed_and_filterable_by_department_and_year(client, alice):
    scheme, _ = frozen(alice)
    assert scheme.task_no in client.get("/portal/tasks/").content.decode()
    assert scheme.task_no in client.get("/portal/tasks/?department=SCJG&year=2026").content.decode()
    assert scheme.task_no not in client.get("/portal/tasks/?department=WJW").content.decode()
    assert scheme.task_no not in client.get("/portal/tasks/?year=2025").content.decode()


def test_a_joint_task_is_listed_under_each_participating_department(client, alice):
    for _ in range(2):
        factories.inspector("WJW")
    scheme, _ = frozen(alice, team_slots={"SCJG": 2, "WJW": 1})
    assert scheme.task_no in client.get("/portal/tasks/?department=WJW").content.decode()


V1_FROZEN = ("params.json", "candidates.csv", "excluded.csv", "inspectors.csv", "recusals.csv")
SEALED_FROZEN = (
    "params-public.json",
    "candidates-public.csv",
    "excluded.csv",
    "inspectors.csv",
    "recusals.csv",
)
ONE_RATIO = {"A": {"ratio": "0.1", "reserve": 2}, "D": {"ratio": "0.1", "reserve": 2}}


def test_a_frozen_draw_publishes_its_commitment_and_files_before_the_ceremony(client, alice):
    scheme, draw = frozen(alice, strata=ONE_RATIO)
    assert not draw.sealed  # one ratio for every class: nothing confidential, the DRAW-v1 files are public
    page = _page(client, scheme)
    assert draw.commitment in page and "福利彩票双色球第2026137期" in page
    assert draw.secret not in page
    for name in V1_FROZEN:
        assert f"/portal/draws/{draw.pk}/files/{name}" in page
        assert client.get(f"/portal/draws/{draw.pk}/files/{name}").status_code == 200
    assert client.get(f"/portal/draws/{draw.pk}/files/result.json").status_code == 404
    assert client.get(f"/portal/draws/{draw.pk}/files/secret.txt").status_code == 404


def test_a_sealed_draw_publishes_only_the_projection_and_never_the_full_files(client, alice):
    scheme, draw = frozen(alice)
    assert draw.sealed
    page = _page(client, scheme)
    assert draw.commitment in page and draw.full_commitment not in page.replace(draw.commitment, "")
    assert "密封" in page
    for name in SEALED_FROZEN:
        assert f"/portal/draws/{draw.pk}/files/{name}" in page
        assert client.get(f"/portal/draws/{draw.pk}/files/{name}").status_code == 200
    for name in ("params.json", "candidates.csv", "result.json", "result-public.json"):
        assert client.get(f"/portal/draws/{draw.pk}/files/{name}").status_code == 404
    assert draw.sealed_secret not in page and "sealed" not in page.replace("sealed-", "")


def test_a_draw_of_a_draft_scheme_or_an_unknown_draw_is_404(client, db):
    assert client.get("/portal/draws/999/files/params.json").status_code == 404


def test_the_drawn_list_is_shown_at_the_draw_when_the_scheme_says_so(client, alice):
    scheme, draw = drawn(alice, publish_list_at="draw")
    page = _page(client, scheme)
    sel = Selection.objects.filter(draw=draw, active=True).select_related("object").first()
    assert sel.object.name in page and sel.object.code in page
    assert draw.public_seed in page and "周监督（舞钢市司法局）" in page
    # Sealed: neither the draw seed nor any priority or rank, which would tie an object to its stratum.
    assert draw.seed not in page and sel.priority not in page
    assert "shuangsuiji verify" in page and "verify-proof" in page


def test_an_open_draw_shows_priorities_and_the_shell_spot_check(client, alice):
    scheme, draw = drawn(alice, publish_list_at="draw", strata=ONE_RATIO)
    page = _page(client, scheme)
    sel = Selection.objects.filter(draw=draw, active=True).first()
    assert draw.seed in page and sel.priority in page
    assert f"printf '%s' \"{draw.seed}," in page and "sha256sum" in page


def test_the_drawn_list_is_hidden_until_the_window_ends_when_the_scheme_says_so(client, alice):
    scheme, draw = drawn(alice, publish_list_at="window_end")
    page = _page(client, scheme)
    for sel in Selection.objects.filter(draw=draw).select_related("object"):
        assert sel.object.name not in page
    # Neither the seed nor the revealed secret: with either, the public candidates.csv gives the list away.
    assert draw.seed not in page and draw.secret not in page and draw.public_seed not in page
    assert "名单将于检查期结束后（2026-12-20 之后）公示" in page
    assert draw.commitment in page and "周监督" in page
    assert client.get(f"/portal/draws/{draw.pk}/files/result-public.json").status_code == 404
    assert client.get(f"/portal/draws/{draw.pk}/files/candidates-public.csv").status_code == 200


def test_the_hidden_list_appears_once_the_window_has_ended(client, alice):
    scheme, draw = drawn(alice, publish_list_at="window_end")
    close_window(scheme)
    page = _page(client, scheme)
    sel = Selection.objects.filter(draw=draw, active=True).select_related("object").first()
    assert sel.object.name in page and draw.public_seed in page
    assert client.get(f"/portal/draws/{draw.pk}/files/result-public.json").status_code == 200


def test_inspectors_appear_by_name_and_certificate_number_only(client, alice):
    scheme, draw = drawn(alice)
    page = _page(client, scheme)
    members = TeamMember.objects.filter(selection__draw=draw, active=True).select_related("inspector")
    assert members
    for m in members:
        assert m.inspector.name in page and m.inspector.cert_no in page
        assert m.inspector.id_number not in page and m.inspector.phone not in page
    assert personal_data(page) == []


def test_the_task_page_never_names_a_risk_class(client, alice):
    scheme, _ = drawn(alice)
    page = _page(client, scheme)
    assert not [n for n in RISK_NAMES if n in page]


def test_a_superseded_draw_stays_public_with_its_redraw_reason(client, alice):
    scheme, first = drawn(alice)
    second = services.draw_freeze(
        actor=alice, scheme=scheme, sources=SOURCES, announced=ANNOUNCED, redraw_reason="彩票停开，改期抽取"
    )
    services.draw_perform(actor=alice, draw=second, witnesses=WITNESSES, reveals=REVEALS, thrown_by=THROWN_BY)
    page = _page(client, scheme)
    assert first.commitment in page and second.commitment in page
    assert "彩票停开，改期抽取" in page and "已被重新抽取取代" in page
    assert client.get(f"/portal/draws/{first.pk}/files/params-public.json").status_code == 200
    assert client.get(f"/portal/draws/{first.pk}/files/result-public.json").status_code == 200


def test_substitutions_are_public_with_their_public_reason_who_and_when_but_never_the_note(client, alice):
    scheme, draw = drawn(alice)
    sel = Selection.objects.filter(draw=draw, active=True).first()
    new = services.selection_substitute(
        actor=alice, selection=sel, reason_code="MOVED_OUT", note="该企业已迁出本市"
    )
    member = TeamMember.objects.filter(selection=new, active=True).first()
    services.member_substitute(actor=alice, member=member, reason_code="UNAVAILABLE", note="检查员病假")
    page = _page(client, scheme)
    assert "已迁出" in page and "因故无法到岗" in page and alice.display_name in page
    assert "该企业已迁出本市" not in page and "检查员病假" not in page
    assert new.object.name in page and "候补递补" in page
    assert personal_data(page) == []


def test_substitutions_of_a_hidden_list_are_counted_but_not_named(client, alice):
    scheme, draw = drawn(alice, publish_list_at="window_end")
    sel = Selection.objects.filter(draw=draw, active=True).select_related("object").first()
    services.selection_substitute(
        actor=alice, selection=sel, reason_code="MOVED_OUT", note="该企业已迁出本市"
    )
    page = _page(client, scheme)
    assert sel.object.name not in page and "该企业已迁出本市" not in page
    assert "已有 1 次替换" in page


def test_a_failed_draw_is_public_with_its_failure_and_no_certificate(client, alice):
    scheme = published_scheme(alice, inspectors=2)
    recused = Inspector.objects.filter(department=alice.department).first()
    for obj in InspectionObject.objects.all():
        Conflict.objects.create(inspector=recused, object=obj, reason="近亲属任职")
    draw = services.draw_freeze(actor=alice, scheme=scheme, sources=SOURCES, announced=ANNOUNCED)
    draw = services.draw_perform(
        actor=alice, draw=draw, witnesses=WITNESSES, reveals=REVEALS, thrown_by=THROWN_BY
    )
    assert draw.status == DrawStatus.FAILED
    page = _page(client, scheme)
    assert draw.failure in page and draw.commitment in page and "抽取失败" in page
    assert REVEALS["lottery"] in page
    assert client.get(f"/portal/draws/{draw.pk}/files/result.json").status_code == 404
