"""Every write service records its audit event in the same transaction."""

import datetime

import pytest
from django.db import transaction

from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.audit.services import record
from shuangsuiji.directory import services
from shuangsuiji.directory.models import InspectionObject
from shuangsuiji.directory.rows import RowInvalid
from tests import factories


def audited(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


def test_every_directory_service_writes_its_audit_event(alice):
    obj = services.object_create(
        actor=alice, data={"code": factories.uscc("2"), "name": "舞钢市某某商店", "kind": "个体工商户"}
    )
    services.object_update(actor=alice, obj=obj, data={"name": "舞钢市某某便利店"})
    services.supervision_set(actor=alice, obj=obj, tags=["食品经营"])
    services.licence_add(actor=alice, obj=obj, name="食品经营许可证", number="JY14104810000001")
    ins = services.inspector_create(
        actor=alice,
        data={
            "department_id": alice.department_id,
            "name": "李四",
            "cert_no": "C9",
            "cert_expires": "2029-01-01",
        },
    )
    services.inspector_update(actor=alice, inspector=ins, data={"status": "休假"})
    conflict = services.conflict_declare(actor=alice, inspector=ins, obj=obj, reason="亲属")
    services.conflict_withdraw(actor=alice, conflict=conflict, reason="误报")
    services.personal_data_reveal(actor=alice, inspector=ins, purpose="核对")
    item = services.item_create(
        actor=alice,
        data={
            "code": "SCJG-X",
            "name": "价格行为检查",
            "department_id": alice.department_id,
            "legal_basis": "《价格法》",
            "methods": "书面检查",
            "category": "重点",
        },
        reason="新增",
    )
    services.item_update(actor=alice, item=item, data={"frequency": "每年1次"}, reason="明确频次")
    services.item_retire(actor=alice, item=item, reason="合并")
    for action, n in {
        "object.create": 1,
        "object.update": 1,
        "supervision.set": 1,
        "licence.add": 1,
        "inspector.create": 1,
        "inspector.update": 1,
        "conflict.declare": 1,
        "conflict.withdraw": 1,
        "personal_data.reveal": 1,
        "item.create": 1,
        "item.update": 2,
    }.items():
        assert audited(action) == n, action
    event = AuditEvent.objects.filter(action="item.update").first()
    assert event.actor == alice and event.department_id == alice.department_id and event.reason == "合并"


def test_an_unchanged_update_writes_nothing(alice):
    obj = factories.entity()
    services.object_update(actor=alice, obj=obj, data={"name": obj.name})
    assert audited("object.update") == 0


def test_a_failed_service_leaves_neither_the_change_nor_its_audit_event(alice):
    obj = factories.entity(name="原名")
    with pytest.raises(RowInvalid):
        services.object_update(actor=alice, obj=obj, data={"name": "新名", "complaints_12m": "-1"})
    obj.refresh_from_db()
    assert obj.name == "原名" and AuditEvent.objects.count() == 0


def test_the_audit_event_rolls_back_with_its_transaction(alice):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.object_create(
            actor=alice, data={"code": factories.uscc("1"), "name": "某公司", "kind": "企业"}
        )
        raise RuntimeError("later step failed")
    assert AuditEvent.objects.count() == 0 and InspectionObject.objects.count() == 0


def test_recording_outside_a_transaction_is_refused(transactional_db):
    with pytest.raises(RuntimeError, match="transaction"):
        record(actor=None, action="x")


def test_an_expired_certificate_is_not_drawable(alice):
    ins = factories.inspector(cert_expires=datetime.date(2024, 1, 1))
    assert "过期" in ins.not_drawable_reason(datetime.date(2026, 1, 1))
    assert ins.not_drawable_reason(datetime.date(2023, 12, 31)) == ""
