"""Two simultaneous submissions with one key on PostgreSQL: the second waits for the first and replays its answer."""

import pytest
from django.test import Client

from shuangsuiji.directory.models import CheckItem
from tests.api.conftest import token_for
from tests.api.test_items import valid_payload
from tests.concurrency import run_concurrently

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


def post_concurrently(n: int, path: str, payload: dict, headers: dict):
    outcomes = run_concurrently(
        n, lambda: Client().post(path, payload, content_type="application/json", headers=headers)
    )
    return [value for kind, value in outcomes if kind == "ok"]


def test_a_concurrent_double_submission_creates_one_item(alice):
    headers = {"Authorization": f"Token {token_for(alice)}", "Idempotency-Key": "double-click"}
    responses = post_concurrently(2, "/api/v1/items", valid_payload(), headers)
    assert [r.status_code for r in responses] == [201, 201]
    assert responses[0].content == responses[1].content
    assert CheckItem.objects.count() == 1


def test_ten_concurrent_submissions_with_one_key_create_one_item(alice):
    headers = {"Authorization": f"Token {token_for(alice)}", "Idempotency-Key": "many-clicks"}
    responses = post_concurrently(10, "/api/v1/items", valid_payload(), headers)
    assert {r.status_code for r in responses} == {201}
    assert len({r.content for r in responses}) == 1
    assert sum(1 for r in responses if r.has_header("Idempotent-Replayed")) == 9
    assert CheckItem.objects.count() == 1


def test_concurrent_creates_of_one_code_without_a_key_give_one_item_and_a_clear_422(alice):
    # No idempotency key: both requests reach the service; the unique constraint decides and the loser is told why.
    headers = {"Authorization": f"Token {token_for(alice)}"}
    responses = post_concurrently(4, "/api/v1/items", valid_payload(), headers)
    assert sorted(r.status_code for r in responses) == [201, 422, 422, 422]
    loser = next(r for r in responses if r.status_code == 422)
    assert "已存在" in loser.json()["errors"][0]["reason"]
    assert CheckItem.objects.count() == 1
