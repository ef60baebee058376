"""Schemathesis fuzzes every operation of /api/v1/openapi.json in-process (WSGI): no server error, every status and
body as documented.

A signed-in department administrator with some directory data calls the API with a token, so requests get past 401
into validation, scoping and the services. Examples per operation are bounded so the whole run stays within minutes.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shuangsuiji.wsgi import application
from tests import factories

from .conftest import token_for

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(autouse=True)
def keep_the_test_transaction():
    """Schemathesis calls the WSGI app directly, so Django's request signals would close the test's database
    connection (and with it the test's transaction) after every request; django.test.Client unhooks them the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(alice):
    for _ in range(2):
        factories.entity()
        factories.inspector()
        factories.item()
    return token_for(alice)


# Loaded at import (the OpenAPI document needs no database); schemathesis' lazy `from_fixture` does not work with
# pytest 9 yet.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_the_api_matches_its_schema_and_never_fails(case, token):
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)


def test_it_answers_a_body_that_is_not_json_with_the_documented_400(alice):
    from django.test import Client

    response = Client().post(
        "/api/v1/items",
        b"\x00",
        content_type="application/json",
        headers={"Authorization": f"Token {token_for(alice)}"},
    )
    assert response.status_code == 400 and response.json() == {"detail": "请求体不是有效的 JSON"}
    doc = Client().get("/api/v1/openapi.json").json()
    assert "400" in doc["paths"]["/api/v1/items"]["post"]["responses"]


def test_a_public_search_page_far_past_the_end_is_empty(db):
    from django.test import Client

    response = Client().get("/api/v1/public/results", {"q": "00", "page": 2**63 - 2, "page_size": 50})
    assert response.status_code == 200 and response.json()["results"] == []
