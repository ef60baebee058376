"""Request and response schemas of 两库一单 (/objects, /inspectors, /items) and its reference lists.

Request bodies use the model field names; their values are judged by `directory.rows.validate_row`, the same rules and
Chinese messages as the pages and the Excel import. The schema types only keep out what cannot be a value at all.
"""

import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.utils import timezone
from ninja import Field, Schema
from pydantic import StringConstraints, conlist

from shuangsuiji.directory.models import (
    METHOD_CHOICES,
    InspectorStatus,
    ItemCategory,
    ItemStatus,
    ObjectKind,
    RegStatus,
)
from shuangsuiji.directory.selectors import (
    INSPECTOR_FILTERS,
    ITEM_FILTERS,
    OBJECT_FILTERS,
    personal_fields,
)

from .schemas import Id, Ref, Text

# Enumerations: the stored value, or (where the pages show a different label) the Chinese label too.
ObjectKindIn = Literal[tuple([k.value for k in ObjectKind] + [k.label for k in ObjectKind])]  # type: ignore[misc]
RegStatusIn = Literal[tuple(s.value for s in RegStatus)]  # type: ignore[misc]
InspectorStatusIn = Literal[tuple(s.value for s in InspectorStatus)]  # type: ignore[misc]
ItemCategoryIn = Literal[tuple(c.value for c in ItemCategory)]  # type: ignore[misc]
ItemStatusIn = Literal[tuple(s.value for s in ItemStatus)]  # type: ignore[misc]
MethodIn = Literal[tuple(METHOD_CHOICES)]  # type: ignore[misc]

KIND_BY_LABEL = {k.label: k.value for k in ObjectKind}


def _ratio(value: Decimal | None) -> str | None:
    return None if value is None else format(Decimal(value).normalize(), "f")


# --- filters (query strings); the keys are exactly selectors.*_FILTERS ---------------------------------------------


class ObjectFilters(Schema):
    q: Text | None = Field(None, max_length=200, description=OBJECT_FILTERS["q"])
    region: Id | None = Field(None, description=OBJECT_FILTERS["region"])
    risk: Text | None = Field(None, max_length=8, description=OBJECT_FILTERS["risk"])
    kind: ObjectKindIn | None = Field(None, description=OBJECT_FILTERS["kind"])
    status: RegStatusIn | None = Field(None, description=OBJECT_FILTERS["status"])
    abnormal: bool | None = Field(None, description=OBJECT_FILTERS["abnormal"])
    dishonest: bool | None = Field(None, description=OBJECT_FILTERS["dishonest"])
    industry: Text | None = Field(None, max_length=5, description=OBJECT_FILTERS["industry"])
    supervised_by: Id | None = Field(None, description=OBJECT_FILTERS["supervised_by"])

    def params(self) -> dict[str, Any]:
        data = self.model_dump(exclude_none=True)
        if "kind" in data:
            data["kind"] = KIND_BY_LABEL.get(data["kind"], data["kind"])
        return data


