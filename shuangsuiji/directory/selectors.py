"""Named reads of 两库一单 with the filters the list pages, the API and the xlsx exports share.

Scoping (who may see which rows) is applied first by `shuangsuiji.accounts.scoping`; these functions only narrow.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from shuangsuiji.accounts import scoping
from shuangsuiji.codes.idcard import is_valid_id_number
from shuangsuiji.codes.mask import mask_id_number, mask_phone
from shuangsuiji.codes.phone import is_valid_phone

from .models import InspectorStatus, RiskClass

# Filter names (query-string keys) and their Chinese labels, for pages and the OpenAPI description.
OBJECT_FILTERS = {
    "q": "名称或代码",
    "region": "乡镇（街道）编号",
    "risk": "信用风险分类代码",
    "kind": "类别",
    "status": "登记状态",
    "abnormal": "经营异常名录（1/0）",
    "dishonest": "严重违法失信名单（1/0）",
    "industry": "行业代码前缀",
    "supervised_by": "监管部门编号",
}
INSPECTOR_FILTERS = {
    "q": "姓名或执法证号",
    "department": "部门编号",
    "status": "状态",
    "drawable": "可抽取（1/0）",
}
ITEM_FILTERS = {"q": "名称或编码", "department": "部门编号", "category": "类别", "status": "状态"}


def _flag(value: Any) -> bool | None:
    if value in ("1", "true", "True", "是", True):
        return True
    if value in ("0", "false", "False", "否", False):
        return False
    return None


def _int(value: Any) -> int | None:
    """An id from a query parameter, or None: decimal digits only ("²" is a digit int() refuses) that fit a bigint."""
    text = str(value if value is not None else "").strip()
    if not text.isdecimal() or len(text) > 18:
        return None
    return int(text)


def filter_objects(qs: QuerySet, params: Mapping[str, Any]) -> QuerySet:
    q = (params.get("q") or "").strip()
    if q:
        qs = (
            qs.filter(code=q.upper())
            if q.isalnum() and len(q) == 18
            else qs.filter(Q(name__contains=q) | Q(code__startswith=q.upper()))
        )
    if (region := _int(params.get("region"))) is not None:
        qs = qs.filter(region_id=region)
    if params.get("risk"):
        # Resolve the code first: filtering on the joined code hides the id from the planner, which then reads every
        # matching row and sorts instead of walking obj_region_risk_idx in id order (250 ms → 1 ms at 1M objects).
        risk_id = RiskClass.objects.filter(code=params["risk"]).values_list("id", flat=True).first()
        qs = qs.filter(risk_class_id=risk_id) if risk_id is not None else qs.none()
    if params.get("kind"):
        qs = qs.filter(kind=params["kind"])
    if params.get("status"):
        qs = qs.filter(reg_status=params["status"])
    if (flag := _flag(params.get("abnormal"))) is not None:
        qs = qs.filter(abnormal_list=flag)
    if (flag := _flag(params.get("dishonest"))) is not None:
        qs = qs.filter(dishonest_list=flag)
    if params.get("industry"):
        qs = qs.filter(industry_code__startswith=params["industry"])
    if (dept := _int(params.get("supervised_by"))) is not None:
        qs = qs.filter(supervisions__department_id=dept)
    return qs.order_by("id")


def filter_inspectors(
    qs: QuerySet, params: Mapping[str, Any], today: datetime.date | None = None
) -> QuerySet:
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(cert_no__startswith=q))
    if (dept := _int(params.get("department"))) is not None:
        qs = qs.filter(department_id=dept)
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    drawable = _flag(params.get("drawable"))
    if drawable is not None:
        today = today or timezone.localdate()
        ok = Q(status=InspectorStatus.ON_DUTY, cert_expires__gte=today)
        qs = qs.filter(ok) if drawable else qs.exclude(ok)
    return qs.order_by("department__sort", "id")


def filter_items(qs: QuerySet, params: Mapping[str, Any]) -> QuerySet:
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code__startswith=q))
    if (dept := _int(params.get("department"))) is not None:
        qs = qs.filter(department_id=dept)
    if params.get("category"):
        qs = qs.filter(category=params["category"])
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    return qs.order_by("department__sort", "code")


def objects_list(user, params: Mapping[str, Any]) -> QuerySet:
    return filter_objects(scoping.objects_for(user), params)


def inspectors_list(user, params: Mapping[str, Any]) -> QuerySet:
    qs = filter_inspectors(scoping.inspectors_for(user), params)
    q = (params.get("q") or "").strip()
    number = personal_number_field(q) if getattr(user, "can_view_personal_data", False) else None
    if number is not None:
        # A full ID number or phone is found through its keyed index (the columns are encrypted); only users who
        # may see personal data may search by it, since a hit links the number to a named inspector.
        by_number = filter_inspectors(
            scoping.inspectors_for(user).with_number(number, q), {**params, "q": ""}
        )
        qs = (qs | by_number).order_by("department__sort", "id")
    return qs


def personal_number_field(q: str) -> str | None:
    """ "id_number" or "phone" when `q` is a complete, valid number of that kind, else None."""
    if is_valid_id_number(q):
        return "id_number"
    if len(q) >= 7 and is_valid_phone(q):
        return "phone"
    return None


def items_list(user, params: Mapping[str, Any]) -> QuerySet:
    return filter_items(scoping.items_for(user), params)


def personal_fields(inspector, *, unmasked: bool = False) -> dict[str, str]:
    """ID number and phone as shown to a user: masked unless the caller has already checked and audited access."""
    if unmasked:
        return {"id_number": inspector.id_number, "phone": inspector.phone}
    return {"id_number": mask_id_number(inspector.id_number), "phone": mask_phone(inspector.phone)}


def recent_sync_batches(limit: int = 20):
    """The latest registration-change and risk-class files applied (the sync page's list; office only)."""
    from .models import SyncBatch

    return SyncBatch.objects.all()[:limit]


def risk_history(obj):
    """The changes of an object's credit-risk class, newest first (internal pages only; never public)."""
    from .models import RiskClassHistory

    return RiskClassHistory.objects.filter(object=obj).select_related("previous", "risk_class", "batch")
