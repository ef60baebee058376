"""Writes to 两库一单. Each business action is one function: atomic, permission-checked, audited."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Cast, Concat, LPad

from shuangsuiji.accounts.scoping import ensure_own_department, ensure_perm, sees_all_departments
from shuangsuiji.audit.services import record, snapshot

from . import selectors
from .models import (
    CheckItem,
    CheckItemVersion,
    Conflict,
    InspectionObject,
    Inspector,
    ItemStatus,
    Licence,
    Supervision,
)
from .rows import COLUMNS, Lookups, RowInvalid, length_errors, validate_row


def row_of(kind: str, obj) -> dict[str, Any]:
    """The row (keyed by field name) an existing record would have in an import file: used to merge updates."""
    return {c.name: getattr(obj, c.name) for c in COLUMNS[kind]}


def _validated(kind: str, raw: dict[str, Any], lookups: Lookups | None = None) -> dict[str, Any]:
    clean, errors = validate_row(kind, raw, lookups or Lookups.load())
    if errors:
        raise RowInvalid(errors)
    return clean


def _changed(obj, clean: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in clean.items() if getattr(obj, k) != v}


def _create_unique(model, errors: list[tuple[str, str]], **values):
    """`model.objects.create(**values)`, turning a unique-key race into the same row error as the check before it.

    Two concurrent requests can both pass the `exists()` check; the database's unique constraint then stops the
    second, and the savepoint keeps the caller's transaction usable so the user gets a 422, not a 500.
    """
    try:
        with transaction.atomic():
            return model.objects.create(**values)
    except IntegrityError:
        raise RowInvalid(errors) from None


def assign_inspector_codes() -> None:
    # The DRAW-v1 inspector ID: "I" + zero-padded primary key, stable for the inspector's lifetime.
    Inspector.objects.filter(code__isnull=True).update(
        code=Concat(
            Value("I"), LPad(Cast(F("id"), output_field=Inspector._meta.get_field("name")), 7, Value("0"))
        )
    )


# --- 检查对象名录库 -------------------------------------------------------------------------------------------------


@transaction.atomic
def object_create(*, actor, data: dict[str, Any]) -> InspectionObject:
    ensure_perm(actor, "directory.edit_entities")
    clean = _validated("entities", data)
    duplicate = [("统一社会信用代码/对象编码", f"{clean['code']} 已在名录库中")]
    if InspectionObject.objects.filter(code=clean["code"]).exists():
        raise RowInvalid(duplicate)
    obj = _create_unique(InspectionObject, duplicate, **clean)
    record(actor=actor, action="object.create", target=obj, after=snapshot(obj))
    return obj


@transaction.atomic
def object_update(*, actor, obj: InspectionObject, data: dict[str, Any]) -> InspectionObject:
    ensure_perm(actor, "directory.edit_entities")
    obj = InspectionObject.objects.select_for_update().get(pk=obj.pk)
    merged = row_of("entities", obj) | data
    clean = _validated("entities", merged)
    if clean["code"] != obj.code:
        # The USCC is the object's identity in every draw file; a new code is a new object.
        raise RowInvalid([("统一社会信用代码/对象编码", "统一社会信用代码不可修改；如有变更请新增对象")])
    changes = _changed(obj, clean)
    if not changes:
        return obj
    before = snapshot(obj, list(changes))
    for k, v in changes.items():
        setattr(obj, k, v)
    obj.save()
    record(actor=actor, action="object.update", target=obj, before=before, after=snapshot(obj, list(changes)))
    return obj


@transaction.atomic
def supervision_set(*, actor, obj: InspectionObject, tags: list[str], note: str = "") -> Supervision:
    """Set the acting department's own supervision attributes (专项库 tags) of an object."""
    ensure_perm(actor, "directory.edit_supervision")
    if actor.department_id is None:
        raise RowInvalid([("部门", "当前用户不属于任何部门")])
    tags = list(dict.fromkeys(t.strip() for t in tags if t.strip()))
    sup, created = Supervision.objects.select_for_update().get_or_create(
        object=obj, department_id=actor.department_id, defaults={"tags": tags, "note": note}
    )
    before = None if created else {"tags": sup.tags, "note": sup.note}
    if not created:
        if sup.tags == tags and sup.note == note:
            return sup
        sup.tags, sup.note = tags, note
        sup.save()
    record(
        actor=actor,
        action="supervision.set",
        target=obj,
        before=before,
        after={"tags": tags, "note": note},
        target_repr=f"{obj} / {actor.department}",
    )
    return sup


