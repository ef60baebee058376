"""Apply a registration change file or a province risk-class file to the object directory (directory/syncing.py).

Exit status: 0 applied, nothing to change, or a dry run without errors; 1 some row is invalid (nothing written);
2 the file as a whole cannot be applied (unreadable, wrong columns, no permission).
"""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shuangsuiji.accounts.models import User, system_user
from shuangsuiji.directory.syncing import KINDS, SyncFileError, directory_sync

MAX_PRINTED_ERRORS = 1000


class Command(BaseCommand):
    help = "导入登记机关的登记变更文件（registration）或省局的信用风险分类文件（risk），按统一社会信用代码增量更新检查对象名录库"

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx 或 .csv（UTF-8 / GB18030）文件")
        parser.add_argument("--kind", choices=KINDS, help="文件类型；不填则按表头判断")
        parser.add_argument("--dry-run", action="store_true", help="只校验并统计将发生的变化，不写入")
        parser.add_argument("--user", metavar="USERNAME", help="以该用户身份导入（检查其权限），默认“系统”")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}", returncode=2)
        actor = self._actor(opts["user"])
        try:
            with path.open("rb") as f:
                result = directory_sync(
                    actor=actor, file=f, filename=path.name, kind=opts["kind"], dry_run=opts["dry_run"]
                )
        except SyncFileError as e:
            raise CommandError(str(e), returncode=2) from None
        except PermissionDenied as e:
            raise CommandError(f"{actor} 无权导入：{e}", returncode=2) from None
        for number, column, reason in result.errors[:MAX_PRINTED_ERRORS]:
            self.stdout.write(f"第{number}行 [{column}] {reason}")
        if len(result.errors) > MAX_PRINTED_ERRORS or result.errors_truncated:
            self.stdout.write(f"……其余错误未列出（共 {result.invalid} 行无效）")
        if result.ignored_columns:
            self.stdout.write(f"已忽略未知列：{'、'.join(result.ignored_columns)}")
        self.stdout.write(f"{result.kind_label}：{result.summary()}")
        if result.invalid:
            raise CommandError(f"有 {result.invalid} 行无效，未写入任何数据", returncode=1)
        if opts["dry_run"]:
            self.stdout.write("仅校验（--dry-run），未写入任何数据")
        elif result.nothing_to_change:
            self.stdout.write("文件中的内容均已在名录中，未作任何修改")
        else:
            self.stdout.write(
                self.style.SUCCESS(f"已导入，批次 #{result.batch_id}，审计事件 #{result.audit_event_id}")
            )
        for applied_at, by in result.previous:
            self.stdout.write(
                f"注意：同一文件曾于 {timezone.localtime(applied_at):%Y-%m-%d %H:%M} 由 {by} 导入"
            )

    def _actor(self, username):
        if not username:
            return system_user()
        try:
            return User.objects.get(username=username, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"没有启用的用户 {username}", returncode=2) from None
