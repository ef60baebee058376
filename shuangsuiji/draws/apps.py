from django.apps import AppConfig


class DrawsConfig(AppConfig):
    name = "shuangsuiji.draws"
    verbose_name = "抽取（DRAW-v1）"
