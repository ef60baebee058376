import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shuangsuiji.accounts.models import system_user
from shuangsuiji.audit.purge import PurgeError, purge_audit_events


class Command(BaseCommand):
    help = (
        "清理超过保存期限（至少 6 个月）的审计事件：先校验审计链，把要清理的事件归档为 jsonl.gz（附 SHA-256），"
        "再删除并移动链的锚点；清理本身记为一条审计事件。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help="清理此日期（YYYY-MM-DD，不含）之前的事件")
        parser.add_argument("--archive-dir", type=Path, help="归档目录（默认 var/audit-archive/）")
        parser.add_argument("--dry-run", action="store_true", help="只报告将清理多少事件，不写任何东西")

    def handle(self, *args, **options):
        try:
            before = datetime.date.fromisoformat(options["before"])
        except ValueError:
            raise CommandError(f"--before 应为 YYYY-MM-DD 格式的日期，收到 {options['before']!r}") from None
        try:
            report = purge_audit_events(
                actor=system_user(),
                before=before,
                archive_dir=options["archive_dir"],
                dry_run=options["dry_run"],
            )
        except PurgeError as e:
            raise CommandError(str(e)) from None
        if report.purged == 0:
            self.stdout.write(f"没有 {before:%Y-%m-%d} 之前可清理的审计事件。")
        elif options["dry_run"]:
            self.stdout.write(
                f"将清理 {report.purged} 个事件（第 {report.from_seq}–{report.to_seq} 号）；未做任何修改。"
            )
        else:
            self.stdout.write(
                f"已清理 {report.purged} 个事件（第 {report.from_seq}–{report.to_seq} 号），"
                f"归档 {report.archive}（SHA-256 {report.archive_sha256}）。"
            )
