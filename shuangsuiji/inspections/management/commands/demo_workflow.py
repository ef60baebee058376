"""Demo mode: walk one year's work through the real services, so a fresh `make run` shows a complete cycle —
an approved plan, a published scheme, a frozen and drawn task with its certificate, and published results.

It runs in one transaction (all or nothing) and resumes: each step looks at what is already there and carries on
from it, so a run after a failure — or after an older, non-atomic version stopped halfway — finishes the cycle.
Dates come from the business date (Beijing time), so it works on any day of any year.
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from shuangsuiji.accounts.models import User
from shuangsuiji.directory.models import CheckItem
from shuangsuiji.draws import services as draws
from shuangsuiji.draws.models import Draw, DrawStatus, Selection
from shuangsuiji.inspections import services as inspections
from shuangsuiji.inspections.models import InspectionRecord, RecordStatus
from shuangsuiji.planning import services as planning
from shuangsuiji.planning.models import AnnualPlan, PlanStatus, SchemeStatus, TaskScheme

RESULTS = 5


class Command(BaseCommand):
    help = "演示模式：用演示账号走一遍 计划→方案→冻结→抽取→检查→公示（全部完成或全部不做；中断后再次运行会接着完成）"

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("仅演示模式可用")
        users = {
            u.username: u
            for u in User.objects.filter(username__in=["scjg_admin", "office", "scjg_clerk", "scjg_reviewer"])
        }
        if len(users) < 4:
            raise CommandError("请先运行 demo_accounts 创建演示账号")
        with transaction.atomic():
            summary = self._walk(*(users[n] for n in ("scjg_admin", "office", "scjg_clerk", "scjg_reviewer")))
        self.stdout.write(summary)

    def _walk(self, admin, office, clerk, reviewer) -> str:
        today = timezone.localdate()
        plan = self._plan(admin, office, today)
        scheme = self._scheme(admin, plan, today)
        draw = self._draw(admin, scheme, today)
        published, resumed = self._records(clerk, reviewer, draw)
        if not resumed:
            return f"演示流程已完成（任务 {scheme.task_no}，已公示检查结果 {published} 条），跳过。"
        return (
            f"演示流程完成：计划“{plan.title}”已批准；任务 {scheme.task_no} 已抽取 "
            f"（承诺值 {draw.commitment[:16]}…）；已公示检查结果 {published} 条。"
        )

    def _plan(self, admin, office, today: datetime.date) -> AnnualPlan:
        title = f"{today.year}年度舞钢市市场监督管理局随机抽查计划"
        plan = (
            AnnualPlan.objects.filter(department=admin.department, kind="department", year=today.year)
            .order_by("id")
            .first()
        )
        if plan is None:
            plan = planning.plan_create(actor=admin, kind="department", year=today.year, title=title)
            planning.plan_item_add(actor=admin, plan=plan, item=self._food(), ratio="0.05")
            planning.plan_item_add(
                actor=admin, plan=plan, item=CheckItem.objects.get(code="SCJG-001"), ratio="0.03"
            )
            planning.plan_batch_add(actor=admin, plan=plan, name="食品经营者专项抽查", month=today.month)
            planning.plan_batch_add(
                actor=admin, plan=plan, name="企业公示信息抽查", month=min(today.month + 1, 12)
            )
        if plan.status in (PlanStatus.DRAFT, PlanStatus.RETURNED):
            planning.plan_submit(actor=admin, plan=plan)
            plan.refresh_from_db()
        if plan.status == PlanStatus.SUBMITTED:
            planning.plan_approve(actor=office, plan=plan, comment="同意")
            plan.refresh_from_db()
        return plan

    def _food(self) -> CheckItem:
        return CheckItem.objects.get(code="SCJG-002")

    def _scheme(self, admin, plan: AnnualPlan, today: datetime.date) -> TaskScheme:
        scheme = TaskScheme.objects.filter(plan=plan).order_by("id").first()
        if scheme is None:
            batch = plan.batches.order_by("id").first()
            scheme = planning.scheme_create(
                actor=admin,
                data={
                    "name": f"{today.year}年食品经营者专项抽查",
                    "batch_id": batch.pk,
                    "directed": True,
                    "filters": {"tags": ["食品经营"]},
                    "strata": {
                        "A": {"ratio": "0.02", "reserve": 2},
                        "B": {"ratio": "0.05", "reserve": 2},
                        "C": {"ratio": "0.1", "reserve": 2},
                        "D": {"ratio": "0.3", "reserve": 1},
                        "RAISED": {"ratio": "0.3", "reserve": 1},
                    },
                    "item_ids": [self._food().pk],
                    "methods": ["实地核查"],
                    # The window starts this year (a task's number carries its window's first year).
                    "window_start": max(
                        today - datetime.timedelta(days=7), today.replace(month=1, day=1)
                    ).isoformat(),
                    "window_end": (today + datetime.timedelta(days=30)).isoformat(),
                    "team_slots": {"SCJG": 2},
                },
            )
        if scheme.status == SchemeStatus.DRAFT:
            scheme = planning.scheme_publish(actor=admin, scheme=scheme)
        return scheme

    def _draw(self, admin, scheme: TaskScheme, today: datetime.date) -> Draw:
        draw = scheme.draws.exclude(status=DrawStatus.SUPERSEDED).order_by("-seq").first()
        if draw is None:
            draw = draws.draw_freeze(
                actor=admin,
                scheme=scheme,
                sources=[
                    {
                        "name": "lottery",
                        "kind": "numbers",
                        "lottery": "福利彩票双色球",
                        "period": f"{today.year}130",
                        "draw_date": (today + datetime.timedelta(days=1)).isoformat(),
                    },
                    {"name": "witness", "kind": "digits"},
                ],
                announced=f"lottery = 福利彩票双色球第{today.year}130期红球; witness = 监督人员现场掷骰 12 位",
            )
        if draw.status == DrawStatus.FROZEN:
            draw = draws.draw_perform(
                actor=admin,
                draw=draw,
                witnesses=[{"name": "周明", "unit": "舞钢市司法局"}],
                reveals={"lottery": "3,8,14,21,27,32", "witness": "271828182845"},
                thrown_by={"witness": "周明"},
            )
        if draw.status != DrawStatus.DRAWN:
            raise CommandError(f"演示抽取处于“{draw.get_status_display()}”状态，请在抽取页面处理后再运行")
        return draw

    def _records(self, clerk, reviewer, draw: Draw) -> tuple[int, bool]:
        """Bring the first RESULTS drawn objects to a published result; returns (published, whether anything moved)."""
        published = 0
        moved = False
        selections = Selection.objects.filter(draw=draw, active=True).select_related("object").order_by("id")
        for n, sel in enumerate(selections[:RESULTS]):
            rec = (
                InspectionRecord.objects.filter(selection=sel, department_id=clerk.department_id)
                .exclude(status=RecordStatus.SUPERSEDED)
                .first()
            )
            if rec is None:
                rec = inspections.record_create(actor=clerk, selection=sel)
                moved = True
            if rec.status in (RecordStatus.DRAFT, RecordStatus.RETURNED):
                rec = inspections.record_submit(actor=clerk, rec=rec, data=_result(rec, problem=n == 0))
                moved = True
            if rec.status == RecordStatus.SUBMITTED:
                rec = inspections.record_review(actor=reviewer, rec=rec, approve=True)
                moved = True
            published += rec.status == RecordStatus.PUBLISHED
        return published, moved


def _result(rec: InspectionRecord, *, problem: bool) -> dict:
    item_id = rec.item_results.first().item_id
    return {
        "methods": ["实地核查"],
        "cert_shown": True,
        "signature": "obtained",
        "categories": ["发现问题经责令已改正"] if problem else ["未发现问题"],
        "measures": ["责令改正并跟踪"] if problem else ["无需后续处置"],
        "item_results": [
            {
                "item_id": item_id,
                "checked": True,
                "problem_found": problem,
                "disposal": "当场责令改正" if problem else "",
            }
        ],
        "note": "演示数据",
    }
