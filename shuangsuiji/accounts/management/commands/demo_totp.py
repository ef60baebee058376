from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from shuangsuiji.accounts.demo import DEMO_TOTP_SECRET
from shuangsuiji.codes.totp import totp


class Command(BaseCommand):
    help = "演示模式：打印演示管理员账号当前的动态口令"

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("仅演示模式可用")
        self.stdout.write(totp(DEMO_TOTP_SECRET))
