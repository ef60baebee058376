from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations commands (backup, restore); no models."""

    name = "shuangsuiji.ops"
    verbose_name = "运维"

    def ready(self) -> None:
        # Register the key checks (E001, E002) however the process starts: manage.py, gunicorn, tests.
        from shuangsuiji.audit import chain  # noqa: F401
        from shuangsuiji.personal import keys  # noqa: F401

        from . import checks  # noqa: F401
