from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shuangsuiji.accounts"
    verbose_name = "用户与角色"

    def ready(self) -> None:
        from . import security  # noqa: F401 - registers the login audit signal handlers
