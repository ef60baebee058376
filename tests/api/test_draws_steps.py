"""Freeze, ceremony, files, certificate, substitutions and 登记表 through /api/v1: each step once, scoped, audited."""

import io

import openpyxl
import pytest

from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.draws import services
from shuangsuiji.draws.models import Draw, DrawStatus, Selection, Substitution
from shuangsuiji.draws.services import draw_dir
from shuangsuiji.planning.models import TaskScheme
from tests import factories
from tests.draws.helpers import ANNOUNCED, REVEALS, SOURCES, THROWN_BY, WITNESSES, published_scheme

from .conftest import ApiClient

FREEZE = {"sources": SOURCES, "announced": ANNOUNCED}
PERFORM = {"witnesses": WITNESSES, "reveals": REVEALS, "thrown_by": THROWN_BY}


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def ok(response, status=200) -> dict:
    assert response.status_code == status, response.content.decode()[:2000]
    return response.json()


@pytest.fixture
def scheme(alice):
    return published_scheme(alice)


@pytest.fixture
def frozen(alice, scheme):
    return ok(ApiClient(alice).post(f"/schemes/{scheme.pk}/freeze", FREEZE), 201)


@pytest.fixture
def drawn(alice, frozen):
    return ok(ApiClient(alice).post(f"/draws/{frozen['id']}/perform", PERFORM))


@pytest.fixture
def joint(alice):
    for _ in range(3):
        factories.inspector("WJW")
    scheme = published_scheme(alice, team_slots={"SCJG": 2, "WJW": 1})
    c = ApiClient(alice)
    draw = ok(c.post(f"/schemes/{scheme.pk}/freeze", FREEZE), 201)
    return ok(c.post(f"/draws/{draw['id']}/perform", PERFORM))


def selected(c: ApiClient, draw: dict) -> list[dict]:
    return ok(c.get(f"/draws/{draw['id']}/selections", role="selected", active="true"))["results"]


# --- 冻结名单 ------------------------------------------------------------------------------------------------------


def test_freezing_publishes_the_commitment_and_keeps_the_secret(alice, scheme, frozen):
    draw = Draw.objects.get()
    assert frozen["commitment"] == draw.commitment and frozen["draw_id"] == f"{scheme.task_no}-1"
    assert frozen["counts"] == {"candidates": 40, "excluded": 0, "inspectors": 4, "recusals": 0}
    assert frozen["sources"][0]["kind"] == "secret" and frozen["sources"][0]["commitment"]
    assert draw.secret not in str(frozen)
    assert frozen["params"]["announced"] == ANNOUNCED.strip()
    assert "shuangsuiji verify" in frozen["verify"] and "/portal/verifier/" in frozen["verify"]
    # Alice ran the draw: she reads the full parameters; the sealed strata show in what she sees, nobody else.
    assert frozen["sealed"] and frozen["params"]["spec"] == "DRAW-v1" and "--public" in frozen["verify"]
    detail = ok(ApiClient(alice).get(f"/schemes/{scheme.pk}"))
    assert detail["status"] == "frozen" and [d["id"] for d in detail["draws"]] == [frozen["id"]]


def test_freezing_twice_without_a_reason_is_a_conflict(alice, scheme, frozen):
    r = ApiClient(alice).post(f"/schemes/{scheme.pk}/freeze", FREEZE)
    assert r.status_code == 409
    assert r.json()["detail"] == "该方案已冻结或已抽取；重新抽取必须写明理由，原抽取记录将继续公开"
    assert r.json()["errors"] == [{"field": "抽取", "reason": r.json()["detail"]}]
    assert Draw.objects.count() == 1


