"""The walk plan → approval → scheme → publication → freeze → ceremony → teams → 登记表, through /api/v1 only."""

import io
import json
import re

import openpyxl
import pytest

from shuangsuiji import draw as engine
from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.directory.models import InspectionObject
from tests import factories
from tests.draws.helpers import ANNOUNCED, SOURCES, THROWN_BY, WITNESSES

from .conftest import ApiClient, token_for

ID_NUMBER = re.compile(r"\d{17}[\dX]")
MOBILE = re.compile(r"1[3-9]\d{9}")
HEX = re.compile(r"[0-9a-f]{32,}")
# Dice digits that cannot be mistaken for a mobile number by the search below.
REVEALS = {"lottery": "30,3,11,15,22,27", "witness": "271828182845"}
FILES = ["params.json", "candidates.csv", "excluded.csv", "inspectors.csv", "recusals.csv", "result.json"]
FILES += ["ceremony.json"]  # who witnessed the draw, bound to the certificate


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


def unmasked_numbers(text: str) -> list[str]:
    # Unified social credit codes are 18 characters too and not personal data: take them out before searching.
    for code in InspectionObject.objects.values_list("code", flat=True):
        text = text.replace(code, "")
    # Hashes, priorities, the seed and the secret are hex: a run of their digits is not a personal number.
    text = HEX.sub("", text)
    return ID_NUMBER.findall(text) + MOBILE.findall(text)


def ok(response, status=200) -> dict:
    assert response.status_code == status, response.content.decode()[:2000]
    return response.json()


@pytest.fixture
def directory(db):
    item = factories.item("SCJG", category="重点", ratio_cap=None, name="特种设备使用单位检查")
    for n in range(30):
        factories.entity(name=f"舞钢市第{n}号公司")
    inspectors = [factories.inspector("SCJG", phone=f"1391234567{n}") for n in range(3)]
    inspectors += [factories.inspector("WJW", phone=f"1371234567{n}") for n in range(3)]
    return {"item": item, "inspectors": inspectors}


