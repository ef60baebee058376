"""Request and response schemas of annual plans (/plans) and task schemes (/schemes).

The request bodies carry exactly what `planning.services` takes; the services judge the values with the same rules and
Chinese messages as the pages. The types here keep out what cannot be a value at all (and bound every length and
number, so nothing reaches the database that it would refuse).
"""

import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from shuangsuiji.directory.models import METHOD_CHOICES, ObjectKind
from shuangsuiji.planning.models import PlanKind, PlanStatus, PublishListAt, SchemeStatus
from shuangsuiji.planning.services import plan_check

from .schemas import Id, Text

PlanKindIn = Literal[tuple(PlanKind.values)]  # type: ignore[misc]
PlanStatusIn = Literal[tuple(PlanStatus.values)]  # type: ignore[misc]
SchemeStatusIn = Literal[tuple(SchemeStatus.values)]  # type: ignore[misc]
PublishListAtIn = Literal[tuple(PublishListAt.values)]  # type: ignore[misc]
MethodIn = Literal[tuple(METHOD_CHOICES)]  # type: ignore[misc]
ObjectKindIn = Literal[tuple(ObjectKind.values)]  # type: ignore[misc]

# Plans and schemes are for the years the platform runs; a bounded date also keeps the window arithmetic
# (window_start − same_item_days) inside what Python's dates can hold.
FIRST_DAY = datetime.date(2000, 1, 1)
LAST_DAY = datetime.date(2100, 12, 31)


Slots = Annotated[int, Field(ge=1, le=100)]


def _ratio(value: Decimal | None) -> str | None:
    return None if value is None else format(Decimal(value).normalize(), "f")


class DepartmentRef(Schema):
    id: int
    code: str
    name: str
    short_name: str


# --- 年度抽查计划 ---------------------------------------------------------------------------------------------------


class PlanFilters(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="年度")
    status: PlanStatusIn | None = Field(None, description="状态")
    kind: PlanKindIn | None = Field(None, description="计划类型")

    def apply(self, qs):
        return qs.filter(**self.model_dump(exclude_none=True))


class PlanIn(Schema):
    kind: PlanKindIn = Field(description="计划类型：department 年度抽查计划；joint 年度部门联合抽查计划")
    year: int = Field(ge=2000, le=2100, description="年度")
    title: Text = Field(max_length=200, description="计划名称")
    description: Text = Field("", max_length=5000, description="说明")
    participant_ids: list[Id] = Field(
        default_factory=list, max_length=100, description="参与部门编号（联合抽查计划至少一个）"
    )


class PlanItemIn(Schema):
    item_id: Id = Field(description="抽查事项编号（有效的事项）")
    ratio: Decimal | Text | None = Field(
        None,
        description="计划抽查比例：(0, 1] 的小数如 0.05（即 5%；页面按百分数输入和显示，接口始终用小数）；"
        "留空取事项的默认比例",
    )
    note: Text = Field("", max_length=300, description="备注")


class PlanBatchIn(Schema):
    name: Text = Field(max_length=100, description="批次名称")
    month: int = Field(ge=1, le=12, description="计划月份")
    note: Text = Field("", max_length=300, description="说明")


class PlanApproveIn(Schema):
    comment: Text = Field("", max_length=2000, description="联席会议办公室意见")
    approve_extra_batches: bool = Field(
        False,
        description="同时批准“超过两批次的理由”：计划中有事项本年度超过 2 个批次时必须为 true，否则拒绝批准（第九条）",
    )


class PlanExtraBatchesReasonIn(Schema):
    reason: Text = Field(
        max_length=300,
        description="超过两批次的理由：某事项本年度超过 2 个批次时必填，报送后由联席会议办公室批准",
    )


class PlanReturnIn(Schema):
    comment: Text = Field(max_length=2000, description="退回的修改意见（必填）")


class PlanAdjustIn(Schema):
    reason: Text = Field(max_length=300, description="调整理由（必填，向社会公示）")


class PlanItemOut(Schema):
    id: int = Field(description="计划事项编号（移出时使用）")
    item_id: int
    item_code: str
    item_name: str
    item_version: int = Field(description="计划使用的事项版本")
    current_version: int = Field(description="事项清单中的当前版本")
    category: str
    legal_basis: str
    department_id: int
    department_name: str
    ratio: str | None = Field(description="计划抽查比例")
    note: str

    @staticmethod
    def resolve_item_code(obj) -> str:
        return obj.item.code

    @staticmethod
    def resolve_item_name(obj) -> str:
        return obj.item.name

    @staticmethod
    def resolve_current_version(obj) -> int:
        return obj.item.version

    @staticmethod
    def resolve_category(obj) -> str:
        return obj.item.category

    @staticmethod
    def resolve_legal_basis(obj) -> str:
        return obj.item.legal_basis

    @staticmethod
    def resolve_department_name(obj) -> str:
        return obj.department.name

    @staticmethod
    def resolve_ratio(obj) -> str | None:
        return _ratio(obj.ratio)


class PlanBatchOut(Schema):
    id: int = Field(description="批次编号（制定工作方案、删除批次时使用）")
    seq: int
    name: str
    month: int
    note: str


