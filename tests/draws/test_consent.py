"""Issue 11 (7): one department cannot draft another's inspectors; a joint plan or the department's consent can."""

import pytest

from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.draws import services as draws
from shuangsuiji.draws.services import DrawRefused
from shuangsuiji.planning import services as planning
from shuangsuiji.planning.models import SchemeConsent
from tests import factories
from tests.api.conftest import ApiClient
from tests.conftest import login
from tests.draws.helpers import ANNOUNCED, SOURCES, published_scheme

pytestmark = pytest.mark.today("2026-11-27")


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def joint(alice):
    for _ in range(3):
        factories.inspector("WJW")
    return published_scheme(alice, team_slots={"SCJG": 2, "WJW": 5}, consent=False)


def test_an_ad_hoc_task_cannot_draw_another_departments_inspectors_without_its_consent(joint, alice):
    with pytest.raises(
        DrawRefused,
        match="舞钢市卫生健康委员会的检查人员名额既不来自列明该部门的联合抽查计划，也未经该部门同意",
    ):
        draws.draw_freeze(actor=alice, scheme=joint, sources=SOURCES, announced=ANNOUNCED)
    assert not joint.draws.exists()


def test_the_other_departments_administrator_accepts_on_the_page_and_the_freeze_goes_ahead(
    joint, alice, bob, client
):
    login(client, bob)
    page = client.get(f"/schemes/{joint.pk}/").content.decode()
    assert "卫生健康委员会 5 人" in page and "本部门同意参加（派出 5 名检查人员）" in page
    r = client.post(f"/schemes/{joint.pk}/accept/")
    assert r.status_code == 302
    consent = SchemeConsent.objects.get(scheme=joint)
    assert consent.accepted_by == bob and consent.department.code == "WJW"
    event = AuditEvent.objects.get(action="scheme.accept")
    assert event.actor_id == bob.pk and event.after == {"department": "WJW", "slots": 5}
    assert "本部门同意参加" not in client.get(f"/schemes/{joint.pk}/").content.decode()
    draw = draws.draw_freeze(actor=alice, scheme=joint, sources=SOURCES, announced=ANNOUNCED)
    assert draw.status == "frozen"


def test_only_a_participating_departments_administrator_may_accept(joint, alice, amy):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied, match="本部门不是该任务的参加部门"):
        planning.scheme_accept(actor=alice, scheme=joint)  # the lead department does not consent to itself
    with pytest.raises(PermissionDenied):
        planning.scheme_accept(actor=amy, scheme=joint)
    assert not SchemeConsent.objects.exists()


def test_the_api_shows_who_must_still_accept_and_takes_the_acceptance(joint, alice, bob):
    assert ApiClient(alice).get(f"/schemes/{joint.pk}").json()["awaiting_consent"] == ["WJW"]
    r = ApiClient(bob).post(f"/schemes/{joint.pk}/accept", {})
    assert r.status_code == 200 and r.json()["awaiting_consent"] == []
    r = ApiClient(bob).post(f"/schemes/{joint.pk}/accept", {})
    assert r.status_code == 422 and "已确认参加" in r.json()["errors"][0]["reason"]


def test_a_joint_plan_naming_the_department_needs_no_separate_consent(alice, olivia, wjw):
    item = factories.item("SCJG", category="重点", ratio_cap=None)
    plan = planning.plan_create(
        actor=alice, kind="joint", year=2026, title="联合计划", participant_ids=[wjw.pk]
    )
    planning.plan_item_add(actor=alice, plan=plan, item=item, ratio="0.1")
    batch = planning.plan_batch_add(actor=alice, plan=plan, name="联合批次", month=12)
    planning.plan_submit(actor=alice, plan=plan)
    planning.plan_approve(actor=olivia, plan=plan, comment="同意")
    for _ in range(3):
        factories.inspector("WJW")
    scheme = published_scheme(
        alice,
        items=[item],
        batch_id=batch.pk,
        adhoc_reason="",
        team_slots={"SCJG": 2, "WJW": 1},
        consent=False,
    )
    assert planning.slots_without_consent(scheme) == []
