"""The cross-department 404 matrix: a user of 卫健委 (bob) finds nothing of 市场监管局's (SCJG) inspectors, items,
conflicts or versions — at every endpoint and with every method — and the 联席会议办公室 (olivia) sees all."""

import pytest

from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.directory.models import CheckItem, CheckItemVersion, Conflict, Inspector, Supervision
from tests import factories

from .conftest import ApiClient, token_for


@pytest.fixture
def scjg_records(db, alice):
    ins = factories.inspector("SCJG")
    obj = factories.entity()
    Conflict.objects.create(inspector=ins, object=obj, reason="亲属")
    c = ApiClient(alice)
    item_id = c.post(
        "/items",
        {
            "code": "SCJG-201",
            "name": "企业公示信息抽查",
            "department_id": "SCJG",
            "legal_basis": "《企业信息公示暂行条例》第十四条",
            "methods": ["书面检查"],
            "category": "一般",
            "default_ratio": "0.05",
            "ratio_cap": "0.1",
        },
    ).json()["id"]
    return {"ins": ins.pk, "item": item_id, "obj": obj.pk}


def cross_department_calls(r: dict) -> list[tuple[str, str, dict]]:
    ins, item, obj = r["ins"], r["item"], r["obj"]
    return [
        ("get", f"/inspectors/{ins}", {}),
        ("patch", f"/inspectors/{ins}", {"name": "改名"}),
        ("patch", f"/inspectors/{ins}", {"department_id": "WJW"}),
        ("get", f"/inspectors/{ins}/conflicts", {}),
        ("post", f"/inspectors/{ins}/conflicts", {"object_id": obj, "reason": "亲属"}),
        ("post", f"/inspectors/{ins}/personal-data", {"purpose": "核对"}),
        ("get", f"/items/{item}", {}),
        ("patch", f"/items/{item}", {"name": "改名", "reason": "改名"}),
        ("post", f"/items/{item}/retire", {"reason": "停用"}),
        ("get", f"/items/{item}/versions", {}),
        ("get", f"/items/{item}/versions/1", {}),
    ]


MATRIX_SIZE = 11


@pytest.mark.parametrize("auth", ["session", "token"])
@pytest.mark.parametrize("n", range(MATRIX_SIZE))
def test_a_user_of_another_department_gets_404(scjg_records, bob, auth, n):
    method, path, body = cross_department_calls(scjg_records)[n]
    c = ApiClient(bob) if auth == "session" else ApiClient(token=token_for(bob))
    events = AuditEvent.objects.count()
    r = getattr(c, method)(path, body)
    assert r.status_code == 404, (method, path, r.content)
    assert r.json() == {"detail": "未找到"}
    assert AuditEvent.objects.count() == events


def test_the_matrix_covers_every_endpoint_with_an_inspector_or_item_id(scjg_records):
    from .test_openapi import EXPECTED_OPERATIONS

    assert len(cross_department_calls(scjg_records)) == MATRIX_SIZE
    covered = {(m, p.split("?")[0]) for m, p, _ in cross_department_calls(scjg_records)}
    templated = {
        (m, p.replace("/api/v1", ""))
        for m, p in EXPECTED_OPERATIONS
        if p.startswith(("/api/v1/inspectors/{id}", "/api/v1/items/{id}"))
    }
    r = scjg_records
    concrete = {
        (
            m,
            p.replace("{id}", str(r["ins"] if p.startswith("/inspectors") else r["item"])).replace(
                "{version}", "1"
            ),
        )
        for m, p in templated
    }
    assert concrete == covered


def test_nothing_changed_after_the_cross_department_calls(scjg_records, bob):
    c = ApiClient(bob)
    for method, path, body in cross_department_calls(scjg_records):
        getattr(c, method)(path, body)
    assert Inspector.objects.get(pk=scjg_records["ins"]).name != "改名"
    item = CheckItem.objects.get(pk=scjg_records["item"])
    assert item.name == "企业公示信息抽查" and item.status == "有效" and item.version == 1
    assert CheckItemVersion.objects.count() == 1
    assert Conflict.objects.count() == 1


def test_a_user_of_another_department_sees_only_own_rows_in_lists(scjg_records, bob, scjg):
    own_ins = factories.inspector("WJW")
    own_item = factories.item("WJW")
    c = ApiClient(bob)
    assert [r["id"] for r in c.get("/inspectors").json()["results"]] == [own_ins.pk]
    assert [r["id"] for r in c.get("/items").json()["results"]] == [own_item.pk]
    # Asking for the other department explicitly does not widen the scope.
    assert c.get("/inspectors", department=scjg.pk).json()["count"] == 0
    assert c.get("/items", department=scjg.pk).json()["count"] == 0


def test_a_user_of_another_department_cannot_touch_its_supervision_tags(scjg_records, alice, bob):
    obj = scjg_records["obj"]
    ApiClient(alice).put(f"/objects/{obj}/supervision", {"tags": ["食品"]})
    r = ApiClient(bob).put(f"/objects/{obj}/supervision", {"tags": []})
    assert r.status_code == 200
    assert Supervision.objects.get(object_id=obj, department=alice.department).tags == ["食品"]


def test_the_object_directory_is_city_wide(scjg_records, bob):
    r = ApiClient(bob).get(f"/objects/{scjg_records['obj']}")
    assert r.status_code == 200


@pytest.mark.parametrize("who", ["olivia", "sam"])
def test_the_office_and_the_administrator_see_every_department(scjg_records, request, who):
    own = factories.inspector("WJW")
    wjw_item = factories.item("WJW")
    c = ApiClient(request.getfixturevalue(who))
    assert {r["id"] for r in c.get("/inspectors").json()["results"]} == {scjg_records["ins"], own.pk}
    assert {r["id"] for r in c.get("/items").json()["results"]} == {scjg_records["item"], wjw_item.pk}
    for path in [
        f"/inspectors/{scjg_records['ins']}",
        f"/inspectors/{own.pk}",
        f"/inspectors/{scjg_records['ins']}/conflicts",
        f"/items/{wjw_item.pk}",
        f"/items/{scjg_records['item']}/versions",
        f"/items/{scjg_records['item']}/versions/1",
    ]:
        assert c.get(path).status_code == 200, path
