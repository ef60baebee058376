"""Writes of the outbox: `outbox_emit` (inside the acting service's transaction) and the office's resends."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from shuangsuiji.accounts import scoping
from shuangsuiji.audit.services import record as audit
from shuangsuiji.directory.rows import RowInvalid

from . import payloads
from .models import BatchState, OutboxBatch, OutboxEvent, OutboxState

# An arbitrary constant naming the change feed's advisory lock ("ssjfeed" in ASCII).
FEED_LOCK = 0x73736A66656564


def outbox_emit(event_type: str, obj: Any) -> OutboxEvent:
    """Write one event for the provincial platform in the caller's transaction (transactional outbox).

    `obj` is the changed object; payloads.BUILDERS turns it into its object key and public payload. The version is
    the object's next: the emitting services hold the object's row lock, so two events of one object are never
    numbered at once (and the unique constraint would refuse it if they were)."""
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        raise RuntimeError("outbox_emit() must be called inside the service's transaction.atomic()")
    key, payload = payloads.BUILDERS[event_type](obj)
    if conn.vendor == "postgresql":
        # Appends are serialised until commit, so ids are handed out in commit order and the change feed's cursor
        # never skips an event that commits late (ADR 0020). SQLite's writers are serialised already.
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [FEED_LOCK])
    last = OutboxEvent.objects.filter(object_key=key).aggregate(v=Max("version"))["v"] or 0
    now = timezone.now()
    return OutboxEvent.objects.create(
        type=event_type,
        object_key=key,
        version=last + 1,
        payload=payloads.jsonable(payload),
        created_at=now,
        next_attempt_at=now,
    )


def _ensure_office(actor) -> None:
    if not scoping.has_perm(actor, "outbox.manage"):
        raise PermissionDenied("只有联席会议办公室和系统管理员可以重新推送")


def _requeue(event: OutboxEvent) -> None:
    # Out of its returned batch (if any): the next batch takes it again, a deliberate resend (ADR 0025).
    event.state = OutboxState.PENDING
    event.next_attempt_at = timezone.now()
    event.batch = None
    event.save(update_fields=["state", "next_attempt_at", "batch"])


@transaction.atomic
def outbox_event_resend(*, actor, event: OutboxEvent) -> OutboxEvent:
    """Send a rejected or failing event again at the next delivery (after a fix on either side)."""
    _ensure_office(actor)
    event = OutboxEvent.objects.select_for_update().get(pk=event.pk)
    if event.state not in (OutboxState.REJECTED, OutboxState.FAILING):
        raise RowInvalid([("状态", f"该事件当前为“{event.get_state_display()}”，无需重新推送")])
    before = {"state": event.state, "attempts": event.attempts, "answer_status": event.answer_status}
    _requeue(event)
    audit(
        actor=actor,
        action="outbox.resend",
        target_type="outbox.outboxevent",
        target_id=str(event.event_id),
        target_repr=str(event)[:200],
        before=before,
        after={"state": event.state},
    )
    return event


@transaction.atomic
def outbox_rejected_resend(*, actor) -> int:
    """Send every rejected event again (after the cause was fixed); one audit event lists them."""
    _ensure_office(actor)
    events = list(
        OutboxEvent.objects.select_for_update().filter(state=OutboxState.REJECTED).order_by("id")[:10_000]
    )
    if not events:
        raise RowInvalid([("状态", "没有被拒收的事件")])
    OutboxEvent.objects.filter(pk__in=[e.pk for e in events]).update(
        state=OutboxState.PENDING, next_attempt_at=timezone.now(), batch=None
    )
    audit(
        actor=actor,
        action="outbox.resend_rejected",
        target_type="outbox.outboxevent",
        target_repr=f"被拒收的推送事件 {len(events)} 个",
        after={"count": len(events), "events": [str(e.event_id) for e in events[:200]]},
    )
    return len(events)


BATCH_ANSWER_MAX = 4000


def _awaiting_batch(batch: OutboxBatch) -> OutboxBatch:
    batch = OutboxBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.state != BatchState.AWAITING:
        raise RowInvalid([("状态", f"该批次当前为“{batch.get_state_display()}”，不能再次确认")])
    return batch


@transaction.atomic
def outbox_batch_uploaded(*, actor, batch: OutboxBatch) -> OutboxBatch:
    """A person confirms that the batch was uploaded to the provincial platform: its events are delivered."""
    _ensure_office(actor)
    batch = _awaiting_batch(batch)
    now = timezone.now()
    n = OutboxEvent.objects.filter(batch=batch, state=OutboxState.AWAITING).update(
        state=OutboxState.DELIVERED, delivered_at=now
    )
    batch.state, batch.settled_at, batch.settled_by = BatchState.UPLOADED, now, actor
    batch.save(update_fields=["state", "settled_at", "settled_by"])
    audit(
        actor=actor,
        action="outbox.batch_uploaded",
        target_type="outbox.outboxbatch",
        target_id=str(batch.batch_id),
        target_repr=str(batch)[:200],
        before={"state": BatchState.AWAITING},
        after={"state": batch.state, "events": n},
    )
    return batch


@transaction.atomic
def outbox_batch_returned(*, actor, batch: OutboxBatch, answer: str) -> OutboxBatch:
    """The province sent the batch back: its events are rejected with the province's answer, to be fixed and resent
    (the delivery page's resend puts them into the next batch)."""
    _ensure_office(actor)
    answer = (answer or "").strip()
    if not answer:
        raise RowInvalid([("省级平台答复", "请填写省级平台退回的理由")])
    if len(answer) > BATCH_ANSWER_MAX:
        raise RowInvalid([("省级平台答复", f"不能超过 {BATCH_ANSWER_MAX} 个字")])
    batch = _awaiting_batch(batch)
    now = timezone.now()
    n = OutboxEvent.objects.filter(batch=batch, state=OutboxState.AWAITING).update(
        state=OutboxState.REJECTED, answer=answer, answer_status=None
    )
    batch.state, batch.settled_at, batch.settled_by, batch.answer = BatchState.RETURNED, now, actor, answer
    batch.save(update_fields=["state", "settled_at", "settled_by", "answer"])
    audit(
        actor=actor,
        action="outbox.batch_returned",
        target_type="outbox.outboxbatch",
        target_id=str(batch.batch_id),
        target_repr=str(batch)[:200],
        before={"state": BatchState.AWAITING},
        after={"state": batch.state, "events": n, "answer": answer[:500]},
    )
    return batch
