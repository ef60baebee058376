"""Request and response schemas of inspection records (/records), follow-up transfers (/transfers), listing proposals
(/proposals), the deadline calculator (/calendar/deadline) and the public result search (/public/results).

The request bodies carry what `inspections.services` takes; the services judge the values with the same rules and
Chinese messages as the pages (categories, members, signature, window …). The types here only keep out what cannot be
a value at all and bound every length.

Inspectors appear by name, department and certificate number only — never an ID number or a phone. The public result
carries only 检查实施机关, 检查类型, 检查日期, 检查结果 and the item-level results of a published record.
"""

import datetime
from typing import Literal

from ninja import Field, Schema

from shuangsuiji.directory.models import METHOD_CHOICES
from shuangsuiji.inspections.models import (
    ProposalStatus,
    RecordKind,
    RecordStatus,
    SignatureStatus,
    TransferKind,
    TransferStatus,
)

from .schemas import Id, Text

MethodIn = Literal[tuple(METHOD_CHOICES)]  # type: ignore[misc]
RecordStatusIn = Literal[tuple(RecordStatus.values)]  # type: ignore[misc]
RecordKindIn = Literal[tuple(RecordKind.values)]  # type: ignore[misc]
SignatureIn = Literal[("", *SignatureStatus.values)]  # type: ignore[misc]
TransferKindIn = Literal[tuple(TransferKind.values)]  # type: ignore[misc]
TransferStatusIn = Literal[tuple(TransferStatus.values)]  # type: ignore[misc]
ProposalStatusIn = Literal[tuple(ProposalStatus.values)]  # type: ignore[misc]
BasisIn = Literal["", "谁审批谁监管", "谁主管谁监管", "属地管理"]


# --- requests ------------------------------------------------------------------------------------------------------


class ItemResultIn(Schema):
    item_id: Id = Field(description="事项编号（本记录所列事项之一）")
    checked: bool = Field(True, description="是否检查")
    problem_found: bool = Field(False, description="发现问题")
    disposal: Text = Field("", max_length=300, description="处置")


class RecordDataIn(Schema):
    """检查情况（暂存时可不完整；提交时逐项校验）。只修改请求中出现的字段。"""

    methods: list[MethodIn] | None = Field(None, max_length=10, description="检查方式")
    inspection_date: datetime.date | None = Field(None, description="检查日期（不得晚于今天）")
    outside_window_reason: Text | None = Field(None, max_length=300, description="超出检查期限的理由")
    cert_shown: bool | None = Field(None, description="已出示执法证件")
    signature: SignatureIn | None = Field(
        None, description="签字（盖章）：obtained 已签字（盖章）；refused 无法取得签字（盖章）"
    )
    signature_reason: Text | None = Field(None, max_length=300, description="无法取得签字（盖章）的原因")
    witness: Text | None = Field(None, max_length=100, description="见证人")
    agency: Text | None = Field(None, max_length=200, description="受委托专业机构")
    agency_report: Text | None = Field(None, max_length=100, description="专业机构报告编号")
    categories: list[Text] | None = Field(None, max_length=20, description="检查结果（《记录表》的分类）")
    measures: list[Text] | None = Field(None, max_length=10, description="后续处置措施")
    measure_note: Text | None = Field(
        None, max_length=300, description="措施说明（选择“其他（说明）”时必填）"
    )
    note: Text | None = Field(None, max_length=5000, description="检查情况")
    result_date: datetime.date | None = Field(
        None,
        description="结果产生日期（默认检查日期；不得晚于今天、早于检查日期；晚于检查日期的须写明理由并上传"
        "类型为“检测报告”或“专家意见”的附件）",
    )
    late_result_reason: Text | None = Field(
        None, max_length=300, description="结果晚于检查日期的理由（如检验检测报告、专家意见）"
    )
    member_ids: list[Id] | None = Field(None, max_length=30, description="到场检查人员编号")
    item_results: list[ItemResultIn] | None = Field(None, max_length=500, description="分事项结果")

    def data(self) -> dict:
        # Only what the client sent: a PATCH of `note` leaves the members and results alone.
        return self.model_dump(exclude_unset=True)


