"""Export of a filtered directory list to xlsx: masked by default, in full only with the personal-data permission."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from shuangsuiji.accounts.scoping import ensure_perm
from shuangsuiji.audit.services import record

from . import selectors
from .rows import COLUMNS, KIND_LABELS
from .workbooks import write_export

LISTS = {
    "entities": (selectors.objects_list, selectors.OBJECT_FILTERS),
    "inspectors": (selectors.inspectors_list, selectors.INSPECTOR_FILTERS),
    "items": (selectors.items_list, selectors.ITEM_FILTERS),
}


def export_filename(kind: str) -> str:
    from django.utils import timezone

    return f"{KIND_LABELS[kind]}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"


def directory_export(*, actor, kind: str, params: Mapping[str, Any], unmasked: bool = False) -> bytes:
    """The xlsx of the list `actor` sees with `params` as filters. Every export is audited with its filters and size;
    an unmasked one (full ID numbers and phones, 个人信息保护法) needs `can_view_personal_data`."""
    if kind not in COLUMNS:
        raise ValueError(f"unknown directory {kind!r}")
    ensure_perm(actor, "directory.export")
    if unmasked and not getattr(actor, "can_view_personal_data", False):
        raise PermissionDenied("您没有导出完整身份证号与手机号的权限")
    select, filters = LISTS[kind]
    used = {k: str(params[k]) for k in filters if params.get(k) not in (None, "")}
    with transaction.atomic():
        data, count = write_export(kind, select(actor, params), unmasked=unmasked)
        record(
            actor=actor,
            action="directory.export",
            target_type=f"directory.{kind}",
            target_repr=f"导出{KIND_LABELS[kind]}{'（完整个人信息）' if unmasked else ''}",
            after={"kind": kind, "filters": used, "rows": count, "unmasked": unmasked},
            reason="导出完整个人信息" if unmasked else "",
        )
    return data
