"""检查核验: a firm checks that the people at its door carry a registered random check (issue 14, part 2).

The code printed on the 登记表 is the firm's own key: it opens that one visit whether or not the task's drawn list is
public yet, and nothing else — no other firm, no stratum or risk class, no inspector's phone or ID number. The page is
built here as plain values, so the template cannot reach any other field. Lookups are rate-limited per client and
counted per code (a number, never who).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from shuangsuiji.codes.visit import LENGTH, format_visit_code, read_visit_code
from shuangsuiji.draws.models import DrawStatus, TeamMember, VisitCode
from shuangsuiji.draws.visit_codes import visit_code_count_lookup, visit_code_find
from shuangsuiji.org.models import Department
from shuangsuiji.planning.models import SchemeItem

from .ratelimit import allow

HOTLINE = "12345"
STATES = {
    "valid": "是已登记的“双随机”抽查",
    "replaced": "不是有效的随机抽查：该检查对象已被替换",
    "void": "不是有效的随机抽查：该次抽取已被重新抽取取代",
}


def public_visit(visit_code: VisitCode, today: datetime.date) -> dict:
    """What the code's holder may see of its visit, as plain values."""
    selection = visit_code.selection
    draw = selection.draw
    scheme = draw.scheme
    if draw.status != DrawStatus.DRAWN:
        state = "void"
    elif not selection.active:
        state = "replaced"
    else:
        state = "valid"
    if today < scheme.window_start:
        timing = "before"
    elif today > scheme.window_end:
        timing = "after"
    else:
        timing = "during"
    names = dict(Department.objects.filter(code__in=scheme.team_slots).values_list("code", "name"))
    lead = scheme.department.code
    departments = [names.get(c, c) for c in sorted(scheme.team_slots, key=lambda c: (c != lead, c))]
    items = [
        {"name": si.item.name, "basis": si.item.legal_basis, "department": si.department.name}
        for si in SchemeItem.objects.filter(scheme=scheme).select_related("item", "department")
    ]
    team = []
    if state == "valid":
        team = [
            {
                "department": m["department__name"],
                "name": m["inspector__name"],
                "cert_no": m["inspector__cert_no"],
            }
            for m in TeamMember.objects.filter(selection=selection, active=True)
            .order_by("order")
            .values("department__name", "inspector__name", "inspector__cert_no")
        ]
    return {
        "code": format_visit_code(visit_code.code),
        "state": state,
        "state_label": STATES[state],
        "valid": state == "valid",
        "firm": selection.object.name,
        "task_id": scheme.pk,
        "task_no": scheme.task_no,
        "task_name": scheme.name,
        "departments": departments,
        "items": items,
        "methods": list(scheme.methods),
        "window_start": scheme.window_start,
        "window_end": scheme.window_end,
        "timing": timing,
        "team": team,
    }


def _limited(request):
    return not allow(
        request,
        "verify",
        limit=settings.VERIFY_RATE_LIMIT,
        window=settings.VERIFY_RATE_WINDOW_SECONDS,
    )


def _context(**extra) -> dict:
    return {"hotline": HOTLINE, "length": LENGTH, **extra}


def _too_many(request):
    minutes = max(1, settings.VERIFY_RATE_WINDOW_SECONDS // 60)
    response = render(
        request, "portal/verify_form.html", _context(too_many=True, minutes=minutes), status=429
    )
    response["Retry-After"] = str(settings.VERIFY_RATE_WINDOW_SECONDS)
    return response


@require_GET
def verify_form(request):
    """The form for a firm that cannot scan: a readable code goes to its page; anything else is the warning."""
    typed = (request.GET.get("code") or "").strip()
    if not typed:
        return render(request, "portal/verify_form.html", _context())
    code = read_visit_code(typed)
    if code is not None:
        return redirect("portal:verify", code=code)
    if _limited(request):
        return _too_many(request)
    # Not even shaped like a code: the same warning as an unknown one, with what a code looks like.
    return render(
        request, "portal/verify.html", _context(visit=None, typed=typed[:40], malformed=True), status=400
    )


@require_GET
def verify(request, code: str):
    if _limited(request):
        return _too_many(request)
    stored = read_visit_code(code)
    found = visit_code_find(stored) if stored else None
    if found is None:
        return render(request, "portal/verify.html", _context(visit=None, typed=code[:40]), status=404)
    visit_code_count_lookup(found)
    return render(request, "portal/verify.html", _context(visit=public_visit(found, timezone.localdate())))