class PlanVersionOut(Schema):
    version: int
    reason: str = Field(description="调整理由（首次批准为“首次批准”）")
    approved_by_name: str
    approved_at: datetime.datetime


class PlanVersionDetailOut(PlanVersionOut):
    data: dict[str, Any] = Field(description="该版本批准时的计划内容")


class PlanOut(Schema):
    id: int
    department: DepartmentRef = Field(description="制定部门（牵头部门）")
    kind: str
    kind_label: str
    year: int
    title: str
    status: str
    status_label: str
    version: int
    participants: list[DepartmentRef] = Field(description="参与部门（联合抽查计划）")
    description: str
    office_comment: str
    adjust_reason: str
    extra_batches_reason: str = Field(description="超过两批次的理由（第九条：每年 1—2 次）")
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_participants(obj) -> list:
        return list(obj.participants.all())


class PlanCheckOut(Schema):
    errors: list[str] = Field(description="阻止报送的问题")
    warnings: list[str] = Field(description="提示联席会议办公室注意的问题")


class PlanDetailOut(PlanOut):
    items: list[PlanItemOut]
    batches: list[PlanBatchOut]
    versions: list[PlanVersionOut] = Field(description="已批准的版本（公开的调整记录），新版本在前")
    check: PlanCheckOut = Field(description="计划检查（第三、八、九条）")
    extra_batches: dict[str, int] = Field(
        description="本年度超过 2 个批次的事项及批次数（本计划与同年度已报送、已批准的其他计划合计）"
    )
    scheme_ids: list[int] = Field(description="依据该计划制定的工作方案")

    @staticmethod
    def resolve_items(obj) -> list:
        return list(obj.items.select_related("item", "department"))

    @staticmethod
    def resolve_batches(obj) -> list:
        return list(obj.batches.all())

    @staticmethod
    def resolve_versions(obj) -> list:
        return list(obj.versions.all())

    @staticmethod
    def resolve_check(obj) -> dict:
        errors, warnings = plan_check(obj)
        return {"errors": errors, "warnings": warnings}

    @staticmethod
    def resolve_extra_batches(obj) -> dict[str, int]:
        from shuangsuiji.planning.services import extra_batches

        return extra_batches(obj)

    @staticmethod
    def resolve_scheme_ids(obj) -> list[int]:
        return list(obj.schemes.values_list("id", flat=True))


class PlanPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[PlanOut]


# --- 抽查工作方案 ---------------------------------------------------------------------------------------------------


class SchemeFilters(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="年度")
    status: SchemeStatusIn | None = Field(None, description="状态")

    def apply(self, qs):
        return qs.filter(**self.model_dump(exclude_none=True))


class DirectedFilters(Schema):
    """定向抽查的条件；各条件同时满足。"""

    regions: list[Id] = Field(default_factory=list, max_length=100, description="乡镇（街道）编号")
    industries: list[Text] = Field(
        default_factory=list, max_length=100, description="行业代码前缀（GB/T 4754-2017），如 C31"
    )
    kinds: list[ObjectKindIn] = Field(default_factory=list, max_length=10, description="对象类别")
    risk_classes: list[Text] = Field(default_factory=list, max_length=20, description="信用风险分类代码")
    tags: list[Text] = Field(default_factory=list, max_length=50, description="专项库标签（任一即可）")
    abnormal: bool | None = Field(None, description="是否列入经营异常名录；不填为不限")
    dishonest: bool | None = Field(None, description="是否列入严重违法失信名单；不填为不限")


class StratumIn(Schema):
    ratio: Decimal | Text | None = Field(
        None,
        description="抽查比例：(0, 1] 的小数如 0.03（即 3%；接口始终用小数，页面用百分数），与数量二选一",
    )
    count: int | None = Field(None, ge=0, le=10_000_000, description="抽查数量，与比例二选一")
    reserve: int = Field(0, ge=0, le=100_000, description="候补数量")


class StratumOut(Schema):
    ratio: str | None = None
    count: int | None = None
    reserve: int


