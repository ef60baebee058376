from django.apps import AppConfig


class CapsConfig(AppConfig):
    name = "shuangsuiji.caps"
    verbose_name = "年度抽查次数上限"
