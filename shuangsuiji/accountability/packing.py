"""Parts shared by the two kinds of export that gather a task's papers for someone who does not trust the platform:
the 照单免责 evidence pack of one inspection (accountability/evidence.py) and the archived task's dossier
(planning/dossier.py). One JSON encoding, one plan and scheme projection, one rule for attachment suffixes, so the two
exports describe the same plan in the same words and bytes.
"""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

from django.utils import timezone

from shuangsuiji.planning.models import PlanVersion, TaskScheme

NO_DRAW = "该检查为非随机检查（投诉举报、转办交办或数据监测，第三条、第十九条），检查对象不是抽取产生的，因此证据包中没有抽取文件夹（draw/）和承诺值。"


def to_json(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, default=json_default) + "\n").encode("utf-8")


def json_default(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def display_name(user) -> str:
    return user.display_name if user is not None else ""


def plan_part(scheme: TaskScheme | None) -> dict[str, Any]:
    if scheme is None:
        return {"note": NO_DRAW + "非随机检查不属于年度抽查计划。"}
    if scheme.plan_id is None:
        return {"note": "该工作方案为计划外方案，未列入年度抽查计划。", "adhoc_reason": scheme.adhoc_reason}
    plan = scheme.plan
    versions = PlanVersion.objects.filter(plan=plan).order_by("-version")
    # The version in force when the scheme was made: the last approved before it (else the first one approved).
    version = versions.filter(approved_at__lte=scheme.created_at).first() or versions.last()
    head = {
        "plan_id": plan.pk,
        "title": plan.title,
        "year": plan.year,
        "kind": plan.get_kind_display(),
        "department": plan.department.name,
        "batch": str(scheme.batch) if scheme.batch_id else None,
    }
    if version is None:
        return head | {"note": "方案所属计划尚无批准版本。"}
    return head | {
        "version": version.version,
        "approved_by": version.approved_by_name,
        "approved_at": version.approved_at,
        "reason": version.reason,
        "data": version.data,
    }


def scheme_part(scheme: TaskScheme | None) -> dict[str, Any]:
    if scheme is None:
        return {"note": NO_DRAW}
    return {
        "id": scheme.pk,
        "task_no": scheme.task_no,
        "name": scheme.name,
        "year": scheme.year,
        "department": scheme.department.name,
        "status": scheme.get_status_display(),
        "directed": scheme.directed,
        "filters": scheme.filters,
        "strata": scheme.strata,
        "methods": scheme.methods,
        "window_start": scheme.window_start,
        "window_end": scheme.window_end,
        "team_slots": scheme.team_slots,
        "publish_list_at": scheme.get_publish_list_at_display(),
        "yearly_cap": scheme.yearly_cap,
        "same_item_days": scheme.same_item_days,
        "adhoc_reason": scheme.adhoc_reason,
        "published_at": scheme.published_at,
        "items": [
            {
                "code": si.item.code,
                "name": si.item.name,
                "version": si.item_version,
                "department": si.department.name,
            }
            for si in scheme.items.select_related("item", "department")
        ],
    }


def safe_suffix(name: str) -> str:
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return "." + suffix if re.fullmatch(r"[a-z0-9]{1,8}", suffix) else ""
