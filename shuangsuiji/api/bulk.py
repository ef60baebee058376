"""/api/v1/bulk/: results, draws and plans of a period, page by page (issue 13 part 3, ADR 0026).

For the provincial platform and other systems that take a period at once (a month's results, a year's plans). Public
facts only, in exactly the projection of the outbox events (outbox/payloads.py, which reuses the portal's): the same
fact reads the same here, in /api/v1/changes and at the province. Scoped by the caller: a department's token reads
what its department may read, the office's (the province's) token every department.

Paging is by cursor over the id (stable: a row inserted meanwhile has a larger id and comes on a later page, no row
repeats); the period and the page are bounded. Every parameter is read as text and checked here, so a hostile value is a
400 with a Chinese message, never a 500 and never a validation dump.
"""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Min, Prefetch, Q, QuerySet
from ninja import Field, Query, Router, Schema

from shuangsuiji.accounts import scoping
from shuangsuiji.api.schemas import MAX_ID, ErrorOut
from shuangsuiji.draws.models import Draw
from shuangsuiji.inspections.models import InspectionRecord, ItemResult
from shuangsuiji.outbox import payloads
from shuangsuiji.planning.models import PlanVersion

router = Router()
TAGS = ["批量读取"]
DEFAULT_LIMIT = 200
MAX_LIMIT = 1000
MAX_DAYS = 366
BEIJING = ZoneInfo("Asia/Shanghai")


class BulkRefused(Exception):
    """A parameter the bulk API cannot use: answered 400 with `errors` (api.py)."""

    def __init__(self, field: str, reason: str):
        super().__init__(reason)
        self.field = field
        self.reason = reason


class BulkQuery(Schema):
    # Text on purpose: a malformed number or date is refused by _period/_paging with a Chinese 400.
    from_: str = Field("", alias="from", description="起始日期 YYYY-MM-DD（北京时间，含当天）")
    to: str = Field("", description="截止日期 YYYY-MM-DD（北京时间，含当天）；与起始日期相隔不超过 366 天")
    cursor: str = Field("", description="上一页返回的 next_cursor；不填从头开始")
    limit: str = Field(str(DEFAULT_LIMIT), description=f"每页条数，1—{MAX_LIMIT}，默认 {DEFAULT_LIMIT}")

    model_config = {"populate_by_name": True}


class BulkItemOut(Schema):
    cursor: str = Field(description="该条的游标（不透明字符串）")
    object: str = Field(description="对象键，与变更订阅和推送省级平台的事件相同，如 result:318")
    data: dict[str, Any] = Field(description="公开信息（与变更订阅的事件载荷相同）")


class BulkPageOut(Schema):
    items: list[BulkItemOut]
    next_cursor: str = Field(description="下一页请求的 cursor；没有更多时与请求的 cursor 相同")
    has_more: bool = Field(description="是否还有下一页")


class BulkErrorOut(Schema):
    detail: str
    errors: list[dict[str, str]]


def _date(raw: str, field: str, label: str) -> datetime.date:
    raw = (raw or "").strip()
    if not raw:
        raise BulkRefused(field, f"请填写{label}（YYYY-MM-DD）")
    if len(raw) != 10 or not raw.isascii():
        raise BulkRefused(field, f"{label}应写成 YYYY-MM-DD，如 2026-12-01")
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise BulkRefused(field, f"{label}“{raw}”不是有效日期，应写成 YYYY-MM-DD") from None


def _period(q: BulkQuery) -> tuple[datetime.datetime, datetime.datetime]:
    start = _date(q.from_, "from", "起始日期")
    end = _date(q.to, "to", "截止日期")
    if end < start:
        raise BulkRefused("to", "截止日期不能早于起始日期")
    if (end - start).days + 1 > MAX_DAYS:
        raise BulkRefused("to", f"一次最多读取 {MAX_DAYS} 天，请分段读取")
    # Beijing business days: [start 00:00, end + 1 00:00) in Asia/Shanghai.
    lo = datetime.datetime.combine(start, datetime.time(), BEIJING)
    hi = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time(), BEIJING)
    return lo, hi


