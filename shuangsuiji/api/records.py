"""Inspection records, review, corrections, attachments, follow-up transfers, listing proposals, the deadline
calculator and the public result search over /api/v1.

Thin endpoints over the same scoped selectors and services as the pages: records, transfers and proposals are found
through `accounts.scoping.records_for` / `transfers_for` / `proposals_for`, so another department's record is simply
not found (404). Every write is one call of `inspections.services`, which checks the role and department again
(谁检查、谁录入、谁公开), moves the state through its table and audits. The public search (`auth=None`) answers with
the public fields of published records only, as `inspections.selectors.public_results` finds them.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from shuangsuiji.accounts import scoping
from shuangsuiji.codes.errors import WorkdayError
from shuangsuiji.directory.rows import RowInvalid
from shuangsuiji.draws.models import Selection
from shuangsuiji.inspections import selectors, services
from shuangsuiji.inspections.calendar import deadline_after
from shuangsuiji.inspections.models import InspectionRecord, deadline_label

from .records_schemas import (
    AbsenceIn,
    AcknowledgeIn,
    AttachmentOut,
    CloseIn,
    CorrectIn,
    DeadlineOut,
    DeadlineQuery,
    DecideIn,
    ProposalFilters,
    ProposalOut,
    ProposalPage,
    PublicQuery,
    PublicResultPage,
    RecordDataIn,
    RecordDetailOut,
    RecordFilters,
    RecordPage,
    RecordSubmitIn,
    ReviewIn,
    TransferFilters,
    TransferIn,
    TransferOut,
    TransferPage,
    TriggeredRecordIn,
    VisitOut,
    public_result,
)
from .schemas import READ_ERRORS, WRITE_ERRORS, ErrorOut, Paging, PathId, ValidationErrorOut, page_of

router = Router()

LIST_ERRORS = {401: ErrorOut, 422: ValidationErrorOut}
# A state change refused because of the current state (e.g. reviewing a draft) is a conflict, not bad input.
ACTION_ERRORS = {**WRITE_ERRORS, 409: ValidationErrorOut}

RECORDS = ["检查记录"]
TRANSFERS = ["后续处置"]
PROPOSALS = ["经营异常名录建议"]
CALENDAR = ["工作日"]
PUBLIC = ["公开查询"]


# --- 检查记录 -------------------------------------------------------------------------------------------------------


def _record(request, id: int) -> InspectionRecord:
    return get_object_or_404(
        scoping.records_for(request.auth).select_related("selection__draw__scheme", "reviewed_by"), pk=id
    )


@router.get("/records", response={200: RecordPage, **LIST_ERRORS}, tags=RECORDS)
def list_records(request, filters: Query[RecordFilters], paging: Query[Paging]):
    """本部门的检查记录（联席会议办公室可见全部），可按状态、检查类型、对象筛选；due=soon 为 5 个工作日内到公示
    期限的，due=overdue 为已超过公示期限仍未审核的（按期限排序）。"""
    qs = scoping.records_for(request.auth)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.object_id:
        qs = qs.filter(object_id=filters.object_id)
    if filters.due == "soon":
        qs = selectors.due_soon(qs)
    elif filters.due == "overdue":
        qs = selectors.overdue(qs)
    return page_of(qs, paging)


@router.get("/records/{id}", response={200: RecordDetailOut, **READ_ERRORS}, tags=RECORDS)
def get_record(request, id: PathId):
    """检查记录：检查情况、到场人员（姓名、执法证号）、分事项结果、附件信息和更正版本链。"""
    return _record(request, id)


@router.post(
    "/draws/{draw_id}/selections/{sel_id}/record",
    response={201: RecordDetailOut, **ACTION_ERRORS},
    tags=RECORDS,
)
def create_random_record(request, draw_id: PathId, sel_id: PathId, payload: RecordDataIn | None = None):
    """为抽中的对象建立检查记录（暂存）：检查方式取自方案，事项为方案中本部门的事项，到场人员默认为抽取的本部门
    检查组成员。每个部门对每个抽中对象只有一份记录。"""
    draw = get_object_or_404(scoping.draws_for(request.auth), pk=draw_id)
    selection = get_object_or_404(Selection, draw=draw, pk=sel_id)
    rec = services.record_create(
        actor=request.auth, selection=selection, data=payload.data() if payload else {}
    )
    return Status(201, _record(request, rec.pk))


@router.post(
    "/draws/{draw_id}/selections/{sel_id}/absence",
    response={201: VisitOut, **ACTION_ERRORS},
    tags=RECORDS,
)
def record_visit_absence(request, draw_id: PathId, sel_id: PathId, payload: AbsenceIn):
    """联合抽查任务中本部门未能参加对该对象的联合检查：写明理由（必填），本部门的部分显示为“未参加”，不再建立
    检查记录；各部门审核完毕或登记未参加后，联合检查的结果一并公示。"""
    draw = get_object_or_404(scoping.draws_for(request.auth), pk=draw_id)
    selection = get_object_or_404(Selection, draw=draw, pk=sel_id)
    absence = services.visit_absence_record(actor=request.auth, selection=selection, reason=payload.reason)
    return Status(201, selectors.visit_summary(absence.visit))


@router.post("/records", response={201: RecordDetailOut, **ACTION_ERRORS}, tags=RECORDS)
def create_triggered_record(request, payload: TriggeredRecordIn):
    """非随机检查（第三条、第十九条）：因投诉举报、转办交办或数据监测对市场主体开展的检查，须写明来源及编号；
    没有这些来源的检查应通过双随机抽查进行，予以拒绝。"""
    services.ensure_may_record(request.auth)  # before looking the object up: who records comes first
    obj = scoping.objects_for(request.auth).filter(code=payload.object_code.strip().upper()).first()
    if obj is None:
        raise RowInvalid(
            [("检查对象", f"未找到统一社会信用代码（对象编码）为“{payload.object_code}”的检查对象")]
        )
    rec = services.record_create(
        actor=request.auth,
        obj=obj,
        trigger=payload.trigger,
        trigger_ref=payload.trigger_ref,
        item_ids=payload.item_ids,
        data=payload.data(),
    )
    return Status(201, _record(request, rec.pk))


@router.patch("/records/{id}", response={200: RecordDetailOut, **ACTION_ERRORS}, tags=RECORDS)
def update_record(request, id: PathId, payload: RecordDataIn):
    """暂存：保存草稿（可不完整），只修改请求中出现的字段。已提交的记录不可修改，须发起更正。"""
    rec = services.record_update(actor=request.auth, rec=_record(request, id), data=payload.data())
    return _record(request, rec.pk)


@router.post("/records/{id}/submit", response={200: RecordDetailOut, **ACTION_ERRORS}, tags=RECORDS)
def submit_record(request, id: PathId, payload: RecordSubmitIn | None = None):
    """提交审核（可同时带上最后的修改）。逐项校验检查记录（第十三条）并计算公示期限（结果产生之日起 20 个工作日）；
    不完整时 422 列出全部问题。"""
    data = payload.data() if payload else {}
    transfers = payload.planned() if payload else []
    rec = services.record_submit(actor=request.auth, rec=_record(request, id), data=data, transfers=transfers)
    return _record(request, rec.pk)


@router.post("/records/{id}/review", response={200: RecordDetailOut, **ACTION_ERRORS}, tags=RECORDS)
def review_record(request, id: PathId, payload: ReviewIn):
    """审核（本部门审核员）：通过即公示（申请不予公示的，批准后不予公示），或写明意见退回。"""
    rec = services.record_review(
        actor=request.auth, rec=_record(request, id), approve=payload.approve, comment=payload.comment
    )
    return _record(request, rec.pk)


@router.post("/records/{id}/correct", response={201: RecordDetailOut, **ACTION_ERRORS}, tags=RECORDS)
def correct_record(request, id: PathId, payload: CorrectIn):
    """更正已审核的记录：生成新版本（暂存），原版本在新版本审核通过前继续有效。返回新版本。"""
    new = services.record_correct(actor=request.auth, rec=_record(request, id), reason=payload.reason)
    return Status(201, _record(request, new.pk))


@router.post("/records/{id}/attachments", response={201: AttachmentOut, **ACTION_ERRORS}, tags=RECORDS)
def add_attachment(request, id: PathId, file: File[UploadedFile], kind: Form[str] = "扫描件"):
    """上传附件（multipart：file，kind 如 扫描件、照片、专业机构报告；结果产生日期晚于检查日期的，其依据的类型为
    检测报告 或 专家意见）：PDF、JPEG 或 PNG，不超过 20 MB，保存其 SHA-256。只能向可修改的记录添加。"""
    att = services.attachment_add(actor=request.auth, rec=_record(request, id), kind=kind[:20], upload=file)
    return Status(201, att)


# --- 后续处置 -------------------------------------------------------------------------------------------------------


def _transfer(request, id: int):
    return get_object_or_404(scoping.transfers_for(request.auth).select_related("sent_by"), pk=id)


@router.post("/records/{id}/transfers", response={201: TransferOut, **ACTION_ERRORS}, tags=TRANSFERS)
def create_transfer(request, id: PathId, payload: TransferIn):
    """后续处置：把发现的问题移交相关部门（谁审批谁监管、谁主管谁监管、属地管理）、移送办案机构或公安机关。"""
    transfer = services.transfer_create(
        actor=request.auth,
        rec=_record(request, id),
        kind=payload.kind,
        content=payload.content,
        to_department_id=payload.to_department_id,
        to_agency=payload.to_agency,
        basis=payload.basis,
        due_days=payload.due_days,
    )
    return Status(201, _transfer(request, transfer.pk))


@router.get("/transfers", response={200: TransferPage, **LIST_ERRORS}, tags=TRANSFERS)
def list_transfers(request, filters: Query[TransferFilters], paging: Query[Paging]):
    """本部门移出（box=sent）或移交本部门（box=received）的后续处置；overdue=true 只看超期未办结的。"""
    qs = scoping.transfers_for(request.auth).select_related("sent_by")
    user = request.auth
    if filters.box == "sent":
        qs = qs.filter(record__department_id=user.department_id)
    elif filters.box == "received":
        qs = qs.filter(to_department_id=user.department_id)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.overdue is True:
        qs = selectors.overdue_transfers(qs)
    elif filters.overdue is False:
        qs = qs.exclude(pk__in=selectors.overdue_transfers(qs).values("pk"))
    return page_of(qs, paging)


@router.get("/transfers/{id}", response={200: TransferOut, **READ_ERRORS}, tags=TRANSFERS)
def get_transfer(request, id: PathId):
    return _transfer(request, id)


@router.post("/transfers/{id}/acknowledge", response={200: TransferOut, **ACTION_ERRORS}, tags=TRANSFERS)
def acknowledge_transfer(request, id: PathId, payload: AcknowledgeIn):
    """确认接收：接收部门确认；移送公安机关或办案机构的，由移出部门登记回执编号和日期。"""
    transfer = services.transfer_acknowledge(
        actor=request.auth,
        transfer=_transfer(request, id),
        receipt_no=payload.receipt_no,
        receipt_date=payload.receipt_date,
    )
    return _transfer(request, transfer.pk)


@router.post("/transfers/{id}/close", response={200: TransferOut, **ACTION_ERRORS}, tags=TRANSFERS)
def close_transfer(request, id: PathId, payload: CloseIn):
    """办结：办理部门写明办理结果。"""
    transfer = services.transfer_close(
        actor=request.auth, transfer=_transfer(request, id), outcome=payload.outcome
    )
    return _transfer(request, transfer.pk)


# --- 列入经营异常名录建议 -------------------------------------------------------------------------------------------


def _proposal(request, id: int):
    return get_object_or_404(scoping.proposals_for(request.auth).select_related("department"), pk=id)


@router.get("/proposals", response={200: ProposalPage, **LIST_ERRORS}, tags=PROPOSALS)
def list_proposals(request, filters: Query[ProposalFilters], paging: Query[Paging]):
    """列入经营异常名录的建议：由本部门决定的（登记机关）和本部门检查结果提出的。"""
    qs = scoping.proposals_for(request.auth).select_related("department")
    if filters.status:
        qs = qs.filter(status=filters.status)
    return page_of(qs, paging)


@router.post("/proposals/{id}/decide", response={200: ProposalOut, **ACTION_ERRORS}, tags=PROPOSALS)
def decide_proposal(request, id: PathId, payload: DecideIn):
    """登记机关的部门管理员决定是否列入经营异常名录（10 个工作日内）；列入的对象在以后的抽取中按提高比例抽查。"""
    proposal = services.proposal_decide(
        actor=request.auth, proposal=_proposal(request, id), listed=payload.listed, note=payload.note
    )
    return _proposal(request, proposal.pk)


# --- 工作日 ---------------------------------------------------------------------------------------------------------


@router.get("/calendar/deadline", response={200: DeadlineOut, **LIST_ERRORS}, tags=CALENDAR)
def calendar_deadline(request, query: Query[DeadlineQuery]):
    """期限计算：起算日之后第 N 个工作日（起算日不计入，法定节假日与调休按国务院安排）。缺少某年节假日安排时按
    法定节假日暂定计算（deadline_provisional=true，pending_year 写明缺少哪一年）；1900—2200 年以外 422。"""
    try:
        deadline = deadline_after(query.date, query.days)
    except WorkdayError as e:
        raise RowInvalid([("日期", str(e))]) from None
    return {
        "date": query.date,
        "days": query.days,
        "deadline": deadline.day,
        "deadline_provisional": deadline.provisional,
        "pending_year": deadline.pending_year,
        "label": deadline_label(deadline.day, deadline.pending_year),
    }


# --- 公开查询 -------------------------------------------------------------------------------------------------------


def public_page(q: str, paging: Paging) -> dict:
    """One page of the public search: the public fields of published results, newest first."""
    data = selectors.public_result_page(q, paging.page, paging.page_size)
    return {
        "count": data["count"],
        "truncated": data["truncated"],
        "page": paging.page,
        "page_size": paging.page_size,
        "results": [public_result(row, row["items"]) for row in data["rows"]],
    }


@router.get(
    "/public/results",
    response={200: PublicResultPage, 422: ValidationErrorOut},
    auth=None,
    tags=PUBLIC,
    exclude_none=True,  # `parts` only on a joint visit's entry
)
def public_results(request, query: Query[PublicQuery], paging: Query[Paging]):
    """公开查询检查结果（无需登录）：按企业名称（或其中连续的一段）或统一社会信用代码查询已公示的检查结果，最新的
    在前。只包括检查实施机关、检查类型、检查日期、检查结果和分事项结果。名称片段过于常见（超过 50 个主体）时只查找
    其中 50 个主体的结果（truncated=true），请输入更完整的名称。"""
    return public_page(query.q, paging)
