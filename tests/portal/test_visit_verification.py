"""Issue 14, part 2: a firm verifies the visit with the 核验码 printed on its 登记表, through the portal's HTTP pages.

The task publishes its drawn list only after the window, so the portal shows nobody's visit — but the code holder
sees its own, and nothing of anyone else's; the department sees how often each code was looked up."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from shuangsuiji.draws import services as draws
from shuangsuiji.draws.models import Selection, SelectionRole, VisitCode
from shuangsuiji.draws.visit_codes import visit_qr_svg
from tests import factories
from tests.conftest import login
from tests.draws.helpers import ANNOUNCED, sources_after
from tests.inspections.helpers import drawn_selection
from tests.portal.helpers import RISK_NAMES, personal_data

# drawn_selection's window runs 10 days either side of today.
pytestmark = pytest.mark.today("2026-12-05")


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def selection(alice, bob):
    """A drawn object of a joint task of 市场监管局 (2 inspectors) and 卫健委 (1); the list is public after the window."""
    factories.inspector("WJW")
    items = [
        factories.item("SCJG", category="重点", ratio_cap=None, name="特种设备使用单位检查"),
        factories.item("WJW", category="重点", ratio_cap=None, name="公共场所卫生检查"),
    ]
    return drawn_selection(
        alice,
        entities=8,
        inspectors=2,
        team_slots={"SCJG": 2, "WJW": 1},
        items=items,
        publish_list_at="window_end",
    )


def verify(client: Client, code: str, **extra):
    return client.get(f"/portal/verify/{code}", **extra)


def test_a_firm_sees_its_own_visit_and_nothing_of_anyone_else(selection, alice):
    draw, scheme = selection.draw, selection.draw.scheme
    code = selection.visit_code
    others = Selection.objects.filter(draw=draw).exclude(pk=selection.pk).select_related("object")
    assert others and all(
        re.fullmatch(r"[2-9A-HJKMNP-Z]{10}", c) for c in VisitCode.objects.values_list("code", flat=True)
    )
    # Every object to visit has a code, no reserve has one.
    assert set(VisitCode.objects.values_list("selection__role", flat=True)) == {SelectionRole.SELECTED}

    public = Client()
    # The list is not public yet: the task page names no drawn object.
    task_page = public.get(f"/portal/tasks/{scheme.pk}/").content.decode()
    assert selection.object.name not in task_page

    r = verify(public, code.code)
    assert r.status_code == 200
    page = r.content.decode()
    assert "是已登记的“双随机”抽查" in page and selection.object.name in page
    assert scheme.task_no in page and "舞钢市市场监督管理局" in page and "舞钢市卫生健康委员会" in page
    assert "特种设备使用单位检查" in page and "公共场所卫生检查" in page
    assert f"{scheme.window_start:%Y-%m-%d} 至 {scheme.window_end:%Y-%m-%d}" in page
    team = list(selection.team.filter(active=True).select_related("inspector"))
    assert len(team) == 3
    for member in team:
        assert member.inspector.name in page and member.inspector.cert_no in page
    # Nothing of anyone else, nothing confidential: no other firm, no stratum, no risk class, no phone or ID number.
    for other in others:
        assert other.object.name not in page and other.object.code not in page
    assert "分层" not in page and not any(opaque in page for opaque in draw.strata_map)
    assert not any(name in page for name in RISK_NAMES)
    assert personal_data(page) == []
    assert "12345" in page  # what to do if a claimed check is not here

    # A firm that cannot scan types it: lower case, spaces, full-width letters all find the same page.
    typed = " ".join(code.display.lower())
    r = public.get("/portal/verify/", {"code": typed})
    assert r.status_code == 302 and r["Location"] == f"/portal/verify/{code.code}"
    wide = "".join(chr(ord(c) + 0xFEE0) for c in code.code)  # ＡＢＣ… from a Chinese input method
    assert public.get("/portal/verify/", {"code": wide})["Location"] == f"/portal/verify/{code.code}"
    assert verify(public, code.code).status_code == 200

    # Every lookup is counted (a number, never who); the department sees it on the draw page, with the code and QR.
    code.refresh_from_db()
    assert code.lookups == 2
    login(staff := Client(), alice)
    draw_page = staff.get(f"/draws/{draw.pk}/").content.decode()
    assert code.display in draw_page and '已核验 <b class="lookups">2</b> 次' in draw_page
    qr = staff.get(f"/draws/{draw.pk}/selections/{selection.pk}/qr.svg")
    assert qr.status_code == 200 and qr["Content-Type"].startswith("image/svg+xml") and b"<path" in qr.content

    # The 登记表 prints the code and the QR code of its page (served by the server, no CDN).
    register = staff.get(f"/draws/{draw.pk}/register/{selection.pk}/").content.decode()
    assert code.display in register
    assert visit_qr_svg(f"http://testserver/portal/verify/{code.code}") in register
    assert "<script src=" not in register


def test_a_wrong_code_shows_the_warning_page(db):
    client = Client()
    r = verify(client, "ABCDE23456")
    assert r.status_code == 404
    page = r.content.decode()
    assert "未找到该核验码" in page and "这不是已登记的“双随机”抽查" in page and "12345" in page
    r = client.get("/portal/verify/", {"code": "not-a-code"})
    assert r.status_code == 400 and "不是有效的核验码" in r.content.decode()
    assert client.get("/portal/verify/").status_code == 200


def _on(day: datetime.date):
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    )


def test_a_code_shown_after_its_window_warns_that_the_check_period_is_over(selection):
    """The code outlives the window on the firm's paper: a visit claimed under it after the window is suspect."""
    scheme, code = selection.draw.scheme, selection.visit_code
    with _on(scheme.window_end):
        page = verify(Client(), code.code).content.decode()
        assert "进行中" in page and "检查期限已过" not in page
    with _on(scheme.window_end + datetime.timedelta(days=1)):
        r = verify(Client(), code.code)
        page = r.content.decode()
        assert r.status_code == 200 and selection.object.name in page
        assert "已结束" in page and "检查期限已过" in page and "请向检查部门核实" in page
    with _on(scheme.window_start - datetime.timedelta(days=1)):
        page = verify(Client(), code.code).content.decode()
        assert "尚未开始" in page and "检查期限已过" not in page


