from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "shuangsuiji.web"
    verbose_name = "页面"