def test_a_redraw_is_a_new_draw_with_its_reason_and_the_first_stays_public(alice, scheme, drawn):
    c = ApiClient(alice)
    redraw = ok(c.post(f"/schemes/{scheme.pk}/freeze", FREEZE | {"redraw_reason": "监督人员缺席"}), 201)
    assert redraw["seq"] == 2 and redraw["redraw_of"] == drawn["id"]
    assert redraw["redraw_of_draw_id"] == drawn["draw_id"] and redraw["redraw_reason"] == "监督人员缺席"
    assert redraw["commitment"] != drawn["commitment"]
    first = ok(c.get(f"/draws/{drawn['id']}"))
    assert first["status"] == "superseded" and first["redrawn_by"] == redraw["id"]
    assert ok(c.get(f"/draws/{drawn['id']}/certificate"))["seed"] == drawn["seed"]
    assert c.get(f"/draws/{drawn['id']}/files/result.json").status_code == 200
    assert first["files"][-1] == "result.json"
    assert not any(s["active"] for s in ok(c.get(f"/draws/{drawn['id']}/selections"))["results"])


def test_freezing_a_draft_scheme_is_a_conflict(alice):
    draft = published_scheme(alice)
    TaskScheme.objects.filter(pk=draft.pk).update(status="draft")
    r = ApiClient(alice).post(f"/schemes/{draft.pk}/freeze", FREEZE)
    assert r.status_code == 409 and "请先公示方案" in r.json()["detail"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"sources": [], "announced": ANNOUNCED}, "随机源"),
        ({"sources": [{"name": "抽签", "kind": "numbers"}], "announced": ANNOUNCED}, "随机源"),
        ({"sources": [{"name": "server", "kind": "digits"}], "announced": ANNOUNCED}, "随机源"),
        ({"sources": SOURCES, "announced": "  "}, "随机源公告"),
    ],
)
def test_it_refuses_a_freeze_without_proper_sources_with_the_services_message(alice, scheme, payload, field):
    r = ApiClient(alice).post(f"/schemes/{scheme.pk}/freeze", payload)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == field
    assert not Draw.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        {"sources": [{"name": "lottery", "kind": "coin"}], "announced": "x"},
        {"sources": SOURCES, "announced": "x", "hash": "md5"},
        {"sources": SOURCES},
        {"sources": "lottery", "announced": "x"},
        {"sources": SOURCES, "announced": "x", "redraw_reason": "x" * 301},
    ],
)
def test_it_refuses_a_malformed_freeze_with_422(alice, scheme, payload):
    r = ApiClient(alice).post(f"/schemes/{scheme.pk}/freeze", payload)
    assert r.status_code == 422 and r.json()["detail"] == "请求参数校验未通过"


def test_it_refuses_a_freeze_by_a_clerk_or_the_office(alice, amy, olivia, scheme):
    assert ApiClient(amy).post(f"/schemes/{scheme.pk}/freeze", FREEZE).status_code == 403
    assert ApiClient(olivia).post(f"/schemes/{scheme.pk}/freeze", FREEZE).status_code == 403


def test_it_freezes_with_sm3(alice, scheme):
    draw = ok(ApiClient(alice).post(f"/schemes/{scheme.pk}/freeze", FREEZE | {"hash": "sm3"}), 201)
    assert draw["hash"] == "sm3" and draw["params"]["hash"] == "sm3"


# --- 抽取仪式 ------------------------------------------------------------------------------------------------------


def test_the_ceremony_records_witnesses_and_reveals_the_secret(alice, drawn):
    draw = Draw.objects.get()
    assert drawn["status"] == "drawn" and drawn["witnesses"] == WITNESSES
    assert drawn["reveals"]["server"] == draw.secret and drawn["seed"] == draw.seed
    assert drawn["files"][-1] == "result.json" and drawn["drawn_at"]
    assert AuditEvent.objects.filter(action="draw.perform").count() == 1