class TransferIn(Schema):
    kind: TransferKindIn = Field(
        description="department 移交相关部门；case_unit 移送办案机构；police 移送公安机关"
    )
    content: Text = Field(max_length=5000, description="移交的问题与线索")
    to_department_id: Id | None = Field(None, description="接收部门编号（移交相关部门时必填）")
    to_agency: Text = Field("", max_length=200, description="接收机构（办案机构、公安机关）")
    basis: BasisIn = Field("", description="依据：谁审批谁监管、谁主管谁监管或属地管理")
    due_days: int = Field(10, ge=1, le=120, description="办理期限（工作日）")


class RecordSubmitIn(RecordDataIn):
    withhold_reason: Text | None = Field(
        None, max_length=300, description="申请不予公示的法律依据（不宜公开时填写，经审核批准后不予公示）"
    )
    transfers: list[TransferIn] | None = Field(
        None,
        max_length=5,
        description="随提交一并移交（后续处置措施为反馈日常监管部门依法处理、抄告相关部门、移送办案机构或移送公安机关的"
        "必填，提交即移交；缺少时 422，字段“后续处置移交”）",
    )

    def data(self) -> dict:
        return self.model_dump(exclude_unset=True, exclude={"transfers"})

    def planned(self) -> list[dict]:
        return [t.model_dump() for t in self.transfers or []]


class TriggeredRecordIn(RecordDataIn):
    object_code: Text = Field(min_length=1, max_length=64, description="检查对象的统一社会信用代码或对象编码")
    trigger: Text = Field(max_length=10, description="检查来源：投诉举报、转办交办或数据监测（第十九条）")
    trigger_ref: Text = Field(max_length=100, description="来源编号（举报件、交办单或监测预警编号）")
    item_ids: list[Id] = Field(default_factory=list, max_length=100, description="本部门的检查事项编号")

    def data(self) -> dict:
        return self.model_dump(
            exclude_unset=True, exclude={"object_code", "trigger", "trigger_ref", "item_ids"}
        )


class AbsenceIn(Schema):
    reason: Text = Field(max_length=300, description="本部门未能参加联合检查的理由（必填）")


class ReviewIn(Schema):
    approve: bool = Field(description="true 审核通过（公示，或批准不予公示）；false 退回")
    comment: Text = Field("", max_length=300, description="审核意见（退回时必填）")


class CorrectIn(Schema):
    reason: Text = Field(max_length=300, description="更正理由")


class AcknowledgeIn(Schema):
    receipt_no: Text = Field("", max_length=100, description="回执编号（移送公安机关或办案机构的必填）")
    receipt_date: datetime.date | None = Field(None, description="回执日期（默认今天）")


class CloseIn(Schema):
    outcome: Text = Field(max_length=5000, description="办理结果")


class DecideIn(Schema):
    listed: bool = Field(description="true 列入经营异常名录；false 不予列入")
    note: Text = Field("", max_length=300, description="决定说明")


class RecordFilters(Schema):
    status: RecordStatusIn | None = Field(None, description="状态")
    kind: RecordKindIn | None = Field(None, description="检查类型：random 双随机抽查；triggered 非随机检查")
    due: Literal["soon", "overdue"] | None = Field(
        None, description="soon：已提交、5 个工作日内到公示期限；overdue：已超过公示期限仍未审核"
    )
    object_id: Id | None = Field(None, description="检查对象编号")


class TransferFilters(Schema):
    box: Literal["sent", "received"] | None = Field(None, description="sent 本部门移出；received 移交本部门")
    status: TransferStatusIn | None = Field(None, description="状态")
    overdue: bool | None = Field(None, description="只看超过办理期限仍未办结的")


class ProposalFilters(Schema):
    status: ProposalStatusIn | None = Field(None, description="状态")


class DeadlineQuery(Schema):
    date: datetime.date = Field(description="起算日（结果产生日期），YYYY-MM-DD；当日不计入")
    days: int = Field(20, ge=1, le=365, description="工作日数（公示为 20，列入经营异常名录决定为 10）")


class PublicQuery(Schema):
    q: Text = Field(min_length=2, max_length=200, description="企业名称（或其中一段）或统一社会信用代码")


# --- responses -----------------------------------------------------------------------------------------------------


class DepartmentRefOut(Schema):
    id: int
    code: str
    name: str
    short_name: str


class ObjectRefOut(Schema):
    id: int
    code: str = Field(description="统一社会信用代码或对象编码")
    name: str


