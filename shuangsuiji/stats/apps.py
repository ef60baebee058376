from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "shuangsuiji.stats"
    verbose_name = "统计分析"
