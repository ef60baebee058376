"""python manage.py seed_demo [--entities N] [--seed S] [--if-empty]: a synthetic 舞钢市 (demo data)."""

import datetime
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from shuangsuiji.directory.demo_data import DEFAULT_ENTITIES, DEFAULT_SEED, seed_demo, vacuum_analyze
from shuangsuiji.directory.models import InspectionObject


class Command(BaseCommand):
    help = "生成演示数据：合成的舞钢市检查对象、执法检查人员与随机抽查事项清单（全部标记为演示数据）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--entities", type=int, default=DEFAULT_ENTITIES, help="检查对象数量（默认 40000）"
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="随机种子：相同种子生成相同数据")
        parser.add_argument(
            "--if-empty", action="store_true", help="名录库已有检查对象时什么也不做（供 make run 使用）"
        )
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="有效期的参照日期 YYYY-MM-DD（默认今天）",
        )
        parser.add_argument("--chunk", type=int, default=20_000, help="每批写入的对象数")

    def handle(self, *args, **opts):
        if opts["entities"] < 0:
            raise CommandError("--entities 不能为负数")
        existing = InspectionObject.objects.count()
        if existing:
            if opts["if_empty"]:
                self.stdout.write(f"检查对象名录库已有 {existing:,} 条记录，跳过演示数据。")
                self._demo_users()
                return
            raise CommandError(
                f"检查对象名录库已有 {existing:,} 条记录；演示数据只能载入空数据库（或加 --if-empty 跳过）。"
            )
        started = time.monotonic()
        self.stdout.write(f"生成演示数据：{opts['entities']:,} 个检查对象，种子 {opts['seed']} …")
        counts = seed_demo(
            entities=opts["entities"],
            seed=opts["seed"],
            today=opts["today"],
            chunk=max(1000, opts["chunk"]),
            progress=lambda msg: self.stdout.write("  " + msg),
        )
        loaded = time.monotonic() - started
        vacuum_analyze()
        n = max(counts.objects, 1)
        risk = "，".join(f"{k} {v / n:.1%}" for k, v in sorted(counts.by_risk.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"完成：检查对象 {counts.objects:,}（企业 {counts.enterprises:,}，个体工商户 {counts.individuals:,}，"
                f"农民专业合作社 {counts.cooperatives:,}，产品/项目/行为 {counts.non_entities:,}），"
                f"监管属性 {counts.supervisions:,}，许可证 {counts.licences:,}，检查人员 {counts.inspectors}，"
                f"回避 {counts.conflicts}，事项 {counts.items}；写入 {loaded:.1f} 秒，共 {time.monotonic() - started:.1f} 秒"
            )
        )
        self.stdout.write(
            f"  风险分类：{risk}；经营异常名录 {counts.abnormal:,}，严重违法失信 {counts.dishonest:,}，"
            f"非存续 {counts.inactive:,}"
        )
        self._demo_users()

    def _demo_users(self):
        if settings.DEMO_MODE:
            from shuangsuiji.accounts.demo import ensure_demo_users

            ensure_demo_users()