@transaction.atomic
def licence_add(
    *, actor, obj: InspectionObject, name: str, number: str, valid_from=None, valid_to=None
) -> Licence:
    ensure_perm(actor, "directory.edit_supervision")
    errors = []
    if not name.strip():
        errors.append(("许可证名称", "必填项不能为空"))
    if not number.strip():
        errors.append(("许可证编号", "必填项不能为空"))
    if valid_from and valid_to and valid_from > valid_to:
        errors.append(("有效期至", "有效期至早于有效期起"))
    errors += length_errors(Licence, name=name, number=number)
    if errors:
        raise RowInvalid(errors)
    if Licence.objects.filter(department_id=actor.department_id, number=number.strip()).exists():
        errors.append(("许可证编号", f"本部门已有编号为 {number.strip()} 的许可证"))
    if errors:
        raise RowInvalid(errors)
    lic = Licence.objects.create(
        object=obj,
        department_id=actor.department_id,
        name=name.strip(),
        number=number.strip(),
        valid_from=valid_from,
        valid_to=valid_to,
    )
    record(actor=actor, action="licence.add", target=lic, after=snapshot(lic))
    return lic


# --- 执法检查人员名录库 ---------------------------------------------------------------------------------------------


def _ensure_inspector_department(actor, department_id: int) -> None:
    ensure_perm(actor, "directory.edit_inspectors")
    ensure_own_department(actor, department_id)


@transaction.atomic
def inspector_create(*, actor, data: dict[str, Any]) -> Inspector:
    clean = _validated("inspectors", data)
    _ensure_inspector_department(actor, clean["department_id"])
    duplicate = [("执法证号", f"执法证号 {clean['cert_no']} 已在名录库中")]
    if Inspector.objects.filter(cert_no=clean["cert_no"]).exists():
        raise RowInvalid(duplicate)
    ins = _create_unique(Inspector, duplicate, **clean)
    ins.code = f"I{ins.pk:07d}"
    ins.save(update_fields=["code"])
    record(actor=actor, action="inspector.create", target=ins, after=snapshot(ins))
    return ins


def _without_unchanged_masks(inspector: Inspector, data: dict[str, Any]) -> dict[str, Any]:
    """Drop an ID number or phone sent back exactly as its mask (the edit form and exports show masks): unchanged."""
    masked = selectors.personal_fields(inspector)
    return {k: v for k, v in data.items() if not (k in masked and v and v == masked[k] and "*" in str(v))}


@transaction.atomic
def inspector_update(*, actor, inspector: Inspector, data: dict[str, Any]) -> Inspector:
    inspector = Inspector.objects.select_for_update().get(pk=inspector.pk)
    _ensure_inspector_department(actor, inspector.department_id)
    data = _without_unchanged_masks(inspector, data)
    clean = _validated("inspectors", row_of("inspectors", inspector) | data)
    if clean["department_id"] != inspector.department_id:
        raise RowInvalid([("所属部门", "不能把人员改到其他部门；调离请把状态改为“调离”，由新部门新增")])
    if clean["cert_no"] != inspector.cert_no and Inspector.objects.filter(cert_no=clean["cert_no"]).exists():
        raise RowInvalid([("执法证号", f"执法证号 {clean['cert_no']} 已在名录库中")])
    changes = _changed(inspector, clean)
    if not changes:
        return inspector
    before = snapshot(inspector, list(changes))
    for k, v in changes.items():
        setattr(inspector, k, v)
    inspector.save()
    record(
        actor=actor,
        action="inspector.update",
        target=inspector,
        before=before,
        after=snapshot(inspector, list(changes)),
    )
    return inspector


@transaction.atomic
def conflict_declare(*, actor, inspector: Inspector, obj: InspectionObject, reason: str) -> Conflict:
    _ensure_inspector_department(actor, inspector.department_id)
    if not reason.strip():
        raise RowInvalid([("回避理由", "必填项不能为空")])
    conflict, created = Conflict.objects.get_or_create(
        inspector=inspector, object=obj, defaults={"reason": reason.strip()}
    )
    if created:
        record(actor=actor, action="conflict.declare", target=conflict, after=snapshot(conflict))
    return conflict


@transaction.atomic
def conflict_withdraw(*, actor, conflict: Conflict, reason: str) -> None:
    _ensure_inspector_department(actor, conflict.inspector.department_id)
    if not reason.strip():
        raise RowInvalid([("撤销理由", "必填项不能为空")])
    before = snapshot(conflict)
    record(actor=actor, action="conflict.withdraw", target=conflict, before=before, reason=reason.strip())
    conflict.delete()


