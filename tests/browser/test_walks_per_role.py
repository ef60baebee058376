"""Issue 15 "Done when": each role walks its part of the cycle from its work-bench in a Chinese Chromium, by clicking
only, and reads no English word on any page it visits (tests/browser/walks.py holds the reading and the whitelist).

With SSJ_SCREENSHOTS=docs/screenshots/issue15-walks each walk also saves its work-bench (and the department's
ceremony form after a mistaken entry) as a viewport-only PNG.
"""

import datetime

import pytest
from django.utils import timezone

from shuangsuiji.draws import services as draws
from shuangsuiji.draws.models import Draw, DrawStatus, Selection
from shuangsuiji.inspections import services as inspections
from shuangsuiji.inspections.models import InspectionRecord, RecordStatus
from shuangsuiji.planning import services as planning
from shuangsuiji.planning.models import AnnualPlan, PlanStatus
from tests import factories
from tests.browser.walks import Walk
from tests.conftest import PASSWORD
from tests.draws.helpers import DRAW_DATE, REVEALS, THROWN_BY, WITNESSES, published_scheme, sources_after

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
RESULT = {
    "methods": ["实地核查"],
    "cert_shown": True,
    "signature": "obtained",
    "categories": ["未发现问题"],
    "measures": ["无需后续处置"],
}


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


# Realistic people: the named users of tests/conftest.py carry English names ("Alice"), which a walk would rightly
# report; here they carry Chinese ones.
NAMES = {
    "alice": "李丽",
    "amy": "王敏",
    "rita": "赵芮",
    "olivia": "欧阳兰",
    "sam": "孙明",
    "sergei": "谢安",
    "audrey": "杜蕾",
}


def chinese(user):
    user.full_name = NAMES[user.username]
    user.save(update_fields=["full_name"])
    return user


@pytest.fixture
def alice(alice):
    return chinese(alice)


@pytest.fixture
def amy(amy):
    return chinese(amy)


@pytest.fixture
def rita(rita):
    return chinese(rita)


@pytest.fixture
def olivia(olivia):
    return chinese(olivia)


@pytest.fixture
def sam(sam):
    return chinese(sam)


@pytest.fixture
def sergei(sergei):
    return chinese(sergei)


@pytest.fixture
def audrey(audrey):
    return chinese(audrey)


@pytest.fixture
def walk(page, live_server):
    return Walk(page, live_server.url, names=set(NAMES))


def drawn_selection(actor) -> Selection:
    """A drawn object of a task running today, its sources announced in Chinese as the freeze form now asks."""
    today = timezone.localdate()
    scheme = published_scheme(
        actor,
        window_start=(today - datetime.timedelta(days=10)).isoformat(),
        window_end=(today + datetime.timedelta(days=10)).isoformat(),
    )
    draw = draws.draw_freeze(
        actor=actor,
        scheme=scheme,
        sources=sources_after(today),
        announced="福利彩票双色球第2026137期红球；监督人员现场掷骰 12 位",
    )
    draw = draws.draw_perform(
        actor=actor, draw=draw, witnesses=WITNESSES, reveals=REVEALS, thrown_by=THROWN_BY
    )
    return Selection.objects.filter(draw=draw, active=True).select_related("object").first()


def submitted_record(alice, amy) -> InspectionRecord:
    selection = drawn_selection(alice)
    rec = inspections.record_create(actor=amy, selection=selection)
    inspections.record_submit(actor=amy, rec=rec, data=RESULT)
    return rec