def test_a_second_ceremony_is_refused_with_409(alice, drawn):
    r = ApiClient(alice).post(f"/draws/{drawn['id']}/perform", PERFORM)
    assert r.status_code == 409
    assert r.json()["detail"] == f"抽取 {drawn['draw_id']} 当前为“已抽取”，每次抽取只能进行一次"
    assert AuditEvent.objects.filter(action="draw.perform").count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"witnesses": [], "reveals": REVEALS, "thrown_by": THROWN_BY}, "监督人员"),
        (
            {"witnesses": [{"name": "周监督", "unit": " "}], "reveals": REVEALS, "thrown_by": THROWN_BY},
            "监督人员",
        ),
        (
            {"witnesses": WITNESSES, "reveals": {"lottery": REVEALS["lottery"]}, "thrown_by": THROWN_BY},
            "随机源（监督人员现场掷骰）",
        ),
        (
            {"witnesses": WITNESSES, "reveals": {"lottery": "abc", "witness": "1"}, "thrown_by": THROWN_BY},
            "随机源（彩票开奖号码）",
        ),
        # Dice typed by the operator alone: the thrower is a registered witness, named (issue 17, item 8).
        ({"witnesses": WITNESSES, "reveals": REVEALS}, "随机源（监督人员现场掷骰）掷骰人"),
        (
            {"witnesses": WITNESSES, "reveals": REVEALS, "thrown_by": {"witness": "Alice"}},
            "随机源（监督人员现场掷骰）掷骰人",
        ),
    ],
)
def test_a_refused_ceremony_leaves_the_draw_frozen(alice, frozen, payload, field):
    c = ApiClient(alice)
    r = c.post(f"/draws/{frozen['id']}/perform", payload)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == field, r.content.decode()
    assert Draw.objects.get().status == DrawStatus.FROZEN
    assert ok(c.post(f"/draws/{frozen['id']}/perform", PERFORM))["status"] == "drawn"


@pytest.mark.parametrize(
    "payload",
    [
        {"witnesses": WITNESSES},
        {"witnesses": [{"name": "x" * 51, "unit": "y"}], "reveals": REVEALS, "thrown_by": THROWN_BY},
        {"witnesses": WITNESSES, "reveals": {"lottery": 30}},
        {"witnesses": WITNESSES, "reveals": {"lottery": "\x00"}},
    ],
)
def test_a_malformed_ceremony_is_refused_with_422(alice, frozen, payload):
    assert ApiClient(alice).post(f"/draws/{frozen['id']}/perform", payload).status_code == 422
    assert Draw.objects.get().status == DrawStatus.FROZEN


def test_only_the_lead_departments_administrator_performs(alice, amy, olivia, frozen):
    for user in (amy, olivia):
        assert ApiClient(user).post(f"/draws/{frozen['id']}/perform", PERFORM).status_code == 403
    assert Draw.objects.get().status == DrawStatus.FROZEN


def test_a_draw_that_cannot_form_teams_fails_publicly_and_needs_a_redraw(alice):
    scheme = published_scheme(alice, inspectors=2, team_slots={"SCJG": 3})
    c = ApiClient(alice)
    draw = ok(c.post(f"/schemes/{scheme.pk}/freeze", FREEZE), 201)
    failed = ok(c.post(f"/draws/{draw['id']}/perform", PERFORM))
    assert failed["status"] == "failed" and failed["failure"] and failed["seed"] == ""
    assert c.get(f"/draws/{draw['id']}/certificate").status_code == 404
    assert c.get(f"/draws/{draw['id']}/files/result.json").status_code == 404
    assert c.post(f"/draws/{draw['id']}/perform", PERFORM).status_code == 409
    for _ in range(2):
        factories.inspector("SCJG")
    redraw = c.post(f"/schemes/{scheme.pk}/freeze", FREEZE | {"redraw_reason": "补充检查人员"})
    assert ok(redraw, 201)["redraw_of"] == draw["id"]


# --- files, certificate, selections ------------------------------------------------------------------------------


def test_it_serves_the_draw_files_byte_for_byte(alice, drawn):
    c = ApiClient(alice)
    draw = Draw.objects.get()
    assert "candidates.csv" in drawn["files"] and "candidates-public.csv" in drawn["files"]
    for name in drawn["files"]:
        r = c.get(f"/draws/{drawn['id']}/files/{name}")
        assert r.status_code == 200
        folder = draw_dir(draw) if name in services.FULL_FILES else services.public_dir(draw)
        assert b"".join(r.streaming_content) == (folder / name).read_bytes()
        assert r["Content-Disposition"] == f"attachment; filename={name}"
    # Every full file taken is in the audit trail, with who took it.
    reads = AuditEvent.objects.filter(action="draw.read_sealed", actor=alice)
    assert reads.count() == len(services.FULL_FILES)


