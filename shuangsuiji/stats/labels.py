"""Chinese labels and units of the statistics' figures, in the order the tables show them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Label:
    key: str
    label: str
    unit: str  # 个/项/家/件/天, or "%" for a rate
    public: bool = True  # shown on the portal (art. 18)


TASKS = [
    Label("tasks_planned", "计划批次", "个"),
    Label("tasks_published", "已公示任务", "个"),
    Label("tasks_drawn", "已抽取任务", "个"),
    Label("tasks_finished", "已结束任务", "个"),
    Label("tasks_joint", "部门联合抽查任务", "个"),
    Label("joint_task_share", "部门联合抽查占比（任务）", "%"),
    Label("objects_drawn", "抽取对象", "户"),
]
RECORDS = [
    Label("records_finished", "完成检查", "户次"),
    Label("records_in_window", "在检查期内完成", "户次"),
    Label("joint_check_share", "部门联合抽查占比（检查）", "%"),
    Label("results_published", "已公示结果", "条"),
    Label("published_on_time", "20个工作日内公示", "条"),
    Label("on_time_rate", "按时公示率", "%"),
    Label("results_overdue", "逾期公示或逾期未公示", "条"),
    Label("median_days", "结果至公示天数中位数", "天（自然日）"),
    Label("records_concluded", "有效检查结果", "条"),
    Label("records_with_problems", "发现问题", "条"),
    Label("problem_rate", "问题发现率", "%"),
]
COVERAGE = [
    Label("market_entities", "市场主体（存续）", "户"),
    Label("entities_checked", "至少检查一次的市场主体", "户"),
    Label("coverage", "覆盖率", "%"),
    Label("checked_once", "随机抽查 1 次", "户"),
    Label("checked_twice", "随机抽查 2 次", "户"),
    Label("checked_thrice", "随机抽查 3 次及以上", "户"),
]
TRANSFERS = [
    Label("transfers_opened", "移交", "件"),
    Label("transfers_closed", "已办结", "件"),
    Label("transfers_overdue", "超期（未按期办结）", "件"),
]
SECTIONS = [
    ("tasks", "抽查任务", TASKS),
    ("records", "检查与结果公示", RECORDS),
    ("coverage", "覆盖面", COVERAGE),
    ("transfers", "后续处置移交", TRANSFERS),
]
LABELS = {lb.key: lb for _key, _title, labels in SECTIONS for lb in labels}


def describe(f) -> str:
    """The filter in words, for page titles, list banners and the export's title row."""
    from shuangsuiji.directory.models import CheckItem, RiskClass
    from shuangsuiji.org.models import Department, Region

    from .filters import HALF_CHOICES, JOINT_CHOICES

    parts = [f"{f.year} 年{HALF_CHOICES.get(f.half, '')}"]
    for pk, model in (
        (f.department, Department),
        (f.item, CheckItem),
        (f.region, Region),
        (f.risk_class, RiskClass),
    ):
        if pk:
            obj = model.objects.filter(pk=pk).first()
            if obj is not None:
                parts.append(getattr(obj, "name", str(obj)))
    if f.joint:
        parts.append(JOINT_CHOICES[f.joint])
    return "，".join(parts)
