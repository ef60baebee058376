"""Malformed requests end in a 4xx with a Chinese message, never in a server error (schemathesis will fuzz this)."""

import pytest

from tests import factories

from .conftest import ApiClient

HUGE = "9" * 30
BIG = str(2**63)

BAD_GETS = [
    ("/objects", {"page": 0}),
    ("/objects", {"page": -1}),
    ("/objects", {"page_size": 10000}),
    ("/objects", {"page": "abc"}),
    ("/objects", {"page": HUGE}),
    ("/objects", {"kind": "公司"}),
    ("/objects", {"status": "active"}),
    ("/objects", {"region": "寺坡"}),
    ("/objects", {"region": BIG}),
    ("/objects", {"supervised_by": "-5"}),
    ("/objects", {"abnormal": "也许"}),
    ("/objects", {"q": "名称\x00"}),
    ("/objects", {"risk": "ABCDEFGHIJ"}),
    ("/objects", {"industry": "F52121"}),
    ("/inspectors", {"status": "在职"}),
    ("/inspectors", {"drawable": "maybe"}),
    ("/inspectors", {"department": "SCJG"}),
    ("/items", {"category": "普通"}),
    ("/items", {"status": "valid"}),
    ("/objects/abc", {}),
    ("/objects/0", {}),
    ("/objects/-1", {}),
    (f"/objects/{HUGE}", {}),
    (f"/objects/{BIG}", {}),
    ("/inspectors/1.5", {}),
    ("/items/x/versions", {}),
    ("/items/1/versions/abc", {}),
    (f"/items/1/versions/{HUGE}", {}),
]


@pytest.mark.parametrize(("path", "params"), BAD_GETS)
def test_it_answers_a_malformed_read_with_a_4xx(alice, path, params):
    factories.item()
    r = ApiClient(alice).get(path, **params)
    assert 400 <= r.status_code < 500, (path, params, r.status_code)
    if r.status_code == 422:
        assert r.json()["errors"], r.content


def test_it_names_the_bad_query_parameter_in_chinese(alice):
    r = ApiClient(alice).get("/objects", kind="公司", page_size=10000)
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"类别", "每页条数"}
    assert "企业" in next(e["reason"] for e in r.json()["errors"] if e["field"] == "类别")


def test_a_huge_page_number_is_just_an_empty_page(alice):
    factories.entity()
    r = ApiClient(alice).get("/objects", page=10**15)
    assert r.status_code == 200 and r.json()["results"] == []


@pytest.fixture
def records(db):
    return {"obj": factories.entity(), "ins": factories.inspector(), "item": factories.item()}


def bad_writes(r) -> list[tuple[str, str, object]]:
    obj, ins, item = r["obj"].pk, r["ins"].pk, r["item"].pk
    return [
        ("post", "/objects", {"code": "\x00", "name": "x", "kind": "企业"}),
        ("post", "/objects", {"code": factories.uscc("1"), "name": "名称\x00", "kind": "企业"}),
        (
            "post",
            "/objects",
            {"code": factories.uscc("1"), "name": "x", "kind": "企业", "complaints_12m": 10**12},
        ),
        ("post", "/objects", {"code": factories.uscc("1"), "name": "x", "kind": "企业", "region_id": 10**30}),
        ("post", "/objects", {"code": factories.uscc("1"), "name": "x", "kind": "企业", "region_id": True}),
        ("post", "/objects", {"code": factories.uscc("1"), "name": "x" * 201, "kind": "企业"}),
        ("post", "/objects", {"code": "P" * 65, "name": "x", "kind": "产品"}),
        ("post", "/objects", [1, 2, 3]),
        ("post", "/objects", "just a string"),
        ("post", "/objects", None),
        ("patch", f"/objects/{obj}", {"abnormal_list": "也许"}),
        ("patch", f"/objects/{obj}", {"name": None}),
        ("put", f"/objects/{obj}/supervision", {"tags": "食品"}),
        ("put", f"/objects/{obj}/supervision", {"tags": ["x"] * 51}),
        ("put", f"/objects/{obj}/supervision", {"tags": [], "note": "x" * 301}),
        (
            "post",
            "/inspectors",
            {"department_id": "SCJG", "name": "x", "cert_no": "1", "cert_expires": "99999-1-1"},
        ),
        (
            "post",
            "/inspectors",
            {"department_id": 10**30, "name": "x", "cert_no": "1", "cert_expires": "2030-1-1"},
        ),
        (
            "post",
            "/inspectors",
            {"department_id": "SCJG", "name": "x" * 51, "cert_no": "1", "cert_expires": "2030-1-1"},
        ),
        ("patch", f"/inspectors/{ins}", {"qualifications": "食品"}),
        ("patch", f"/inspectors/{ins}", {"status": "退休"}),
        ("patch", f"/inspectors/{ins}", {"cert_expires": None}),
        ("post", f"/inspectors/{ins}/conflicts", {"object_id": "abc", "reason": "x"}),
        ("post", f"/inspectors/{ins}/conflicts", {"object_id": 10**30, "reason": "x"}),
        ("post", f"/inspectors/{ins}/conflicts", {"object_id": obj, "reason": "x" * 201}),
        ("post", f"/inspectors/{ins}/personal-data", {}),
        ("post", f"/inspectors/{ins}/personal-data", {"purpose": "x" * 201}),
        (
            "post",
            "/items",
            {
                "code": "X",
                "name": "x",
                "department_id": "SCJG",
                "legal_basis": "x",
                "methods": [],
                "category": "一般",
                "ratio_cap": "0.1",
            },
        ),
        (
            "post",
            "/items",
            {
                "code": "X",
                "name": "x",
                "department_id": "SCJG",
                "legal_basis": "x",
                "methods": ["书面检查"],
                "category": "重点",
                "default_ratio": "NaN",
            },
        ),
        (
            "post",
            "/items",
            {
                "code": "X",
                "name": "x",
                "department_id": "SCJG",
                "legal_basis": "x",
                "methods": ["书面检查"],
                "category": "重点",
                "default_ratio": "1e-9",
            },
        ),
        (
            "post",
            "/items",
            {
                "code": "X",
                "name": "x",
                "department_id": "SCJG",
                "legal_basis": "x",
                "methods": ["书面检查"],
                "category": "重点",
                "default_ratio": "Infinity",
            },
        ),
        ("patch", f"/items/{item}", {"name": "x", "reason": "x" * 301}),
        ("patch", f"/items/{item}", {"methods": ["电话"], "reason": "x"}),
        ("post", f"/items/{item}/retire", {}),
        ("post", f"/items/{item}/retire", {"reason": " "}),
    ]


@pytest.mark.parametrize("n", range(34))
def test_it_answers_a_malformed_write_with_a_4xx(alice, records, n):
    method, path, body = bad_writes(records)[n]
    r = getattr(ApiClient(alice), method)(path, body)
    assert 400 <= r.status_code < 500, (method, path, body, r.status_code, r.content)
    if r.status_code == 422:
        assert all(e["field"] and e["reason"] for e in r.json()["errors"]), r.content


def test_the_bad_write_list_is_fully_parametrized(records):
    assert len(bad_writes(records)) == 34


def test_it_answers_a_body_that_is_not_json_with_400(alice):
    r = ApiClient(alice).client.post("/api/v1/objects", "{not json", content_type="application/json")
    assert r.status_code == 400


def test_it_answers_a_lone_surrogate_with_a_4xx(alice, records):
    r = ApiClient(alice).client.patch(
        f"/api/v1/objects/{records['obj'].pk}", '{"name": "\\ud800"}', content_type="application/json"
    )
    assert 400 <= r.status_code < 500
