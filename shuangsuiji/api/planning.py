"""Annual plans and task schemes over /api/v1: thin endpoints over the same scoped selectors and services as the pages.

Reads go through `accounts.scoping.plans_for` / `schemes_for`, so another department's plan or scheme is simply not
found (404). Every action calls the one `planning.services` function the page calls, with the same arguments; the
service checks the role and department again, moves the state through its table and audits.
"""

from __future__ import annotations

from urllib.parse import quote

from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status

from shuangsuiji.accounts import scoping
from shuangsuiji.directory.models import CheckItem
from shuangsuiji.directory.rows import RowInvalid
from shuangsuiji.planning import archiving, dossier, services
from shuangsuiji.planning.models import PlanBatch, PlanItem, PlanVersion

from .planning_schemas import (
    PlanAdjustIn,
    PlanApproveIn,
    PlanBatchIn,
    PlanDetailOut,
    PlanExtraBatchesReasonIn,
    PlanFilters,
    PlanIn,
    PlanItemIn,
    PlanPage,
    PlanReturnIn,
    PlanVersionDetailOut,
    PlanVersionOut,
    SchemeDetailOut,
    SchemeFilters,
    SchemeIn,
    SchemePage,
)
from .schemas import READ_ERRORS, WRITE_ERRORS, ErrorOut, Paging, PathId, ValidationErrorOut, page_of

router = Router()

LIST_ERRORS = {401: ErrorOut, 422: READ_ERRORS[422]}
# A state change refused because of the current state (e.g. approving a draft) is a conflict, not bad input.
ACTION_ERRORS = {**WRITE_ERRORS, 409: ValidationErrorOut}

PLANS = ["年度抽查计划"]
SCHEMES = ["抽查工作方案"]


# --- 年度抽查计划 ---------------------------------------------------------------------------------------------------


def _plan(request, id: int):
    return get_object_or_404(scoping.plans_for(request.auth), pk=id)


def _plan_detail(request, id: int):
    # Read again after a write: the service locked and changed its own copy.
    return _plan(request, id)


@router.get("/plans", response={200: PlanPage, **LIST_ERRORS}, tags=PLANS)
def list_plans(request, filters: Query[PlanFilters], paging: Query[Paging]):
    """本部门牵头或参与的年度抽查计划（联席会议办公室可见全部），可按年度、状态、类型筛选。"""
    qs = filters.apply(scoping.plans_for(request.auth)).prefetch_related("participants")
    return page_of(qs, paging)


@router.get("/plans/{id}", response={200: PlanDetailOut, **READ_ERRORS}, tags=PLANS)
def get_plan(request, id: PathId):
    """计划详情：事项（含使用的事项版本）、批次、已批准的版本，以及报送前的检查结果。"""
    return _plan(request, id)


@router.post("/plans", response={201: PlanDetailOut, **WRITE_ERRORS}, tags=PLANS)
def create_plan(request, payload: PlanIn):
    """制定年度抽查计划或年度部门联合抽查计划（部门管理员）。"""
    plan = services.plan_create(
        actor=request.auth,
        kind=payload.kind,
        year=payload.year,
        title=payload.title,
        description=payload.description,
        participant_ids=payload.participant_ids,
    )
    return Status(201, _plan_detail(request, plan.pk))


@router.post("/plans/{id}/items", response={201: PlanDetailOut, **WRITE_ERRORS}, tags=PLANS)
def add_plan_item(request, id: PathId, payload: PlanItemIn):
    """把一个有效的抽查事项加入计划；计划记录当时的事项版本。"""
    plan = _plan(request, id)
    item = CheckItem.objects.valid().filter(pk=payload.item_id).first()
    if item is None:
        raise RowInvalid([("抽查事项", f"未找到编号为 {payload.item_id} 的有效抽查事项")])
    ratio = payload.ratio if payload.ratio not in (None, "") else None
    services.plan_item_add(actor=request.auth, plan=plan, item=item, ratio=ratio, note=payload.note)
    return Status(201, _plan_detail(request, plan.pk))


@router.delete("/plans/{id}/items/{plan_item}", response={200: PlanDetailOut, **WRITE_ERRORS}, tags=PLANS)
def remove_plan_item(request, id: PathId, plan_item: PathId):
    """把事项移出计划（plan_item 为计划事项编号，见计划详情 items[].id）。"""
    plan = _plan(request, id)
    pi = get_object_or_404(PlanItem, plan=plan, pk=plan_item)
    services.plan_item_remove(actor=request.auth, plan_item=pi)
    return _plan_detail(request, plan.pk)


