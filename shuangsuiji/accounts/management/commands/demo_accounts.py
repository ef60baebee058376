from django.conf import settings
from django.core.management.base import BaseCommand

from shuangsuiji.accounts.demo import DEMO_PASSWORD, ensure_demo_users


class Command(BaseCommand):
    help = "创建并打印演示账号（仅演示模式）"

    def add_arguments(self, parser):
        parser.add_argument("--address", default="127.0.0.1:8000", help="平台监听的 主机:端口，打印在说明中")

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            self.stdout.write("非演示模式：不创建演示账号。")
            return
        rows = ensure_demo_users()
        self.stdout.write("")
        self.stdout.write("演示账号（Demo accounts）— 密码 / password: " + DEMO_PASSWORD)
        for username, full_name, role in rows:
            self.stdout.write(f"  {username:<15} {role:<12} {full_name}")
        self.stdout.write("管理员（admin/secadmin/auditor）登录后需输入动态口令：python manage.py demo_totp")
        self.stdout.write(f"打开 / open: http://{options['address']}/")
        self.stdout.write("")
