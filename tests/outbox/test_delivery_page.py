"""Issue 13: the office's delivery page (counts, lists, the province's answers, resends — audited) and the change
feed /api/v1/changes (cursor paging, public facts only)."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from shuangsuiji import labels
from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.outbox.models import OutboxEvent, OutboxState
from shuangsuiji.planning import services as planning
from tests import factories
from tests.api.conftest import ApiClient
from tests.conftest import login
from tests.web.test_screen_words import raw_codes, visible


def event(n: int, state=OutboxState.PENDING, **kw) -> OutboxEvent:
    now = timezone.now()
    return OutboxEvent.objects.create(
        type="result.published",
        object_key=f"result:{n}",
        version=1,
        payload={"object_name": f"测试商行{n}"},
        created_at=now,
        next_attempt_at=now + datetime.timedelta(minutes=5) if state == OutboxState.FAILING else now,
        state=state,
        **kw,
    )


@pytest.fixture
def world(db):
    return {
        "delivered": event(
            1, OutboxState.DELIVERED, attempts=1, answer_status=200, delivered_at=timezone.now()
        ),
        "rejected": event(
            2, OutboxState.REJECTED, attempts=1, answer_status=422, answer="缺少检查实施机关代码"
        ),
        "rejected2": event(3, OutboxState.REJECTED, attempts=1, answer_status=400, answer="签名不符"),
        "failing": event(4, OutboxState.FAILING, attempts=3, last_error="无法连接省级平台（连接被拒绝）"),
        "pending": event(5),
    }


def page(user, **params):
    client = Client()
    login(client, user)
    return client, client.get("/outbox/", params)


def test_the_office_sees_the_counts_and_the_provinces_answers(world, olivia):
    _, r = page(olivia)
    text = r.content.decode()
    assert r.status_code == 200
    assert 'id="count-rejected">2<' in text and 'id="count-delivered">1<' in text
    # Rejected events come first, with the province's answer, in words.
    assert "缺少检查实施机关代码" in text and "签名不符" in text and "检查结果公示" in text
    assert "result.published" not in text and "result:2" not in text and raw_codes(text) == []
    assert not any(code in visible(text) for code in labels.OUTBOX_EVENTS)
    _, r = page(olivia, state="failing")
    assert "连接被拒绝" in r.content.decode()


def test_the_system_administrator_sees_the_page_and_a_clerk_does_not(world, sam, amy):
    client = Client()
    login(client, sam)
    assert client.get("/outbox/").status_code == 200
    _, r = page(amy)
    assert r.status_code == 403
    assert Client().get("/outbox/").status_code == 302


def test_resending_one_rejected_event_is_audited_and_queues_it_again(world, olivia):
    client, _ = page(olivia)
    rejected = world["rejected"]
    r = client.post(f"/outbox/{rejected.pk}/resend/")
    assert r.status_code == 302
    rejected.refresh_from_db()
    assert rejected.state == OutboxState.PENDING and rejected.next_attempt_at <= timezone.now()
    audit = AuditEvent.objects.get(action="outbox.resend")
    assert audit.target_id == str(rejected.event_id) and audit.before["state"] == "rejected"
    # A delivered event is not sent again: refused, nothing changes.
    delivered = world["delivered"]
    r = client.post(f"/outbox/{delivered.pk}/resend/", follow=True)
    assert "无需重新推送" in r.content.decode()
    delivered.refresh_from_db()
    assert delivered.state == OutboxState.DELIVERED


def test_resending_all_rejected_events_is_one_audited_act(world, olivia):
    client, _ = page(olivia)
    r = client.post("/outbox/resend-rejected/", follow=True)
    assert "已安排重新推送 2 个" in r.content.decode()
    assert not OutboxEvent.objects.filter(state=OutboxState.REJECTED).exists()
    assert AuditEvent.objects.get(action="outbox.resend_rejected").after["count"] == 2


def test_a_get_changes_nothing_and_a_clerk_cannot_resend(world, amy):
    client, _ = page(amy)
    assert client.post(f"/outbox/{world['rejected'].pk}/resend/").status_code == 403
    assert OutboxEvent.objects.filter(state=OutboxState.REJECTED).count() == 2
    assert client.get(f"/outbox/{world['rejected'].pk}/resend/").status_code == 405


def test_the_change_feed_pages_by_cursor_and_misses_nothing_written_in_between(olivia, alice, amy):
    for n in range(5):
        event(n)
    api = ApiClient(amy)
    first = api.get("/changes", limit=3).json()
    assert [i["object"] for i in first["items"]] == ["result:0", "result:1", "result:2"] and first["has_more"]
    event(99)  # written between two reads
    rest = api.get("/changes", since=first["next_cursor"], limit=100).json()
    assert [i["object"] for i in rest["items"]] == ["result:3", "result:4", "result:99"]
    assert not rest["has_more"]
    again = api.get("/changes", since=rest["next_cursor"]).json()
    assert again == {"items": [], "next_cursor": rest["next_cursor"], "has_more": False}


def test_the_change_feed_carries_the_services_events(olivia, alice, amy):
    item = factories.item("SCJG", category="重点", ratio_cap=None)
    p = planning.plan_create(actor=alice, kind="department", year=2026, title="2026年度抽查计划")
    planning.plan_item_add(actor=alice, plan=p, item=item, ratio="0.1")
    planning.plan_batch_add(actor=alice, plan=p, name="第一批", month=12)
    planning.plan_submit(actor=alice, plan=p)
    planning.plan_approve(actor=olivia, plan=p)
    items = ApiClient(amy).get("/changes").json()["items"]
    assert [(i["type"], i["object"], i["version"]) for i in items] == [("plan.approved", f"plan:{p.pk}", 1)]
    assert items[0]["data"]["plan"]["title"] == "2026年度抽查计划"
    assert items[0]["event_id"] == str(OutboxEvent.objects.get().event_id)


@pytest.mark.parametrize("since", ["abc", "-1", "1.5", "９", str(2**63)])
def test_the_change_feed_refuses_a_bad_cursor_in_chinese(amy, since):
    r = ApiClient(amy).get("/changes", since=since)
    assert r.status_code == 422 and "游标无效" in r.json()["errors"][0]["reason"]


def test_the_change_feed_needs_a_login_and_bounds_its_pages(amy):
    assert ApiClient().get("/changes").status_code == 401
    assert ApiClient(amy).get("/changes", limit=1001).status_code == 422


def test_the_change_feed_is_documented_with_an_example(amy):
    doc = ApiClient(amy).get("/openapi.json").json()
    op = doc["paths"]["/api/v1/changes"]["get"]
    example = op["responses"]["200"]["content"]["application/json"]["example"]
    assert example["items"][0]["type"] == "result.published"
