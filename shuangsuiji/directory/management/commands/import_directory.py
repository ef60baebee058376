"""Bulk load of 两库一单 from the command line, judged exactly like an upload on the import page.

Exit status: 0 imported (or dry run without errors), 1 some row is invalid (nothing written unless
--valid-rows-only), 2 the file as a whole cannot be imported (unreadable, wrong columns, no permission).
"""

import time
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from shuangsuiji.accounts.models import User, system_user
from shuangsuiji.directory.importing import KINDS, ImportFileError, directory_import
from shuangsuiji.directory.workbooks import template_workbook

MAX_PRINTED_ERRORS = 1000


class Command(BaseCommand):
    requires_system_checks: list = []  # a bulk load should not spend seconds on checks `migrate` already ran
    help = (
        "导入检查对象（entities）、执法检查人员（inspectors）或抽查事项（items）名录；--template 输出空白模板"
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("file", nargs="?", help=".xlsx 或 .csv（UTF-8 / GB18030）文件")
        parser.add_argument("--template", metavar="FILE", help="把空白模板写到 FILE，不导入")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")
        parser.add_argument("--valid-rows-only", action="store_true", help="跳过无效行，只导入有效行")
        parser.add_argument("--user", metavar="USERNAME", help="以该用户身份导入（检查其权限），默认“系统”")
        parser.add_argument("--reason", default="批量导入", help="导入理由，写入审计事件与事项版本")

    def handle(self, *args, **opts):
        kind = opts["kind"]
        if opts["template"]:
            Path(opts["template"]).write_bytes(template_workbook(kind))
            self.stdout.write(f"已写出空白模板：{opts['template']}")
            return
        if not opts["file"]:
            raise CommandError("请指定要导入的文件，或用 --template FILE 输出空白模板", returncode=2)
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}", returncode=2)
        actor = self._actor(opts["user"])
        started = time.monotonic()
        try:
            with path.open("rb") as f:
                result = directory_import(
                    actor=actor,
                    kind=kind,
                    file=f,
                    filename=path.name,
                    valid_rows_only=opts["valid_rows_only"],
                    dry_run=opts["dry_run"],
                    reason=opts["reason"],
                )
        except ImportFileError as e:
            raise CommandError(str(e), returncode=2) from None
        except PermissionDenied as e:
            raise CommandError(f"{actor} 无权导入：{e}", returncode=2) from None
        for number, column, reason in result.errors[:MAX_PRINTED_ERRORS]:
            self.stdout.write(f"第{number}行 [{column}] {reason}")
        if len(result.errors) > MAX_PRINTED_ERRORS or result.errors_truncated:
            self.stdout.write(f"……其余错误未列出（共 {result.invalid} 行无效）")
        if result.ignored_columns:
            self.stdout.write(f"已忽略未知列：{'、'.join(result.ignored_columns)}")
        verb = "将" if not result.written else ""
        self.stdout.write(
            f"{result.kind_label}：共 {result.rows} 行，{verb}新增 {result.new}，{verb}更新 {result.updated}，"
            f"未变 {result.unchanged}，无效 {result.invalid}（{time.monotonic() - started:.1f} 秒）"
        )
        if result.invalid and not opts["valid_rows_only"]:
            raise CommandError(f"有 {result.invalid} 行无效，未写入任何数据", returncode=1)
        if opts["dry_run"]:
            self.stdout.write("仅校验（--dry-run），未写入任何数据")
        elif result.written:
            self.stdout.write(self.style.SUCCESS(f"已导入，审计事件 #{result.audit_event_id}"))

    def _actor(self, username):
        if not username:
            return system_user()
        try:
            return User.objects.get(username=username, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"没有启用的用户 {username}", returncode=2) from None