@router.post("/plans/{id}/batches", response={201: PlanDetailOut, **WRITE_ERRORS}, tags=PLANS)
def add_plan_batch(request, id: PathId, payload: PlanBatchIn):
    """增加一个抽查批次及其计划月份（第九条：每年 1—2 次）。"""
    plan = _plan(request, id)
    services.plan_batch_add(
        actor=request.auth, plan=plan, name=payload.name, month=payload.month, note=payload.note
    )
    return Status(201, _plan_detail(request, plan.pk))


@router.delete("/plans/{id}/batches/{batch}", response={200: PlanDetailOut, **WRITE_ERRORS}, tags=PLANS)
def remove_plan_batch(request, id: PathId, batch: PathId):
    """删除批次（已有工作方案使用的批次不能删除）。"""
    plan = _plan(request, id)
    b = get_object_or_404(PlanBatch, plan=plan, pk=batch)
    services.plan_batch_remove(actor=request.auth, batch=b)
    return _plan_detail(request, plan.pk)


@router.post("/plans/{id}/extra-batches-reason", response={200: PlanDetailOut, **WRITE_ERRORS}, tags=PLANS)
def set_plan_extra_batches_reason(request, id: PathId, payload: PlanExtraBatchesReasonIn):
    """写明某事项本年度超过 2 个批次的理由（第九条：每年 1—2 次）；没有理由不能报送，联席会议办公室批准计划时须明确批准。"""
    plan = _plan(request, id)
    services.plan_extra_batches_reason_set(actor=request.auth, plan=plan, reason=payload.reason)
    return _plan_detail(request, plan.pk)


@router.post("/plans/{id}/submit", response={200: PlanDetailOut, **ACTION_ERRORS}, tags=PLANS)
def submit_plan(request, id: PathId):
    """报送联席会议办公室。检查未通过时 422 列出问题；提示见响应的 check.warnings。"""
    plan = _plan(request, id)
    services.plan_submit(actor=request.auth, plan=plan)
    return _plan_detail(request, plan.pk)


@router.post("/plans/{id}/approve", response={200: PlanDetailOut, **ACTION_ERRORS}, tags=PLANS)
def approve_plan(request, id: PathId, payload: PlanApproveIn):
    """批准并公示（联席会议办公室）：生成一个不可更改的计划版本。"""
    plan = _plan(request, id)
    services.plan_approve(
        actor=request.auth,
        plan=plan,
        comment=payload.comment,
        approve_extra_batches=payload.approve_extra_batches,
    )
    return _plan_detail(request, plan.pk)


@router.post("/plans/{id}/return", response={200: PlanDetailOut, **ACTION_ERRORS}, tags=PLANS)
def return_plan(request, id: PathId, payload: PlanReturnIn):
    """退回修改（联席会议办公室），必须写明意见。"""
    plan = _plan(request, id)
    services.plan_return(actor=request.auth, plan=plan, comment=payload.comment)
    return _plan_detail(request, plan.pk)


@router.post("/plans/{id}/adjust", response={200: PlanDetailOut, **ACTION_ERRORS}, tags=PLANS)
def adjust_plan(request, id: PathId, payload: PlanAdjustIn):
    """调整已批准的计划：开始一个新版本；新版本批准前，原版本继续公示。"""
    plan = _plan(request, id)
    services.plan_adjust(actor=request.auth, plan=plan, reason=payload.reason)
    return _plan_detail(request, plan.pk)


@router.get("/plans/{id}/versions", response={200: list[PlanVersionOut], **READ_ERRORS}, tags=PLANS)
def list_plan_versions(request, id: PathId):
    """已批准的版本（公开的调整记录），新版本在前。"""
    return list(_plan(request, id).versions.order_by("-version"))


@router.get("/plans/{id}/versions/{version}", response={200: PlanVersionDetailOut, **READ_ERRORS}, tags=PLANS)
def get_plan_version(request, id: PathId, version: PathId):
    """某一已批准版本的完整内容（批准时的快照）。"""
    return get_object_or_404(PlanVersion, plan=_plan(request, id), version=version)


# --- 抽查工作方案 ---------------------------------------------------------------------------------------------------