class RecordOut(Schema):
    id: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    version: int
    object: ObjectRefOut
    department: DepartmentRefOut = Field(description="检查实施机关")
    inspection_date: datetime.date
    categories: list[str]
    deadline: datetime.date | None = Field(description="公示期限（提交后计算）")
    deadline_provisional: bool = Field(
        description="期限是否暂定：计算时缺少某年的节假日安排，按法定节假日暂定；录入该年后自动重算"
    )
    deadline_pending_year: int | None = Field(description="暂定期限所缺节假日安排的年度")
    deadline_note: str = Field(description="期限重算时顺延的说明")
    published_at: datetime.datetime | None

    @staticmethod
    def resolve_deadline_provisional(obj) -> bool:
        return obj.deadline_pending_year is not None

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()


class RecordPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[RecordOut]


class RecordMemberOut(Schema):
    """到场检查人员：姓名、部门与执法证号（不含身份证号、电话）。"""

    inspector_id: int
    name: str
    department: str = Field(description="部门简称")
    cert_no: str = Field(description="执法证号")

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.inspector.name

    @staticmethod
    def resolve_department(obj) -> str:
        return obj.inspector.department.short_name

    @staticmethod
    def resolve_cert_no(obj) -> str:
        return obj.inspector.cert_no


class ItemResultOut(Schema):
    item_id: int
    code: str = Field(description="事项编码")
    name: str = Field(description="事项名称")
    checked: bool = Field(description="是否检查")
    problem_found: bool = Field(description="发现问题")
    disposal: str = Field(description="处置")

    @staticmethod
    def resolve_code(obj) -> str:
        return obj.item.code

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.item.name


class AttachmentOut(Schema):
    id: int
    kind: str = Field(description="类型（扫描件、照片、专业机构报告…）")
    original_name: str
    content_type: str
    size: int = Field(description="字节")
    sha256: str
    uploaded_at: datetime.datetime


class VersionOut(Schema):
    id: int
    version: int
    status: str
    status_label: str
    correction_reason: str = Field(description="更正理由（第 1 版为空）")
    created_at: datetime.datetime

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()


class VisitPartOut(Schema):
    department: str = Field(description="参加部门")
    department_code: str
    state: str = Field(description="该部门部分的状态：记录状态，absent 未参加，missing 尚未建立记录")
    label: str = Field(description="状态说明")
    reason: str = Field(description="未参加的理由")
    record_id: int | None = Field(description="该部门的检查记录（未参加或未建立时为空）")


class VisitOut(Schema):
    """联合检查：一次检查、一个检查组；各部门分别录入、审核本部门事项，所有部门审核完毕（或登记未参加）后一并公示。"""

    visit_date: datetime.date | None = Field(description="检查日期（首个部门提交时确定，其他部门须同一天）")
    published_at: datetime.datetime | None = Field(description="一并公示的时间")
    parts: list[VisitPartOut]


class RecordDetailOut(RecordOut):
    selection_id: int | None = Field(description="抽取结果编号（双随机抽查）")
    draw_id: str | None = Field(description="抽取编号（双随机抽查）")
    task_no: str | None = Field(description="任务编号（双随机抽查）")
    trigger: str = Field(description="检查来源（非随机检查）")
    trigger_ref: str = Field(description="来源编号（非随机检查）")
    methods: list[str]
    outside_window_reason: str
    cert_shown: bool
    signature: str
    signature_reason: str
    witness: str
    agency: str
    agency_report: str
    measures: list[str]
    measure_note: str
    note: str
    result_date: datetime.date | None
    late_result_reason: str
    withhold_requested: bool
    withhold_reason: str
    review_comment: str
    reviewed_by: str | None = Field(description="审核员姓名")
    corrects: int | None = Field(description="本版本更正的记录")
    correction_reason: str
    editable: bool = Field(description="可暂存、提交（暂存或已退回）")
    members: list[RecordMemberOut]
    item_results: list[ItemResultOut]
    attachments: list[AttachmentOut]
    versions: list[VersionOut] = Field(description="更正链上的全部版本，按版本号")
    visit: VisitOut | None = Field(description="联合检查（联合抽查任务的抽中对象）；其他检查为空")

    @staticmethod
    def resolve_draw_id(obj) -> str | None:
        return obj.selection.draw.draw_id if obj.selection_id else None

    @staticmethod
    def resolve_task_no(obj) -> str | None:
        return obj.selection.draw.scheme.task_no if obj.selection_id else None

    @staticmethod
    def resolve_reviewed_by(obj) -> str | None:
        return obj.reviewed_by.full_name or obj.reviewed_by.username if obj.reviewed_by_id else None

    @staticmethod
    def resolve_corrects(obj) -> int | None:
        return obj.corrects_id

    @staticmethod
    def resolve_editable(obj) -> bool:
        return obj.is_editable

    @staticmethod
    def resolve_members(obj) -> list:
        return list(obj.members.select_related("inspector__department").order_by("inspector__name"))

    @staticmethod
    def resolve_item_results(obj) -> list:
        return list(obj.item_results.select_related("item"))

    @staticmethod
    def resolve_attachments(obj) -> list:
        return list(obj.attachments.order_by("uploaded_at", "id"))

    @staticmethod
    def resolve_versions(obj) -> list:
        return version_chain(obj)

    @staticmethod
    def resolve_visit(obj) -> dict | None:
        from shuangsuiji.inspections.selectors import visit_summary

        return visit_summary(obj.visit) if obj.visit_id else None


