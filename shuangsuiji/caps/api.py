"""/api/v1/caps and /api/v1/cap-exemptions: thin endpoints over the same selectors and services as the pages."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from shuangsuiji.accounts import scoping
from shuangsuiji.api.schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    ErrorOut,
    Id,
    Paging,
    PathId,
    Text,
    ValidationErrorOut,
    page_of,
)
from shuangsuiji.directory.rows import RowInvalid

from . import policy, selectors, services

router = Router()
TAGS = ["年度抽查次数上限"]
ACTION_ERRORS = {**WRITE_ERRORS, 409: ValidationErrorOut}


class CapVersionOut(Schema):
    version: int
    value: int
    reason: str
    set_at: datetime.datetime


class CapOut(Schema):
    yearly_cap: int = Field(description="现行全市同一对象年度抽查次数上限（第九条，默认 2 次）")
    history: list[CapVersionOut] = Field(description="调整记录，新版本在前")


class CapIn(Schema):
    value: int = Field(ge=1, le=services.MAX_CAP, description="新的全市上限")
    reason: Text = Field(max_length=300, description="调整理由（必填，向社会公示）")


class ExemptionIn(Schema):
    object_id: Id = Field(description="检查对象编号")
    year: int = Field(ge=2000, le=2100, description="年度")
    scheme_id: Id | None = Field(None, description="工作方案编号（可选；不填为本部门该年度的方案）")
    reason: Text = Field(max_length=500, description="超过上限的法定理由（必填，核准后向社会公示）")


class DecisionIn(Schema):
    comment: Text = Field("", max_length=300, description="联席会议办公室意见；不予核准时必填")


class ExemptionOut(Schema):
    id: int
    year: int
    object_id: int
    object_code: str
    object_name: str
    department_code: str
    scheme_id: int | None
    reason: str
    status: str
    status_label: str
    requested_at: datetime.datetime
    decided_at: datetime.datetime | None
    decision_comment: str

    @staticmethod
    def resolve_object_code(obj) -> str:
        return obj.object.code

    @staticmethod
    def resolve_object_name(obj) -> str:
        return obj.object.name

    @staticmethod
    def resolve_department_code(obj) -> str:
        return obj.department.code

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()


class ExemptionPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ExemptionOut]


def _cap() -> dict:
    return {"yearly_cap": selectors.yearly_cap(), "history": list(selectors.yearly_cap_history())}


@router.get("/caps", response={200: CapOut, 401: ErrorOut}, tags=TAGS)
def get_cap(request):
    """现行全市同一对象年度抽查次数上限及调整记录。"""
    return _cap()


@router.post("/caps/yearly", response={200: CapOut, **WRITE_ERRORS}, tags=TAGS)
def set_cap(request, payload: CapIn):
    """调整全市上限（联席会议办公室），须写明理由；调整记录在公示门户公示。"""
    services.yearly_cap_set(actor=request.auth, value=payload.value, reason=payload.reason)
    return _cap()


@router.get("/cap-exemptions", response={200: ExemptionPage, 401: ErrorOut, 422: READ_ERRORS[422]}, tags=TAGS)
def list_exemptions(request, paging: Query[Paging]):
    """超过上限的申请：联席会议办公室可见全部，部门可见本部门的。"""
    return page_of(selectors.exemptions_for(request.auth), paging)


@router.post("/cap-exemptions", response={201: ExemptionOut, **WRITE_ERRORS}, tags=TAGS)
def request_exemption(request, payload: ExemptionIn):
    """部门管理员为具体对象申请在某年度超过上限（写明法定理由），报联席会议办公室核准。"""
    if not policy.can_request_exemption(request.auth):  # before looking the object up: who asks comes first
        raise PermissionDenied("只有部门管理员可以为本部门申请超过年度抽查次数上限")
    obj = scoping.objects_for(request.auth).filter(pk=payload.object_id).first()
    if obj is None:
        raise RowInvalid([("检查对象", f"未找到编号为 {payload.object_id} 的检查对象")])
    scheme = None
    if payload.scheme_id is not None:
        scheme = scoping.schemes_for(request.auth).filter(pk=payload.scheme_id).first()
        if scheme is None:
            raise RowInvalid([("工作方案", f"未找到编号为 {payload.scheme_id} 的工作方案")])
    exemption = services.cap_exemption_request(
        actor=request.auth, obj=obj, year=payload.year, reason=payload.reason, scheme=scheme
    )
    return Status(201, selectors.exemptions_for(request.auth).get(pk=exemption.pk))


def _exemption(request, id: int):
    return get_object_or_404(selectors.exemptions_for(request.auth), pk=id)


@router.post("/cap-exemptions/{id}/approve", response={200: ExemptionOut, **ACTION_ERRORS}, tags=TAGS)
def approve_exemption(request, id: PathId, payload: DecisionIn):
    """核准（联席会议办公室）：该对象可在该年度超过上限被抽取，并在公示门户公示。"""
    services.cap_exemption_approve(
        actor=request.auth, exemption=_exemption(request, id), comment=payload.comment
    )
    return _exemption(request, id)


@router.post("/cap-exemptions/{id}/refuse", response={200: ExemptionOut, **ACTION_ERRORS}, tags=TAGS)
def refuse_exemption(request, id: PathId, payload: DecisionIn):
    """不予核准（联席会议办公室），须写明理由。"""
    services.cap_exemption_refuse(
        actor=request.auth, exemption=_exemption(request, id), comment=payload.comment
    )
    return _exemption(request, id)
