"""Public pages: anonymous, GET only, nothing changes state. Reads come only from `selectors`."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from shuangsuiji.draws.freezing import EXCLUSION_REASONS
from shuangsuiji.draws.models import Draw, DrawStatus
from shuangsuiji.draws.services import public_dir
from shuangsuiji.labels import NUMBERS_NOTE
from shuangsuiji.planning.models import AnnualPlan, TaskScheme

from . import selectors

PAGE_SIZE = 50


def _filters(request, *, with_year: bool = True) -> dict:
    department = selectors.department_by_code(request.GET.get("department"))
    year = request.GET.get("year", "")
    year_value = int(year) if year.isdecimal() and len(year) <= 4 else None
    qs = {"department": department.code if department else "", "year": year if year_value else ""}
    if not with_year:
        qs.pop("year")
    return {
        "department": department,
        "year": year_value if with_year else None,
        "departments": selectors.departments(),
        "years": selectors.public_years() if with_year else [],
        "qs": urlencode({k: v for k, v in qs.items() if v}),
    }


def _page(request, rows):
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


@require_GET
def index(request):
    return render(
        request,
        "portal/index.html",
        {
            "items_count": selectors.public_items().count(),
            "plans": selectors.published_plans()[:5],
            "tasks": selectors.public_tasks()[:8],
        },
    )


@require_GET
def item_list(request):
    f = _filters(request, with_year=False)
    page = _page(request, selectors.public_items(department=f["department"]))
    page.object_list = list(page.object_list)
    for item in page.object_list:
        item.cap_text = selectors.item_cap_text(item)
    return render(request, "portal/items.html", {"f": f, "page": page, "qs": f["qs"]})


@require_GET
def plan_list(request):
    f = _filters(request)
    plans = selectors.published_plans(department=f["department"], year=f["year"])
    return render(request, "portal/plans.html", {"f": f, "page": _page(request, plans), "qs": f["qs"]})


@require_GET
def plan_detail(request, pk: int):
    try:
        plan = selectors.published_plan(pk)
    except AnnualPlan.DoesNotExist:
        raise Http404 from None
    versions = selectors.plan_versions(plan)
    wanted = request.GET.get("version", "")
    shown = next((v for v in versions if str(v.version) == wanted), versions[0])
    return render(
        request,
        "portal/plan_detail.html",
        {
            "plan_id": plan.pk,
            "versions": versions,
            "shown": shown,
            "data": selectors.plan_version_data(shown),
            "latest": versions[0],
        },
    )


@require_GET
def task_list(request):
    f = _filters(request)
    tasks = selectors.public_tasks(department=f["department"], year=f["year"])
    return render(request, "portal/tasks.html", {"f": f, "page": _page(request, tasks), "qs": f["qs"]})


@require_GET
def task_detail(request, pk: int):
    try:
        task = selectors.public_task(pk)
    except TaskScheme.DoesNotExist:
        raise Http404 from None
    today = timezone.localdate()
    visible = selectors.drawn_list_visible(task, today)
    draws = []
    for draw in selectors.public_draws(task):
        certificate = selectors.certificate_public(draw, today)
        drawn = list(selectors.drawn_list(draw)) if certificate else []
        draws.append(
            {
                "draw": draw,
                "files": selectors.draw_files(draw, today),
                "strata": selectors.draw_strata(draw, with_counts=certificate),
                "sources": selectors.public_sources(
                    draw, reveal=certificate or draw.status == DrawStatus.FAILED
                ),
                "certificate": certificate,
                "was_drawn": bool(draw.certificate_json),
                "witnesses": list(draw.witnesses.all()),
                "drawn": drawn,
                "example": next((r["code"] for r in drawn), "<对象代码>"),
                "substitutions": selectors.public_substitutions(draw) if certificate else [],
                "hidden_substitutions": 0 if certificate else selectors.substitution_count(draw),
            }
        )
    return render(
        request,
        "portal/task_detail.html",
        {
            "task": task,
            "items": selectors.public_task_items(task),
            "departments": selectors.task_departments(task),
            "filters": selectors.filter_description(task),
            "ratios": selectors.scheme_ratios(task),
            "plan_public": selectors.plan_is_public(task.plan_id),
            "visible": visible,
            "draws": draws,
            "exclusion_reasons": EXCLUSION_REASONS,
            "numbers_note": NUMBERS_NOTE,
        },
    )


@require_GET
def draw_file(request, pk: int, name: str):
    try:
        draw = selectors.public_draw(pk)
    except Draw.DoesNotExist:
        raise Http404 from None
    if name not in selectors.draw_files(draw, timezone.localdate()):
        raise Http404
    # Always from the public folder: for a sealed draw that is the projection, never the full files.
    path = public_dir(draw) / name
    if not path.exists():
        raise Http404
    content_type = "application/json" if name.endswith(".json") else "text/csv"
    response = FileResponse(open(path, "rb"), content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f"attachment; filename={name}"
    return response