@pytest.mark.today("2026-11-27")  # the scheme's window (2026-12-01…20) lies ahead, as when a list is frozen
def test_the_department_admin_freezes_draws_with_one_mistake_and_registers_by_clicking(walk, alice):
    scheme = published_scheme(alice, entities=20)
    walk.sign_in("alice")
    walk.screenshot("dept-admin-workbench")
    walk.click(f".todo a:has-text('{scheme.name}')", expect=rf"/schemes/{scheme.pk}/$")
    walk.link("冻结名单", expect=r"/freeze/$")
    walk.page.fill("#id_lottery_name", "福利彩票双色球")
    walk.page.fill("#id_lottery_period", "2026140")
    walk.page.fill("#id_lottery_draw_date", DRAW_DATE)
    walk.page.fill("#id_announced", "福利彩票双色球第2026140期红球；监督人员现场掷骰 12 位")
    walk.click("button:has-text('冻结名单并公示承诺值')", expect=r"/draws/\d+/$")
    draw = Draw.objects.get(scheme=scheme)

    walk.link("进入抽取仪式", expect=r"/ceremony/$")
    # The mistake: the second witness has no unit, the dice's thrower is not named. All said at once, nothing lost.
    walk.page.fill("#witness_name_1", "周监督")
    walk.page.fill("#witness_unit_1", "舞钢市司法局")
    walk.page.fill("#witness_name_2", "吴监督")
    walk.page.fill("#reveal_lottery", "30，3，11，15，22，27")
    walk.page.fill("#reveal_witness", "314159265358")
    walk.click("button:has-text('抽取')")
    assert walk.page.locator("ul.errors li").count() == 2
    assert walk.page.input_value("#witness_name_2") == "吴监督"
    walk.screenshot("ceremony-after-a-mistaken-entry", top="ul.errors")
    walk.page.fill("#witness_unit_2", "舞钢市审计局")
    walk.page.fill("#thrown_by_witness", "吴监督")
    walk.click("button:has-text('抽取')", expect=rf"/draws/{draw.pk}/$")
    draw.refresh_from_db()
    assert draw.status == DrawStatus.DRAWN and "抽取完成" in walk.text()

    walk.link("登记表（打印）", expect=r"/register/")
    assert walk.page.locator("section.card").count() > 0
    walk.done()


def test_the_clerk_records_a_drawn_object_from_the_to_do_by_clicking(walk, alice, amy):
    selection = drawn_selection(alice)
    walk.sign_in("amy")
    walk.screenshot("clerk-workbench")
    walk.click(
        f".todo a[href='/draws/{selection.draw_id}/'] >> nth=0", expect=rf"/draws/{selection.draw_id}/$"
    )
    walk.click(
        f"form[action='/draws/{selection.draw_id}/selections/{selection.pk}/record/'] button",
        expect=r"/records/\d+/edit/$",
    )
    walk.click("button:has-text('提交审核')")  # nothing filled: the reasons under their fields, in Chinese
    assert "请选择检查结果" in walk.text()
    walk.page.check("#id_cert_shown")
    walk.page.check("#id_signature_obtained")
    walk.page.check("input[name=categories][value=未发现问题]")
    walk.page.check("input[name=measures][value=无需后续处置]")
    walk.page.fill("#id_note", "现场检查，未发现问题。")
    walk.click("button:has-text('提交审核')", expect=r"/records/\d+/$")
    assert InspectionRecord.objects.get(selection=selection).status == RecordStatus.SUBMITTED
    walk.done()


def test_the_reviewer_opens_a_submitted_result_from_the_to_do_and_publishes_it_by_clicking(
    walk, alice, amy, rita
):
    rec = submitted_record(alice, amy)
    walk.sign_in("rita")
    walk.screenshot("reviewer-workbench")
    walk.click(".todo-head:has-text('待审核的检查结果')", expect=r"/review/$")
    walk.click(f"main a[href='/records/{rec.pk}/']", expect=rf"/records/{rec.pk}/$")
    walk.click("button:has-text('审核通过并公示')", expect=rf"/records/{rec.pk}/$")
    rec.refresh_from_db()
    assert rec.status == RecordStatus.PUBLISHED
    walk.click("#nav-home", expect=r"/$")
    assert "当前没有待办事项" in walk.text()
    walk.done()


def test_the_office_approves_a_plan_and_reads_the_statistics_by_clicking(walk, alice, olivia):
    item = factories.item("SCJG", category="重点", ratio_cap=None, name="特种设备使用单位检查")
    plan = planning.plan_create(actor=alice, kind="department", year=2027, title="2027年度市场监管抽查计划")
    planning.plan_item_add(actor=alice, plan=plan, item=item)
    planning.plan_batch_add(actor=alice, plan=plan, name="第一批", month=5)
    planning.plan_submit(actor=alice, plan=plan)
    walk.sign_in("olivia")
    walk.screenshot("office-workbench")
    walk.click(f".todo a[href='/plans/{plan.pk}/']", expect=rf"/plans/{plan.pk}/$")
    walk.click("button:has-text('批准并公示')", expect=rf"/plans/{plan.pk}/$")
    assert AnnualPlan.objects.get(pk=plan.pk).status == PlanStatus.APPROVED
    walk.click("header a:has-text('统计分析')", expect=r"/stats/")
    walk.done()