def test_a_participating_department_reads_a_sealed_draw_as_the_public_does(alice, bob, joint):
    c = ApiClient(bob)
    draw = ok(c.get(f"/draws/{joint['id']}"))
    assert draw["params"]["spec"] == "DRAW-v1.1" and "sealed" not in [s["name"] for s in draw["sources"]]
    assert draw["seed"] == Draw.objects.get(pk=joint["id"]).public_seed and "sealed" not in draw["reveals"]
    assert "candidates.csv" not in draw["files"] and "candidates-public.csv" in draw["files"]
    assert c.get(f"/draws/{joint['id']}/files/candidates.csv").status_code == 404
    assert c.get(f"/draws/{joint['id']}/files/candidates-public.csv").status_code == 200
    r = c.get(f"/draws/{joint['id']}/certificate")
    assert r.status_code == 403 and "public-certificate" in r.json()["detail"]
    public = ok(c.get(f"/draws/{joint['id']}/public-certificate"))
    assert public["selected"] == sorted(public["selected"]) and "strata" not in public
    rows = ok(c.get(f"/draws/{joint['id']}/selections", page_size=100))["results"]
    assert rows and all(r["stratum"] == "" and r["priority"] == "" and r["rank"] == 0 for r in rows)
    assert not AuditEvent.objects.filter(action="draw.read_sealed").exists()


def test_there_is_no_certificate_before_the_ceremony(alice, frozen):
    c = ApiClient(alice)
    assert c.get(f"/draws/{frozen['id']}/certificate").status_code == 404
    assert c.get(f"/draws/{frozen['id']}/files/result.json").status_code == 404
    assert c.get(f"/draws/{frozen['id']}/files/params.json").status_code == 200
    assert c.get(f"/draws/{frozen['id']}/selections").json()["count"] == 0


@pytest.mark.parametrize("name", ["secret.txt", "..%2Fparams.json", "PARAMS.JSON"])
def test_it_serves_no_other_file(alice, frozen, name):
    assert ApiClient(alice).get(f"/draws/{frozen['id']}/files/{name}").status_code in (404, 422)


def test_the_certificate_lists_strata_and_teams(alice, drawn):
    cert = ok(ApiClient(alice).get(f"/draws/{drawn['id']}/certificate"))
    assert cert["commitment"] == drawn["full_commitment"] and cert["seed"] == drawn["seed"]
    assert sum(s["k"] for s in cert["strata"].values()) == 8
    assert all(len(t["members"]) == 2 for t in cert["teams"])


def test_selections_are_paged_and_filtered(alice, drawn):
    c = ApiClient(alice)
    page = ok(c.get(f"/draws/{drawn['id']}/selections", page_size=3))
    assert page["count"] == 8 + 3 and len(page["results"]) == 3 and page["page_size"] == 3
    assert ok(c.get(f"/draws/{drawn['id']}/selections", role="reserve"))["count"] == 3
    assert ok(c.get(f"/draws/{drawn['id']}/selections", active="false"))["count"] == 3
    stratum = page["results"][0]["stratum"]
    assert all(
        s["stratum"] == stratum
        for s in ok(c.get(f"/draws/{drawn['id']}/selections", stratum=stratum))["results"]
    )
    reserve = ok(c.get(f"/draws/{drawn['id']}/selections", role="reserve"))["results"][0]
    assert reserve["team"] == [] and not reserve["active"] and reserve["role_label"] == "候补"
    assert c.get(f"/draws/{drawn['id']}/selections", role="boss").status_code == 422


# --- substitutions (spec §8) ---------------------------------------------------------------------------------------


