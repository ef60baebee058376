"""Purging audit events older than the retention period, without breaking the chain (等保2.0: keep ≥ 6 months).

Events are removed only as a prefix of the chain: from the current anchor up to the last event dated before the
cut-off (an event dated later stops the prefix even if older ones follow). The chain head's anchor moves to the last
purged event, so `verify_audit` keeps checking the remaining events from there, and the purge itself is appended to
the chain as an `audit.purge` event naming the range and the archive's SHA-256.

Before anything is deleted the purged events are written, with their sequence numbers and MACs, to a gzip'd JSON-lines
archive: whoever holds the chain key can still verify that segment later.
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .chain import canonical, chain_key, head_mac, locked_head, verify_chain
from .models import AuditEvent
from .services import record

RETENTION_MONTHS = 6


class PurgeError(Exception):
    """The purge was refused; the message says why, in Chinese."""


@dataclass
class PurgeReport:
    purged: int
    from_seq: int | None
    to_seq: int | None
    archive: Path | None
    archive_sha256: str


def earliest_allowed_cutoff(today: datetime.date) -> datetime.date:
    """The latest cut-off date allowed today: the same day six calendar months ago (clamped to the month's end)."""
    month = today.month - RETENTION_MONTHS
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for day in range(today.day, 0, -1):
        try:
            return datetime.date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def default_archive_dir() -> Path:
    return Path(settings.BASE_DIR) / "var" / "audit-archive"


def _row(event: AuditEvent) -> dict:
    # Exactly the content the MAC covers (chain.canonical), plus the links: whoever holds the key can re-verify the
    # archived segment offline, event by event, and see that it ends at the new anchor.
    return {**json.loads(canonical(event)), "id": event.id, "prev_mac": event.prev_mac, "mac": event.mac}


def purge_audit_events(
    *, actor, before: datetime.date, archive_dir: Path | None = None, dry_run: bool = False
) -> PurgeReport:
    """Delete the chain's events dated before `before` (local date), archiving them first."""
    today = timezone.localdate()
    limit = earliest_allowed_cutoff(today)
    if before > limit:
        raise PurgeError(
            f"审计事件至少保留 {RETENTION_MONTHS} 个月：今天（{today:%Y-%m-%d}）最晚只能清理 {limit:%Y-%m-%d} 之前的事件，"
            f"不能清理 {before:%Y-%m-%d} 之前的。"
        )
    cutoff = timezone.make_aware(datetime.datetime.combine(before, datetime.time.min))
    with transaction.atomic():
        head = locked_head()  # held until commit: no event is appended while the anchor moves
        report = verify_chain()
        if not report.ok:
            raise PurgeError(f"审计链校验未通过，拒绝清理（以免销毁证据）：{report.message}")
        chained = AuditEvent.objects.filter(seq__gt=head.anchor_seq)
        first_kept = chained.filter(at__gte=cutoff).order_by("seq").values_list("seq", flat=True).first()
        last = head.last_seq if first_kept is None else first_kept - 1
        doomed = chained.filter(seq__lte=last).order_by("seq")
        events = list(doomed)
        if not events:
            return PurgeReport(0, None, None, None, "")
        from_seq, to_seq = events[0].seq, events[-1].seq
        if dry_run:
            return PurgeReport(len(events), from_seq, to_seq, None, "")
        folder = archive_dir or default_archive_dir()
        folder.mkdir(parents=True, exist_ok=True)
        archive = folder / f"audit-{from_seq:012d}-{to_seq:012d}.jsonl.gz"
        body = "".join(json.dumps(_row(e), ensure_ascii=False, sort_keys=True) + "\n" for e in events)
        with gzip.open(archive, "wt", encoding="utf-8") as f:
            f.write(body)
        digest = hashlib.sha256(archive.read_bytes()).hexdigest()
        (folder / f"{archive.name}.sha256").write_text(f"{digest}  {archive.name}\n", encoding="utf-8")

        head.anchor_seq, head.anchor_mac = to_seq, events[-1].mac
        head.head_mac = head_mac(chain_key(), head)
        head.save()
        doomed.delete()
        record(
            actor=actor,
            action="audit.purge",
            target_type="audit.auditevent",
            target_repr=f"审计事件 {from_seq}–{to_seq}",
            after={
                "purged": len(events),
                "from_seq": from_seq,
                "to_seq": to_seq,
                "before": before.isoformat(),
                "archive": archive.name,
                "archive_sha256": digest,
            },
            reason=f"清理 {before:%Y-%m-%d} 之前、超过保存期限的审计事件",
        )
    return PurgeReport(len(events), from_seq, to_seq, archive, digest)
