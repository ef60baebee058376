"""python manage.py draw_files DRAW_ID --out DIR --user USERNAME: the full files of a draw, for a full check.

The full DRAW-v1 files of a sealed draw tie every object to its stratum (its credit-risk class): only the lead
department's administrator, the joint office and the auditor may take them (draw.read_sealed), and each time is audited.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from shuangsuiji.accounts.models import User
from shuangsuiji.draws import services
from shuangsuiji.draws.models import Draw


class Command(BaseCommand):
    help = "导出一次抽取的完整文件（密封分层的完整文件需要 draw.read_sealed 权限，记入审计）"

    def add_arguments(self, parser):
        parser.add_argument("draw_id", help="抽取编号，如 舞市监抽查〔2026〕7号-1")
        parser.add_argument("--out", required=True, metavar="DIR", help="输出目录（须为空或不存在）")
        parser.add_argument(
            "--user", required=True, metavar="USERNAME", help="取得文件的人（检查其权限并记入审计）"
        )
        parser.add_argument("--reason", default="", help="取得完整文件的理由，写入审计事件")

    def handle(self, *args, **opts):
        try:
            draw = Draw.objects.select_related("scheme").get(draw_id=opts["draw_id"])
        except Draw.DoesNotExist:
            raise CommandError(f"没有抽取编号为 {opts['draw_id']} 的抽取", returncode=2) from None
        try:
            actor = User.objects.get(username=opts["user"], is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"没有启用的用户 {opts['user']}", returncode=2) from None
        out = Path(opts["out"])
        if out.exists() and any(out.iterdir()):
            raise CommandError(f"输出目录 {out} 不是空的", returncode=2)
        try:
            files = services.sealed_files_read(actor=actor, draw=draw, reason=opts["reason"])
        except PermissionDenied as e:
            raise CommandError(str(e), returncode=2) from None
        full = out / "full" if draw.sealed else out
        for name, path in files.items():
            target = out / name if name.startswith(f"{services.PUBLIC_DIR}/") else full / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        self.stdout.write(f"已写出 {len(files)} 个文件到 {out}（已记入审计）。")
        if draw.sealed:
            self.stdout.write(f"完整核验：shuangsuiji verify {full} --public {out / services.PUBLIC_DIR}")
        else:
            self.stdout.write(f"核验：shuangsuiji verify {out}")
