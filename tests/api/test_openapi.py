from shuangsuiji.directory.selectors import INSPECTOR_FILTERS, ITEM_FILTERS, OBJECT_FILTERS

from .conftest import ApiClient

EXPECTED_OPERATIONS = {
    ("get", "/api/v1/departments"),
    ("get", "/api/v1/regions"),
    ("get", "/api/v1/risk-classes"),
    ("get", "/api/v1/objects"),
    ("post", "/api/v1/objects"),
    ("get", "/api/v1/objects/{id}"),
    ("patch", "/api/v1/objects/{id}"),
    ("put", "/api/v1/objects/{id}/supervision"),
    ("get", "/api/v1/inspectors"),
    ("post", "/api/v1/inspectors"),
    ("get", "/api/v1/inspectors/{id}"),
    ("patch", "/api/v1/inspectors/{id}"),
    ("post", "/api/v1/inspectors/{id}/personal-data"),
    ("get", "/api/v1/inspectors/{id}/conflicts"),
    ("post", "/api/v1/inspectors/{id}/conflicts"),
    ("get", "/api/v1/items"),
    ("post", "/api/v1/items"),
    ("get", "/api/v1/items/{id}"),
    ("patch", "/api/v1/items/{id}"),
    ("post", "/api/v1/items/{id}/retire"),
    ("get", "/api/v1/items/{id}/versions"),
    ("get", "/api/v1/items/{id}/versions/{version}"),
}
# The city-wide yearly cap and its exemptions (issue 17, item 2); their audit events are tested in tests/caps.
CAP_OPERATIONS = {
    ("get", "/api/v1/caps"),
    ("post", "/api/v1/caps/yearly"),
    ("get", "/api/v1/cap-exemptions"),
    ("post", "/api/v1/cap-exemptions"),
    ("post", "/api/v1/cap-exemptions/{id}/approve"),
    ("post", "/api/v1/cap-exemptions/{id}/refuse"),
}

# Statistics (issue 12): the figures of /stats/; scoping and validation are tested in tests/stats.
STATS_OPERATIONS = {("get", "/api/v1/stats/summary")}
# The change feed of public facts (issue 13 part 3); paging and the cursor are tested in tests/outbox.
CHANGE_OPERATIONS = {("get", "/api/v1/changes")}
# Bulk reads by period (issue 13 part 3, ADR 0026); tested in tests/api/test_bulk.py.
BULK_OPERATIONS = {
    ("get", "/api/v1/bulk/results"),
    ("get", "/api/v1/bulk/draws"),
    ("get", "/api/v1/bulk/plans"),
}


def openapi() -> dict:
    r = ApiClient().get("/api/v1/openapi.json")
    assert r.status_code == 200
    return r.json()


def operations(doc: dict) -> set[tuple[str, str]]:
    return {(method, path) for path, ops in doc["paths"].items() for method in ops}


def test_it_serves_the_openapi_document_listing_every_endpoint(db):
    doc = openapi()
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["title"] == "双随机平台接口"
    from tests.inspections.test_joint_visit import VISIT_OPERATIONS

    from .test_draws_openapi import PLANNING_AND_DRAW_OPERATIONS
    from .test_records_scoping import PUBLIC_OPERATIONS, RECORD_OPERATIONS

    assert operations(doc) == (
        EXPECTED_OPERATIONS
        | CAP_OPERATIONS
        | STATS_OPERATIONS
        | CHANGE_OPERATIONS
        | BULK_OPERATIONS
        | PLANNING_AND_DRAW_OPERATIONS
        | RECORD_OPERATIONS
        | PUBLIC_OPERATIONS
        | VISIT_OPERATIONS
    )


def test_it_declares_every_list_filter_and_the_paging_parameters(db):
    doc = openapi()
    for path, filters in [
        ("/api/v1/objects", OBJECT_FILTERS),
        ("/api/v1/inspectors", INSPECTOR_FILTERS),
        ("/api/v1/items", ITEM_FILTERS),
    ]:
        params = {p["name"] for p in doc["paths"][path]["get"]["parameters"] if p["in"] == "query"}
        assert params == set(filters) | {"page", "page_size"}, path


