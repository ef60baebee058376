"""The papers inspectors carry (issue 14, part 1): 检查通知书 and 随机抽查检查记录表, through the pages (HTTP)."""

import io
import re

import openpyxl
import pytest

from shuangsuiji.directory.models import Inspector
from shuangsuiji.draws.models import Selection, TeamMember, VisitCode
from tests import factories
from tests.conftest import login
from tests.inspections.helpers import drawn_selection
from tests.web.test_screen_words import raw_codes, visible

pytestmark = pytest.mark.today("2026-12-05")

SUB_ITEMS = ["压力容器定期检验情况", "作业人员持证上岗情况", "安全技术档案建立情况"]


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def joint_draw(alice):
    """A joint task of 市场监管局 (lead, one item with three sub-items) and 卫健委 (one item), drawn."""
    for _ in range(3):
        factories.inspector("WJW")
    scjg_item = factories.item(
        "SCJG",
        category="重点",
        ratio_cap=None,
        name="特种设备使用单位检查",
        legal_basis="《中华人民共和国特种设备安全法》第五十七条",
        sub_items="\n".join(SUB_ITEMS),
    )
    wjw_item = factories.item(
        "WJW",
        name="公共场所卫生检查",
        category="重点",
        ratio_cap=None,
        legal_basis="《公共场所卫生管理条例》第三条",
    )
    selection = drawn_selection(
        alice, entities=12, inspectors=3, items=[scjg_item, wjw_item], team_slots={"SCJG": 2, "WJW": 1}
    )
    return selection.draw


def papers(html: str, kind: str) -> list[str]:
    return re.findall(rf'<section class="paper {kind}".*?</section>', html, flags=re.S)


def test_the_batch_holds_a_notice_and_a_record_sheet_for_each_drawn_object(client, alice):
    draw = joint_draw(alice)
    active = list(Selection.objects.filter(draw=draw, active=True).select_related("object", "visit_code"))
    assert len(active) >= 2
    login(client, alice)
    html = client.get(f"/draws/{draw.pk}/papers/").content.decode()
    notices, records = papers(html, "notice"), papers(html, "record")
    assert len(notices) == len(records) == len(active)
    assert f"共 {len(active)} 个检查对象、{2 * len(active)} 页" in visible(html)

    scheme = draw.scheme
    for sel in active:
        [notice] = [n for n in notices if sel.object.name in n]
        text = visible(notice)
        assert "随机抽查检查通知书" in text and scheme.task_no in text
        assert "特种设备使用单位检查" in text and "《中华人民共和国特种设备安全法》第五十七条" in text
        assert "公共场所卫生检查" in text and "《公共场所卫生管理条例》第三条" in text
        assert "2026年11月25日至2026年12月15日" in text
        for m in TeamMember.objects.filter(selection=sel, active=True).select_related("inspector"):
            assert m.inspector.name in text and m.inspector.cert_no in text
        # The firm's rights: certificates, art. 19, recusal, how to verify this visit.
        assert "执法证件" in text and "第十九条" in text and "回避" in text and "核验码" in text
        assert sel.visit_code.display in text and f"/portal/verify/{sel.visit_code.code}" in text
        assert '<svg class="qr"' in notice or "<svg " in notice
        [record] = [r for r in records if sel.object.name in r]
        text = visible(record)
        assert all(s in text for s in SUB_ITEMS) and "检查对象签字（盖章）" in text and "见证人" in text
        assert "无法取得签字（盖章）" in text and "未发现问题" in text and "移送办案机构" in text
    assert not raw_codes(html)


def test_the_papers_never_show_an_inspectors_id_number_or_phone(client, alice):
    draw = joint_draw(alice)
    login(client, alice)
    html = client.get(f"/draws/{draw.pk}/papers/").content.decode()
    book = client.get(f"/draws/{draw.pk}/papers.xlsx").content
    cells = " ".join(
        str(c.value) for ws in openpyxl.load_workbook(io.BytesIO(book)) for row in ws.iter_rows() for c in row
    )
    members = Inspector.objects.filter(team_memberships__selection__draw=draw).distinct()
    assert members.count() >= 3
    for ins in members:
        assert ins.id_number and ins.phone
        for secret in (ins.id_number, ins.phone):
            assert secret not in html and secret not in cells


