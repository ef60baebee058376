"""Reads of the outbox: the office's delivery page and the change feed."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from shuangsuiji import labels

from .models import OutboxBatch, OutboxEvent, OutboxState


def state_counts() -> dict[str, int]:
    counts = dict(OutboxEvent.objects.values_list("state").annotate(n=Count("id")).order_by())
    return {state: counts.get(state, 0) for state in OutboxState.values}


def events_in_state(state: str) -> QuerySet[OutboxEvent]:
    # The oldest first: what waits longest is what the office looks at first; delivered ones the newest first.
    order = "-id" if state == OutboxState.DELIVERED else "id"
    return OutboxEvent.objects.filter(state=state).order_by(order)


def event_row(event: OutboxEvent) -> dict[str, Any]:
    """An event as the office reads it: every code in words (labels)."""
    return {
        "pk": event.pk,
        "event_id": str(event.event_id),
        "type": labels.OUTBOX_EVENTS.get(event.type, "其他事件"),
        "object": labels.outbox_object_label(event.object_key),
        "version": event.version,
        "state": event.get_state_display(),
        "state_code": event.state,
        "created_at": event.created_at,
        "attempts": event.attempts,
        "next_attempt_at": event.next_attempt_at,
        "delivered_at": event.delivered_at,
        "last_error": event.last_error,
        "answer_status": event.answer_status,
        "answer": event.answer,
        "resendable": event.state in (OutboxState.REJECTED, OutboxState.FAILING),
    }


def recent_batches(limit: int = 30) -> list[OutboxBatch]:
    """The files connector's batches, the newest first (a daily batch: a month on the page)."""
    return list(OutboxBatch.objects.select_related("settled_by").order_by("-id")[:limit])


def changes(since: int, limit: int) -> list[OutboxEvent]:
    """The change feed: events after the cursor `since`, in id order (see ADR 0020 for why this is stable)."""
    return list(OutboxEvent.objects.filter(id__gt=since).order_by("id")[:limit])
