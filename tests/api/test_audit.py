"""Every write endpoint leaves an audit event: who, what, from where — written by the service it calls."""

import pytest

from shuangsuiji.audit.models import AuditEvent
from tests import factories

from .conftest import ApiClient, token_for

ITEM = {
    "code": "SCJG-301",
    "name": "企业公示信息抽查",
    "department_id": "SCJG",
    "legal_basis": "《企业信息公示暂行条例》第十四条",
    "methods": ["书面检查"],
    "category": "一般",
    "default_ratio": "0.05",
    "ratio_cap": "0.1",
}


def write_calls(obj, ins, item) -> list[tuple[str, str, dict, str]]:
    return [
        (
            "post",
            "/objects",
            {"code": factories.uscc("1"), "name": "新公司", "kind": "企业"},
            "object.create",
        ),
        ("patch", f"/objects/{obj.pk}", {"name": "改名公司"}, "object.update"),
        ("put", f"/objects/{obj.pk}/supervision", {"tags": ["食品"]}, "supervision.set"),
        (
            "post",
            "/inspectors",
            {"department_id": "SCJG", "name": "新人", "cert_no": "41048188888", "cert_expires": "2030-12-31"},
            "inspector.create",
        ),
        ("patch", f"/inspectors/{ins.pk}", {"name": "改名"}, "inspector.update"),
        (
            "post",
            f"/inspectors/{ins.pk}/conflicts",
            {"object_id": obj.pk, "reason": "亲属"},
            "conflict.declare",
        ),
        ("post", f"/inspectors/{ins.pk}/personal-data", {"purpose": "核对"}, "personal_data.reveal"),
        ("post", "/items", ITEM, "item.create"),
        ("patch", f"/items/{item.pk}", {"name": "改名", "reason": "规范名称"}, "item.update"),
        ("post", f"/items/{item.pk}/retire", {"reason": "法规废止"}, "item.update"),
    ]


@pytest.mark.parametrize("auth", ["session", "token"])
@pytest.mark.parametrize("n", range(10))
def test_every_write_endpoint_records_an_audit_event(alice, auth, n):
    obj, ins, item = factories.entity(), factories.inspector(), factories.item()
    method, path, body, action = write_calls(obj, ins, item)[n]
    c = ApiClient(alice) if auth == "session" else ApiClient(token=token_for(alice))
    before = AuditEvent.objects.count()
    r = getattr(c, method)(path, body)
    assert r.status_code in (200, 201), (path, r.content)
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert event.action == action
    assert event.actor == alice and event.department == alice.department
    assert event.ip == "127.0.0.1"


def test_the_write_list_covers_every_write_endpoint(db):
    from .test_openapi import EXPECTED_OPERATIONS

    obj, ins, item = factories.entity(), factories.inspector(), factories.item()
    called = {(m, p) for m, p, _, _ in write_calls(obj, ins, item)}
    ids = {"/objects/": obj.pk, "/inspectors/": ins.pk, "/items/": item.pk}
    expected = set()
    for method, path in EXPECTED_OPERATIONS:
        if method in ("post", "patch", "put"):
            path = path.removeprefix("/api/v1")
            for prefix, pk in ids.items():
                if path.startswith(prefix):
                    path = path.replace("{id}", str(pk))
            expected.add((method, path))
    assert called == expected


def test_a_refused_write_records_nothing(bob):
    ins = factories.inspector("SCJG")
    c = ApiClient(bob)  # signing in is audited too: count only what the calls below could write
    before = AuditEvent.objects.count()
    c.patch(f"/inspectors/{ins.pk}", {"name": "x"})
    c.post("/objects", {"code": factories.uscc("1"), "name": "x", "kind": "企业"})
    assert AuditEvent.objects.count() == before