def test_a_team_members_batch_holds_only_the_visits_they_are_drawn_for(client, alice):
    draw = joint_draw(alice)
    member = TeamMember.objects.filter(selection__draw=draw, active=True, department__code="SCJG").first()
    theirs = set(
        TeamMember.objects.filter(
            selection__draw=draw, active=True, selection__active=True, inspector=member.inspector
        ).values_list("selection__object__name", flat=True)
    )
    login(client, alice)
    html = client.get(f"/draws/{draw.pk}/papers/?member={member.inspector_id}").content.decode()
    notices = papers(html, "notice")
    assert len(notices) == len(theirs) and all(any(name in n for n in notices) for name in theirs)
    assert f"{member.inspector.name}负责的检查对象" in visible(html)
    # Only notices, or only record sheets.
    html = client.get(f"/draws/{draw.pk}/papers/?member={member.inspector_id}&kind=record").content.decode()
    assert not papers(html, "notice") and len(papers(html, "record")) == len(theirs)
    # The workbook of the same batch: one record sheet per object, its check points and team pre-filled.
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/draws/{draw.pk}/papers.xlsx?member={member.inspector_id}").content)
    )
    assert len(book.worksheets) == len(theirs)
    cells = [str(c.value) for c in book.worksheets[0]["B"] if c.value]
    assert all(s in cells for s in SUB_ITEMS) and any(member.inspector.cert_no in c for c in cells)


def test_hostile_filters_are_ignored_and_an_unknown_object_is_not_found(client, alice):
    draw = joint_draw(alice)
    count = Selection.objects.filter(draw=draw, active=True).count()
    login(client, alice)
    for query in ("member=abc", "member=99999999", "member=-1", "kind=<script>", "member=1" + "0" * 40):
        r = client.get(f"/draws/{draw.pk}/papers/?{query}")
        assert r.status_code == 200 and len(papers(r.content.decode(), "notice")) == count, query
    reserve = Selection.objects.filter(draw=draw, active=False).first()
    assert client.get(f"/draws/{draw.pk}/papers/{reserve.pk}/").status_code == 404
    assert client.get(f"/draws/{draw.pk}/papers/99999999/").status_code == 404
    one = Selection.objects.filter(draw=draw, active=True).first()
    html = client.get(f"/draws/{draw.pk}/papers/{one.pk}/").content.decode()
    assert len(papers(html, "notice")) == len(papers(html, "record")) == 1
    assert client.get(f"/draws/{draw.pk}/papers/{one.pk}.xlsx").status_code == 200