def _scheme(request, id: int):
    return get_object_or_404(scoping.schemes_for(request.auth), pk=id)


@router.get("/schemes", response={200: SchemePage, **LIST_ERRORS}, tags=SCHEMES)
def list_schemes(request, filters: Query[SchemeFilters], paging: Query[Paging]):
    """本部门牵头或参加的工作方案（联席会议办公室可见全部），可按年度、状态筛选。"""
    return page_of(filters.apply(scoping.schemes_for(request.auth)), paging)


@router.get("/schemes/{id}", response={200: SchemeDetailOut, **READ_ERRORS}, tags=SCHEMES)
def get_scheme(request, id: PathId):
    """方案详情：事项、分层比例、检查组人数，以及冻结与抽取记录。"""
    return _scheme(request, id)


@router.post("/schemes", response={201: SchemeDetailOut, **WRITE_ERRORS}, tags=SCHEMES)
def create_scheme(request, payload: SchemeIn):
    """制定工作方案（草稿）：依据已批准的计划批次，或写明计划外理由。"""
    scheme = services.scheme_create(actor=request.auth, data=payload.data())
    return Status(201, _scheme(request, scheme.pk))


@router.post("/schemes/{id}/publish", response={200: SchemeDetailOut, **ACTION_ERRORS}, tags=SCHEMES)
def publish_scheme(request, id: PathId):
    """公示方案并生成任务编号（如 舞市监抽查〔2026〕1号）。"""
    scheme = _scheme(request, id)
    services.scheme_publish(actor=request.auth, scheme=scheme)
    return _scheme(request, scheme.pk)


@router.post("/schemes/{id}/accept", response={200: SchemeDetailOut, **ACTION_ERRORS}, tags=SCHEMES)
def accept_scheme(request, id: PathId):
    """参加部门的部门管理员确认本部门参加另一部门牵头的任务（派出检查人员）。不来自列明该部门的联合计划的名额，
    须经确认才能冻结名单。"""
    scheme = _scheme(request, id)
    services.scheme_accept(actor=request.auth, scheme=scheme)
    return _scheme(request, scheme.pk)


@router.post("/schemes/{id}/close", response={200: SchemeDetailOut, **ACTION_ERRORS}, tags=SCHEMES)
def close_scheme(request, id: PathId):
    """结束任务（已抽取的方案）。"""
    scheme = _scheme(request, id)
    services.scheme_close(actor=request.auth, scheme=scheme)
    return _scheme(request, scheme.pk)


@router.post("/schemes/{id}/archive", response={200: SchemeDetailOut, **ACTION_ERRORS}, tags=SCHEMES)
def archive_scheme(request, id: PathId):
    """归档（第十七条档案管理）：已结束的任务，其检查记录均已审核公示或批准不予公示、每个抽中对象均有检查记录、
    后续处置移交均已办结时，由牵头部门的部门管理员归档，生成归档号（如 舞市监抽查〔2026〕2号-归档-001）。
    归档后任务只读：修改方案、抽取、检查记录或移交的操作一律被拒绝。不满足条件时返回 422，逐项列出原因。"""
    scheme = _scheme(request, id)
    archiving.task_archive(actor=request.auth, scheme=scheme)
    return _scheme(request, scheme.pk)


@router.post(
    "/schemes/{id}/dossier.zip",
    response={**WRITE_ERRORS},
    tags=SCHEMES,
    openapi_extra={
        "responses": {
            200: {
                "description": "任务档案 ZIP（流式传输）：计划、方案、抽取文件与证书、监督人员、登记表、检查记录及附件和"
                "审核过程、公示与更正、移交、审计摘录、可打印索引 index.html 和 SHA256SUMS",
                "content": {dossier.ZIP_CONTENT_TYPE: {}},
            }
        }
    },
)
def export_scheme_dossier(request, id: PathId):
    """导出已归档任务的档案（记入审计）。密封分层抽取的完整文件只对有权读取者（牵头部门管理员、联席会议办公室、
    审计管理员）导出，其他人得到公开文件。"""
    scheme = _scheme(request, id)
    plan = dossier.dossier_export(actor=request.auth, scheme=scheme, via="接口")
    response = StreamingHttpResponse(dossier.stream_zip(plan), content_type=dossier.ZIP_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(plan.name + '.zip')}"
    return response
