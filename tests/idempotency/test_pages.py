import re

import pytest

from shuangsuiji.directory.models import CheckItem
from shuangsuiji.idempotency.models import IdempotencyKey
from tests.conftest import login
from tests.web.test_directory_pages import ITEM_FORM

KEY_INPUT = re.compile(r'<input type="hidden" name="idempotency_key" value="([0-9a-f]{32})">')


def test_it_puts_a_fresh_key_into_the_create_form(client, alice):
    login(client, alice)
    first = KEY_INPUT.findall(client.get("/items/new/").content.decode())
    second = KEY_INPUT.findall(client.get("/items/new/").content.decode())
    assert len(first) == 1 and len(second) == 1 and first != second


def test_it_creates_one_item_from_a_double_submission(client, alice):
    login(client, alice)
    form = ITEM_FORM | {"idempotency_key": "k-1"}
    first = client.post("/items/new/", form)
    second = client.post("/items/new/", form)
    item = CheckItem.objects.get(code="SCJG-901")
    assert CheckItem.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/items/{item.pk}/"
    assert second["Idempotent-Replayed"] == "true"


def test_it_creates_twice_without_a_key(client, alice):
    login(client, alice)
    client.post("/items/new/", ITEM_FORM)
    second = client.post("/items/new/", ITEM_FORM | {"code": "SCJG-902"})
    assert second.status_code == 302 and CheckItem.objects.count() == 2


def test_it_forgets_the_key_of_an_invalid_form_so_the_corrected_form_can_use_it(client, alice):
    login(client, alice)
    invalid = client.post("/items/new/", ITEM_FORM | {"ratio_cap": "", "idempotency_key": "k-2"})
    assert invalid.status_code == 200 and not IdempotencyKey.objects.exists()
    corrected = client.post("/items/new/", ITEM_FORM | {"idempotency_key": "k-2"})
    assert corrected.status_code == 302 and CheckItem.objects.count() == 1


def test_it_keeps_keys_of_different_users_apart(client, alice, bob, wjw):
    login(client, alice)
    client.post("/items/new/", ITEM_FORM | {"idempotency_key": "shared"})
    login(client, bob)
    form = ITEM_FORM | {"code": "WJW-901", "department_id": wjw.name, "idempotency_key": "shared"}
    response = client.post("/items/new/", form)
    assert response.status_code == 302 and "Idempotent-Replayed" not in response
    assert set(CheckItem.objects.values_list("code", flat=True)) == {"SCJG-901", "WJW-901"}


@pytest.mark.parametrize(
    "template",
    ["directory_form", "plan_form", "scheme_form", "draw_freeze", "draw_ceremony", "record_new"],
)
def test_every_create_form_template_carries_the_key(template):
    from django.template.loader import get_template

    source = get_template(f"web/{template}.html").template.source
    assert 'name="idempotency_key" value="{{ idempotency_key }}"' in source