def _paging(q: BulkQuery) -> tuple[int, int]:
    raw = (q.cursor or "").strip()
    if raw and (len(raw) > 20 or not raw.isascii() or not raw.isdigit() or int(raw) > MAX_ID):
        raise BulkRefused("cursor", "游标无效：请使用上一页返回的 next_cursor，或不填从头开始")
    limit = (q.limit or "").strip() or str(DEFAULT_LIMIT)
    if len(limit) > 7 or not limit.isascii() or not limit.isdigit() or not 1 <= int(limit) <= MAX_LIMIT:
        raise BulkRefused("limit", f"每页条数应为 1—{MAX_LIMIT} 的整数")
    return int(raw or 0), int(limit)


def _page(qs: QuerySet, q: BulkQuery, row, related=None) -> dict[str, Any]:
    """One page: first the page's ids alone (the primary-key index, stopping after limit + 1), then those rows with
    what the payloads need. In one query with the joins PostgreSQL sorted every remaining row of the period for each
    page (a page deep in 100,000 results took 0.6 s of SQL); the id query reads only the page."""
    cursor, limit = _paging(q)
    ids = list(qs.filter(pk__gt=cursor).order_by("pk").values_list("pk", flat=True)[: limit + 1])
    more = len(ids) > limit
    ids = ids[:limit]
    full = qs.model._default_manager.filter(pk__in=ids).order_by("pk")
    rows = list(related(full) if related else full)
    items = []
    for obj in rows:
        key, data = row(obj)
        items.append({"cursor": str(obj.pk), "object": key, "data": payloads.jsonable(data)})
    return {"items": items, "next_cursor": str(rows[-1].pk) if rows else str(cursor), "has_more": more}


RESULT_EXAMPLE = {
    "items": [
        {
            "cursor": "318",
            "object": "result:318",
            "data": {
                "record_version": 1,
                "object_name": "舞钢市某某商贸有限公司",
                "object_code": "91410481MA0000000X",
                "department": "舞钢市市场监督管理局",
                "joint_visit": False,
                "withheld": False,
                "kind": "双随机抽查",
                "inspection_date": "2026-12-03",
                "results": ["未发现问题"],
                "items": [{"item": "特种设备使用单位检查", "result": "未发现问题"}],
                "published_at": "2026-12-07T10:15:02+08:00",
            },
        }
    ],
    "next_cursor": "318",
    "has_more": False,
}
DRAW_EXAMPLE = {
    "items": [
        {
            "cursor": "12",
            "object": "draw:SSJ-2026-0012",
            "data": {
                "draw_id": "SSJ-2026-0012",
                "task_no": "舞市监抽查〔2026〕2号",
                "scheme_id": 7,
                "status": "drawn",
                "drawn_at": "2026-12-01T09:30:00+08:00",
                "witnesses": [{"name": "张某", "unit": "舞钢市司法局"}],
                "list_public": True,
                "seed": "9f2c…",
                "objects": [
                    {
                        "name": "舞钢市某某商贸有限公司",
                        "code": "91410481MA0000000X",
                        "role": "drawn",
                        "state": "active",
                        "team": [
                            {"department": "舞钢市市场监督管理局", "name": "李某", "cert_no": "豫A0001"}
                        ],
                    }
                ],
            },
        }
    ],
    "next_cursor": "12",
    "has_more": False,
}
PLAN_EXAMPLE = {
    "items": [
        {
            "cursor": "5",
            "object": "plan:3",
            "data": {
                "plan_id": 3,
                "version": 1,
                "reason": "",
                "approved_at": "2026-01-20T15:00:00+08:00",
                "plan": {"title": "2026年度抽查计划", "year": 2026, "items": [], "batches": []},
            },
        }
    ],
    "next_cursor": "5",
    "has_more": False,
}
BAD_PERIOD_EXAMPLE = {
    "detail": "一次最多读取 366 天，请分段读取",
    "errors": [{"field": "to", "reason": "一次最多读取 366 天，请分段读取"}],
}
RESPONSES = {200: BulkPageOut, 400: BulkErrorOut, 401: ErrorOut, 403: ErrorOut}


