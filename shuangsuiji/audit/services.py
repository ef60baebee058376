import datetime
import decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from shuangsuiji.codes.mask import mask_id_number, mask_phone

from .chain import seal
from .context import current_ip
from .models import AuditEvent


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    return value


# Personal data never enters the audit trail in clear: the trail is read by administrators and kept for years.
_MASKERS = {"id_number": mask_id_number, "phone": mask_phone}


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of `obj`, for an audit event's before/after (personal data masked)."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields and field.attname not in fields:
            continue
        value = getattr(obj, field.attname)
        if field.name in _MASKERS:
            value = _MASKERS[field.name](value)
        data[field.attname] = _jsonable(value)
    return data


def record(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    target_repr: str = "",
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
) -> AuditEvent:
    """Write one audit event. Must run inside the acting service's transaction."""
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        # A write outside a transaction could commit without its audit event (or the other way round).
        raise RuntimeError("audit.record() must be called inside the service's transaction.atomic()")
    if target is not None:
        target_type = target._meta.label_lower
        target_id = str(target.pk)
        target_repr = str(target)[:200]
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    event = AuditEvent(
        actor=actor if authenticated else None,
        actor_name=(actor.display_name if authenticated else "系统")[:100],
        department_id=getattr(actor, "department_id", None) if authenticated else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_repr=target_repr[:200],
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        reason=reason[:500],
        ip=current_ip.get(),
        at=timezone.now(),
    )
    seal(event)
    return event
