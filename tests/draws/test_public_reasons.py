"""A substitution's public reason is a code from one list; free text stays internal (issue 17, item 9).

The bypass: "孙之峰 休病假", typed as a substitution's reason, reached the portal verbatim.
"""

import pytest

from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.directory.rows import RowInvalid
from shuangsuiji.draws import services
from shuangsuiji.draws.labels import INSPECTOR_REASONS, OBJECT_REASONS
from shuangsuiji.draws.models import Selection, Substitution, TeamMember
from tests import factories
from tests.api.conftest import ApiClient
from tests.conftest import login
from tests.draws.helpers import ANNOUNCED, REVEALS, SOURCES, THROWN_BY, WITNESSES, published_scheme

pytestmark = pytest.mark.today("2026-11-27")

SICK = "孙之峰 休病假"


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def _drawn(alice, **extra):
    scheme = published_scheme(alice, **extra)
    draw = services.draw_freeze(actor=alice, scheme=scheme, sources=SOURCES, announced=ANNOUNCED)
    return scheme, services.draw_perform(
        actor=alice, draw=draw, witnesses=WITNESSES, reveals=REVEALS, thrown_by=THROWN_BY
    )


@pytest.fixture
def drawn(alice):
    return _drawn(alice)


@pytest.fixture
def joint(alice):
    for _ in range(3):
        factories.inspector("WJW")
    return _drawn(alice, team_slots={"SCJG": 2, "WJW": 1})


def _selected(draw):
    return Selection.objects.filter(draw=draw, role="selected", active=True).select_related("object").first()


def _member(draw, department="SCJG"):
    return (
        TeamMember.objects.filter(selection__draw=draw, active=True, department__code=department)
        .select_related("inspector")
        .first()
    )


# --- the service -------------------------------------------------------------------------------------------------


def test_alice_cannot_substitute_an_object_without_a_public_reason_code(alice, drawn):
    _, draw = drawn
    with pytest.raises(RowInvalid) as e:
        services.selection_substitute(actor=alice, selection=_selected(draw), reason_code="", note="已迁出")
    assert e.value.errors[0][0] == "公开理由" and "已迁出" in e.value.errors[0][1]
    assert not Substitution.objects.exists()


def test_alice_cannot_publish_free_text_as_a_reason_code(alice, drawn):
    _, draw = drawn
    with pytest.raises(RowInvalid, match="不是可选的公开理由"):
        services.member_substitute(actor=alice, member=_member(draw), reason_code=SICK)
    assert not Substitution.objects.exists()


def test_an_object_reason_does_not_fit_an_inspector_nor_the_other_way_round(alice, drawn):
    _, draw = drawn
    with pytest.raises(RowInvalid, match="公开理由"):
        services.member_substitute(actor=alice, member=_member(draw), reason_code="MOVED_OUT")
    with pytest.raises(RowInvalid, match="公开理由"):
        services.selection_substitute(actor=alice, selection=_selected(draw), reason_code="RECUSAL")


def test_the_note_is_kept_internally_and_in_the_audit_trail(alice, drawn):
    _, draw = drawn
    services.member_substitute(actor=alice, member=_member(draw), reason_code="UNAVAILABLE", note=SICK)
    sub = Substitution.objects.get()
    assert (sub.reason_code, sub.reason_label, sub.note) == ("UNAVAILABLE", "因故无法到岗", SICK)
    event = AuditEvent.objects.get(action="draw.substitute_inspector")
    assert event.reason == f"因故无法到岗：{SICK}" and event.after["reason_code"] == "UNAVAILABLE"


# --- the portal --------------------------------------------------------------------------------------------------