def test_a_department_walks_from_plan_to_registration_form_through_the_api(
    tmp_path, directory, alice, olivia, bob
):
    item = directory["item"]
    seen: list[str] = []  # every response body, to search for personal numbers at the end

    def call(response, status=200):
        seen.append(response.content.decode())
        return ok(response, status)

    # alice's system talks to the platform with a token.
    a = ApiClient(token=token_for(alice))
    plan = call(a.post("/plans", {"kind": "department", "year": 2026, "title": "2026年度抽查计划"}), 201)
    assert plan["status"] == "draft" and plan["check"]["errors"]
    plan = call(a.post(f"/plans/{plan['id']}/items", {"item_id": item.pk, "ratio": "0.2"}), 201)
    plan = call(a.post(f"/plans/{plan['id']}/batches", {"name": "第一批", "month": 12}), 201)
    assert plan["check"] == {"errors": [], "warnings": []}
    assert plan["items"][0]["item_version"] == 1 and plan["items"][0]["ratio"] == "0.2"
    plan = call(a.post(f"/plans/{plan['id']}/submit"))
    assert plan["status"] == "submitted"

    o = ApiClient(olivia)
    plan = call(o.post(f"/plans/{plan['id']}/approve", {"comment": "同意"}))
    assert plan["status"] == "approved" and [v["version"] for v in plan["versions"]] == [1]
    snapshot = call(a.get(f"/plans/{plan['id']}/versions/1"))
    assert snapshot["data"]["items"][0]["code"] == item.code

    scheme = call(
        a.post(
            "/schemes",
            {
                "name": "2026年特种设备联合抽查",
                "batch_id": plan["batches"][0]["id"],
                "item_ids": [item.pk],
                "methods": ["实地核查"],
                "strata": {"B": {"ratio": "0.2", "reserve": 2}},
                "window_start": "2026-12-01",
                "window_end": "2026-12-20",
                "team_slots": {"SCJG": 2, "WJW": 1},
                "publish_list_at": "draw",
            },
        ),
        201,
    )
    assert scheme["status"] == "draft" and scheme["plan_id"] == plan["id"] and scheme["is_joint"]
    scheme = call(a.post(f"/schemes/{scheme['id']}/publish"))
    assert scheme["task_no"] == "舞市监抽查〔2026〕1号"
    # A department plan does not name WJW: its administrator accepts the task before the list is frozen.
    assert scheme["awaiting_consent"] == ["WJW"]
    r = a.post(f"/schemes/{scheme['id']}/freeze", {"sources": SOURCES, "announced": ANNOUNCED})
    assert r.status_code == 409 and "未经该部门同意" in r.json()["detail"]
    scheme = call(ApiClient(bob).post(f"/schemes/{scheme['id']}/accept"))
    assert scheme["awaiting_consent"] == []

    draw = call(a.post(f"/schemes/{scheme['id']}/freeze", {"sources": SOURCES, "announced": ANNOUNCED}), 201)
    assert draw["status"] == "frozen" and draw["params"]["draw_id"] == draw["draw_id"]
    assert draw["counts"]["candidates"] == 30 and draw["seed"] == "" and draw["reveals"] is None
    assert [s["kind"] for s in draw["sources"]] == ["secret", "numbers", "digits"]
    assert "result.json" not in draw["files"]

    draw = call(
        a.post(
            f"/draws/{draw['id']}/perform",
            {"witnesses": WITNESSES, "reveals": REVEALS, "thrown_by": THROWN_BY},
        )
    )
    assert draw["status"] == "drawn" and draw["seed"] and draw["witnesses"] == WITNESSES
    assert draw["reveals"]["lottery"] == "3.11.15.22.27.30."  # canonical (RFC 3797) form

    # Each step happens once: a second ceremony is refused with the reason.
    again = a.post(
        f"/draws/{draw['id']}/perform", {"witnesses": WITNESSES, "reveals": REVEALS, "thrown_by": THROWN_BY}
    )
    assert again.status_code == 409
    assert "每次抽取只能进行一次" in again.json()["detail"]

    # The files fetched through the API verify with the standalone verifier.
    downloaded = tmp_path / "download"
    downloaded.mkdir()
    for name in draw["files"]:
        r = a.get(f"/draws/{draw['id']}/files/{name}")
        assert r.status_code == 200, name
        (downloaded / name).write_bytes(b"".join(r.streaming_content))
    assert sorted(draw["files"]) == sorted(FILES)
    report = engine.verify(downloaded)
    assert report.ok, report.message
    certificate = call(a.get(f"/draws/{draw['id']}/certificate"))
    assert certificate == json.loads((downloaded / "result.json").read_text(encoding="utf-8"))
    assert certificate["seed"] == draw["seed"]

    selections = call(a.get(f"/draws/{draw['id']}/selections", role="selected"))
    assert selections["count"] == 6
    for sel in selections["results"]:
        assert sel["active"] and len(sel["team"]) == 3
        assert set(sel["team"][0]) == {
            "id",
            "department_code",
            "department",
            "name",
            "cert_no",
            "slot",
            "order",
            "cap_relaxed",
        }
    assert call(a.get(f"/draws/{draw['id']}/selections", role="reserve"))["count"] == 2

    register = call(a.get(f"/draws/{draw['id']}/register"))
    assert register["count"] == 6
    row = register["results"][0]
    assert row["task_no"] == "舞市监抽查〔2026〕1号" and row["methods"] == ["实地核查"]
    assert row["window"] == "2026-12-01 至 2026-12-20" and len(row["team"]) == 3
    r = a.get(f"/draws/{draw['id']}/register.xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert openpyxl.load_workbook(io.BytesIO(r.content)).active.max_row == 2 + 6

    # The participating department sees the task, and only its own members of each team.
    b = ApiClient(bob)
    for sel in call(b.get(f"/draws/{draw['id']}/selections", role="selected"))["results"]:
        assert [m["department_code"] for m in sel["team"]] == ["WJW"]
    for row in call(b.get(f"/draws/{draw['id']}/register"))["results"]:
        assert [m["department"] for m in row["team"]] == ["舞卫健"]
    call(b.get(f"/schemes/{scheme['id']}"))

    # The same services wrote their audit events, as the acting users.
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "actor__username"))
    for expected in [
        ("plan.create", "alice"),
        ("plan.submit", "alice"),
        ("plan.approve", "olivia"),
        ("scheme.publish", "alice"),
        ("draw.freeze", "alice"),
        ("draw.perform", "alice"),
    ]:
        assert expected in actions

    assert not [n for body in seen for n in unmasked_numbers(body)]
