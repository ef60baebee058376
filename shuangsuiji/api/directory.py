"""两库一单 over /api/v1: thin endpoints over the same scoped selectors and services as the pages.

Reads go through `accounts.scoping` / `directory.selectors`, so another department's record is simply not found (404).
Writes call `directory.services`, which check permissions again, validate with `rows.validate_row` and audit.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status

from shuangsuiji.accounts import scoping
from shuangsuiji.directory import selectors, services
from shuangsuiji.directory.models import CheckItemVersion, RiskClass, Supervision
from shuangsuiji.directory.rows import RowInvalid
from shuangsuiji.org.models import Department, Region

from .directory_schemas import (
    ConflictIn,
    ConflictOut,
    DepartmentOut,
    InspectorFilters,
    InspectorIn,
    InspectorOut,
    InspectorPage,
    InspectorPatch,
    ItemFilters,
    ItemIn,
    ItemOut,
    ItemPage,
    ItemPatch,
    ItemRetireIn,
    ItemVersionDetailOut,
    ItemVersionOut,
    ObjectDetailOut,
    ObjectFilters,
    ObjectIn,
    ObjectPage,
    ObjectPatch,
    PersonalDataIn,
    PersonalDataOut,
    RegionOut,
    RiskClassOut,
    SupervisionIn,
    SupervisionOut,
)
from .schemas import READ_ERRORS, WRITE_ERRORS, ErrorOut, Paging, PathId, VersionPath, page_of

router = Router(tags=["两库一单"])

LIST_ERRORS = {401: ErrorOut, 422: READ_ERRORS[422]}


# --- reference lists -----------------------------------------------------------------------------------------------


@router.get("/departments", response={200: list[DepartmentOut], **LIST_ERRORS}, tags=["基础数据"])
def list_departments(request):
    """部门（含已停用的部门）。"""
    return Department.objects.all()


@router.get("/regions", response={200: list[RegionOut], **LIST_ERRORS}, tags=["基础数据"])
def list_regions(request):
    """乡镇（街道）。"""
    return Region.objects.all()


@router.get("/risk-classes", response={200: list[RiskClassOut], **LIST_ERRORS}, tags=["基础数据"])
def list_risk_classes(request):
    """信用风险分类（不公开，仅登录用户与对接系统可读）。"""
    return RiskClass.objects.all()


# --- 检查对象名录库 ------------------------------------------------------------------------------------------------


def _object(request, id: int):
    return get_object_or_404(scoping.objects_for(request.auth), pk=id)


@router.get("/objects", response={200: ObjectPage, **LIST_ERRORS}, tags=["检查对象名录库"])
def list_objects(request, filters: Query[ObjectFilters], paging: Query[Paging]):
    """检查对象（全市统一名录），可筛选、分页。"""
    return page_of(selectors.objects_list(request.auth, filters.params()), paging)


@router.get("/objects/{id}", response={200: ObjectDetailOut, **READ_ERRORS}, tags=["检查对象名录库"])
def get_object(request, id: PathId):
    return _object(request, id)


@router.post("/objects", response={201: ObjectDetailOut, **WRITE_ERRORS}, tags=["检查对象名录库"])
def create_object(request, payload: ObjectIn):
    """新增检查对象（由登记部门维护）。"""
    return Status(
        201, services.object_create(actor=request.auth, data=payload.model_dump(exclude_unset=True))
    )


@router.patch("/objects/{id}", response={200: ObjectDetailOut, **WRITE_ERRORS}, tags=["检查对象名录库"])
def update_object(request, id: PathId, payload: ObjectPatch):
    """修改检查对象：只需提交要修改的字段。"""
    return services.object_update(
        actor=request.auth, obj=_object(request, id), data=payload.model_dump(exclude_unset=True)
    )


@router.put(
    "/objects/{id}/supervision", response={200: SupervisionOut, **WRITE_ERRORS}, tags=["检查对象名录库"]
)
def set_supervision(request, id: PathId, payload: SupervisionIn):
    """设置本部门对该对象的监管属性（专项库标签）；只影响当前用户所在部门。"""
    sup = services.supervision_set(
        actor=request.auth, obj=_object(request, id), tags=payload.tags, note=payload.note
    )
    return Supervision.objects.select_related("department").get(pk=sup.pk)


# --- 执法检查人员名录库 --------------------------------------------------------------------------------------------


def _inspector(request, id: int):
    return get_object_or_404(scoping.inspectors_for(request.auth), pk=id)


@router.get("/inspectors", response={200: InspectorPage, **LIST_ERRORS}, tags=["执法检查人员名录库"])
def list_inspectors(request, filters: Query[InspectorFilters], paging: Query[Paging]):
    """执法检查人员（本部门；联席会议办公室可见全部）。身份证号与电话始终脱敏。"""
    return page_of(selectors.inspectors_list(request.auth, filters.params()), paging)


@router.get("/inspectors/{id}", response={200: InspectorOut, **READ_ERRORS}, tags=["执法检查人员名录库"])
def get_inspector(request, id: PathId):
    return _inspector(request, id)


@router.post("/inspectors", response={201: InspectorOut, **WRITE_ERRORS}, tags=["执法检查人员名录库"])
def create_inspector(request, payload: InspectorIn):
    ins = services.inspector_create(actor=request.auth, data=payload.model_dump(exclude_unset=True))
    return Status(201, _inspector(request, ins.pk))


@router.patch("/inspectors/{id}", response={200: InspectorOut, **WRITE_ERRORS}, tags=["执法检查人员名录库"])
def update_inspector(request, id: PathId, payload: InspectorPatch):
    ins = services.inspector_update(
        actor=request.auth, inspector=_inspector(request, id), data=payload.model_dump(exclude_unset=True)
    )
    return _inspector(request, ins.pk)


@router.post(
    "/inspectors/{id}/personal-data",
    response={200: PersonalDataOut, **WRITE_ERRORS},
    tags=["执法检查人员名录库"],
)
def reveal_personal_data(request, id: PathId, payload: PersonalDataIn):
    """查看完整身份证号与电话：需要“可查看完整个人信息”权限，每次查看都记入审计日志（因此为 POST）。"""
    return services.personal_data_reveal(
        actor=request.auth, inspector=_inspector(request, id), purpose=payload.purpose
    )


@router.get(
    "/inspectors/{id}/conflicts",
    response={200: list[ConflictOut], **READ_ERRORS},
    tags=["执法检查人员名录库"],
)
def list_conflicts(request, id: PathId):
    """该人员申报的利害关系回避。"""
    ins = _inspector(request, id)
    return scoping.conflicts_for(request.auth).filter(inspector=ins).order_by("id")


@router.post(
    "/inspectors/{id}/conflicts", response={201: ConflictOut, **WRITE_ERRORS}, tags=["执法检查人员名录库"]
)
def declare_conflict(request, id: PathId, payload: ConflictIn):
    """申报利害关系回避（同一对象重复申报不产生新记录）。"""
    ins = _inspector(request, id)
    obj = scoping.objects_for(request.auth).filter(pk=payload.object_id).first()
    if obj is None:
        raise RowInvalid([("检查对象", f"未找到编号为 {payload.object_id} 的检查对象")])
    conflict = services.conflict_declare(actor=request.auth, inspector=ins, obj=obj, reason=payload.reason)
    return Status(201, scoping.conflicts_for(request.auth).get(pk=conflict.pk))


# --- 随机抽查事项清单 ----------------------------------------------------------------------------------------------


def _item(request, id: int):
    return get_object_or_404(scoping.items_for(request.auth), pk=id)


@router.get("/items", response={200: ItemPage, **LIST_ERRORS}, tags=["随机抽查事项清单"])
def list_items(request, filters: Query[ItemFilters], paging: Query[Paging]):
    """随机抽查事项（本部门；联席会议办公室可见全部）。"""
    return page_of(selectors.items_list(request.auth, filters.params()), paging)


@router.get("/items/{id}", response={200: ItemOut, **READ_ERRORS}, tags=["随机抽查事项清单"])
def get_item(request, id: PathId):
    return _item(request, id)


@router.post("/items", response={201: ItemOut, **WRITE_ERRORS}, tags=["随机抽查事项清单"])
def create_item(request, payload: ItemIn):
    data = payload.model_dump(exclude_unset=True)
    reason = data.pop("reason", "新增事项")
    item = services.item_create(actor=request.auth, data=data, reason=reason)
    return Status(201, _item(request, item.pk))


@router.patch("/items/{id}", response={200: ItemOut, **WRITE_ERRORS}, tags=["随机抽查事项清单"])
def update_item(request, id: PathId, payload: ItemPatch):
    """修改事项：只需提交要修改的字段和修改理由；每次修改生成一个新版本。"""
    data = payload.model_dump(exclude_unset=True)
    reason = data.pop("reason")
    item = services.item_update(actor=request.auth, item=_item(request, id), data=data, reason=reason)
    return _item(request, item.pk)


@router.post("/items/{id}/retire", response={200: ItemOut, **WRITE_ERRORS}, tags=["随机抽查事项清单"])
def retire_item(request, id: PathId, payload: ItemRetireIn):
    """停用事项（保留全部历史版本）。"""
    item = services.item_retire(actor=request.auth, item=_item(request, id), reason=payload.reason)
    return _item(request, item.pk)


@router.get(
    "/items/{id}/versions", response={200: list[ItemVersionOut], **READ_ERRORS}, tags=["随机抽查事项清单"]
)
def list_item_versions(request, id: PathId):
    """事项的全部版本（谁、何时、改了什么、为什么），新版本在前。"""
    return _item(request, id).versions.order_by("-version")


@router.get(
    "/items/{id}/versions/{version}",
    response={200: ItemVersionDetailOut, **READ_ERRORS},
    tags=["随机抽查事项清单"],
)
def get_item_version(request, id: PathId, version: VersionPath):
    """某一历史版本的完整内容。"""
    return get_object_or_404(CheckItemVersion, item=_item(request, id), version=version)
