"""`python manage.py deliver_outbox`: one delivery pass to the provincial platform (cron every minute)."""

import time

from django.core.management.base import BaseCommand, CommandError

from shuangsuiji.outbox import delivery
from shuangsuiji.outbox.models import OutboxState


class Command(BaseCommand):
    help = "向省级平台推送待推送的事件（一次；--loop 持续运行）"

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=0, help="本次最多推送的事件数（0 = 不限）")
        parser.add_argument("--loop", action="store_true", help="持续运行，每轮之间等待 --interval 秒")
        parser.add_argument("--interval", type=float, default=30.0, help="--loop 时每轮间隔（秒）")
        parser.add_argument("--keep-going", action="store_true", help="遇到需要重试的事件后继续推送其余事件")
        parser.add_argument(
            "--batch-now",
            action="store_true",
            help="files 方式：今天已生成过批次也再生成一个（默认每个业务日一个批次）",
        )

    def handle(self, *args, limit: int, loop: bool, interval: float, keep_going: bool, **options):
        try:
            connector = delivery.connector_from_settings()
        except ValueError as e:
            raise CommandError(str(e)) from None
        if getattr(connector, "kind", "") == "files":
            return self._files(connector, loop=loop, interval=interval, force=options["batch_now"])
        while True:
            try:
                counts = delivery.deliver_pass(connector, limit=limit, keep_going=keep_going)
            finally:
                connector.close()
            if counts["busy"]:
                self.stdout.write("另一个推送进程正在运行，本次跳过")
            else:
                self.stdout.write(
                    f"已送达 {counts[OutboxState.DELIVERED]} 个，被拒收 {counts[OutboxState.REJECTED]} 个，"
                    f"待重试 {counts[OutboxState.FAILING]} 个"
                )
            if not loop:
                return
            time.sleep(interval)

    def _files(self, connector, *, loop: bool, interval: float, force: bool) -> None:
        """The files connector: at most one batch a business day (cron may run this every minute)."""
        while True:
            batch = connector.write_batch(force=force)
            if batch is None:
                self.stdout.write("没有需要导出的事件，或今天的批次已生成")
            else:
                self.stdout.write(
                    f"已生成推送文件批次 {batch.number}：事件 {batch.events_count} 个（检查结果 {batch.result_rows} 行、"
                    f"其他事件 {batch.other_count} 个），等待上传；目录：{batch.folder}"
                )
            if not loop:
                return
            time.sleep(interval)
