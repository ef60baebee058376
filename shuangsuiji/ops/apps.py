from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations commands (backup, restore); no models."""

    name = "shuangsuiji.ops"
    verbose_name = "运维"
