from django.core.management.base import BaseCommand

from shuangsuiji.idempotency.models import IdempotencyKey


class Command(BaseCommand):
    help = "删除 24 小时前的幂等键（由 cron 或 systemd 定时器每天运行）"

    def handle(self, *args, **options):
        deleted, _ = IdempotencyKey.objects.expired().delete()
        self.stdout.write(f"已删除 {deleted} 个过期的幂等键。")