def test_the_public_sees_the_label_and_never_the_note(client, alice, drawn):
    scheme, draw = drawn
    new = services.selection_substitute(
        actor=alice, selection=_selected(draw), reason_code="NOT_FOUND", note="法定代表人张某电话停机"
    )
    member = TeamMember.objects.filter(selection=new, active=True).first()
    services.member_substitute(actor=alice, member=member, reason_code="UNAVAILABLE", note=SICK)
    page = client.get(f"/portal/tasks/{scheme.pk}/").content.decode()
    assert "查无此户" in page and "因故无法到岗" in page
    assert SICK not in page and "孙之峰" not in page and "张某" not in page
    files = b"".join(
        client.get(f"/portal/draws/{draw.pk}/files/{name}").getvalue()
        for name in services.public_file_names(draw)
    ).decode()
    assert SICK not in files


# --- the pages ---------------------------------------------------------------------------------------------------


def test_alice_picks_a_public_reason_on_the_draw_page_and_adds_an_internal_note(client, alice, drawn):
    _, draw = drawn
    login(client, alice)
    page = client.get(f"/draws/{draw.pk}/").content.decode()
    assert all(label in page for label in OBJECT_REASONS.values())
    assert all(label in page for label in INSPECTOR_REASONS.values())
    member = _member(draw)
    client.post(
        f"/draws/{draw.pk}/members/{member.pk}/substitute/", {"reason_code": "UNAVAILABLE", "note": SICK}
    )
    page = client.get(f"/draws/{draw.pk}/").content.decode()
    assert "因故无法到岗" in page and SICK in page  # alice's department made the substitution


def test_a_page_form_without_a_reason_code_is_refused_naming_the_field(client, alice, drawn):
    _, draw = drawn
    login(client, alice)
    sel = _selected(draw)
    r = client.post(f"/draws/{draw.pk}/selections/{sel.pk}/substitute/", {"note": "已迁出"}, follow=True)
    assert "公开理由" in r.content.decode()
    assert not Substitution.objects.exists()


def test_bob_sees_the_note_on_his_own_inspector_but_not_on_an_object_of_the_lead(client, alice, bob, joint):
    _, draw = joint
    services.member_substitute(actor=alice, member=_member(draw, "WJW"), reason_code="UNAVAILABLE", note=SICK)
    services.selection_substitute(
        actor=alice, selection=_selected(draw), reason_code="SUSPENDED", note="店主张某住院"
    )
    login(client, bob)
    page = client.get(f"/draws/{draw.pk}/").content.decode()
    assert SICK in page and "停业歇业" in page and "店主张某住院" not in page


# --- the API -----------------------------------------------------------------------------------------------------


def test_the_api_refuses_a_substitution_without_or_with_an_unknown_reason_code_in_chinese(alice, drawn):
    _, draw = drawn
    c = ApiClient(alice)
    path = f"/draws/{draw.pk}/selections/{_selected(draw).pk}/substitute"
    missing = c.post(path, {"note": "已迁出"})
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "公开理由"
    unknown = c.post(path, {"reason_code": "已迁出"})
    assert unknown.status_code == 422
    assert (
        unknown.json()["errors"] == [{"field": "公开理由", "reason": unknown.json()["errors"][0]["reason"]}]
        and "MOVED_OUT（已迁出）" in unknown.json()["errors"][0]["reason"]
    )
    assert not Substitution.objects.exists()


def test_the_api_gives_the_note_only_to_those_who_may_read_it(alice, bob, joint):
    _, draw = joint
    sel = _selected(draw)
    r = ApiClient(alice).post(
        f"/draws/{draw.pk}/selections/{sel.pk}/substitute",
        {"reason_code": "MOVED_OUT", "note": "店主张某住院"},
    )
    assert r.status_code == 200, r.content.decode()
    (mine,) = ApiClient(alice).get(f"/draws/{draw.pk}/substitutions").json()
    assert (mine["reason_code"], mine["reason"], mine["note"]) == ("MOVED_OUT", "已迁出", "店主张某住院")
    (theirs,) = ApiClient(bob).get(f"/draws/{draw.pk}/substitutions").json()
    assert theirs["reason"] == "已迁出" and theirs["note"] == ""