def test_an_uninspectable_object_is_replaced_by_the_next_reserve_with_its_team(alice, drawn):
    c = ApiClient(alice)
    old = selected(c, drawn)[0]
    path = f"/draws/{drawn['id']}/selections/{old['id']}/substitute"
    assert c.post(path, {"reason_code": " "}).status_code == 422
    new = ok(c.post(path, {"reason_code": "DEREGISTERED"}))
    assert new["role"] == "reserve" and new["active"] and new["replaces"] == old["id"]
    assert new["stratum"] == old["stratum"] and new["rank"] == 1
    assert len(new["team"]) == 2
    assert not Selection.objects.get(pk=old["id"]).active
    again = c.post(path, {"reason_code": "DEREGISTERED"})
    assert again.status_code == 409 and again.json()["detail"] == "该对象已被替换"
    (sub,) = ok(c.get(f"/draws/{drawn['id']}/substitutions"))
    assert sub["kind"] == "object" and sub["reason"] == "已注销" and sub["by_name"] == "Alice"
    assert sub["old_object"]["code"] == old["object"]["code"]
    assert sub["new_object"]["code"] == new["object"]["code"]
    assert sub["old_member"] is None and sub["object"] is None


def test_an_unavailable_inspector_is_replaced_by_the_spec_rule(alice, drawn):
    c = ApiClient(alice)
    sel = selected(c, drawn)[0]
    old = sel["team"][0]
    path = f"/draws/{drawn['id']}/members/{old['id']}/substitute"
    new = ok(c.post(path, {"reason_code": "UNAVAILABLE", "note": "病假"}))
    assert new["name"] != old["name"] and new["slot"] == old["slot"] and new["order"] == old["order"]
    team = next(s for s in selected(c, drawn) if s["id"] == sel["id"])["team"]
    assert new["id"] in {m["id"] for m in team} and old["id"] not in {m["id"] for m in team}
    assert c.post(path, {"reason_code": "UNAVAILABLE"}).status_code == 409
    (sub,) = ok(c.get(f"/draws/{drawn['id']}/substitutions"))
    assert sub["kind"] == "inspector" and sub["object"]["code"] == sel["object"]["code"]
    assert sub["old_member"] == {
        "member": old["id"],
        "department": old["department"],
        "name": old["name"],
        "cert_no": old["cert_no"],
    }
    assert sub["new_member"]["name"] == new["name"]


def test_a_substitution_needs_a_drawn_draw(alice, frozen):
    sel_path = f"/draws/{frozen['id']}/selections/1/substitute"
    assert ApiClient(alice).post(sel_path, {"reason_code": "OTHER"}).status_code == 404


def test_a_substitution_of_another_draws_selection_is_not_found(alice, drawn):
    other = published_scheme(alice)
    c = ApiClient(alice)
    second = ok(c.post(f"/schemes/{other.pk}/freeze", FREEZE), 201)
    sel = selected(c, drawn)[0]
    r = c.post(f"/draws/{second['id']}/selections/{sel['id']}/substitute", {"reason_code": "OTHER"})
    assert r.status_code == 404
    assert not Substitution.objects.exists()


# --- 登记表 --------------------------------------------------------------------------------------------------------


def test_the_registration_form_has_a_row_per_active_selected_object(alice, scheme, drawn):
    c = ApiClient(alice)
    register = ok(c.get(f"/draws/{drawn['id']}/register"))
    assert register["count"] == 8
    row = register["results"][0]
    assert row["task_no"] == scheme.task_no and row["items"] == [
        f"特种设备使用单位检查（{scheme.items.get().item.code}）"
    ]
    assert {m["department"] for m in row["team"]} == {"舞市监"} and all(m["cert_no"] for m in row["team"])
    r = c.get(f"/draws/{drawn['id']}/register.xlsx")
    assert r.status_code == 200
    assert "attachment; filename*=UTF-8''" in r["Content-Disposition"]
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    assert ws.max_row == 2 + 8 and scheme.task_no in ws["A1"].value


