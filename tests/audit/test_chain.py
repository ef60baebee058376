"""The audit chain detects editing, deleting, swapping and truncating events, at the right position."""

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from shuangsuiji.audit.chain import verify_chain
from shuangsuiji.audit.models import AuditChainHead, AuditEvent
from shuangsuiji.audit.services import record


def write_events(n: int) -> list[AuditEvent]:
    events = []
    for i in range(n):
        with transaction.atomic():
            events.append(record(actor=None, action=f"test.event{i}", reason=f"第{i}个"))
    return events


def raw(sql: str, params=()) -> None:
    # Tampering goes around the application, straight to the table, as an intruder with database access would.
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET LOCAL session_replication_role = replica")  # an intruder with superuser rights
        cur.execute(sql, params)
        if connection.vendor == "postgresql":
            cur.execute("SET LOCAL session_replication_role = origin")


def test_an_untouched_chain_verifies(db):
    write_events(5)
    report = verify_chain()
    assert report.ok and report.checked == 5


def test_an_edited_event_is_named(db):
    events = write_events(5)
    raw("UPDATE audit_auditevent SET reason = %s WHERE id = %s", ["改过", events[2].id])
    report = verify_chain()
    assert not report.ok and report.broken_seq == 3 and "被修改" in report.message


def test_a_deleted_event_is_named(db):
    events = write_events(5)
    raw("DELETE FROM audit_auditevent WHERE id = %s", [events[1].id])
    report = verify_chain()
    assert not report.ok and report.broken_seq == 2 and "缺少第 2 号事件" in report.message


def test_swapped_events_are_detected(db):
    events = write_events(5)
    a, b = events[1], events[3]
    raw("UPDATE audit_auditevent SET seq = NULL WHERE id IN (%s, %s)", [a.id, b.id])
    raw("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [b.seq, a.id])
    raw("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [a.seq, b.id])
    report = verify_chain()
    assert not report.ok and report.broken_seq == 2


def test_a_truncated_tail_is_detected(db):
    events = write_events(5)
    raw("DELETE FROM audit_auditevent WHERE id IN (%s, %s)", [events[3].id, events[4].id])
    report = verify_chain()
    assert not report.ok and "末尾事件被删除" in report.message


def test_a_forged_head_is_detected(db):
    write_events(3)
    AuditChainHead.objects.filter(pk=1).update(last_seq=2)
    assert "链头被篡改" in verify_chain().message


def test_the_command_exits_0_or_1_naming_the_event(db, capsys):
    events = write_events(3)
    call_command("verify_audit")
    assert "通过" in capsys.readouterr().out
    raw("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["x", events[0].id])
    with pytest.raises(SystemExit) as e:
        call_command("verify_audit")
    assert e.value.code == 1 and "第 1 号事件" in capsys.readouterr().err


@pytest.mark.postgres_only
def test_postgresql_refuses_to_update_or_delete_recent_audit_rows(transactional_db):
    from django.db import DatabaseError

    event = write_events(1)[0]
    for sql in (
        "UPDATE audit_auditevent SET reason = 'x' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="审计事件"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [event.id])
    with pytest.raises(DatabaseError, match="不可清空"), transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL ssj.allow_truncate = 'off'")
        cur.execute("TRUNCATE audit_auditevent CASCADE")
