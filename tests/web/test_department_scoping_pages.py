"""A user of one department gets 404 on another department's records, at every page that shows or changes one."""

import pytest

from shuangsuiji.directory.models import Conflict
from tests import factories
from tests.conftest import login


@pytest.fixture
def scjg_records(db, alice):
    ins = factories.inspector("SCJG", name="市监检查员")
    item = factories.item("SCJG")
    from shuangsuiji.directory.models import CheckItemVersion

    CheckItemVersion.objects.create(item=item, version=1, data={}, changed_by_name="x", reason="初始")
    obj = factories.entity()
    conflict = Conflict.objects.create(inspector=ins, object=obj, reason="亲属")
    return {"ins": ins, "item": item, "obj": obj, "conflict": conflict}


def scjg_urls(r):
    ins, item, conflict = r["ins"].pk, r["item"].pk, r["conflict"].pk
    return [
        ("get", f"/inspectors/{ins}/"),
        ("get", f"/inspectors/{ins}/edit/"),
        ("post", f"/inspectors/{ins}/edit/"),
        ("post", f"/inspectors/{ins}/reveal/"),
        ("post", f"/inspectors/{ins}/conflicts/"),
        ("post", f"/conflicts/{conflict}/withdraw/"),
        ("get", f"/items/{item}/"),
        ("get", f"/items/{item}/edit/"),
        ("post", f"/items/{item}/edit/"),
        ("post", f"/items/{item}/retire/"),
        ("get", f"/items/{item}/versions/1/"),
    ]


def test_it_answers_404_to_another_department_on_every_record_page(client, bob, scjg_records):
    login(client, bob)
    for method, url in scjg_urls(scjg_records):
        response = getattr(client, method)(url, {"reason": "试图修改", "purpose": "x"})
        assert response.status_code == 404, (method, url, response.status_code)
    # Nothing changed behind the 404s.
    scjg_records["item"].refresh_from_db()
    assert scjg_records["item"].status == "有效"
    assert Conflict.objects.filter(pk=scjg_records["conflict"].pk).exists()


def test_it_shows_the_owning_department_every_record_page(client, alice, scjg_records):
    login(client, alice)
    for method, url in scjg_urls(scjg_records):
        if method == "get":
            assert client.get(url).status_code == 200, url


def test_it_lets_the_joint_meeting_office_read_every_department(client, olivia, scjg_records, bob):
    login(client, olivia)
    assert client.get(f"/inspectors/{scjg_records['ins'].pk}/").status_code == 200
    assert client.get(f"/items/{scjg_records['item'].pk}/").status_code == 200


def test_it_lists_only_the_users_own_department(client, bob, scjg_records):
    factories.inspector("WJW", name="卫健检查员")
    factories.item("WJW", name="公共场所卫生检查")
    login(client, bob)
    page = client.get("/inspectors/").content.decode()
    assert "卫健检查员" in page and "市监检查员" not in page
    page = client.get("/items/").content.decode()
    assert "公共场所卫生检查" in page and scjg_records["item"].code not in page


def test_it_refuses_a_forged_department_in_a_create_form(client, bob):
    login(client, bob)
    response = client.post(
        "/inspectors/new/",
        {
            "department_id": "舞钢市市场监督管理局",
            "name": "冒名",
            "cert_no": "X1",
            "cert_expires": "2030-01-01",
        },
    )
    assert response.status_code == 403
    from shuangsuiji.directory.models import Inspector

    assert not Inspector.objects.filter(cert_no="X1").exists()


def test_it_requires_login_on_every_page(client, scjg_records):
    urls = ["/", "/objects/", "/inspectors/", "/items/", "/reference/", "/audit/", "/objects/new/"]
    urls += [url for method, url in scjg_urls(scjg_records) if method == "get"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url


def test_it_shows_the_audit_browser_only_to_the_auditor(client, alice, sam, audrey):
    login(client, alice)
    assert client.get("/audit/").status_code == 403
    login(client, sam)  # 三员分立: the system administrator does not read the audit trail
    assert client.get("/audit/").status_code == 403
    login(client, audrey)
    assert client.get("/audit/").status_code == 200


def test_it_keeps_django_admin_for_the_system_administrator(client, alice, sam):
    alice.is_staff = True
    alice.save()
    login(client, alice)
    assert client.get("/admin/").status_code == 302
    login(client, sam)
    assert client.get("/admin/").status_code == 200
