"""Demo mode: walk one year's work through the real services, so a fresh `make run` shows a complete cycle —
an approved plan, a published scheme, a frozen and drawn task with its certificate, and published results."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shuangsuiji.accounts.models import User
from shuangsuiji.directory.models import CheckItem
from shuangsuiji.draws import services as draws
from shuangsuiji.draws.models import Selection
from shuangsuiji.inspections import services as inspections
from shuangsuiji.planning import services as planning
from shuangsuiji.planning.models import AnnualPlan


class Command(BaseCommand):
    help = "演示模式：用演示账号走一遍 计划→方案→冻结→抽取→检查→公示（已有计划时跳过）"

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("仅演示模式可用")
        if AnnualPlan.objects.exists():
            self.stdout.write("已有抽查计划，跳过演示流程。")
            return
        users = {
            u.username: u
            for u in User.objects.filter(username__in=["scjg_admin", "office", "scjg_clerk", "scjg_reviewer"])
        }
        if len(users) < 4:
            raise CommandError("请先运行 demo_accounts 创建演示账号")
        admin, office, clerk, reviewer = (
            users[n] for n in ("scjg_admin", "office", "scjg_clerk", "scjg_reviewer")
        )
        today = timezone.localdate()
        food = CheckItem.objects.get(code="SCJG-002")
        public_info = CheckItem.objects.get(code="SCJG-001")

        plan = planning.plan_create(
            actor=admin,
            kind="department",
            year=today.year,
            title=f"{today.year}年度舞钢市市场监督管理局随机抽查计划",
        )
        planning.plan_item_add(actor=admin, plan=plan, item=food, ratio="0.05")
        planning.plan_item_add(actor=admin, plan=plan, item=public_info, ratio="0.03")
        batch = planning.plan_batch_add(actor=admin, plan=plan, name="食品经营者专项抽查", month=today.month)
        planning.plan_batch_add(
            actor=admin, plan=plan, name="企业公示信息抽查", month=min(today.month + 1, 12)
        )
        planning.plan_submit(actor=admin, plan=plan)
        planning.plan_approve(actor=office, plan=plan, comment="同意")

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
                "item_ids": [food.pk],
                "methods": ["实地核查"],
                "window_start": (today - datetime.timedelta(days=7)).isoformat(),
                "window_end": (today + datetime.timedelta(days=30)).isoformat(),
                "team_slots": {"SCJG": 2},
            },
        )
        scheme = planning.scheme_publish(actor=admin, scheme=scheme)
        draw = draws.draw_freeze(
            actor=admin,
            scheme=scheme,
            sources=[{"name": "lottery", "kind": "numbers"}, {"name": "witness", "kind": "digits"}],
            announced=f"lottery = 福利彩票双色球第{today.year}130期红球; witness = 监督人员现场掷骰 12 位",
        )
        draw = draws.draw_perform(
            actor=admin,
            draw=draw,
            witnesses=[{"name": "周明", "unit": "舞钢市司法局"}],
            reveals={"lottery": "3,8,14,21,27,32", "witness": "271828182845"},
        )
        published = 0
        for sel in Selection.objects.filter(draw=draw, active=True).select_related("object")[:5]:
            rec = inspections.record_create(actor=clerk, selection=sel)
            item_id = rec.item_results.first().item_id
            problem = published == 0
            rec = inspections.record_submit(
                actor=clerk,
                rec=rec,
                data={
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
                },
            )
            inspections.record_review(actor=reviewer, rec=rec, approve=True)
            published += 1
        self.stdout.write(
            f"演示流程完成：计划“{plan.title}”已批准；任务 {scheme.task_no} 已抽取 "
            f"（承诺值 {draw.commitment[:16]}…）；已公示检查结果 {published} 条。"
        )
