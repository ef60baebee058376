"""manage.py refresh_stats: rebuild the statistics summary tables (cron every 10 minutes; docs/deploy.md, ADR 0022)."""

from django.core.management.base import BaseCommand

from shuangsuiji.stats import summary


class Command(BaseCommand):
    help = "重建统计汇总表（建议每 10 分钟运行一次；统计页显示“数据截至”的时间）"

    def handle(self, *args, **options):
        state = summary.refresh()
        self.stdout.write(
            f"统计汇总已刷新：第 {state.pk} 次，{state.records} 条完成检查的记录，用时 {state.seconds:.1f} 秒"
        )
