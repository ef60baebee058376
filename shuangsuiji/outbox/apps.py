from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "shuangsuiji.outbox"
    verbose_name = "省级平台推送"
