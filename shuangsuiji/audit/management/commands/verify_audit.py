from django.core.management.base import BaseCommand

from shuangsuiji.audit.chain import verify_chain


class Command(BaseCommand):
    help = "校验审计链：完整则退出码 0，否则退出码 1 并指出第一个被破坏的事件"

    def handle(self, *args, **options):
        report = verify_chain()
        if report.ok:
            self.stdout.write(f"通过：{report.message}")
            return
        self.stderr.write(f"未通过：{report.message}")
        raise SystemExit(1)
