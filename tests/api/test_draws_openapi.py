"""Plans, schemes and the draw in the OpenAPI document; every one of their endpoints needs authentication."""

import pytest

from .conftest import ApiClient
from .test_openapi import openapi, operations

PLANNING_AND_DRAW_OPERATIONS = {
    ("get", "/api/v1/plans"),
    ("post", "/api/v1/plans"),
    ("get", "/api/v1/plans/{id}"),
    ("post", "/api/v1/plans/{id}/items"),
    ("delete", "/api/v1/plans/{id}/items/{plan_item}"),
    ("post", "/api/v1/plans/{id}/batches"),
    ("delete", "/api/v1/plans/{id}/batches/{batch}"),
    ("post", "/api/v1/plans/{id}/extra-batches-reason"),
    ("post", "/api/v1/plans/{id}/submit"),
    ("post", "/api/v1/plans/{id}/approve"),
    ("post", "/api/v1/plans/{id}/return"),
    ("post", "/api/v1/plans/{id}/adjust"),
    ("get", "/api/v1/plans/{id}/versions"),
    ("get", "/api/v1/plans/{id}/versions/{version}"),
    ("get", "/api/v1/schemes"),
    ("post", "/api/v1/schemes"),
    ("get", "/api/v1/schemes/{id}"),
    ("post", "/api/v1/schemes/{id}/publish"),
    ("post", "/api/v1/schemes/{id}/close"),
    ("post", "/api/v1/schemes/{id}/accept"),
    ("post", "/api/v1/schemes/{id}/freeze"),
    ("get", "/api/v1/draws/{id}"),
    ("post", "/api/v1/draws/{id}/perform"),
    ("get", "/api/v1/draws/{id}/selections"),
    ("get", "/api/v1/draws/{id}/files/{name}"),
    ("get", "/api/v1/draws/{id}/certificate"),
    ("get", "/api/v1/draws/{id}/public-certificate"),
    ("post", "/api/v1/draws/{id}/selections/{selection}/substitute"),
    ("post", "/api/v1/draws/{id}/members/{member}/substitute"),
    ("get", "/api/v1/draws/{id}/substitutions"),
    ("get", "/api/v1/draws/{id}/register"),
    ("get", "/api/v1/draws/{id}/register.xlsx"),
    ("get", "/api/v1/draws/{id}/papers.xlsx"),
}


def concrete(path: str) -> str:
    for name in ("{id}", "{plan_item}", "{batch}", "{version}", "{selection}", "{member}"):
        path = path.replace(name, "1")
    return path.replace("{name}", "params.json")


def test_the_openapi_document_lists_every_planning_and_draw_endpoint(db):
    assert PLANNING_AND_DRAW_OPERATIONS <= operations(openapi())


@pytest.mark.parametrize(("method", "path"), sorted(PLANNING_AND_DRAW_OPERATIONS))
def test_it_refuses_anonymous_calls_with_401(db, method, path):
    c = ApiClient()
    if method == "delete":
        r = c.client.delete(concrete(path))
    else:
        r = getattr(c, method)(concrete(path), {})
    assert r.status_code == 401
    assert r.json() == {"detail": "未登录或令牌无效"}


def schema_of(doc: dict, method: str, path: str, status: str) -> str:
    content = doc["paths"][path][method]["responses"][status]["content"]
    return next(iter(content.values()))["schema"].get("$ref", "")


def test_every_json_response_and_body_has_a_named_schema(db):
    doc = openapi()
    for method, path in PLANNING_AND_DRAW_OPERATIONS:
        op = doc["paths"][path][method]
        if "requestBody" in op:
            assert op["requestBody"]["content"]["application/json"]["schema"]["$ref"], (method, path)
        for status in ("401", "404", "422") if "{id}" in path else ("401", "422"):
            assert status in op["responses"], (method, path, status)
        ok = next(s for s in ("200", "201") if s in op["responses"])
        if path.endswith(("/files/{name}", ".xlsx")):
            assert "content" in op["responses"][ok], path
        elif path.endswith("/versions") or path.endswith("/substitutions"):
            items = op["responses"][ok]["content"]["application/json"]["schema"]["items"]
            assert items["$ref"], path
        else:
            assert schema_of(doc, method, path, ok), (method, path)


def test_it_documents_409_on_every_step_that_happens_once(db):
    doc = openapi()
    for path in [
        "/api/v1/plans/{id}/submit",
        "/api/v1/plans/{id}/approve",
        "/api/v1/schemes/{id}/publish",
        "/api/v1/schemes/{id}/freeze",
        "/api/v1/draws/{id}/perform",
        "/api/v1/draws/{id}/selections/{selection}/substitute",
        "/api/v1/draws/{id}/members/{member}/substitute",
    ]:
        assert schema_of(doc, "post", path, "409").endswith("/ValidationErrorOut"), path


def test_it_documents_the_draw_file_names_and_the_directed_filters(db):
    doc = openapi()
    params = doc["paths"]["/api/v1/draws/{id}/files/{name}"]["get"]["parameters"]
    name = next(p for p in params if p["name"] == "name")
    assert set(name["schema"]["enum"]) == {
        "params.json",
        "candidates.csv",
        "excluded.csv",
        "inspectors.csv",
        "recusals.csv",
        "result.json",
        "params-public.json",
        "candidates-public.csv",
        "result-public.json",
        "ceremony.json",
    }
    scheme_in = doc["components"]["schemas"]["SchemeIn"]["properties"]
    assert {"strata", "team_slots", "filters", "window_start", "publish_list_at"} <= set(scheme_in)
