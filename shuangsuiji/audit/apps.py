from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "shuangsuiji.audit"
    verbose_name = "审计"