def version_chain(rec) -> list:
    """Every version of a record: back through `corrects`, forward through `corrected_by`."""
    model = type(rec)
    first = rec
    while first.corrects_id:
        first = model.objects.get(pk=first.corrects_id)
    chain = [first]
    while True:
        nxt = model.objects.filter(corrects=chain[-1]).first()
        if nxt is None or len(chain) > 100:
            return chain
        chain.append(nxt)


class TransferOut(Schema):
    id: int
    record_id: int
    object: ObjectRefOut
    from_department: DepartmentRefOut = Field(description="移出部门（检查实施机关）")
    kind: str
    kind_label: str
    to_department: DepartmentRefOut | None = Field(description="接收部门")
    to_agency: str = Field(description="接收机构（办案机构、公安机关）")
    basis: str
    content: str
    sent_at: datetime.datetime
    sent_by: str
    due: datetime.date = Field(description="办理期限")
    due_provisional: bool = Field(description="期限是否暂定（缺少某年节假日安排）")
    due_pending_year: int | None = Field(description="暂定期限所缺节假日安排的年度")

    @staticmethod
    def resolve_due_provisional(obj) -> bool:
        return obj.due_pending_year is not None

    status: str
    status_label: str
    receipt_no: str
    receipt_date: datetime.date | None
    acknowledged_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    outcome: str

    @staticmethod
    def resolve_object(obj):
        return obj.record.object

    @staticmethod
    def resolve_from_department(obj):
        return obj.record.department

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_sent_by(obj) -> str:
        return obj.sent_by.full_name or obj.sent_by.username


class TransferPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[TransferOut]


class ProposalOut(Schema):
    id: int
    object: ObjectRefOut
    record_id: int
    raised_by: DepartmentRefOut = Field(description="提出建议的检查实施机关")
    reason: str
    department: DepartmentRefOut = Field(description="决定部门（登记机关）")
    due: datetime.date = Field(description="决定期限（10 个工作日）")
    due_provisional: bool = Field(description="期限是否暂定（缺少某年节假日安排）")
    due_pending_year: int | None = Field(description="暂定期限所缺节假日安排的年度")

    @staticmethod
    def resolve_due_provisional(obj) -> bool:
        return obj.due_pending_year is not None

    status: str
    status_label: str
    decided_at: datetime.datetime | None
    decision_note: str

    @staticmethod
    def resolve_raised_by(obj):
        return obj.record.department

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()


class ProposalPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ProposalOut]


class DeadlineOut(Schema):
    date: datetime.date = Field(description="起算日")
    days: int
    deadline: datetime.date = Field(description="期限的最后一个工作日")
    deadline_provisional: bool = Field(
        description="是否暂定：所需年度的节假日安排尚未录入，按法定节假日暂定计算"
    )
    pending_year: int | None = Field(description="暂定时，尚未录入节假日安排的第一个年度")
    label: str = Field(description="页面上的写法，如“2027-01-08（暂定，待录入 2027 年节假日安排）”")


# --- public --------------------------------------------------------------------------------------------------------