def _docs(example: dict[str, Any]) -> dict[str, Any]:
    return {
        "responses": {
            200: {"content": {"application/json": {"example": example}}},
            400: {"content": {"application/json": {"example": BAD_PERIOD_EXAMPLE}}},
        }
    }


def results_in(user, lo: datetime.datetime, hi: datetime.datetime) -> QuerySet:
    """Public results published in [lo, hi) that `user` may read (a joint visit once, as the public sees it)."""
    # The rows of InspectionRecord.objects.public(), written so that PostgreSQL can walk the primary key and stop after
    # a page: public() joins the visit inside an OR with a correlated subquery, which made it read and sort every
    # remaining row of the period for each page. Here the first published part of each published visit is one
    # uncorrelated subquery (computed once). tests/api/test_bulk.py checks that both select the same rows.
    first_parts = (
        InspectionRecord.objects.published()
        .filter(visit__published_at__isnull=False)
        .values("visit_id")
        .annotate(first=Min("pk"))
        .values("first")
    )
    return (
        scoping.records_for(user)
        .published()
        .filter(Q(visit__isnull=True) | Q(pk__in=first_parts))
        .filter(published_at__gte=lo, published_at__lt=hi)
    )


def _with_result_parts(qs: QuerySet) -> QuerySet:
    items = Prefetch("item_results", queryset=ItemResult.objects.select_related("item"))
    return qs.select_related("object", "department", "visit").prefetch_related(items)


def _result_row(rec: InspectionRecord):
    if rec.visit_id is not None:
        return payloads.visit(rec.visit)
    return payloads.record(rec, items=list(rec.item_results.all()))


@router.get("/bulk/results", response=RESPONSES, tags=TAGS, openapi_extra=_docs(RESULT_EXAMPLE))
def bulk_results(request, q: Query[BulkQuery]):
    """一段时间内公示的检查结果（按公示时间，北京时间日期），分页读取；字段与结果查询、变更订阅相同，只含公开信息。

    用法：带 from 与 to（相隔不超过 366 天），之后每页带上一页的 next_cursor，直到 has_more 为 false。
    联合检查的结果为一条（含各部门的部分）。适合读取已经结束的时段；实时变化请用 /api/v1/changes。"""
    lo, hi = _period(q)
    return _page(results_in(request.user, lo, hi), q, _result_row, _with_result_parts)


@router.get("/bulk/draws", response=RESPONSES, tags=TAGS, openapi_extra=_docs(DRAW_EXAMPLE))
def bulk_draws(request, q: Query[BulkQuery]):
    """一段时间内进行的抽取（按抽取时间），分页读取；名单与检查组只在门户公开名单后才有（与变更订阅相同）。"""
    lo, hi = _period(q)
    qs = scoping.draws_for(request.user).filter(
        pk__in=Draw.objects.public().values("pk"), drawn_at__gte=lo, drawn_at__lt=hi
    )
    return _page(
        qs, q, payloads.draw, lambda rows: rows.select_related("scheme").prefetch_related("witnesses")
    )


@router.get("/bulk/plans", response=RESPONSES, tags=TAGS, openapi_extra=_docs(PLAN_EXAMPLE))
def bulk_plans(request, q: Query[BulkQuery]):
    """一段时间内批准的年度计划版本（按批准时间），分页读取；每个批准版本一条（首次批准与调整后的批准）。"""
    lo, hi = _period(q)
    qs = PlanVersion.objects.filter(
        plan__in=scoping.plans_for(request.user).values("pk"), approved_at__gte=lo, approved_at__lt=hi
    )
    return _page(qs, q, payloads.plan_version)