def test_there_is_no_registration_form_before_the_draw(alice, frozen):
    c = ApiClient(alice)
    assert c.get(f"/draws/{frozen['id']}/register").status_code == 404
    assert c.get(f"/draws/{frozen['id']}/register.xlsx").status_code == 404


def test_closing_a_drawn_task(alice, scheme, drawn):
    closed = ok(ApiClient(alice).post(f"/schemes/{scheme.pk}/close"))
    assert closed["status"] == "closed"


# --- other departments ---------------------------------------------------------------------------------------------


def draw_calls(draw: dict, sel: int, member: int) -> list[tuple[str, str, dict]]:
    d = draw["id"]
    return [
        ("get", f"/draws/{d}", {}),
        ("post", f"/draws/{d}/perform", PERFORM),
        ("get", f"/draws/{d}/selections", {}),
        ("get", f"/draws/{d}/files/params.json", {}),
        ("get", f"/draws/{d}/files/result.json", {}),
        ("get", f"/draws/{d}/certificate", {}),
        ("post", f"/draws/{d}/selections/{sel}/substitute", {"reason_code": "OTHER"}),
        ("post", f"/draws/{d}/members/{member}/substitute", {"reason_code": "OTHER"}),
        ("get", f"/draws/{d}/substitutions", {}),
        ("get", f"/draws/{d}/register", {}),
        ("get", f"/draws/{d}/register.xlsx", {}),
    ]


def test_another_department_gets_404_on_every_draw_endpoint(alice, bob, drawn):
    sel = selected(ApiClient(alice), drawn)[0]
    b = ApiClient(bob)
    events = AuditEvent.objects.count()
    for method, path, body in draw_calls(drawn, sel["id"], sel["team"][0]["id"]):
        r = getattr(b, method)(path, body)
        assert r.status_code == 404 and r.json() == {"detail": "未找到"}, (method, path)
    assert AuditEvent.objects.count() == events and not Substitution.objects.exists()


def test_a_participating_department_sees_only_its_own_members(alice, bob, joint):
    b = ApiClient(bob)
    assert ok(b.get(f"/draws/{joint['id']}"))["status"] == "drawn"
    rows = selected(b, joint)
    assert rows and all([m["department_code"] for m in s["team"]] == ["WJW"] for s in rows)
    assert all(len(s["team"]) == 3 for s in selected(ApiClient(alice), joint))
    assert all(
        [m["department"] for m in r["team"]] == ["舞卫健"]
        for r in ok(b.get(f"/draws/{joint['id']}/register"))["results"]
    )


def test_a_participating_department_cannot_substitute_and_cannot_reach_other_members(alice, bob, joint):
    full = selected(ApiClient(alice), joint)[0]
    scjg = next(m for m in full["team"] if m["department_code"] == "SCJG")
    wjw = next(m for m in full["team"] if m["department_code"] == "WJW")
    b = ApiClient(bob)
    assert (
        b.post(f"/draws/{joint['id']}/members/{scjg['id']}/substitute", {"reason_code": "OTHER"}).status_code
        == 404
    )
    assert (
        b.post(f"/draws/{joint['id']}/members/{wjw['id']}/substitute", {"reason_code": "OTHER"}).status_code
        == 403
    )
    assert b.post(f"/draws/{joint['id']}/perform", PERFORM).status_code == 403

    # The lead department replaces one of its own inspectors: the participant does not see that change.
    ok(
        ApiClient(alice).post(
            f"/draws/{joint['id']}/members/{scjg['id']}/substitute",
            {"reason_code": "UNAVAILABLE", "note": "病假"},
        )
    )
    assert ok(b.get(f"/draws/{joint['id']}/substitutions")) == []
    assert len(ok(ApiClient(alice).get(f"/draws/{joint['id']}/substitutions"))) == 1


def test_the_office_reads_every_draw(alice, olivia, drawn):
    o = ApiClient(olivia)
    assert ok(o.get(f"/draws/{drawn['id']}"))["id"] == drawn["id"]
    assert all(len(s["team"]) == 2 for s in selected(o, drawn))
