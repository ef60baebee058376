"""/api/v1/stats/summary: the figures of /stats/ (same selector, same scoping) for the province to pull."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from shuangsuiji.accounts import scoping
from shuangsuiji.api.schemas import READ_ERRORS, ErrorOut
from shuangsuiji.directory.rows import RowInvalid

from . import breakdowns, policy, reading, selectors, summary, tables
from .labels import LABELS

router = Router()
TAGS = ["统计"]
FOREIGN_DEPARTMENT = ("部门", "只能查看本部门的统计")


class SummaryQuery(Schema):
    year: str = Field("", max_length=40, description="年度（默认今年）")
    half: str = Field("", max_length=40, description="1 上半年，2 下半年；空为全年")
    department: str = Field("", max_length=40, description="部门编号；部门用户只能查本部门")
    item: str = Field("", max_length=40, description="抽查事项编号")
    region: str = Field("", max_length=40, description="乡镇（街道）编号")
    risk_class: str = Field("", max_length=40, description="信用风险分类编号（内部）")
    joint: str = Field("", max_length=40, description="joint 部门联合抽查，own 本部门单独抽查")


class FigureLabelOut(Schema):
    key: str
    label: str
    unit: str


class RowOut(Schema):
    department_id: int | None = Field(description="部门编号；全市合计为 null")
    department_code: str | None
    department_name: str
    figures: dict[str, float | int | None] = Field(description="各项数字，键见 labels；比例为 0–1 的小数")


class BreakdownOut(Schema):
    key: str = Field(
        description="item 事项、region 乡镇（街道）、industry 行业门类、risk 信用风险分类、inspector 检查人员"
    )
    title: str
    header: list[str]
    units: list[str] = Field(description="第二列起各列的单位；% 列为 0–1 的小数")
    rows: list[list[str | int | float | None]]


class SummaryOut(Schema):
    filter: dict[str, int | str]
    as_of: datetime.date = Field(description="计算当天（北京时间）")
    source: str = Field(
        description="summary：读统计汇总表（数字截至 data_as_of）；live：按记录实时计算（尚未刷新过汇总，或设为实时）"
    )
    data_as_of: datetime.datetime | None = Field(
        description="汇总表最近一次刷新完成的时间（source 为 summary 时）；逾期未公示中尚未公示的部分始终实时计算"
    )
    labels: list[FigureLabelOut]
    rows: list[RowOut]
    breakdowns: list[BreakdownOut] = Field(
        description="分事项、乡镇（街道）、行业门类、风险分类、检查人员的统计（内部）"
    )


@router.get("/stats/summary", response={200: SummaryOut, 403: ErrorOut, **READ_ERRORS}, tags=TAGS)
def stats_summary(request, query: Query[SummaryQuery]):
    """统计汇总（第十五、十八条）：与统计页相同的数字，按部门并含全市合计（联席会议办公室、审计管理员可见全部部门）。"""
    user = request.auth
    today = timezone.localdate()
    f, errors, departments = policy.scoped_filter(user, query.dict(), today)
    if FOREIGN_DEPARTMENT in errors:
        raise PermissionDenied(FOREIGN_DEPARTMENT[1])
    if errors:
        raise RowInvalid(errors)
    with reading.one_reading():
        return _summary(f, departments, today, user)


def _summary(f, departments, today, user) -> dict:
    table = selectors.department_table(f, departments, today, city=scoping.sees_city_statistics(user))
    state = summary.as_of(f)
    return {
        "filter": f.query(),
        "as_of": today,
        "source": "summary" if state["summary"] else "live",
        "data_as_of": state["at"] if state["summary"] else None,
        "labels": [{"key": lb.key, "label": lb.label, "unit": lb.unit} for lb in LABELS.values()],
        "rows": [
            {
                "department_id": row.department.pk if row.department else None,
                "department_code": row.department.code if row.department else None,
                "department_name": row.label,
                "figures": {key: row.values[key] for key in LABELS},
            }
            for row in table.rows
        ],
        "breakdowns": [
            {"key": bt.key, "title": bt.title, "header": bt.header, "units": bt.units, "rows": bt.rows}
            for bt in (tables.breakdown_table(b) for b in breakdowns.all_breakdowns(f, today))
        ],
    }
