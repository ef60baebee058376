"""Issue 15, items 1, 2, 12: each role's work-bench lists what it must do, each hand-over reaches the people who must
act next (消息 and the work-bench), and menus and tiles follow the role."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import EmptyResultSet
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.accounts.models import Role
from shuangsuiji.directory.models import InspectorStatus
from shuangsuiji.directory.rows import RowInvalid
from shuangsuiji.draws import services as draws
from shuangsuiji.draws.models import TeamMember
from shuangsuiji.inspections import services
from shuangsuiji.inspections.models import Notification, TransferStatus
from shuangsuiji.planning import services as planning
from shuangsuiji.web import todo as todos
from tests import factories
from tests.conftest import login, make_user
from tests.draws.helpers import ANNOUNCED, REVEALS, THROWN_BY, WITNESSES, published_scheme, sources_after
from tests.inspections.helpers import drawn_selection

DONE = {
    "methods": ["实地核查"],
    "cert_shown": True,
    "signature": "obtained",
    "categories": ["未发现问题"],
    "measures": ["无需后续处置"],
}


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def home(user) -> str:
    client = Client()
    login(client, user)
    return client.get("/").content.decode()


def todo(page: str, label: str) -> str:
    """The work-bench entry with this label: its link, its count and the objects it names."""
    for card in re.findall(r'<div class="card todo" data-count="\d+">.*?</div>', page, re.S):
        if f">{label}<" in card:
            return card
    raise AssertionError(f"no to-do “{label}” on the work-bench")


def badge(page: str) -> int:
    m = re.search(r'id="nav-home"[^>]*>工作台(?:<span class="badge"[^>]*>(\d+)</span>)?', page)
    assert m, "no 工作台 in the menu"
    return int(m.group(1) or 0)


def submitted_plan(alice):
    plan = planning.plan_create(actor=alice, kind="department", year=2026, title="2026年度市场监管局抽查计划")
    item = factories.item("SCJG", category="重点", ratio_cap=None, name="食品经营者监督检查")
    planning.plan_item_add(actor=alice, plan=plan, item=item)
    planning.plan_batch_add(actor=alice, plan=plan, name="3月批次", month=3)
    planning.plan_submit(actor=alice, plan=plan)
    return plan


# --- item 2: hand-overs ---------------------------------------------------------------------------------------------


def test_a_submitted_plan_notifies_the_office_and_its_return_and_approval_notify_the_department(
    alice, olivia
):
    plan = submitted_plan(alice)
    [n] = Notification.objects.filter(user=olivia)
    assert "待审核" in n.message and n.link == f"/plans/{plan.pk}/"
    assert not Notification.objects.filter(
        user=alice
    ).exists()  # the actor needs no message about its own act

    planning.plan_return(actor=olivia, plan=plan, comment="请补充批次说明")
    assert "请补充批次说明" in Notification.objects.get(user=alice).message

    planning.plan_submit(actor=alice, plan=plan)
    assert Notification.objects.filter(user=olivia).count() == 2  # a second hand-over, a second message
    planning.plan_approve(actor=olivia, plan=plan)
    assert Notification.objects.filter(user=alice, message__contains="已批准").count() == 1


def test_a_refused_hand_over_leaves_no_notification(alice, olivia):
    empty = planning.plan_create(actor=alice, kind="department", year=2026, title="没有事项的计划")
    with pytest.raises(RowInvalid):
        planning.plan_submit(actor=alice, plan=empty)
    assert not Notification.objects.exists()


def test_opening_a_notification_marks_it_read_by_post_and_goes_to_its_page(client, alice, olivia):
    plan = submitted_plan(alice)
    n = Notification.objects.get(user=olivia)
    login(client, olivia)
    page = client.get("/").content.decode()
    assert "未读消息" in page and reverse("notification_open", args=[n.pk]) in page
    page = client.get("/notifications/").content.decode()
    n.refresh_from_db()
    assert n.read_at is None  # reading the list changes nothing
    assert client.get(reverse("notification_open", args=[n.pk])).status_code == 405
    r = client.post(reverse("notification_open", args=[n.pk]))
    assert r.status_code == 302 and r["Location"] == f"/plans/{plan.pk}/"
    n.refresh_from_db()
    assert n.read_at is not None


def test_a_notification_of_someone_else_is_not_found_and_a_foreign_link_is_not_followed(
    client, alice, olivia
):
    submitted_plan(alice)
    n = Notification.objects.get(user=olivia)
    login(client, alice)
    assert client.post(reverse("notification_open", args=[n.pk])).status_code == 404
    Notification.objects.filter(pk=n.pk).update(link="//evil.example/")
    login(client, olivia)
    r = client.post(reverse("notification_open", args=[n.pk]))
    assert r["Location"] == reverse("notification_list")


# --- item 1: the work-bench -----------------------------------------------------------------------------------------


def test_the_office_sees_the_plans_awaiting_review_and_the_link_lists_exactly_them(client, alice, olivia):
    plan = submitted_plan(alice)
    planning.plan_create(actor=alice, kind="department", year=2027, title="草稿中的计划")
    page = home(olivia)
    entry = todo(page, "待审核的年度抽查计划")
    assert 'data-count="1"' in entry and f"/plans/{plan.pk}/" in entry and badge(page) == 1
    login(client, olivia)
    listed = client.get("/plans/?status=submitted").content.decode()
    assert plan.title in listed and "草稿中的计划" not in listed
    assert "待审核的年度抽查计划" not in home(alice)  # the office's to-do, not the department's


@pytest.mark.today("2026-11-27")
def test_the_department_admin_sees_each_step_of_the_draw_in_turn(alice, bob):
    scheme = published_scheme(alice)
    assert f"/schemes/{scheme.pk}/" in todo(home(alice), "待冻结名单的工作方案")
    assert "待冻结名单的工作方案" not in home(bob)  # another department's task
    draw = draws.draw_freeze(
        actor=alice, scheme=scheme, sources=sources_after(timezone.localdate()), announced=ANNOUNCED
    )
    page = home(alice)
    assert (
        f"/draws/{draw.pk}/ceremony/" in todo(page, "待举行抽取仪式") and "待冻结名单的工作方案" not in page
    )
    draws.draw_perform(actor=alice, draw=draw, witnesses=WITNESSES, reveals=REVEALS, thrown_by=THROWN_BY)
    assert "待举行抽取仪式" not in home(alice)
    draft = planning.scheme_create(
        actor=alice,
        data={
            "name": "第二批",
            "adhoc_reason": "测试",
            "strata": {"A": {"ratio": "0.1", "reserve": 1}},
            "item_ids": list(scheme.items.values_list("item_id", flat=True)),
            "methods": ["实地核查"],
            "window_start": "2026-12-01",
            "window_end": "2026-12-20",
            "team_slots": {"SCJG": 2},
        },
    )
    assert f"/schemes/{draft.pk}/" in todo(home(alice), "待公示的工作方案")


def test_a_drawn_object_goes_from_the_clerks_to_the_reviewers_work_bench_with_a_message_each_way(
    alice, amy, rita
):
    selection = drawn_selection(alice)
    page = home(amy)
    assert f"/draws/{selection.draw_id}/" in todo(page, "已抽中、尚未录入检查结果的对象") and badge(page) >= 1
    rec = services.record_create(actor=amy, selection=selection)
    assert f"/records/{rec.pk}/" in todo(home(amy), "暂存未提交的检查记录")
    services.record_submit(actor=amy, rec=rec, data=DONE)
    [n] = Notification.objects.filter(user=rita)
    assert selection.object.name in n.message and n.link == f"/records/{rec.pk}/"
    assert not Notification.objects.filter(user=alice).exists()  # the administrator does not review
    page = home(rita)
    assert f"/records/{rec.pk}/" in todo(page, "待审核的检查结果") and badge(page) == 1
    assert "5 个工作日内到期未公示" not in page  # 20 working days remain

    services.record_review(actor=rita, rec=rec, approve=False, comment="请补充检查情况")
    assert "请补充检查情况" in Notification.objects.get(user=amy).message
    assert f"/records/{rec.pk}/" in todo(home(amy), "被退回修改的检查记录")
    assert "待审核的检查结果" not in home(rita)
    services.record_submit(actor=amy, rec=rec)
    services.record_review(actor=rita, rec=rec, approve=True)
    assert Notification.objects.filter(user=amy, message__contains="已公示").count() == 1


def test_an_inspector_gone_off_duty_after_the_draw_asks_for_a_substitution(alice):
    selection = drawn_selection(alice)
    member = TeamMember.objects.filter(selection=selection, active=True).first()
    member.inspector.__class__.objects.filter(pk=member.inspector_id).update(status=InspectorStatus.ON_LEAVE)
    assert f"/draws/{selection.draw_id}/" in todo(home(alice), "待替换的抽中对象或检查人员")


def test_everyone_of_the_receiving_department_sees_the_transfer_to_receive_and_the_sender_hears_of_its_receipt(
    alice, amy, bob, wjw
):
    rec = services.record_submit(
        actor=amy, rec=services.record_create(actor=amy, selection=drawn_selection(alice)), data=DONE
    )
    t = services.transfer_create(
        actor=amy, rec=rec, kind="department", content="线索", to_department_id=wjw.pk
    )
    wjw_reviewer = make_user("wendy", Role.REVIEWER, "WJW")
    for user in (bob, wjw_reviewer):
        assert f"/transfers/{t.pk}/" in todo(home(user), "待接收的后续处置移交")
    assert "待接收的后续处置移交" not in home(alice)
    services.transfer_acknowledge(actor=bob, transfer=t)
    assert t.__class__.objects.get(pk=t.pk).status == TransferStatus.ACKNOWLEDGED
    assert "待接收的后续处置移交" not in home(bob)
    assert "已接收" in Notification.objects.get(user=amy, link=f"/transfers/{t.pk}/").message


def test_a_to_do_left_out_of_a_roles_table_is_empty_for_that_role_by_construction(
    alice, amy, rita, olivia, sam, sergei, audrey
):
    """The badge and the work-bench build only the selectors todo.ROLE_TODOS names for the role: every other one
    must answer nothing for that role whatever the data: its SQL is empty by construction (Django compiles no
    query for it), not merely empty on this data."""
    submitted_plan(alice)  # something to do exists; it must still not reach the wrong role
    ivan = make_user("ivan", Role.INSPECTOR, "SCJG")
    selectors = [selector for _label, selector, _url, _item in todos._entries()]
    for user in (alice, amy, rita, olivia, ivan, sam, sergei, audrey):
        for selector in selectors:
            if selector in todos.ROLE_TODOS.get(user.role, ()):
                continue
            qs = selector(user)
            assert list(qs) == [], (user.username, selector.__name__)
            with pytest.raises(EmptyResultSet):
                qs.query.get_compiler(using=qs.db).as_sql()


def test_the_badge_counts_what_the_work_bench_lists_for_the_role(alice, olivia):
    submitted_plan(alice)
    page = home(olivia)
    assert badge(page) == 1
    assert 'data-count="1"' in todo(page, "待审核的年度抽查计划")


# --- item 12: menus and tiles follow the role -----------------------------------------------------------------------


def test_the_security_admin_and_the_auditor_see_no_business_tiles_or_menu(sergei, audrey):
    for user in (sergei, audrey):
        page = home(user)
        assert "执法检查人员" not in page and "有效抽查事项" not in page and "检查对象名录库" not in page
    assert "账号安全" in home(sergei) and "审计记录" in home(audrey)


def test_the_office_reads_all_departments_and_a_department_its_own(olivia, alice):
    assert "执法检查人员（全部部门）" in home(olivia) and "本部门可见" not in home(olivia)
    assert "执法检查人员（本部门）" in home(alice)


def test_the_second_factor_page_shows_no_menu(client, sergei):
    client.force_login(sergei)  # password accepted, second factor not yet entered
    page = client.get("/login/totp/").content.decode()
    assert "动态口令" in page and "<nav>" not in page and "检查对象名录库" not in page and "退出" in page


def test_every_page_names_a_local_favicon_and_it_is_served(client, amy):
    login(client, amy)
    page = client.get("/").content.decode()
    assert '<html lang="zh-CN">' in page and 'rel="icon" href="/static/ssj/favicon.svg"' in page
    assert finders.find("ssj/favicon.svg")