@transaction.atomic
def personal_data_reveal(*, actor, inspector: Inspector, purpose: str) -> dict[str, str]:
    """Return an inspector's full ID number and phone; allowed only with the permission, and always audited."""
    from django.core.exceptions import PermissionDenied

    if not getattr(actor, "can_view_personal_data", False):
        raise PermissionDenied("您没有查看完整个人信息的权限")
    if not sees_all_departments(actor):
        ensure_own_department(actor, inspector.department_id)
    record(
        actor=actor,
        action="personal_data.reveal",
        target=inspector,
        reason=purpose or "查看完整个人信息",
        after={"fields": ["id_number", "phone"]},
    )
    return {"id_number": inspector.id_number, "phone": inspector.phone}


# --- 随机抽查事项清单 -----------------------------------------------------------------------------------------------


def _item_data(item: CheckItem) -> dict[str, Any]:
    data = snapshot(item)
    for volatile in ("id", "version", "updated_at"):
        data.pop(volatile, None)
    return data


def _describe_changes(before: dict[str, Any], after: dict[str, Any]) -> str:
    headers = {c.name: c.header for c in COLUMNS["items"]}
    parts = []
    for k, v in after.items():
        if before.get(k) != v:
            label = headers.get(k, headers.get(k.removesuffix("_id"), k))
            parts.append(f"{label}：{before.get(k)} → {v}" if before else f"{label}：{v}")
    return "；".join(parts)[:1000]


def item_version(*, actor, item: CheckItem, reason: str, before: dict[str, Any] | None) -> CheckItemVersion:
    """The (unsaved) version row recording `item` as it is now; the bulk import saves many at once."""
    after = _item_data(item)
    return CheckItemVersion(
        item=item,
        version=item.version,
        data=after,
        changed_by=actor if actor.is_authenticated else None,
        changed_by_name=actor.display_name,
        reason=reason,
        summary=_describe_changes(before or {}, after),
    )


def _save_version(*, actor, item: CheckItem, reason: str, before: dict[str, Any] | None) -> CheckItemVersion:
    version = item_version(actor=actor, item=item, reason=reason, before=before)
    version.save()
    return version


def _require_reason(reason: str) -> str:
    if not reason or not reason.strip():
        raise RowInvalid([("修改理由", "事项清单实行动态管理，每次变更都必须填写理由")])
    return reason.strip()


@transaction.atomic
def item_create(*, actor, data: dict[str, Any], reason: str = "新增事项") -> CheckItem:
    reason = _require_reason(reason)
    clean = _validated("items", data)
    ensure_perm(actor, "directory.edit_items")
    ensure_own_department(actor, clean["department_id"])
    duplicate = [("事项编码", f"事项编码 {clean['code']} 已存在")]
    if CheckItem.objects.filter(code=clean["code"]).exists():
        raise RowInvalid(duplicate)
    item = _create_unique(CheckItem, duplicate, **clean, version=1)
    _save_version(actor=actor, item=item, reason=reason, before=None)
    record(actor=actor, action="item.create", target=item, after=_item_data(item), reason=reason)
    return item


@transaction.atomic
def item_update(*, actor, item: CheckItem, data: dict[str, Any], reason: str) -> CheckItem:
    reason = _require_reason(reason)
    item = CheckItem.objects.select_for_update().get(pk=item.pk)
    ensure_perm(actor, "directory.edit_items")
    ensure_own_department(actor, item.department_id)
    clean = _validated("items", row_of("items", item) | data)
    if clean["code"] != item.code:
        raise RowInvalid([("事项编码", "事项编码不可修改")])
    if clean["department_id"] != item.department_id:
        raise RowInvalid([("责任部门", "不能把事项改到其他部门")])
    changes = _changed(item, clean)
    if not changes:
        return item
    before = _item_data(item)
    for k, v in changes.items():
        setattr(item, k, v)
    item.version += 1
    item.save()
    _save_version(actor=actor, item=item, reason=reason, before=before)
    record(
        actor=actor, action="item.update", target=item, before=before, after=_item_data(item), reason=reason
    )
    return item


def item_retire(*, actor, item: CheckItem, reason: str) -> CheckItem:
    return item_update(actor=actor, item=item, data={"status": ItemStatus.RETIRED}, reason=reason)
