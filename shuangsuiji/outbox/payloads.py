"""What each outbox event says: the public facts only, built from the portal's own projections.

Never in a payload: risk classes, strata or priorities, ID numbers, phones, internal notes or reasons (a withholding's
legal basis, a substitution's note, a transfer's content and outcome). Imports are inside the functions: the services
that emit events are imported by the portal's selectors, which these payloads reuse.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone

Payload = tuple[str, dict[str, Any]]


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def plan_version(version) -> Payload:
    """plan.approved / plan.adjusted: the approved snapshot, as the portal's plan page shows it."""
    return f"plan:{version.plan_id}", {
        "plan_id": version.plan_id,
        "version": version.version,
        "reason": version.reason,
        "approved_at": _iso(version.approved_at),
        "plan": version.data,
    }


def scheme(scheme) -> Payload:
    """scheme.published: the public task page (filters described without risk classes, ratios without strata)."""
    from shuangsuiji.portal import selectors as portal

    return f"scheme:{scheme.pk}", {
        "scheme_id": scheme.pk,
        "task_no": scheme.task_no,
        "name": scheme.name,
        "year": scheme.year,
        "department": scheme.department.name,
        "directed": scheme.directed,
        "scope": portal.filter_description(scheme),
        "ratios": portal.scheme_ratios(scheme),
        "methods": list(scheme.methods),
        "window": [_iso(scheme.window_start), _iso(scheme.window_end)],
        "departments": portal.task_departments(scheme),
        "items": [
            {"code": si.item.code, "name": si.item.name, "department": si.department.name}
            for si in portal.public_task_items(scheme).order_by("item__code", "id")
        ],
        "list_published_at": scheme.publish_list_at,
        "published_at": _iso(scheme.published_at),
    }


def _list_public_now(draw) -> bool:
    from shuangsuiji.portal import selectors as portal

    return portal.certificate_public(draw, timezone.localdate())


def _drawn_rows(draw) -> list[dict[str, Any]]:
    from shuangsuiji.portal import selectors as portal

    # The portal's list, without stratum, rank and priority (a stratum code can be tied to a risk class).
    return [
        {"name": r["name"], "code": r["code"], "role": r["role"], "state": r["state"], "team": r["team"]}
        for r in portal.drawn_list(draw)
    ]


def draw(draw) -> Payload:
    """draw.performed / draw.failed: the ceremony's public part; the list and teams only when the portal shows them
    (a scheme that publishes its list after the inspection window sends them with nothing until then)."""
    public = _list_public_now(draw)
    data: dict[str, Any] = {
        "draw_id": draw.draw_id,
        "task_no": draw.scheme.task_no,
        "scheme_id": draw.scheme_id,
        "status": draw.status,
        "drawn_at": _iso(draw.drawn_at),
        "witnesses": [{"name": w.name, "unit": w.unit} for w in draw.witnesses.all()],
        "list_public": public,
    }
    if draw.failure:
        data["failure"] = draw.failure
    if public:
        data["seed"] = draw.public_seed or draw.seed
        data["objects"] = _drawn_rows(draw)
    return f"draw:{draw.draw_id}", data


def substitution(sub) -> Payload:
    """draw.substituted: the replacement with its public reason label, as the portal lists it (never the note)."""
    from shuangsuiji.portal import selectors as portal

    draw = sub.draw
    public = _list_public_now(draw)
    data: dict[str, Any] = {"draw_id": draw.draw_id, "list_public": public, "kind": sub.kind}
    if public:
        row = portal.public_substitutions(draw)[-1]
        data.update(
            {
                "description": row["kind"],
                "old": row["old"],
                "new": row["new"],
                "reason": row["reason"],
                "at": _iso(row["at"]),
            }
        )
    return f"draw:{draw.draw_id}", data


def _record_root(rec) -> int:
    """A result keeps one object key across its corrections: the id of its first version."""
    from shuangsuiji.inspections.models import InspectionRecord

    root = rec
    while root.corrects_id:
        root = InspectionRecord.objects.only("id", "corrects_id").get(pk=root.corrects_id)
    return root.pk