class SchemeIn(Schema):
    name: Text = Field(max_length=200, description="方案名称")
    batch_id: Id | None = Field(None, description="依据的计划批次（已批准的本部门计划）")
    adhoc_reason: Text = Field("", max_length=300, description="不依据计划批次时必填：计划外方案理由")
    directed: bool = Field(False, description="定向抽查")
    filters: DirectedFilters | None = Field(None, description="定向条件（仅定向抽查）")
    strata: dict[Text, StratumIn] = Field(
        max_length=50,
        description="分层抽查比例：{风险分类代码、RAISED、UNRATED 或 TRUSTED（守信包容审慎层，只能按比例且低于各普通分层）: {ratio|count, reserve}}",
    )
    item_ids: list[Id] = Field(max_length=500, description="抽查事项编号")
    methods: list[MethodIn] = Field(max_length=len(METHOD_CHOICES) * 2, description="检查方式")
    window_start: datetime.date = Field(ge=FIRST_DAY, le=LAST_DAY, description="检查开始日期")
    window_end: datetime.date = Field(ge=FIRST_DAY, le=LAST_DAY, description="检查结束日期")
    team_slots: dict[Text, Slots] | None = Field(
        None,
        max_length=50,
        description='检查组人数（按部门代码），如 {"SCJG": 2, "WJW": 1}；不填为牵头部门 2 人',
    )
    publish_list_at: PublishListAtIn = Field(PublishListAt.DRAW, description="名单公示时间")
    yearly_cap: int | None = Field(
        None,
        ge=1,
        le=100,
        description="本方案更严格的同一对象年度抽查次数上限；不填按全市上限（联席会议办公室确定，GET /caps），不得高于全市上限",
    )
    same_item_days: int = Field(365, ge=0, le=3650, description="同一事项间隔天数")
    raise_abnormal: bool = Field(True, description="经营异常名录对象进入提高比例分层")
    raise_dishonest: bool = Field(True, description="严重违法失信对象进入提高比例分层")
    raise_complaints: int = Field(
        3, ge=0, le=100_000, description="投诉举报达到次数时进入提高比例分层；0 为不按投诉"
    )

    def data(self) -> dict[str, Any]:
        """The dict `planning.services.scheme_create` takes (JSON values: ratios as text, dates as ISO)."""
        data = self.model_dump(mode="json")
        data["filters"] = self.filters.model_dump(mode="json", exclude_defaults=True) if self.filters else {}
        data["strata"] = {
            code: {k: v for k, v in spec.items() if v is not None} for code, spec in data["strata"].items()
        }
        if data["team_slots"] is None:
            del data["team_slots"]
        return data


class SchemeItemOut(Schema):
    item_id: int
    item_code: str
    item_name: str
    item_version: int
    department_id: int
    department_name: str

    @staticmethod
    def resolve_item_code(obj) -> str:
        return obj.item.code

    @staticmethod
    def resolve_item_name(obj) -> str:
        return obj.item.name

    @staticmethod
    def resolve_department_name(obj) -> str:
        return obj.department.name


class SchemeDrawOut(Schema):
    id: int
    draw_id: str
    seq: int
    status: str
    status_label: str
    commitment: str
    frozen_at: datetime.datetime
    drawn_at: datetime.datetime | None

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()


class SchemeOut(Schema):
    @staticmethod
    def resolve_effective_yearly_cap(obj) -> int:
        from shuangsuiji.caps.selectors import scheme_yearly_cap

        return scheme_yearly_cap(obj)

    id: int
    department: DepartmentRef = Field(description="牵头部门")
    plan_id: int | None
    batch_id: int | None
    adhoc_reason: str
    year: int
    task_no: str | None = Field(description="任务编号（公示时生成）")
    name: str
    directed: bool
    filters: dict[str, Any] = Field(description="定向条件")
    strata: dict[str, StratumOut]
    raise_abnormal: bool
    raise_dishonest: bool
    raise_complaints: int
    raise_problems: bool = Field(
        description="近12个月本部门已公示结果中发现问题的对象进入提高比例层（制定方案时部门的设置）"
    )
    methods: list[str]
    window_start: datetime.date
    window_end: datetime.date
    team_slots: dict[str, int]
    is_joint: bool
    publish_list_at: str
    yearly_cap: int | None = Field(description="本方案更严格的上限；null 为按全市上限")
    effective_yearly_cap: int = Field(description="冻结名单时适用的上限：全市上限与本方案上限中较小者")
    same_item_days: int
    status: str
    status_label: str
    published_at: datetime.datetime | None
    archive_no: str | None = Field(
        description="归档号（如 舞市监抽查〔2026〕2号-归档-001）；已归档的任务只读"
    )
    archived_at: datetime.datetime | None = Field(description="归档时间")
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()


class SchemeDetailOut(SchemeOut):
    items: list[SchemeItemOut]
    draws: list[SchemeDrawOut] = Field(description="冻结与抽取记录（含被重新抽取取代的）")
    awaiting_consent: list[str] = Field(
        description="尚未确认参加、也不在列明该部门的联合计划中的参加部门代码；非空时不能冻结名单"
    )
    sealed: bool = Field(description="抽取将采用密封分层（DRAW-v1.1）：分层依据不公开的风险分类")
    draw_mode_reason: str = Field(description="为什么采用（或不采用）密封分层")

    @staticmethod
    def resolve_sealed(obj) -> bool:
        from shuangsuiji.draws.strata import scheme_plan

        return scheme_plan(obj).sealed

    @staticmethod
    def resolve_draw_mode_reason(obj) -> str:
        from shuangsuiji.draws.strata import scheme_plan

        return scheme_plan(obj).reason

    @staticmethod
    def resolve_awaiting_consent(obj) -> list[str]:
        from shuangsuiji.planning.services import slots_without_consent

        return [d.code for d in slots_without_consent(obj)]

    @staticmethod
    def resolve_items(obj) -> list:
        return list(obj.items.select_related("item", "department"))

    @staticmethod
    def resolve_draws(obj) -> list:
        return list(obj.draws.order_by("seq"))


class SchemePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[SchemeOut]
