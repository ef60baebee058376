from django.apps import AppConfig


class IdempotencyConfig(AppConfig):
    name = "shuangsuiji.idempotency"
    verbose_name = "幂等键"
