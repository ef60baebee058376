from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shuangsuiji.audit.chain import verify_chain
from shuangsuiji.ops import backups


class Command(BaseCommand):
    help = "从备份恢复数据库（覆盖当前数据）及附件目录，然后校验审计链"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="backup 命令写出的备份文件")
        parser.add_argument("--yes", action="store_true", help="不再询问，直接覆盖当前数据库")
        parser.add_argument("--no-media", action="store_true", help="不恢复附件目录（MEDIA_ROOT）")
        parser.add_argument("--database", default="default")

    def handle(self, *args, **opts):
        path = opts["file"]
        if not opts["yes"]:
            answer = input(f"将用 {path} 覆盖当前数据库的全部数据。输入 yes 继续：")
            if answer.strip().lower() != "yes":
                raise CommandError("已取消，数据库未改动。")
        try:
            restored = backups.restore(path, alias=opts["database"], media=not opts["no_media"])
        except backups.BackupError as e:
            raise CommandError(str(e)) from e
        for p in restored:
            self.stdout.write(f"已恢复：{p}")
        report = verify_chain()
        if not report.ok:
            self.stderr.write(f"审计链校验未通过：{report.message}")
            raise SystemExit(1)
        self.stdout.write(f"审计链校验通过：{report.message}")
