from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shuangsuiji.ops import backups


class Command(BaseCommand):
    help = "备份数据库（SQLite：在线备份；PostgreSQL：pg_dump -Fc）及附件目录；打印备份文件路径"

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", "-o", type=Path, help="备份文件路径（默认 $BACKUP_DIR 或 var/backups/ 下按时间命名）"
        )
        parser.add_argument("--no-media", action="store_true", help="不备份附件目录（MEDIA_ROOT）")
        parser.add_argument("--database", default="default")

    def handle(self, *args, **opts):
        path = opts["output"] or backups.default_path(opts["database"])
        try:
            written = backups.backup(path, alias=opts["database"], media=not opts["no_media"])
        except backups.BackupError as e:
            raise CommandError(str(e)) from e
        for p in written:
            self.stdout.write(f"已写入：{p}")
