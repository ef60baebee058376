"""抽查计划公告: approved versions only, with their history; drafts and adjustments in progress stay private."""

import pytest

from shuangsuiji.planning import services as planning
from tests import factories


def _approved(alice, olivia, *, title="2026年度抽查计划", year=2026):
    item = factories.item("SCJG", category="重点", ratio_cap=None, name="特种设备使用单位检查")
    plan = planning.plan_create(actor=alice, kind="department", year=year, title=title)
    planning.plan_item_add(actor=alice, plan=plan, item=item, ratio="0.2")
    planning.plan_batch_add(actor=alice, plan=plan, name="第一批", month=6)
    planning.plan_submit(actor=alice, plan=plan)
    planning.plan_approve(actor=olivia, plan=plan, comment="同意")
    return plan


def test_a_draft_plan_is_not_listed_and_its_page_is_404(client, alice):
    plan = planning.plan_create(actor=alice, kind="department", year=2026, title="尚未批准的草稿计划")
    assert "尚未批准的草稿计划" not in client.get("/portal/plans/").content.decode()
    assert client.get(f"/portal/plans/{plan.pk}/").status_code == 404


def test_a_submitted_but_unapproved_plan_stays_private(client, alice):
    item = factories.item("SCJG", category="重点", ratio_cap=None)
    plan = planning.plan_create(actor=alice, kind="department", year=2026, title="已报送待批计划")
    planning.plan_item_add(actor=alice, plan=plan, item=item)
    planning.plan_batch_add(actor=alice, plan=plan, name="第一批", month=6)
    planning.plan_submit(actor=alice, plan=plan)
    assert client.get(f"/portal/plans/{plan.pk}/").status_code == 404


def test_an_approved_plan_is_public_with_its_items_batches_and_ratio(client, alice, olivia):
    plan = _approved(alice, olivia)
    page = client.get("/portal/plans/").content.decode()
    assert "2026年度抽查计划" in page and "第 1 版" in page
    page = client.get(f"/portal/plans/{plan.pk}/").content.decode()
    assert "特种设备使用单位检查" in page and "20%" in page and "第一批" in page and "6 月" in page
    assert "首次批准" in page


def test_an_adjustment_in_progress_keeps_the_approved_version_public(client, alice, olivia):
    plan = _approved(alice, olivia)
    plan = planning.plan_adjust(actor=alice, plan=plan, reason="增加第二批")
    planning.plan_batch_add(actor=alice, plan=plan, name="草稿中的第二批", month=10)
    page = client.get(f"/portal/plans/{plan.pk}/").content.decode()
    assert "草稿中的第二批" not in page and "增加第二批" not in page
    assert "第 1 版" in page


def test_the_change_history_shows_every_approved_version_with_its_reason(client, alice, olivia):
    plan = _approved(alice, olivia)
    plan = planning.plan_adjust(actor=alice, plan=plan, reason="增加第二批")
    planning.plan_batch_add(actor=alice, plan=plan, name="第二批", month=10)
    planning.plan_submit(actor=alice, plan=plan)
    planning.plan_approve(actor=olivia, plan=plan)
    page = client.get(f"/portal/plans/{plan.pk}/").content.decode()
    assert "第二批" in page and "增加第二批" in page and "首次批准" in page and "现行" in page
    old = client.get(f"/portal/plans/{plan.pk}/?version=1").content.decode()
    assert "此为历史版本" in old and "10 月" not in old


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("", {"甲", "乙"}),
        ("?year=2025", {"乙"}),
        ("?department=SCJG", {"甲", "乙"}),
        ("?department=WJW", set()),
    ],
)
def test_plans_filter_by_department_and_year(client, alice, olivia, query, shown):
    _approved(alice, olivia, title="计划甲", year=2026)
    _approved(alice, olivia, title="计划乙", year=2025)
    page = client.get(f"/portal/plans/{query}").content.decode()
    assert {t for t in ("甲", "乙") if f"计划{t}" in page} == shown
