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
    Label("entities_checked_3y", "近三年至少检查一次的市场主体", "户"),
    Label("coverage_3y", "三年覆盖率", "%"),
    Label("checked_once", "随机抽查 1 次", "户"),
    Label("checked_twice", "随机抽查 2 次", "户"),
    Label("checked_thrice", "随机抽查 3 次及以上", "户"),
]
CHECKS = [
    Label("random_checks", "双随机抽查", "户次"),
    Label("triggered_checks", "非随机检查", "户次"),
    Label("triggered_complaint", "其中：投诉举报", "户次"),
    Label("triggered_referral", "其中：转办交办", "户次"),
    Label("triggered_monitoring", "其中：数据监测", "户次"),
    Label("triggered_share", "非随机检查占比", "%"),
]
TRANSFERS = [
    Label("transfers_opened", "移交", "件"),
    Label("transfers_received", "接收移交", "件"),
    Label("transfers_closed", "已办结", "件"),
    Label("transfers_overdue", "超期（未按期办结）", "件"),
]
LISTINGS = [
    Label("listings_decided", "已决定", "件"),
    Label("listings_listed", "其中：决定列入", "件"),
]
SECTIONS = [
    ("tasks", "抽查任务", TASKS),
    ("records", "检查与结果公示", RECORDS),
    ("coverage", "覆盖面", COVERAGE),
    ("checks", "双随机抽查与非随机检查（第十九条）", CHECKS),
    ("transfers", "后续处置移交", TRANSFERS),
    ("listings", "列入经营异常名录建议", LISTINGS),
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
