"""python manage.py export_dossier TASK_NO --out DIR [--zip] [--user USERNAME]: an archived task's dossier.

Writes the dossier UNPACKED into DIR (created; must be empty or not exist), so that

    cd DIR && sha256sum -c SHA256SUMS && shuangsuiji verify draw

work at once. With --zip it writes DIR/任务档案-<归档号>.zip instead (the same bytes the scheme page streams).
Without --user the operator on the server acts as the system (which reads sealed draw files); with --user the
dossier is what that user would download. Every export is audited.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from shuangsuiji.accounts.models import User, system_user
from shuangsuiji.directory.rows import RowInvalid
from shuangsuiji.planning import dossier
from shuangsuiji.planning.models import TaskScheme


class Command(BaseCommand):
    help = "导出已归档任务的档案（默认写出解压后的目录，--zip 写出 ZIP 文件），记入审计"

    def add_arguments(self, parser):
        parser.add_argument("task_no", help="任务编号，如 舞市监抽查〔2026〕2号（也接受归档号）")
        parser.add_argument(
            "--out", required=True, metavar="DIR", help="输出目录（解压形式时须为空或不存在）"
        )
        parser.add_argument("--zip", action="store_true", help="写出 ZIP 文件而不是解压后的目录")
        parser.add_argument("--user", metavar="USERNAME", help="以该用户的权限导出（默认：系统）")

    def handle(self, *args, **opts):
        key = opts["task_no"].strip()
        scheme = (
            TaskScheme.objects.filter(task_no=key).first()
            or TaskScheme.objects.filter(archive_no=key).first()
        )
        if scheme is None:
            raise CommandError(f"没有任务编号或归档号为 {key} 的任务", returncode=2)
        if opts["user"]:
            try:
                actor = User.objects.get(username=opts["user"], is_active=True)
            except User.DoesNotExist:
                raise CommandError(f"没有启用的用户 {opts['user']}", returncode=2) from None
        else:
            actor = system_user()
        out = Path(opts["out"])
        try:
            plan = dossier.dossier_export(actor=actor, scheme=scheme, via="命令行")
            if opts["zip"]:
                out.mkdir(parents=True, exist_ok=True)
                path = out / f"{plan.name}.zip"
                size = dossier.write_zip_file(plan, path)
                self.stdout.write(f"已写出 {path}（{size:,} 字节）")
            else:
                written = dossier.write_folder(plan, out)
                self.stdout.write(
                    f"已写出 {out}：{len(written)} 个文件及 SHA256SUMS；校验：cd {out} && sha256sum -c SHA256SUMS"
                )
        except PermissionDenied as e:
            raise CommandError(str(e), returncode=2) from None
        except RowInvalid as e:
            raise CommandError("；".join(f"{c}：{r}" for c, r in e.errors), returncode=2) from None
