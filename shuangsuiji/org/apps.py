from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "shuangsuiji.org"
    verbose_name = "部门与区划"
