"""The walk plan → approval → scheme → freeze → ceremony → teams → 登记表 through the pages (HTTP)."""

import io
import json
import re

import openpyxl
import pytest

from shuangsuiji import draw as engine
from shuangsuiji.draws.models import Draw, DrawStatus
from shuangsuiji.draws.services import draw_dir
from shuangsuiji.planning.models import AnnualPlan, PlanStatus, TaskScheme
from tests import factories
from tests.conftest import login
from tests.draws.helpers import DRAW_DATE


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def test_a_department_walks_from_plan_to_registration_form(client, alice, olivia, bob):
    item = factories.item("SCJG", category="重点", ratio_cap=None, name="特种设备使用单位检查")
    for n in range(30):
        factories.entity(name=f"舞钢市第{n}号公司")
    for _ in range(3):
        factories.inspector("SCJG")
        factories.inspector("WJW")
    factories.item("WJW", code="WJW-001", name="公共场所卫生检查", category="重点", ratio_cap=None)

    login(client, alice)
    r = client.post("/plans/new/", {"kind": "department", "year": "2026", "title": "2026年度抽查计划"})
    plan = AnnualPlan.objects.get()
    assert r["Location"] == f"/plans/{plan.pk}/"
    client.post(f"/plans/{plan.pk}/items/", {"item": item.pk, "ratio": "20%"})
    client.post(f"/plans/{plan.pk}/batches/", {"name": "第一批", "month": "12"})
    client.post(f"/plans/{plan.pk}/submit/")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED and plan.items.get().item_version == 1

    login(client, olivia)
    client.post(f"/plans/{plan.pk}/approve/", {"comment": "同意"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED and plan.versions.count() == 1

    login(client, alice)
    batch = plan.batches.get()
    r = client.post(
        "/schemes/new/",
        {
            "name": "2026年特种设备联合抽查",
            "batch": batch.pk,
            "items": [
                item.pk,
            ],
            "methods": ["实地核查"],
            "ratio_B": "20",
            "reserve_B": "2",
            "window_start": "2026-12-01",
            "window_end": "2026-12-20",
            "slots_SCJG": "2",
            "slots_WJW": "1",
            "publish_list_at": "draw",
        },
    )
    scheme = TaskScheme.objects.get()
    assert r.status_code == 302, r.content.decode()[:2000]
    client.post(f"/schemes/{scheme.pk}/publish/")
    scheme.refresh_from_db()
    assert scheme.task_no == "舞市监抽查〔2026〕1号"
    # The plan is SCJG's own: WJW's administrator accepts sending an inspector before the list is frozen.
    login(client, bob)
    assert client.post(f"/schemes/{scheme.pk}/accept/").status_code == 302
    login(client, alice)

    r = client.post(
        f"/schemes/{scheme.pk}/freeze/",
        {
            "use_lottery": "1",
            "use_witness": "1",
            "lottery_name": "福利彩票双色球",
            "lottery_period": "2026140",
            "lottery_draw_date": DRAW_DATE,
            "announced": "lottery = 双色球第2026140期红球",
        },
    )
    draw = Draw.objects.get()
    assert r["Location"] == f"/draws/{draw.pk}/"
    assert client.get(f"/draws/{draw.pk}/").status_code == 200
    assert client.get(f"/draws/{draw.pk}/ceremony/").status_code == 200
    r = client.post(
        f"/draws/{draw.pk}/ceremony/",
        {
            "witness_name": ["周监督", ""],
            "witness_unit": ["舞钢市司法局", ""],
            "reveal_lottery": "30,3,11,15,22,27",
            "reveal_witness": "271828182845",
            "thrown_by_witness": "周监督",
        },
    )
    draw.refresh_from_db()
    assert draw.status == DrawStatus.DRAWN, r.content.decode()[:3000]
    assert engine.verify(draw_dir(draw)).ok
    cert = json.loads(client.get(f"/draws/{draw.pk}/files/result.json").getvalue())
    assert cert["commitment"] == draw.commitment
    assert all(len(t["members"]) == 3 for t in cert["teams"])

    page = client.get(f"/draws/{draw.pk}/register/").content.decode()
    assert page.count("市场主体执法检查登记表") >= 6 and "舞市监抽查〔2026〕1号" in page
    wb = openpyxl.load_workbook(io.BytesIO(client.get(f"/draws/{draw.pk}/register.xlsx").content))
    assert wb.active.max_row == 2 + 6

    # A participating department sees only its own members on the registration form.
    login(client, bob)
    page = client.get(f"/draws/{draw.pk}/register/").content.decode()
    assert "舞卫健" in page and "舞市监 " not in re.sub(r"任务编号：.*", "", page)
