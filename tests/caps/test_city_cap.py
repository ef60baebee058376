"""Issue 17 (2), art. 9: the same firm at most twice a year across departments, one city-wide cap kept by the joint
office. The reproduced bypass: a WJW scheme with yearly_cap=10 drew firms already checked twice."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.caps import selectors, services
from shuangsuiji.directory.rows import RowInvalid
from shuangsuiji.draws import services as draws
from shuangsuiji.draws.services import draw_dir
from shuangsuiji.planning.models import TaskScheme
from tests.api.conftest import ApiClient
from tests.conftest import login
from tests.draws.helpers import ANNOUNCED, SOURCES

from .helpers import checked, firms, reasons, wjw_scheme

pytestmark = pytest.mark.today("2026-11-27")


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def scheme_body(item, **extra) -> dict:
    return {
        "name": "2026年公共场所卫生抽查",
        "adhoc_reason": "测试",
        "strata": {"A": {"ratio": "1"}},
        "item_ids": [item.pk],
        "methods": ["书面检查"],
        "window_start": "2026-12-01",
        "window_end": "2026-12-20",
        "team_slots": {"WJW": 2},
    } | extra


def test_the_city_cap_is_two_until_the_office_changes_it(db):
    assert selectors.yearly_cap() == 2


def test_bob_cannot_raise_the_cap_in_his_scheme_through_the_api(bob):
    from tests import factories

    item = factories.item("WJW", category="重点", ratio_cap=None, name="公共场所卫生检查")
    r = ApiClient(bob).post("/schemes", scheme_body(item, yearly_cap=10))
    assert r.status_code == 422
    [error] = r.json()["errors"]
    assert error["field"] == "年度抽查次数上限"
    assert "方案不能提高全市年度抽查次数上限（2 次" in error["reason"]
    assert not TaskScheme.objects.exists()


def test_bob_cannot_raise_the_cap_on_the_scheme_page(bob):
    from tests import factories

    item = factories.item("WJW", category="重点", ratio_cap=None)
    client = Client()
    login(client, bob)
    r = client.post(
        reverse("scheme_create"),
        {
            "name": "2026年公共场所卫生抽查",
            "adhoc_reason": "测试",
            "ratio_A": "1",
            "items": [item.pk],
            "methods": ["书面检查"],
            "window_start": "2026-12-01",
            "window_end": "2026-12-20",
            "slots_WJW": "2",
            "yearly_cap": "10",
        },
    )
    assert r.status_code == 200
    assert "年度抽查次数上限：方案不能提高全市年度抽查次数上限" in r.content.decode()
    assert not TaskScheme.objects.exists()


def test_a_scheme_may_be_stricter_than_the_city(alice, bob):
    firms(3)
    checked(alice, times=1)
    scheme = wjw_scheme(bob, yearly_cap=1)
    assert set(reasons(scheme).values()) == {"CAP_REACHED"}


def test_a_wjw_scheme_leaves_out_the_firms_scjg_checked_twice(alice, bob):
    four = firms(4)
    checked(alice, times=2)
    [new] = firms(1, name="舞钢市新开业商店")
    scheme = wjw_scheme(bob)
    draw = draws.draw_freeze(actor=bob, scheme=scheme, sources=SOURCES, announced=ANNOUNCED)
    lines = (draw_dir(draw) / "excluded.csv").read_text(encoding="utf-8").splitlines()
    assert sorted(lines) == sorted(f"{f.code},CAP_REACHED" for f in four)
    assert reasons(scheme)[new.code] == "CANDIDATE"


def test_firms_checked_once_are_still_drawn_under_the_default_cap(alice, bob):
    firms(3)
    checked(alice, times=1)
    assert set(reasons(wjw_scheme(bob)).values()) == {"CANDIDATE"}


def test_only_the_office_changes_the_city_cap(alice, bob, amy):
    for user in (alice, bob, amy):
        with pytest.raises(PermissionDenied, match="只有联席会议办公室"):
            services.yearly_cap_set(actor=user, value=3, reason="试图提高")
    assert (
        selectors.yearly_cap() == 2 and not AuditEvent.objects.filter(action="caps.yearly_cap_set").exists()
    )


def test_olivia_lowers_the_cap_with_a_reason_and_every_department_follows(alice, bob, olivia):
    firms(3)
    checked(alice, times=1)
    client = Client()
    login(client, olivia)
    r = client.post(reverse("cap_set"), {"value": "1", "reason": "减少对企业的干扰，2026年联席会议决定"})
    assert r.status_code == 302
    assert selectors.yearly_cap() == 1
    event = AuditEvent.objects.get(action="caps.yearly_cap_set")
    assert event.actor == olivia and event.before == {"value": 2} and event.after["value"] == 1
    assert event.reason == "减少对企业的干扰，2026年联席会议决定"
    assert set(reasons(wjw_scheme(bob)).values()) == {"CAP_REACHED"}


def test_olivia_cannot_change_the_cap_without_a_reason(olivia):
    with pytest.raises(RowInvalid) as e:
        services.yearly_cap_set(actor=olivia, value=3, reason="  ")
    assert e.value.errors == [("理由", "必须填写")]
    with pytest.raises(RowInvalid, match="应为 1—12 之间的整数"):
        services.yearly_cap_set(actor=olivia, value=0, reason="误填")


def test_the_office_changes_the_cap_through_the_api_and_bob_cannot(olivia, bob):
    assert ApiClient(bob).post("/caps/yearly", {"value": 3, "reason": "提高"}).status_code == 403
    r = ApiClient(olivia).post("/caps/yearly", {"value": 3, "reason": "省局要求调整"})
    assert r.status_code == 200
    assert r.json()["yearly_cap"] == 3 and r.json()["history"][0]["reason"] == "省局要求调整"
    assert ApiClient(bob).get("/caps").json()["yearly_cap"] == 3
    r = ApiClient(olivia).post("/caps/yearly", {"value": 3})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "理由"


def test_the_portal_shows_the_cap_and_its_history_without_names(olivia):
    services.yearly_cap_set(actor=olivia, value=1, reason="减少对企业的干扰")
    services.yearly_cap_set(actor=olivia, value=2, reason="恢复第九条默认")
    html = Client().get(reverse("portal:caps")).content.decode()
    assert 'id="city_cap">2 次' in html
    assert "减少对企业的干扰" in html and "恢复第九条默认" in html and "v2" in html
    assert "Olivia" not in html and "olivia" not in html
    task_page_link = reverse("portal:caps")
    assert task_page_link in Client().get(reverse("portal:items")).content.decode()


def test_the_migration_lets_open_schemes_follow_the_city_cap_and_keeps_drawn_ones(alice):
    from tests import factories

    item = factories.item("SCJG", category="重点", ratio_cap=None)
    from shuangsuiji.planning import services as planning

    body = scheme_body(item, team_slots={"SCJG": 2}, yearly_cap=2)
    raised = planning.scheme_create(actor=alice, data=body)
    stricter = planning.scheme_create(actor=alice, data=body | {"yearly_cap": 1})
    drawn = planning.scheme_create(actor=alice, data=body)
    TaskScheme.objects.filter(pk=raised.pk).update(yearly_cap=10)  # as stored before the rule
    TaskScheme.objects.filter(pk=drawn.pk).update(yearly_cap=10, status="drawn")
    migration = importlib.import_module(
        "shuangsuiji.planning.migrations.0003_plan_extra_batches_reason_and_scheme_cap_only_lowers"
    )
    migration.follow_the_city_cap(apps, None)
    caps = dict(TaskScheme.objects.values_list("pk", "yearly_cap"))
    assert caps == {raised.pk: None, stricter.pk: 1, drawn.pk: 10}
    # What a re-freeze of the drawn scheme applies is still the city's cap, never its old 10.
    assert selectors.scheme_yearly_cap(TaskScheme.objects.get(pk=drawn.pk)) == 2
