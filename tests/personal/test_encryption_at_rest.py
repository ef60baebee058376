"""Inspectors' ID numbers and phones are SM4-encrypted in the database and found through a keyed index."""

import io
import json

import pytest
from django.core.exceptions import FieldError
from django.db import connection
from django.test import override_settings

from shuangsuiji.directory.importing import directory_import
from shuangsuiji.directory.models import Inspector
from shuangsuiji.personal.keys import sealer
from tests import factories
from tests.conftest import login
from tests.directory.import_helpers import csv_bytes, headers, inspector_row

pytestmark = pytest.mark.django_db

ID = "11010519491231002X"
PHONE = "13812341234"


def raw_columns(pk: int) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, phone, id_number_index, phone_index FROM directory_inspector WHERE id = %s",
            [pk],
        )
        names = [c[0] for c in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


def every_stored_text() -> str:
    """Every value of every column of every table of the database, as one text (the raw-database search)."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                chunks.extend(json.dumps(v, ensure_ascii=False, default=str) for v in row)
    return "\n".join(chunks)


def test_the_database_holds_only_ciphertext_while_the_model_sees_the_number():
    ins = factories.inspector(id_number=ID, phone=PHONE)
    raw = raw_columns(ins.pk)
    assert raw["id_number"].startswith("sm4gcm$") and raw["phone"].startswith("sm4gcm$")
    assert ID not in str(raw) and PHONE not in str(raw)
    fresh = Inspector.objects.get(pk=ins.pk)
    assert (fresh.id_number, fresh.phone) == (ID, PHONE)
    assert list(Inspector.objects.filter(pk=ins.pk).values_list("id_number", "phone")) == [(ID, PHONE)]


def test_an_inspector_is_found_by_the_exact_number_through_the_keyed_index():
    ins = factories.inspector(id_number=ID, phone=PHONE)
    factories.inspector()
    assert list(Inspector.objects.with_number("id_number", ID.lower())) == [ins]
    assert list(Inspector.objects.with_number("phone", PHONE)) == [ins]
    assert not Inspector.objects.with_number("phone", "13900000000").exists()


def test_sql_comparisons_on_the_encrypted_columns_are_refused():
    with pytest.raises(FieldError):
        Inspector.objects.filter(id_number=ID).exists()
    with pytest.raises(FieldError):
        Inspector.objects.filter(phone__startswith="138").exists()


@pytest.mark.parametrize("how", ["save", "save_update_fields", "update", "bulk_update"])
def test_every_way_of_changing_a_number_keeps_its_index(how):
    ins = factories.inspector(id_number=ID, phone=PHONE)
    new = "13999998888"
    if how == "save":
        ins.phone = new
        ins.save()
    elif how == "save_update_fields":
        ins.phone = new
        ins.save(update_fields=["phone"])
    elif how == "update":
        Inspector.objects.filter(pk=ins.pk).update(phone=new)
    else:
        ins.phone = new
        Inspector.objects.bulk_update([ins], ["phone"])
    assert list(Inspector.objects.with_number("phone", new)) == [ins]
    assert not Inspector.objects.with_number("phone", PHONE).exists()
    assert Inspector.objects.get(pk=ins.pk).phone == new
    assert new not in str(raw_columns(ins.pk))


def test_an_import_encrypts_and_indexes_new_and_changed_inspectors(alice):
    rows = [inspector_row("4104819001", 身份证号=ID, 联系电话=PHONE)]
    result = directory_import(
        actor=alice,
        kind="inspectors",
        file=io.BytesIO(csv_bytes(headers("inspectors"), rows)),
        filename="a.csv",
    )
    assert result.ok and result.new == 1
    ins = Inspector.objects.get(cert_no="4104819001")
    assert ID not in str(raw_columns(ins.pk)) and ins.id_number == ID
    assert list(Inspector.objects.with_number("id_number", ID)) == [ins]

    rows = [inspector_row("4104819001", 身份证号=ID, 联系电话="13712345678")]
    result = directory_import(
        actor=alice,
        kind="inspectors",
        file=io.BytesIO(csv_bytes(headers("inspectors"), rows)),
        filename="b.csv",
    )
    assert result.ok and result.updated == 1
    assert list(Inspector.objects.with_number("phone", "13712345678")) == [ins]
    assert "13712345678" not in str(raw_columns(ins.pk))


def test_no_id_number_or_phone_is_stored_in_clear_anywhere_in_the_database(client, alice):
    login(client, alice)
    client.post(
        "/inspectors/new/",
        {
            "department_id": "舞钢市市场监督管理局",
            "name": "李四",
            "cert_no": "4104810001",
            "cert_expires": "2028-01-01",
            "id_number": ID,
            "phone": PHONE,
            "status": "在岗",
        },
    )
    factories.inspector(id_number="410481199001010014", phone="15036361234")
    directory_import(
        actor=alice,
        kind="inspectors",
        file=io.BytesIO(
            csv_bytes(headers("inspectors"), [inspector_row("4104819002", 身份证号="410481198505050023")])
        ),
        filename="c.csv",
    )
    numbers = [n for pair in Inspector.objects.values_list("id_number", "phone") for n in pair if n]
    assert len(numbers) == 6
    stored = every_stored_text()
    leaked = [n for n in numbers if n in stored]
    assert not leaked, f"在数据库中找到明文：{leaked}"


def test_searching_the_inspector_list_by_a_full_number_needs_the_personal_data_permission(client, alice, amy):
    ins = factories.inspector(name="王五", id_number=ID, phone=PHONE)
    factories.inspector(name="赵六")
    login(client, alice)
    page = client.get("/inspectors/", {"q": ID.lower()}).content.decode()
    assert "王五" in page and "赵六" not in page
    assert "王五" in client.get("/inspectors/", {"q": PHONE}).content.decode()
    login(client, amy)
    page = client.get("/inspectors/", {"q": ID}).content.decode()
    assert "王五" not in page
    assert ins.cert_no in client.get("/inspectors/", {"q": "王五"}).content.decode()


def test_a_production_start_without_the_key_is_refused(monkeypatch):
    monkeypatch.delenv("PERSONAL_DATA_KEY", raising=False)
    with override_settings(DEBUG=False, DEMO_MODE=False, PERSONAL_DATA_KEY=""):
        with pytest.raises(RuntimeError, match="PERSONAL_DATA_KEY"):
            sealer()
    assert sealer().seal(ID, "x")  # the development key is back once the settings are


def test_a_tampered_ciphertext_fails_loudly_instead_of_showing_a_wrong_number():
    from shuangsuiji.codes.errors import PersonalDataError

    ins = factories.inspector(id_number=ID)
    other = factories.inspector()
    with (
        connection.cursor() as cursor
    ):  # copy another inspector's phone ciphertext into this ID-number column
        cursor.execute(
            "UPDATE directory_inspector SET id_number = (SELECT phone FROM directory_inspector WHERE id = %s) "
            "WHERE id = %s",
            [other.pk, ins.pk],
        )
    with pytest.raises(PersonalDataError, match="校验失败"):
        Inspector.objects.get(pk=ins.pk)