def _items(rec, prefetched=None) -> list[dict[str, str]]:
    if prefetched is None:
        rows = rec.item_results.order_by("item__code", "id").values_list(
            "item__name", "checked", "problem_found"
        )
    else:  # the bulk API's page: item results fetched for many records at once, in the same order
        rows = [
            (r.item.name, r.checked, r.problem_found)
            for r in sorted(prefetched, key=lambda r: (r.item.code, r.pk))
        ]
    return [
        {"item": name, "result": "未检查" if not checked else ("发现问题" if problem else "未发现问题")}
        for name, checked, problem in rows
    ]


def record(rec, items=None) -> Payload:
    """result.published / result.corrected / result.withheld: the fields of the public result search only; a
    withheld result says that it is withheld (不予公示), not why. `items`: the record's item results, already fetched
    (the bulk API reads a thousand records per page)."""
    from shuangsuiji.inspections.models import RecordKind, RecordStatus

    data: dict[str, Any] = {
        "record_version": rec.version,
        "object_name": rec.object.name,
        "object_code": rec.object.code,
        "department": rec.department.name,
        "joint_visit": rec.visit_id is not None,
        "withheld": rec.status == RecordStatus.WITHHELD,
    }
    if rec.status == RecordStatus.PUBLISHED:
        data.update(
            {
                "kind": "双随机抽查" if rec.kind == RecordKind.RANDOM else rec.trigger,
                "inspection_date": _iso(rec.inspection_date),
                "results": list(rec.categories),
                "items": _items(rec, items),
                "published_at": _iso(rec.published_at),
            }
        )
    return f"result:{_record_root(rec)}", data


def visit(visit) -> Payload:
    """visit.published: a joint visit's result, once public, with each department's part as the portal shows it."""
    from shuangsuiji.inspections import selectors as inspections

    parts = inspections.visit_parts([visit.pk])[visit.pk]
    sel = visit.selection
    return f"visit:{visit.pk}", {
        "object_name": sel.object.name,
        "object_code": sel.object.code,
        "draw_id": sel.draw.draw_id,
        "visit_date": _iso(visit.visit_date),
        "published_at": _iso(visit.published_at),
        "parts": [
            {
                "department": p["department"],
                "attended": p["attended"],
                "reported": p["reported"],
                "results": p["results"],
                "items": [
                    {
                        "item": r["item"],
                        "result": "未检查"
                        if not r["checked"]
                        else ("发现问题" if r["problem_found"] else "未发现问题"),
                    }
                    for r in p["items"]
                ],
            }
            for p in parts
        ],
    }


def transfer(transfer) -> Payload:
    """transfer.closed: that a problem handed on was dealt with, by whom and when; not its content or outcome."""
    rec = transfer.record
    return f"transfer:{transfer.pk}", {
        "object_name": rec.object.name,
        "object_code": rec.object.code,
        "kind": transfer.get_kind_display(),
        "from_department": rec.department.name,
        "to": transfer.to_department.name if transfer.to_department_id else transfer.to_agency,
        "sent_at": _iso(transfer.sent_at),
        "closed_at": _iso(transfer.closed_at),
    }


def proposal(proposal) -> Payload:
    """listing.decided: the registering department's decision on listing an entity (经营异常名录)."""
    return f"listing:{proposal.pk}", {
        "object_name": proposal.object.name,
        "object_code": proposal.object.code,
        "reason": proposal.reason,
        "decision": proposal.status,
        "listed": proposal.status == "listed",
        "department": proposal.department.name,
        "decided_at": _iso(proposal.decided_at),
    }


BUILDERS: dict[str, Callable[[Any], Payload]] = {
    "plan.approved": plan_version,
    "plan.adjusted": plan_version,
    "scheme.published": scheme,
    "draw.performed": draw,
    "draw.failed": draw,
    "draw.substituted": substitution,
    "draw.list_published": draw,
    "result.published": record,
    "result.corrected": record,
    "result.withheld": record,
    "visit.published": visit,
    "visit.corrected": visit,
    "transfer.closed": transfer,
    "listing.decided": proposal,
}


def jsonable(value: Any) -> Any:
    """Dates, datetimes, decimals and lazy strings as JSON values."""
    import datetime
    import decimal

    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
