import datetime

from django.core.management import call_command
from django.utils import timezone

from shuangsuiji.directory.models import CheckItem
from shuangsuiji.idempotency.models import IdempotencyKey
from tests.api.conftest import ApiClient, token_for
from tests.api.test_items import valid_payload


def keyed(user, key: str, **kw) -> ApiClient:
    client = ApiClient(user, **kw)
    client.headers["Idempotency-Key"] = key
    return client


def test_it_answers_a_repeated_create_with_the_first_response(alice):
    client = keyed(alice, "create-item-1")
    first = client.post("/items", valid_payload())
    second = client.post("/items", valid_payload())
    assert first.status_code == second.status_code == 201
    assert first.content == second.content
    assert second["Idempotent-Replayed"] == "true"
    assert CheckItem.objects.count() == 1


def test_it_recognises_the_key_of_a_token_client(alice):
    token = token_for(alice)
    client = ApiClient(token=token)
    client.headers["Idempotency-Key"] = "token-key"
    first = client.post("/items", valid_payload())
    second = client.post("/items", valid_payload())
    assert first.status_code == 201 and first.content == second.content
    assert CheckItem.objects.count() == 1


def test_it_does_not_store_a_refusal(alice):
    client = keyed(alice, "bad-then-good")
    refused = client.post("/items", valid_payload(methods=["电话抽查"]))
    assert refused.status_code == 422 and not IdempotencyKey.objects.exists()
    assert client.post("/items", valid_payload()).status_code == 201


def test_it_refuses_a_key_reused_for_another_request(alice):
    client = keyed(alice, "one-key")
    item_id = client.post("/items", valid_payload()).json()["id"]
    reused = client.post(f"/items/{item_id}/retire", {"reason": "不再检查"})
    assert reused.status_code == 422 and "幂等键" in reused.json()["detail"]
    assert CheckItem.objects.get().status == "有效"


def test_it_runs_the_same_key_of_another_user_independently(alice, bob):
    keyed(alice, "same").post("/items", valid_payload())
    response = keyed(bob, "same").post("/items", valid_payload(code="WJW-101", department_id="WJW"))
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert CheckItem.objects.count() == 2


def test_it_treats_an_expired_key_as_new(alice):
    client = keyed(alice, "old")
    client.post("/items", valid_payload())
    IdempotencyKey.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))
    again = client.post("/items", valid_payload(code="SCJG-102"))
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert CheckItem.objects.count() == 2


def test_the_cleanup_command_deletes_keys_older_than_a_day(alice):
    keyed(alice, "old").post("/items", valid_payload())
    keyed(alice, "new").post("/items", valid_payload(code="SCJG-102"))
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - datetime.timedelta(hours=25))
    call_command("purge_idempotency_keys")
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


def test_it_refuses_an_overlong_key(alice):
    response = keyed(alice, "x" * 101).post("/items", valid_payload())
    assert response.status_code == 400 and not CheckItem.objects.exists()
