"""No API response carries a full ID number or mobile number, except the audited reveal endpoint."""

import re

import pytest

from shuangsuiji.directory.models import Conflict, InspectionObject
from tests import factories

from .conftest import ApiClient

ID_NUMBER = re.compile(r"\d{17}[\dX]")
MOBILE = re.compile(r"1[3-9]\d{9}")


def unmasked_numbers(text: str) -> list[str]:
    # Unified social credit codes are 18 characters too and not personal data: take them out before searching.
    for code in InspectionObject.objects.values_list("code", flat=True):
        text = text.replace(code, "")
    return ID_NUMBER.findall(text) + MOBILE.findall(text)


@pytest.fixture
def people(db, wjw):
    scjg = [factories.inspector("SCJG", phone=f"1391234567{i}") for i in range(3)]
    other = factories.inspector("WJW", phone="13712345678")
    obj = factories.entity()
    Conflict.objects.create(inspector=scjg[0], object=obj, reason="亲属")
    return scjg + [other]


@pytest.mark.parametrize("who", ["alice", "olivia", "bob"])
def test_no_response_contains_a_full_id_number_or_mobile(request, people, who):
    user = request.getfixturevalue(who)
    c = ApiClient(user)
    responses = [
        c.get("/inspectors"),
        c.get("/inspectors", page_size=200, drawable="true"),
        c.get("/objects"),
        *[c.get(f"/inspectors/{p.pk}") for p in people],
        *[c.get(f"/inspectors/{p.pk}/conflicts") for p in people],
    ]
    if who == "alice":
        responses.append(
            c.post(
                "/inspectors",
                {
                    "department_id": "SCJG",
                    "name": "新人",
                    "cert_no": "41048177777",
                    "cert_expires": "2030-12-31",
                    "id_number": factories.id_number("19920202", 555),
                    "phone": "15012345678",
                },
            )
        )
        responses.append(c.patch(f"/inspectors/{people[0].pk}", {"phone": "18612345678", "name": "改名"}))
        responses.append(c.post(f"/inspectors/{people[0].pk}/conflicts", {"object_id": 1, "reason": "亲属"}))
    assert any(r.status_code in (200, 201) for r in responses)
    for r in responses:
        text = r.content.decode()
        assert unmasked_numbers(text) == [], (r.request["PATH_INFO"], text)
        for p in people:
            assert p.id_number not in text and p.phone not in text


def test_the_masks_keep_only_the_edges(alice, people):
    body = ApiClient(alice).get(f"/inspectors/{people[0].pk}").json()
    assert body["id_number"] == people[0].id_number[:4] + "*" * 10 + people[0].id_number[-4:]
    assert body["phone"] == people[0].phone[:3] + "****" + people[0].phone[-4:]


def test_the_reveal_endpoint_is_the_only_way_to_the_full_numbers(alice, people):
    r = ApiClient(alice).post(f"/inspectors/{people[0].pk}/personal-data", {"purpose": "核对"})
    assert ID_NUMBER.findall(r.content.decode()) == [people[0].id_number]
    assert people[0].phone in MOBILE.findall(r.content.decode())
