"""抽查结果公告: the public search of published results by an entity's name or 统一社会信用代码.

A result shows only 检查实施机关, 检查类型, 检查日期, 检查结果 and item-level results (measures art. 14, 个人信息保护法):
rows are built as plain dicts here so a template cannot reach an inspector, a risk class or any other field.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shuangsuiji.inspections import selectors
from shuangsuiji.inspections.models import RecordKind
from shuangsuiji.inspections.selectors import public_result_page

PAGE_SIZE = 20


def _item_status(result: dict) -> str:
    if not result["checked"]:
        return "未检查"
    return "发现问题" if result["problem_found"] else "未发现问题"


def public_row(row: dict) -> dict:
    return {
        "object_name": row["object__name"],
        "object_code": row["object__code"],
        "department": row["department__name"],
        "kind": "双随机抽查" if row["kind"] == RecordKind.RANDOM else row["trigger"],
        "date": row["inspection_date"],
        "categories": list(row["categories"]),
        "items": [(r["item"], _item_status(r)) for r in row["items"]],
        # A joint visit (one visit, several departments): each department's part, or 未参加.
        "parts": [
            {
                "department": p["department"],
                "attended": p["attended"],
                "reported": p["reported"],
                "categories": p["results"],
                "items": [(r["item"], _item_status(r)) for r in p["items"]],
            }
            for p in row.get("parts", [])
        ],
    }


def _page_number(raw: str | None) -> int:
    try:
        return max(1, min(int(raw or 1), 10**9))
    except ValueError:
        return 1


@require_GET
def result_search(request):
    q = request.GET.get("q", "").strip()[:100]
    page = rows = None
    truncated = False
    if len(q) >= 2:
        number = _page_number(request.GET.get("page"))
        data = public_result_page(q, number, PAGE_SIZE)
        # The pager needs only the count: a Paginator over range(count) computes page numbers without a query.
        page = Paginator(range(data["count"]), PAGE_SIZE).get_page(number)
        if page.number != number:  # past the last page: show the last one, as Paginator.get_page does
            data = public_result_page(q, page.number, PAGE_SIZE)
        rows = [public_row(row) for row in data["rows"]]
        truncated = data["truncated"]
    return render(
        request,
        "portal/results.html",
        {
            "q": q,
            "page": page,
            "rows": rows,
            "truncated": truncated,
            "max_objects": selectors.PUBLIC_MAX_OBJECTS,
            "qs": urlencode({"q": q}) if q else "",
        },
    )
