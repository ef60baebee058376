"""Purging audit events older than six months keeps the chain verifiable and never touches younger events."""

import datetime
import gzip
import hashlib
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from shuangsuiji.audit.chain import chain_key, mac_of, verify_chain
from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.audit.purge import PurgeError, earliest_allowed_cutoff, purge_audit_events
from shuangsuiji.audit.services import record

pytestmark = pytest.mark.django_db


def events_at(monkeypatch, when: datetime.datetime, n: int, label: str) -> None:
    monkeypatch.setattr(timezone, "now", lambda: when)
    for i in range(n):
        with transaction.atomic():
            record(actor=None, action=f"test.{label}{i}")
    monkeypatch.undo()


@pytest.fixture
def history(monkeypatch):
    """Three events from two years ago, two from last year, then three from today."""
    now = timezone.now()
    events_at(monkeypatch, now - datetime.timedelta(days=730), 3, "old")
    events_at(monkeypatch, now - datetime.timedelta(days=365), 2, "lastyear")
    events_at(monkeypatch, now, 3, "recent")
    assert verify_chain().ok


def test_it_purges_the_old_prefix_archives_it_and_the_chain_still_verifies(history, tmp_path, sam):
    before = timezone.localdate() - datetime.timedelta(days=300)
    report = purge_audit_events(actor=sam, before=before, archive_dir=tmp_path)
    assert (report.purged, report.from_seq, report.to_seq) == (5, 1, 5)
    remaining = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert remaining == ["test.recent0", "test.recent1", "test.recent2", "audit.purge"]
    check = verify_chain()
    assert check.ok and check.checked == 4, check.message

    lines = gzip.decompress(report.archive.read_bytes()).decode().splitlines()
    archived = [json.loads(line) for line in lines]
    assert [row["seq"] for row in archived] == [1, 2, 3, 4, 5]
    # The archive alone re-verifies with the key: each MAC covers the canonical content and the previous MAC.
    key, prev = chain_key(), ""
    for row in archived:
        content = {k: v for k, v in row.items() if k not in ("id", "prev_mac", "mac")}
        body = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
        assert row["prev_mac"] == prev and row["mac"] == mac_of(key, prev, body)
        prev = row["mac"]
    assert report.archive_sha256 == hashlib.sha256(report.archive.read_bytes()).hexdigest()
    sidecar = (tmp_path / f"{report.archive.name}.sha256").read_text()
    assert sidecar == f"{report.archive_sha256}  {report.archive.name}\n"  # sha256sum -c reads it

    event = AuditEvent.objects.get(action="audit.purge")
    assert (
        event.actor == sam
        and event.after["purged"] == 5
        and event.after["archive_sha256"] == report.archive_sha256
    )


def test_a_second_purge_continues_from_the_anchor(history, tmp_path, sam):
    purge_audit_events(
        actor=sam, before=timezone.localdate() - datetime.timedelta(days=500), archive_dir=tmp_path
    )
    second = purge_audit_events(
        actor=sam, before=timezone.localdate() - datetime.timedelta(days=300), archive_dir=tmp_path
    )
    assert (second.purged, second.from_seq, second.to_seq) == (2, 4, 5)
    assert verify_chain().ok


def test_events_younger_than_six_months_are_never_purged(history, tmp_path, sam):
    too_late = earliest_allowed_cutoff(timezone.localdate()) + datetime.timedelta(days=1)
    with pytest.raises(PurgeError, match="至少保留 6 个月"):
        purge_audit_events(actor=sam, before=too_late, archive_dir=tmp_path)
    assert AuditEvent.objects.count() == 8 and not list(tmp_path.iterdir())


def test_an_old_event_dated_after_a_young_one_stops_the_prefix(monkeypatch, tmp_path, sam):
    now = timezone.now()
    events_at(monkeypatch, now - datetime.timedelta(days=700), 1, "a")
    events_at(monkeypatch, now, 1, "b")
    events_at(monkeypatch, now - datetime.timedelta(days=700), 1, "c")  # a clock set back: out of order
    report = purge_audit_events(
        actor=sam, before=timezone.localdate() - datetime.timedelta(days=300), archive_dir=tmp_path
    )
    assert (report.purged, report.to_seq) == (1, 1)
    assert verify_chain().ok


def test_a_broken_chain_is_not_purged(history, tmp_path, sam):
    from tests.audit.test_chain import raw

    first = AuditEvent.objects.get(seq=2)
    raw("UPDATE audit_auditevent SET reason = %s WHERE id = %s", ["改过", first.id])
    with pytest.raises(PurgeError, match="审计链校验未通过"):
        purge_audit_events(
            actor=sam, before=timezone.localdate() - datetime.timedelta(days=300), archive_dir=tmp_path
        )
    assert AuditEvent.objects.count() == 8


def test_the_command_reports_a_dry_run_then_purges(history, tmp_path, capsys):
    before = (timezone.localdate() - datetime.timedelta(days=300)).isoformat()
    call_command("purge_audit", "--before", before, "--dry-run", "--archive-dir", str(tmp_path))
    assert "将清理 5 个事件" in capsys.readouterr().out and AuditEvent.objects.count() == 8
    call_command("purge_audit", "--before", before, "--archive-dir", str(tmp_path))
    assert "已清理 5 个事件" in capsys.readouterr().out
    call_command("verify_audit")
    with pytest.raises(CommandError, match="至少保留 6 个月"):
        call_command("purge_audit", "--before", timezone.localdate().isoformat())
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("purge_audit", "--before", "昨天")


@pytest.mark.parametrize(
    ("today", "limit"),
    [("2026-11-27", "2026-05-27"), ("2026-08-31", "2026-02-28"), ("2026-03-15", "2025-09-15")],
)
def test_six_calendar_months_back(today, limit):
    assert earliest_allowed_cutoff(datetime.date.fromisoformat(today)) == datetime.date.fromisoformat(limit)