def test_the_system_administrator_walks_the_work_bench_and_the_calendar(walk, sam):
    sam.totp_secret = SECRET
    sam.save()
    walk.sign_in("sam", totp_secret=SECRET)
    walk.screenshot("sysadmin-workbench")
    walk.click("header a:has-text('节假日')", expect=r"/calendar/$")
    walk.click("header a:has-text('部门与区划')", expect=r"/reference/$")
    walk.done()


def test_the_security_administrator_walks_the_work_bench_and_the_accounts(walk, sergei, amy):
    sergei.totp_secret = SECRET
    sergei.save()
    walk.sign_in("sergei", totp_secret=SECRET)
    walk.screenshot("security-admin-workbench")
    walk.click("#role-card a", expect=r"/security/")
    walk.done()


def test_the_auditor_reads_the_audit_list_and_one_event_by_clicking(walk, audrey, alice, amy):
    submitted_record(alice, amy)
    audrey.totp_secret = SECRET
    audrey.save()
    walk.sign_in("audrey", totp_secret=SECRET)
    walk.screenshot("auditor-workbench")
    walk.click("#role-card a", expect=r"/audit/")
    walk.click("main table a >> nth=0", expect=r"/audit/\d+/")
    walk.done()


def test_the_public_goes_from_the_portal_home_to_a_task_its_results_and_the_verifier(walk, alice, amy, rita):
    rec = submitted_record(alice, amy)
    inspections.record_review(actor=rita, rec=rec, approve=True)
    scheme = rec.selection.draw.scheme
    walk.start("/portal/")
    walk.screenshot("public-portal")
    walk.link("抽查任务", expect=r"/portal/tasks/")
    walk.click(f"main a[href='/portal/tasks/{scheme.pk}/']", expect=rf"/portal/tasks/{scheme.pk}/$")
    walk.click("header a:has-text('抽查结果公告')", expect=r"/portal/results/")
    walk.page.fill("#id_q", rec.object.code)
    walk.click("button:has-text('查询')", expect=r"/portal/results/\?q=")
    assert rec.object.name in walk.text() and "未发现问题" in walk.text()
    walk.click("header a:has-text('核验程序')", expect=r"/portal/verifier/")
    walk.done()


def test_the_inspector_opens_a_visit_from_the_work_bench_on_a_phone_by_clicking(page, live_server, alice):
    """The 执法人员 (issue 14 part 3): from the work-bench to 我的检查 and the phone form of a visit they are drawn for."""
    from shuangsuiji.accounts import services as accounts

    selection = drawn_selection(alice)
    inspector_id = (
        selection.team.filter(active=True).order_by("order").values_list("inspector_id", flat=True)[0]
    )
    [(user, _)] = accounts.inspector_accounts_create(actor=alice, inspector_ids=[inspector_id])
    user.set_password(PASSWORD)  # clears the first-login change, as the person's own change would
    user.save()
    page.set_viewport_size({"width": 390, "height": 844})
    walk = Walk(page, live_server.url, names={*NAMES, user.username})
    walk.sign_in(user.username)
    walk.screenshot("inspector-workbench")
    walk.click("#nav-my-visits", expect=r"/my/visits/$")
    assert selection.object.name in walk.text()
    walk.click(
        f"#visit-{selection.pk} a:has-text('检查通知书')", expect=rf"/papers/{selection.pk}/\?kind=notice$"
    )
    assert selection.object.name in walk.text("body")
    walk.click("a:has-text('返回我的检查')", expect=r"/my/visits/$")
    walk.click(f"#visit-{selection.pk} a:has-text('录入检查记录')", expect=rf"/my/visits/{selection.pk}/$")
    assert selection.object.name in walk.text("body")
    walk.done()
