"""Issue 17 (2), art. 9 原则上: a department that must check a named firm beyond the cap records the legal reason;
the joint office approves or refuses (audited); approved exemptions are public, without any person's name."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.caps import services
from shuangsuiji.caps.models import CapExemption, ExemptionStatus
from shuangsuiji.directory.rows import RowInvalid
from shuangsuiji.planning.states import TransitionError
from tests.api.conftest import ApiClient
from tests.conftest import login

from .helpers import checked, firms, reasons, wjw_scheme

pytestmark = pytest.mark.today("2026-11-27")

LEGAL_REASON = "《公共场所卫生管理条例》第十条：发生危害健康事故后须复查"


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def checked_twice(alice):
    """Three firms SCJG already checked twice in 2026."""
    three = firms(3)
    checked(alice, times=2)
    return three


def test_bob_asks_for_a_firm_through_the_api_and_it_stays_excluded_until_approved(bob, checked_twice):
    firm = checked_twice[0]
    r = ApiClient(bob).post("/cap-exemptions", {"object_id": firm.pk, "year": 2026, "reason": LEGAL_REASON})
    assert r.status_code == 201
    assert r.json()["status"] == "pending" and r.json()["department_code"] == "WJW"
    assert AuditEvent.objects.filter(action="caps.exemption_request", actor=bob).count() == 1
    assert reasons(wjw_scheme(bob))[firm.code] == "CAP_REACHED"


def test_olivia_approves_on_her_page_and_only_that_firm_is_drawn_beyond_the_cap(bob, olivia, checked_twice):
    firm, other, _ = checked_twice
    exemption = services.cap_exemption_request(actor=bob, obj=firm, year=2026, reason=LEGAL_REASON)
    client = Client()
    login(client, olivia)
    r = client.post(reverse("cap_exemption_decide", args=[exemption.pk, "approve"]), {"comment": "同意复查"})
    assert r.status_code == 302
    exemption.refresh_from_db()
    assert exemption.status == ExemptionStatus.APPROVED and exemption.decided_by == olivia
    event = AuditEvent.objects.get(action="caps.exemption_approve")
    assert event.actor == olivia and event.after["object"] == firm.code and event.reason == "同意复查"
    why = reasons(wjw_scheme(bob))
    assert why[firm.code] == "CANDIDATE" and why[other.code] == "CAP_REACHED"


def test_the_portal_publishes_approved_exemptions_without_names(bob, olivia, checked_twice):
    firm, refused_firm, _ = checked_twice
    services.cap_exemption_approve(
        actor=olivia,
        exemption=services.cap_exemption_request(actor=bob, obj=firm, year=2026, reason=LEGAL_REASON),
    )
    services.cap_exemption_request(actor=bob, obj=refused_firm, year=2026, reason="仅为完成任务数量")
    html = Client().get(reverse("portal:caps")).content.decode()
    assert firm.name in html and firm.code in html and bob.department.name in html
    assert LEGAL_REASON in html
    assert refused_firm.code not in html and "仅为完成任务数量" not in html  # a pending request is not public
    assert "Bob" not in html and "Olivia" not in html


def test_alice_and_bob_cannot_approve(alice, bob, checked_twice):
    exemption = services.cap_exemption_request(
        actor=bob, obj=checked_twice[0], year=2026, reason=LEGAL_REASON
    )
    for user in (alice, bob):
        with pytest.raises(PermissionDenied, match="只有联席会议办公室"):
            services.cap_exemption_approve(actor=user, exemption=exemption)
    assert ApiClient(bob).post(f"/cap-exemptions/{exemption.pk}/approve", {}).status_code == 403
    # alice does not even see WJW's request.
    assert ApiClient(alice).post(f"/cap-exemptions/{exemption.pk}/approve", {}).status_code == 404
    exemption.refresh_from_db()
    assert exemption.status == ExemptionStatus.PENDING


def test_only_a_department_administrator_asks(amy, olivia, checked_twice):
    for user in (amy, olivia):
        with pytest.raises(PermissionDenied, match="只有部门管理员"):
            services.cap_exemption_request(actor=user, obj=checked_twice[0], year=2026, reason=LEGAL_REASON)


def test_a_request_needs_its_legal_reason(bob, checked_twice):
    with pytest.raises(RowInvalid) as e:
        services.cap_exemption_request(actor=bob, obj=checked_twice[0], year=2026, reason=" ")
    assert e.value.errors == [("超过上限的法定理由", "必须填写")]
    r = ApiClient(bob).post("/cap-exemptions", {"object_id": checked_twice[0].pk, "year": 2026})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "超过上限的法定理由"
    assert not CapExemption.objects.exists()


def test_a_refusal_needs_a_reason_and_helps_nobody(bob, olivia, checked_twice):
    firm = checked_twice[0]
    exemption = services.cap_exemption_request(actor=bob, obj=firm, year=2026, reason=LEGAL_REASON)
    r = ApiClient(olivia).post(f"/cap-exemptions/{exemption.pk}/refuse", {"comment": ""})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "联席会议办公室意见"
    r = ApiClient(olivia).post(f"/cap-exemptions/{exemption.pk}/refuse", {"comment": "理由不属于法定情形"})
    assert r.status_code == 200 and r.json()["status"] == "refused"
    assert AuditEvent.objects.filter(action="caps.exemption_refuse", actor=olivia).count() == 1
    assert reasons(wjw_scheme(bob))[firm.code] == "CAP_REACHED"
    with pytest.raises(TransitionError):
        services.cap_exemption_approve(actor=olivia, exemption=exemption)


def test_an_exemption_covers_only_its_department_year_and_scheme(alice, bob, olivia, checked_twice):
    firm = checked_twice[0]
    named = wjw_scheme(bob)
    other = wjw_scheme(bob)
    services.cap_exemption_approve(
        actor=olivia,
        exemption=services.cap_exemption_request(
            actor=bob, obj=firm, year=2026, reason=LEGAL_REASON, scheme=named
        ),
    )
    services.cap_exemption_approve(
        actor=olivia,
        exemption=services.cap_exemption_request(
            actor=bob, obj=checked_twice[1], year=2027, reason=LEGAL_REASON
        ),
    )
    assert reasons(named)[firm.code] == "CANDIDATE"
    assert reasons(other)[firm.code] == "CAP_REACHED"
    assert reasons(named)[checked_twice[1].code] == "CAP_REACHED"  # approved for 2027, not 2026
    # SCJG's own schemes are not covered by WJW's exemption.
    from tests.draws.helpers import published_scheme

    scjg = published_scheme(alice, entities=0, inspectors=2, strata={"A": {"ratio": "1"}}, same_item_days=0)
    assert reasons(scjg)[firm.code] == "CAP_REACHED"


def test_bob_cannot_name_another_departments_scheme(alice, bob, checked_twice):
    from tests.draws.helpers import published_scheme

    scjg = published_scheme(alice, entities=0, inspectors=2, strata={"A": {"ratio": "1"}}, same_item_days=0)
    with pytest.raises(RowInvalid, match="只能为本部门牵头的工作方案申请"):
        services.cap_exemption_request(
            actor=bob, obj=checked_twice[0], year=2026, reason=LEGAL_REASON, scheme=scjg
        )


def test_bob_asks_on_the_page_and_olivia_sees_the_request(bob, olivia, checked_twice):
    firm = checked_twice[0]
    client = Client()
    login(client, bob)
    r = client.post(
        reverse("cap_exemption_request"), {"object_code": firm.code, "year": "2026", "reason": ""}
    )
    assert r.status_code == 302 and not CapExemption.objects.exists()
    client.post(
        reverse("cap_exemption_request"), {"object_code": firm.code, "year": "2026", "reason": LEGAL_REASON}
    )
    assert CapExemption.objects.get().department.code == "WJW"
    office = Client()
    login(office, olivia)
    html = office.get(reverse("caps")).content.decode()
    assert (
        LEGAL_REASON in html
        and reverse("cap_exemption_decide", args=[CapExemption.objects.get().pk, "approve"]) in html
    )
