"""Issue 17 (5), art. 9 每年度应当开展1—2次随机抽查: more than two batches of one item in a year are submitted only
with a reason, and the office's approval of the plan approves that reason explicitly (audited)."""

import pytest
from django.test import Client
from django.urls import reverse

from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.directory.rows import RowInvalid
from shuangsuiji.planning import services
from shuangsuiji.planning.models import AnnualPlan, PlanStatus
from tests import factories
from tests.api.conftest import ApiClient
from tests.conftest import login

REASON = "食品安全专项整治：省局部署第三轮抽查"


def plan_with_batches(alice, months, item=None, title="2026年度市场监管局抽查计划"):
    plan = services.plan_create(actor=alice, kind="department", year=2026, title=title)
    item = item or factories.item("SCJG", category="重点", ratio_cap=None, name="食品经营者监督检查")
    services.plan_item_add(actor=alice, plan=plan, item=item)
    for month in months:
        services.plan_batch_add(actor=alice, plan=plan, name=f"{month}月批次", month=month)
    return plan, item


def test_alice_cannot_submit_three_batches_without_a_reason_through_the_api(alice):
    plan, _ = plan_with_batches(alice, [3, 6, 9])
    r = ApiClient(alice).post(f"/plans/{plan.pk}/submit")
    assert r.status_code == 422
    [error] = r.json()["errors"]
    assert error["field"] == "计划"
    assert "“食品经营者监督检查”3 批" in error["reason"] and "超过两批次的理由" in error["reason"]
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_alice_cannot_submit_three_batches_without_a_reason_on_the_page(alice):
    plan, _ = plan_with_batches(alice, [3, 6, 9])
    client = Client()
    login(client, alice)
    r = client.post(reverse("plan_transition", args=[plan.pk, "submit"]), follow=True)
    assert "请写明“超过两批次的理由”" in r.content.decode()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_two_batches_need_no_reason(alice):
    plan, _ = plan_with_batches(alice, [3, 9])
    assert services.plan_submit(actor=alice, plan=plan) == []


def test_alice_writes_the_reason_on_the_page_and_submits(alice):
    plan, _ = plan_with_batches(alice, [3, 6, 9])
    client = Client()
    login(client, alice)
    client.post(reverse("plan_extra_batches_reason", args=[plan.pk]), {"reason": REASON})
    plan.refresh_from_db()
    assert plan.extra_batches_reason == REASON
    assert AuditEvent.objects.filter(action="plan.extra_batches_reason", actor=alice).count() == 1
    [warning] = services.plan_submit(actor=alice, plan=plan)
    assert REASON in warning and "批准计划即批准该理由" in warning


def test_olivia_must_approve_the_reason_explicitly(alice, olivia):
    plan, _ = plan_with_batches(alice, [3, 6, 9])
    r = ApiClient(alice).post(f"/plans/{plan.pk}/extra-batches-reason", {"reason": REASON})
    assert r.status_code == 200 and r.json()["extra_batches"] == {"食品经营者监督检查": 3}
    services.plan_submit(actor=alice, plan=plan)
    r = ApiClient(olivia).post(f"/plans/{plan.pk}/approve", {"comment": "同意"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "超过两批次的理由"
    assert AnnualPlan.objects.get(pk=plan.pk).status == PlanStatus.SUBMITTED
    r = ApiClient(olivia).post(
        f"/plans/{plan.pk}/approve", {"comment": "同意", "approve_extra_batches": True}
    )
    assert r.status_code == 200 and r.json()["status"] == "approved"
    event = AuditEvent.objects.get(action="plan.approve")
    assert event.actor == olivia
    assert event.after["extra_batches"] == {
        "items": {"食品经营者监督检查": 3},
        "reason": REASON,
        "approved": True,
    }
    assert plan.versions.get().data["extra_batches_reason"] == REASON


def test_olivia_approves_on_the_page_with_the_box_ticked(alice, olivia):
    plan, _ = plan_with_batches(alice, [3, 6, 9])
    services.plan_extra_batches_reason_set(actor=alice, plan=plan, reason=REASON)
    services.plan_submit(actor=alice, plan=plan)
    client = Client()
    login(client, olivia)
    page = client.get(reverse("plan_detail", args=[plan.pk])).content.decode()
    assert 'name="approve_extra_batches"' in page and REASON in page
    client.post(reverse("plan_transition", args=[plan.pk, "approve"]), {"comment": "同意"})
    assert AnnualPlan.objects.get(pk=plan.pk).status == PlanStatus.SUBMITTED
    client.post(reverse("plan_transition", args=[plan.pk, "approve"]), {"approve_extra_batches": "1"})
    assert AnnualPlan.objects.get(pk=plan.pk).status == PlanStatus.APPROVED


def test_a_second_plan_for_the_same_item_counts_its_batches_too(alice, olivia):
    first, item = plan_with_batches(alice, [3, 9])
    services.plan_submit(actor=alice, plan=first)
    services.plan_approve(actor=olivia, plan=first)
    second, _ = plan_with_batches(alice, [11], item=item, title="2026年度补充抽查计划")
    with pytest.raises(RowInvalid, match="“食品经营者监督检查”3 批"):
        services.plan_submit(actor=alice, plan=second)


def test_bob_cannot_write_alices_reason(alice, bob):
    from django.core.exceptions import PermissionDenied

    plan, _ = plan_with_batches(alice, [3, 6, 9])
    with pytest.raises(PermissionDenied):
        services.plan_extra_batches_reason_set(actor=bob, plan=plan, reason=REASON)
    assert (
        ApiClient(bob).post(f"/plans/{plan.pk}/extra-batches-reason", {"reason": REASON}).status_code == 404
    )
