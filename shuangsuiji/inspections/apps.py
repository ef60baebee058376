from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "shuangsuiji.inspections"
    verbose_name = "检查、审核、公示与后续处置"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the calendar check