def test_another_department_gets_nothing_and_a_participating_one_only_its_own_members(client, alice, bob):
    draw = joint_draw(alice)
    # 卫健委 takes part: its administrator prints the visits with 卫健委's members and items only.
    login(client, bob)
    html = client.get(f"/draws/{draw.pk}/papers/").content.decode()
    scjg = TeamMember.objects.filter(selection__draw=draw, active=True, department__code="SCJG")
    wjw = TeamMember.objects.filter(selection__draw=draw, active=True, department__code="WJW")
    assert all(m.inspector.cert_no not in html for m in scjg)
    assert all(m.inspector.cert_no in html for m in wjw)
    [record] = papers(html, "record")[:1]
    assert "公共场所卫生检查" in record and SUB_ITEMS[0] not in record
    # A task 卫健委 has no part in: nothing, not even by guessing numbers.
    alone = drawn_selection(alice, entities=6, inspectors=2).draw
    sel = Selection.objects.filter(draw=alone, active=True).first()
    for url in (
        f"/draws/{alone.pk}/papers/",
        f"/draws/{alone.pk}/papers.xlsx",
        f"/draws/{alone.pk}/papers/{sel.pk}/",
        f"/draws/{alone.pk}/papers/{sel.pk}.xlsx",
    ):
        assert client.get(url).status_code == 404, url
    client.logout()
    r = client.get(f"/draws/{alone.pk}/papers/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_the_draw_page_the_teams_and_the_register_link_to_the_papers(client, alice):
    draw = joint_draw(alice)
    one = Selection.objects.filter(draw=draw, active=True).first()
    member = TeamMember.objects.filter(selection__draw=draw, active=True).first()
    login(client, alice)
    assert f'href="/draws/{draw.pk}/papers/"' in client.get(f"/draws/{draw.pk}/").content.decode()
    assert f'href="/draws/{draw.pk}/papers/{one.pk}/"' in client.get(f"/draws/{draw.pk}/").content.decode()
    teams = client.get(f"/draws/{draw.pk}/teams/").content.decode()
    assert f'href="/draws/{draw.pk}/papers/?member={member.inspector_id}"' in teams
    assert f'href="/draws/{draw.pk}/papers/"' in client.get(f"/draws/{draw.pk}/register/").content.decode()
    assert VisitCode.objects.filter(selection=one).exists()


# --- an inspector's own account (我的检查) ---------------------------------------------------------------------------


def inspector_account(alice, inspector):
    from shuangsuiji.accounts import services as accounts
    from tests.conftest import PASSWORD

    [(user, _)] = accounts.inspector_accounts_create(actor=alice, inspector_ids=[inspector.pk])
    user.set_password(PASSWORD)
    user.save()
    return user


def test_an_inspector_prints_the_papers_of_exactly_the_visits_their_team_is_on(client, alice):
    draw = joint_draw(alice)
    member = TeamMember.objects.filter(selection__draw=draw, active=True, department__code="SCJG").first()
    mine = set(
        Selection.objects.filter(
            draw=draw, active=True, team__inspector=member.inspector, team__active=True
        ).values_list("pk", flat=True)
    )
    others = Selection.objects.filter(draw=draw, active=True).exclude(pk__in=mine)
    assert mine and others.exists()
    ivan = inspector_account(alice, member.inspector)
    login(client, ivan)
    # 我的检查 links each visit to its notice and its record sheet.
    page = client.get("/my/visits/").content.decode()
    for pk in mine:
        assert f"/draws/{draw.pk}/papers/{pk}/?kind=notice" in page
        assert f"/draws/{draw.pk}/papers/{pk}/?kind=record" in page
    one = next(iter(mine))
    # …and so does the phone form of the visit.
    form = client.get(f"/my/visits/{one}/").content.decode()
    assert f"/draws/{draw.pk}/papers/{one}/?kind=notice" in form
    assert f"/draws/{draw.pk}/papers/{one}/?kind=record" in form
    html = client.get(f"/draws/{draw.pk}/papers/{one}/?kind=notice").content.decode()
    assert len(papers(html, "notice")) == 1 and not papers(html, "record")
    assert member.inspector.cert_no in html and "返回我的检查" in html
    assert client.get(f"/draws/{draw.pk}/papers/{one}.xlsx").status_code == 200
    # The batch of the task is the inspector's own assignment, whatever member is asked for.
    other_member = TeamMember.objects.filter(selection__in=others, active=True).exclude(
        inspector=member.inspector
    )
    for query in ("", f"?member={other_member.first().inspector_id}"):
        html = client.get(f"/draws/{draw.pk}/papers/{query}").content.decode()
        assert len(papers(html, "notice")) == len(mine), query
        assert all(o.object.name not in html for o in others.select_related("object") if o.object.name)
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/draws/{draw.pk}/papers.xlsx").content))
    assert len(book.worksheets) == len(mine)


def test_an_inspector_gets_nothing_of_another_teams_object_or_another_draw(client, alice, bob):
    draw = joint_draw(alice)
    member = TeamMember.objects.filter(selection__draw=draw, active=True, department__code="SCJG").first()
    ivan = inspector_account(alice, member.inspector)
    other = (
        Selection.objects.filter(draw=draw, active=True)
        .exclude(team__inspector=member.inspector, team__active=True)
        .first()
    )
    elsewhere = drawn_selection(bob, entities=6, inspectors=2)  # 卫健委's own task: ivan is on no team of it
    login(client, ivan)
    for url in (
        f"/draws/{draw.pk}/papers/{other.pk}/",
        f"/draws/{draw.pk}/papers/{other.pk}.xlsx",
        f"/draws/{elsewhere.draw_id}/papers/",
        f"/draws/{elsewhere.draw_id}/papers.xlsx",
        f"/draws/{elsewhere.draw_id}/papers/{elsewhere.pk}/",
    ):
        assert client.get(url).status_code == 404, url