def test_it_documents_the_page_size_limit(db):
    doc = openapi()
    page_size = next(
        p for p in doc["paths"]["/api/v1/objects"]["get"]["parameters"] if p["name"] == "page_size"
    )
    assert page_size["schema"]["maximum"] == 200
    assert page_size["schema"]["default"] == 50


def test_it_documents_token_and_session_authentication(db):
    doc = openapi()
    schemes = doc["components"]["securitySchemes"]
    assert {s["in"] for s in schemes.values()} == {"header", "cookie"}
    for path, ops in doc["paths"].items():
        if path.startswith("/api/v1/public/"):
            # The public result search (art. 14) is for everyone; tests/api/test_records_public.py checks it.
            continue
        for method, op in ops.items():
            assert op.get("security"), (method, path)
            assert "401" in op["responses"], (method, path)


def test_it_documents_422_with_field_errors_on_every_write(db):
    doc = openapi()
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if method in ("post", "patch", "put"):
                ref = op["responses"]["422"]["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/ValidationErrorOut"), (method, path)


def test_it_has_no_interactive_docs_page_loading_a_cdn(db):
    assert ApiClient().get("/api/v1/docs").status_code == 404


def test_answers_carry_chinese_as_characters_not_escapes(db):
    from django.test import Client

    r = Client().get("/api/v1/public/results", {"q": "舞钢市测试"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/json")
    body = Client().get("/api/v1/objects").content.decode("utf-8")  # 401 with a Chinese detail
    assert "\\u" not in body and any("\u4e00" <= ch <= "\u9fff" for ch in body)


def test_every_write_operation_declares_the_idempotency_key_header(db):
    from django.test import Client

    schema = Client().get("/api/v1/openapi.json").json()
    writes = [
        (path, method, op)
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if method in ("post", "put", "patch", "delete")
    ]
    assert writes
    for path, method, op in writes:
        headers = [
            p for p in op.get("parameters", []) if p["in"] == "header" and p["name"] == "Idempotency-Key"
        ]
        assert len(headers) == 1 and headers[0]["schema"]["maxLength"] == 100, (method, path)
    reads = [op for item in schema["paths"].values() for m, op in item.items() if m == "get"]
    assert not any(p["name"] == "Idempotency-Key" for op in reads for p in op.get("parameters", []))


def test_the_change_feed_and_the_bulk_reads_are_documented_with_request_and_response_examples(db):
    doc = openapi()
    for path in ("/api/v1/changes", "/api/v1/bulk/results", "/api/v1/bulk/draws", "/api/v1/bulk/plans"):
        op = doc["paths"][path]["get"]
        assert op["description"], path
        example = op["responses"]["200"]["content"]["application/json"]["example"]
        assert example["items"] and "next_cursor" in example and "has_more" in example, path
        params = {p["name"]: p for p in op["parameters"]}
        assert all(p.get("description") for p in params.values()), path
    bulk = {p["name"] for p in doc["paths"]["/api/v1/bulk/results"]["get"]["parameters"]}
    assert bulk == {"from", "to", "cursor", "limit"}
    bad = doc["paths"]["/api/v1/bulk/results"]["get"]["responses"]["400"]["content"]["application/json"]
    assert "366" in bad["example"]["detail"]


def test_every_token_operation_documents_the_429_answer_and_the_ratelimit_headers(db):
    doc = openapi()
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if not op.get("security"):
                continue  # the public operations take no token and are not counted
            too_many = op["responses"]["429"]
            assert {"Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} <= set(
                too_many["headers"]
            ), (method, path)
            assert "请求过于频繁" in too_many["content"]["application/json"]["example"]["detail"]
    changes = doc["paths"]["/api/v1/changes"]["get"]["responses"]["200"]
    assert "RateLimit-Remaining" in changes["headers"]