class InspectorFilters(Schema):
    q: Text | None = Field(None, max_length=100, description=INSPECTOR_FILTERS["q"])
    department: Id | None = Field(None, description=INSPECTOR_FILTERS["department"])
    status: InspectorStatusIn | None = Field(None, description=INSPECTOR_FILTERS["status"])
    drawable: bool | None = Field(None, description=INSPECTOR_FILTERS["drawable"] + "，按今天判断")

    def params(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class ItemFilters(Schema):
    q: Text | None = Field(None, max_length=200, description=ITEM_FILTERS["q"])
    department: Id | None = Field(None, description=ITEM_FILTERS["department"])
    category: ItemCategoryIn | None = Field(None, description=ITEM_FILTERS["category"])
    status: ItemStatusIn | None = Field(None, description=ITEM_FILTERS["status"])

    def params(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


# --- reference lists -----------------------------------------------------------------------------------------------


class DepartmentOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    maintains_entity_registry: bool
    is_lead: bool
    active: bool


class RegionOut(Schema):
    id: int
    code: str
    name: str
    kind: str


class RiskClassOut(Schema):
    id: int
    code: str
    name: str
    sort: int
    active: bool


# --- 检查对象名录库 ------------------------------------------------------------------------------------------------


class ObjectPatch(Schema):
    """PATCH body: only the fields sent are changed (merged with the stored row, then validated as a whole)."""

    code: Text | None = Field(None, description="统一社会信用代码（市场主体）或对象编码（产品/项目/行为）")
    name: Text | None = Field(None, description="名称")
    kind: ObjectKindIn | None = Field(None, description="类别：值或中文名称均可")
    industry_code: Text | None = Field(None, description="行业代码（GB/T 4754-2017）")
    region_id: Ref | None = Field(None, description="乡镇（街道）：编号，或名称/区划代码")
    address: Text | None = Field(None, description="住所（经营场所）")
    legal_rep: Text | None = Field(None, description="法定代表人（负责人、经营者）")
    reg_status: RegStatusIn | None = Field(None, description="登记状态，默认存续")
    risk_class_id: Ref | None = Field(None, description="信用风险分类：编号或分类代码（如 B）")
    abnormal_list: bool | None = Field(None, description="列入经营异常名录")
    dishonest_list: bool | None = Field(None, description="列入严重违法失信名单")
    complaints_12m: int | None = Field(None, ge=0, le=2_147_483_647, description="近12个月投诉举报数")


class ObjectIn(ObjectPatch):
    code: Text = Field(description="统一社会信用代码（市场主体）或对象编码（产品/项目/行为）")
    name: Text = Field(description="名称")
    kind: ObjectKindIn = Field(description="类别：值或中文名称均可")


class SupervisionIn(Schema):
    tags: list[Text] = Field(max_length=50, description="本部门的专项库标签")
    note: Text = Field("", max_length=300)


class SupervisionOut(Schema):
    department_id: int
    department_name: str
    tags: list[str]
    note: str
    updated_at: datetime.datetime

    @staticmethod
    def resolve_department_name(obj) -> str:
        return obj.department.name


class LicenceOut(Schema):
    department_id: int
    name: str
    number: str
    valid_from: datetime.date | None
    valid_to: datetime.date | None


class ObjectOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    kind_label: str
    industry_code: str
    region_id: int | None
    region_name: str | None
    address: str
    legal_rep: str
    reg_status: str
    risk_class: str | None = Field(description="信用风险分类代码（不公开）")
    abnormal_list: bool
    dishonest_list: bool
    complaints_12m: int
    synthetic: bool
    updated_at: datetime.datetime

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_region_name(obj) -> str | None:
        return obj.region.name if obj.region_id else None

    @staticmethod
    def resolve_risk_class(obj) -> str | None:
        return obj.risk_class.code if obj.risk_class_id else None


class ObjectDetailOut(ObjectOut):
    supervisions: list[SupervisionOut]
    licences: list[LicenceOut]

    @staticmethod
    def resolve_supervisions(obj) -> list:
        return list(obj.supervisions.select_related("department").order_by("department__sort"))

    @staticmethod
    def resolve_licences(obj) -> list:
        return list(obj.licences.all())


class ObjectPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ObjectOut]


# --- 执法检查人员名录库 --------------------------------------------------------------------------------------------


class InspectorPatch(Schema):
    """PATCH body: only the fields sent are changed (merged with the stored row, then validated as a whole)."""

    department_id: Ref | None = Field(None, description="所属部门：编号，或部门全称/简称/代码")
    name: Text | None = Field(None, description="姓名")
    cert_no: Text | None = Field(None, description="执法证号")
    cert_issued: datetime.date | None = Field(None, description="发证日期")
    cert_expires: datetime.date | None = Field(None, description="执法证有效期至")
    id_number: Text | None = Field(None, description="身份证号（响应中始终脱敏）")
    phone: Text | None = Field(None, description="联系电话（响应中始终脱敏）")
    region_id: Ref | None = Field(None, description="工作区域：编号，或乡镇（街道）名称/区划代码")
    qualifications: list[Text] | None = Field(None, max_length=50, description="资格/专长")
    is_expert: bool | None = Field(None, description="专家")
    status: InspectorStatusIn | None = Field(None, description="状态，默认在岗")


class InspectorIn(InspectorPatch):
    department_id: Ref = Field(description="所属部门：编号，或部门全称/简称/代码")
    name: Text = Field(description="姓名")
    cert_no: Text = Field(description="执法证号")
    cert_expires: datetime.date = Field(description="执法证有效期至")


class InspectorOut(Schema):
    id: int
    code: str | None = Field(description="人员编码（抽取时使用，非身份证号）")
    department_id: int
    department_name: str
    name: str
    cert_no: str
    cert_issued: datetime.date | None
    cert_expires: datetime.date
    id_number: str = Field(description="身份证号（脱敏）")
    phone: str = Field(description="联系电话（脱敏）")
    region_id: int | None
    region_name: str | None
    qualifications: list[str]
    is_expert: bool
    status: str
    drawable: bool = Field(description="今天是否可被抽取")
    not_drawable_reason: str = Field(description="不可抽取的原因；可抽取时为空")
    synthetic: bool
    updated_at: datetime.datetime

    # Personal numbers are masked here, unconditionally: the only way to see them is POST …/personal-data (audited).
    @staticmethod
    def resolve_id_number(obj) -> str:
        return personal_fields(obj)["id_number"]

    @staticmethod
    def resolve_phone(obj) -> str:
        return personal_fields(obj)["phone"]

    @staticmethod
    def resolve_department_name(obj) -> str:
        return obj.department.name

    @staticmethod
    def resolve_region_name(obj) -> str | None:
        return obj.region.name if obj.region_id else None

    @staticmethod
    def resolve_drawable(obj) -> bool:
        return obj.not_drawable_reason(timezone.localdate()) == ""

    @staticmethod
    def resolve_not_drawable_reason(obj) -> str:
        return obj.not_drawable_reason(timezone.localdate())


class InspectorPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[InspectorOut]


class PersonalDataIn(Schema):
    purpose: Text = Field(min_length=1, max_length=200, description="查看用途（记入审计日志）")


class PersonalDataOut(Schema):
    id_number: str
    phone: str


class ConflictIn(Schema):
    object_id: Id = Field(description="检查对象编号")
    reason: Text = Field(max_length=200, description="回避理由")


class ConflictOut(Schema):
    id: int
    inspector_id: int
    object_id: int
    object_code: str
    object_name: str
    reason: str
    declared_at: datetime.datetime

    @staticmethod
    def resolve_object_code(obj) -> str:
        return obj.object.code

    @staticmethod
    def resolve_object_name(obj) -> str:
        return obj.object.name


# --- 随机抽查事项清单 ----------------------------------------------------------------------------------------------


Reason = Annotated[Text, StringConstraints(max_length=300)]
Methods = conlist(MethodIn, max_length=len(METHOD_CHOICES) * 2)


class ItemPatch(Schema):
    """PATCH body: the fields to change plus the reason; every change becomes a new version."""

    code: Text | None = Field(None, description="事项编码")
    name: Text | None = Field(None, description="事项名称")
    department_id: Ref | None = Field(None, description="责任部门：编号，或部门全称/简称/代码")
    sub_items: Text | None = Field(None, description="检查子项")
    legal_basis: Text | None = Field(None, description="检查依据")
    content: Text | None = Field(None, description="检查内容")
    object_scope: Text | None = Field(None, description="检查对象")
    default_ratio: Decimal | Text | None = Field(
        None, description="默认抽查比例：(0, 1] 的小数如 0.05，或“5%”"
    )
    ratio_cap: Decimal | Text | None = Field(None, description="比例上限：一般检查事项必填，重点检查事项留空")
    frequency: Text | None = Field(None, description="抽查频次")
    methods: Methods | None = Field(None, description="检查方式")
    category: ItemCategoryIn | None = Field(None, description="事项类别")
    qualification: Text | None = Field(None, description="检查人员资格要求")
    status: ItemStatusIn | None = Field(None, description="状态")
    reason: Reason = Field(description="修改理由（必填，记入版本）")


class ItemIn(ItemPatch):
    code: Text = Field(description="事项编码")
    name: Text = Field(description="事项名称")
    department_id: Ref = Field(description="责任部门：编号，或部门全称/简称/代码")
    legal_basis: Text = Field(description="检查依据")
    methods: Methods = Field(description="检查方式")
    category: ItemCategoryIn = Field(description="事项类别")
    reason: Reason = Field("新增事项", description="新增理由（记入第 1 版）")


class ItemRetireIn(Schema):
    reason: Reason = Field(description="停用理由")


class ItemOut(Schema):
    id: int
    code: str
    name: str
    department_id: int
    department_name: str
    sub_items: str
    legal_basis: str
    content: str
    object_scope: str
    default_ratio: str | None
    ratio_cap: str | None
    frequency: str
    methods: list[str]
    category: str
    qualification: str
    status: str
    version: int
    updated_at: datetime.datetime

    @staticmethod
    def resolve_department_name(obj) -> str:
        return obj.department.name

    @staticmethod
    def resolve_default_ratio(obj) -> str | None:
        return _ratio(obj.default_ratio)

    @staticmethod
    def resolve_ratio_cap(obj) -> str | None:
        return _ratio(obj.ratio_cap)


class ItemPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ItemOut]


class ItemVersionOut(Schema):
    version: int
    changed_by_name: str
    changed_at: datetime.datetime
    reason: str
    summary: str


class ItemVersionDetailOut(ItemVersionOut):
    data: dict[str, Any] = Field(description="该版本的完整内容")