class PublicItemOut(Schema):
    item: str = Field(description="检查事项")
    checked: bool = Field(description="是否检查")
    problem_found: bool = Field(description="发现问题")
    disposal: str = Field(description="处置")


class PublicPartOut(Schema):
    """联合检查中一个部门的部分：参加的部门的检查结果和分事项结果；未能参加的部门标为未参加。"""

    department: str = Field(description="检查实施机关")
    attended: bool = Field(description="是否参加（false 为未参加或尚未报送）")
    reported: bool = Field(
        description="是否已报送（false：公示期限已到时该部门尚未报送，其余部门的部分按期公示；报送后补充显示）"
    )
    results: list[str] = Field(description="检查结果")
    items: list[PublicItemOut] = Field(description="分事项结果")


class PublicResultOut(Schema):
    """一条已公示的检查结果：只有检查实施机关、检查类型、检查日期、检查结果和分事项结果。"""

    object_name: str = Field(description="被检查对象名称")
    object_code: str = Field(description="统一社会信用代码")
    department: str = Field(description="检查实施机关")
    kind: str = Field(description="检查类型")
    inspection_date: datetime.date = Field(description="检查日期")
    results: list[str] = Field(description="检查结果")
    items: list[PublicItemOut] = Field(description="分事项结果")
    parts: list[PublicPartOut] | None = Field(
        None,
        description="联合检查（一次检查、多个部门）：各部门的部分；只在联合检查的结果中出现，"
        "所有部门审核完毕（或登记未参加）后一并公示",
    )


class PublicResultPage(Schema):
    count: int = Field(description="找到的检查结果数")
    truncated: bool = Field(
        description="名称片段过于常见：超过 50 个主体匹配，只查找了其中 50 个主体的结果，请输入更完整的名称"
    )
    page: int
    page_size: int
    results: list[PublicResultOut]


# The only columns the public search reads: a record's public fields and its items' results. Reading values rather
# than model instances keeps an anonymous request cheap (bench/bench_results_search.py) and makes it impossible for a
# private field to slip into the answer.
def public_result(row: dict, items: list[dict]) -> dict:
    """The public fields of a published record, and nothing else (no inspectors, no risk class, no internal ids)."""
    return {
        "object_name": row["object__name"],
        "object_code": row["object__code"],
        "department": row["department__name"],
        "kind": RecordKind(row["kind"]).label,
        "inspection_date": row["inspection_date"],
        "results": list(row["categories"]),
        "items": items,
    } | ({"parts": row["parts"]} if "parts" in row else {})


# Field names in 422 answers (see errors.py): what the record form and the 检查记录表 call them.
FIELD_LABELS = {
    "methods": "检查方式",
    "inspection_date": "检查日期",
    "outside_window_reason": "超出检查期限的理由",
    "cert_shown": "出示执法证件",
    "signature": "签字（盖章）",
    "signature_reason": "无法取得签字的原因",
    "witness": "见证人",
    "agency": "受委托专业机构",
    "agency_report": "专业机构报告编号",
    "categories": "检查结果",
    "measures": "后续处置措施",
    "measure_note": "措施说明",
    "note": "检查情况",
    "result_date": "结果产生日期",
    "late_result_reason": "结果晚于检查日期的理由",
    "member_ids": "检查人员",
    "item_results": "分事项结果",
    "withhold_reason": "不予公示的法律依据",
    "object_code": "检查对象",
    "object_id": "检查对象",
    "trigger": "检查来源",
    "trigger_ref": "来源编号",
    "item_ids": "检查事项",
    "approve": "审核结论",
    "comment": "审核意见",
    "reason": "更正理由",
    "kind": "类型",
    "content": "移交内容",
    "to_department_id": "接收部门",
    "to_agency": "接收机构",
    "basis": "依据",
    "due_days": "办理期限",
    "receipt_no": "回执编号",
    "receipt_date": "回执日期",
    "outcome": "办理结果",
    "listed": "是否列入",
    "status": "状态",
    "due": "公示期限",
    "box": "收发",
    "overdue": "超期",
    "date": "日期",
    "days": "工作日数",
    "q": "查询内容",
    "file": "附件",
}
# The first path segments under /api/v1/ whose bodies and queries these labels name.
FIELD_LABEL_SEGMENTS = {"records", "transfers", "proposals", "calendar", "public"}
