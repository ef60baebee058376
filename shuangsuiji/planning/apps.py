from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "shuangsuiji.planning"
    verbose_name = "抽查计划与工作方案"