@pytest.mark.parametrize(
    "path",
    [
        "/portal/verify/" + "A" * 10_000,
        "/portal/verify/ABCDE%0023456",
        "/portal/verify/?code=ABC%00DE",
        "/portal/verify/%E6%A0%B8%E9%AA%8C%EF%BC%A1%F0%9F%98%80",
        "/portal/verify/?code=" + "%E2%80%AE" * 50,
        "/portal/verify/?code=%C3%9F" * 3,
        "/portal/verify/%2e%2e",
    ],
    ids=["long", "nul-path", "nul-query", "unicode", "bidi", "sharp-s", "dots"],
)
def test_a_hostile_code_is_a_4xx_never_a_500(db, path):
    r = Client().get(path)
    assert r.status_code in (400, 404), (path, r.status_code)


def test_a_replaced_objects_code_stops_verifying_and_the_reserve_gets_its_own(selection, alice):
    old_code = selection.visit_code.code
    new = draws.selection_substitute(
        actor=alice, selection=selection, reason_code="NOT_FOUND", note="查无此户"
    )
    client = Client()

    page = verify(client, old_code).content.decode()
    assert "已被替换" in page and "是已登记的“双随机”抽查" not in page
    assert new.object.name not in page  # not even who took over
    for member in new.team.filter(active=True).select_related("inspector"):
        assert member.inspector.cert_no not in page

    new_code = VisitCode.objects.get(selection=new).code
    assert new_code != old_code
    page = verify(client, new_code).content.decode()
    assert "是已登记的“双随机”抽查" in page and new.object.name in page

    # A redraw voids every code of the draw it supersedes.
    draws.draw_freeze(
        actor=alice,
        scheme=selection.draw.scheme,
        sources=sources_after(selection.draw.scheme.window_start),
        announced=ANNOUNCED,
        redraw_reason="彩票停开，改期",
    )
    page = verify(client, new_code).content.decode()
    assert "已被重新抽取取代" in page and "是已登记的“双随机”抽查" not in page
    assert VisitCode.objects.get(code=old_code).lookups == 1


def test_lookups_are_rate_limited_per_client(db, settings):
    settings.VERIFY_RATE_LIMIT = 3
    one, other = Client(REMOTE_ADDR="10.0.0.1"), Client(REMOTE_ADDR="10.0.0.2")
    for _ in range(3):
        assert verify(one, "ABCDE23456").status_code == 404
    r = verify(one, "ABCDE23457")
    assert r.status_code == 429 and "查询过于频繁" in r.content.decode() and r["Retry-After"] == "600"
    assert one.get("/portal/verify/", {"code": "x"}).status_code == 429
    assert verify(other, "ABCDE23456").status_code == 404

    # Behind a proxy that names the client in a header, clients are told apart by that header.
    settings.CLIENT_IP_HEADER = "X-Real-IP"
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    assert verify(proxy, "ABCDE23456", HTTP_X_REAL_IP="203.0.113.7").status_code == 404
