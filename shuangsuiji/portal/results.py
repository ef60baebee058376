"""抽查结果公告: the public search of published results by an entity's name or 统一社会信用代码.

A result shows only 检查实施机关, 检查类型, 检查日期, 检查结果 and item-level results (measures art. 14, 个人信息保护法):
rows are built as plain dicts here so a template cannot reach an inspector, a risk class or any other field.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shuangsuiji.inspections.models import RecordKind
from shuangsuiji.inspections.selectors import public_results

PAGE_SIZE = 20


def _item_status(result) -> str:
    if not result.checked:
        return "未检查"
    return "发现问题" if result.problem_found else "未发现问题"


def public_row(rec) -> dict:
    return {
        "object_name": rec.object.name,
        "object_code": rec.object.code,
        "department": rec.department.name,
        "kind": "双随机抽查" if rec.kind == RecordKind.RANDOM else rec.trigger,
        "date": rec.inspection_date,
        "categories": list(rec.categories),
        "items": [(r.item.name, _item_status(r)) for r in rec.item_results.all()],
    }


@require_GET
def result_search(request):
    q = request.GET.get("q", "").strip()[:100]
    page = rows = None
    if q:
        qs = public_results(q).prefetch_related("item_results__item")
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = [public_row(rec) for rec in page.object_list]
    return render(
        request,
        "portal/results.html",
        {"q": q, "page": page, "rows": rows, "qs": urlencode({"q": q}) if q else ""},
    )
