"""/api/v1/changes: the change feed of public facts (issue 13 part 3), read from the outbox.

The cursor is opaque to clients; it is the last event's sequence number. Events are numbered in commit order
(outbox_emit serialises the appends, ADR 0020), so a client that stores `next_cursor` and asks again never misses an
event committed meanwhile."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from ninja import Field, Query, Router, Schema

from shuangsuiji.api.schemas import MAX_ID, ErrorOut, ValidationErrorOut
from shuangsuiji.directory.rows import RowInvalid

from . import selectors

router = Router()
TAGS = ["变更订阅"]
MAX_LIMIT = 1000

EXAMPLE = {
    "items": [
        {
            "cursor": "1042",
            "event_id": "5f0c1f7e-2f7a-4c1e-9a51-8c7a3d1e9b20",
            "type": "result.published",
            "object": "result:318",
            "version": 1,
            "occurred_at": "2026-12-07T10:15:02+08:00",
            "data": {
                "object_name": "舞钢市某某商贸有限公司",
                "object_code": "91410481MA0000000X",
                "department": "舞钢市市场监督管理局",
                "kind": "双随机抽查",
                "inspection_date": "2026-12-03",
                "results": ["未发现问题"],
                "items": [{"item": "特种设备使用单位检查", "result": "未发现问题"}],
            },
        }
    ],
    "next_cursor": "1042",
    "has_more": False,
}


class ChangesQuery(Schema):
    since: str = Field("", max_length=30, description="上次返回的 next_cursor；不填则从头开始")
    limit: int = Field(100, ge=1, le=MAX_LIMIT, description=f"本次最多返回的事件数，最多 {MAX_LIMIT}")


class ChangeOut(Schema):
    cursor: str = Field(description="该事件的游标（不透明字符串）")
    event_id: uuid.UUID = Field(description="事件编号，与推送省级平台时的 Idempotency-Key 相同")
    type: str = Field(description="事件类型，如 plan.approved、draw.performed、result.published")
    object: str = Field(description="事件所涉对象，同一对象的事件按 version 递增")
    version: int = Field(description="该对象的第几个事件")
    occurred_at: datetime.datetime
    data: dict[str, Any] = Field(description="公开信息（不含信用风险分类、身份证号、电话、内部理由）")


class ChangesOut(Schema):
    items: list[ChangeOut]
    next_cursor: str = Field(description="下次请求的 since；没有新事件时与请求的 since 相同")
    has_more: bool = Field(description="是否还有更多事件（立即再取一次）")

    model_config = {"json_schema_extra": {"examples": [EXAMPLE]}}


def _cursor(raw: str) -> int:
    raw = raw.strip()
    if not raw:
        return 0
    if not raw.isascii() or not raw.isdigit() or int(raw) > MAX_ID:
        raise RowInvalid([("since", "游标无效：请使用上次返回的 next_cursor，或不填从头开始")])
    return int(raw)


@router.get(
    "/changes",
    response={200: ChangesOut, 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},
    tags=TAGS,
    openapi_extra={
        "responses": {200: {"content": {"application/json": {"example": EXAMPLE}}}},
    },
)
def list_changes(request, q: Query[ChangesQuery]):
    """公开信息的变更订阅：按游标顺序返回计划、工作方案、抽取、检查结果等公开事件（与推送省级平台的事件相同）。

    用法：首次不带 since；之后每次带上次返回的 next_cursor。has_more 为 true 时立即再取，否则稍后再取。
    同一事件的 event_id 不变，可用于去重。"""
    since = _cursor(q.since)
    events = selectors.changes(since, q.limit + 1)
    more = len(events) > q.limit
    events = events[: q.limit]
    return {
        "items": [
            {
                "cursor": str(e.id),
                "event_id": e.event_id,
                "type": e.type,
                "object": e.object_key,
                "version": e.version,
                "occurred_at": e.created_at,
                "data": e.payload,
            }
            for e in events
        ],
        "next_cursor": str(events[-1].id) if events else str(since),
        "has_more": more,
    }
