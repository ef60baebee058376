"""The draw result page in pages, with filters and search, and a teams view by inspector (issue 15, item 11).

It used to show all 528 rows at once and reload in full after every substitution."""

import re

import pytest
from django.urls import reverse

from shuangsuiji.draws import services
from shuangsuiji.draws.models import Selection, TeamMember
from shuangsuiji.web import views_draws
from tests import factories
from tests.conftest import login
from tests.draws.helpers import ANNOUNCED, REVEALS, SOURCES, THROWN_BY, WITNESSES, published_scheme

pytestmark = pytest.mark.today("2026-11-27")


@pytest.fixture(autouse=True)
def small_pages(tmp_path, settings, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(views_draws, "RESULT_PAGE_SIZE", 4)  # 11 rows: three pages, no need for 528


@pytest.fixture
def draw(alice):
    for _ in range(3):
        factories.inspector("WJW")
    scheme = published_scheme(alice, team_slots={"SCJG": 2, "WJW": 1})
    frozen = services.draw_freeze(actor=alice, scheme=scheme, sources=SOURCES, announced=ANNOUNCED)
    return services.draw_perform(
        actor=alice, draw=frozen, witnesses=WITNESSES, reveals=REVEALS, thrown_by=THROWN_BY
    )


def _codes(page: str) -> list[str]:
    table = (
        page.split('id="result-table"', 1)[1].split("</table>", 1)[0] if 'id="result-table"' in page else ""
    )
    return re.findall(r'<span class="mono muted">([0-9A-Z]+)</span>', table)


def _get(client, draw, **query) -> str:
    r = client.get(reverse("draw_detail", args=[draw.pk]), query)
    assert r.status_code == 200
    return r.content.decode()


def test_alice_reads_the_result_a_page_at_a_time_and_every_row_appears_once(client, alice, draw):
    login(client, alice)
    total = Selection.objects.filter(draw=draw).count()
    seen = []
    for n in (1, 2, 3):
        seen += _codes(_get(client, draw, page=n))
    assert len(seen) == total == len(set(seen)) and total > 8
    assert f"共 {total} 条，第 1 / 3 页" in _get(client, draw)


@pytest.mark.parametrize(
    "query",
    [
        {"page": "abc"},
        {"page": "-1"},
        {"page": "9" * 40},
        {"page": "²"},
        {"region": "x", "member": "1e9", "status": "<script>", "stratum": "'; DROP"},
        {"member": str(2**70), "region": "-5"},
    ],
)
def test_hostile_query_values_are_ignored_never_a_500(client, alice, draw, query):
    login(client, alice)
    assert _codes(_get(client, draw, **query)) == _codes(_get(client, draw))


def test_a_search_of_5000_percent_signs_is_cut_and_taken_literally(client, alice, draw):
    login(client, alice)
    page = _get(client, draw, q="%" * 5000)
    assert 'id="no-result"' in page and 'value="' + "%" * 64 + '"' in page


def test_filters_and_search_narrow_the_result(client, alice, draw):
    login(client, alice)
    reserves = set(Selection.objects.filter(draw=draw, role="reserve").values_list("object__code", flat=True))
    assert set(_codes(_get(client, draw, status="reserve"))) == reserves
    one = Selection.objects.filter(draw=draw).select_related("object").last()
    assert _codes(_get(client, draw, q=one.object.code[-6:].lower())) == [one.object.code]
    assert _codes(_get(client, draw, q=one.object.name)) == [one.object.code]
    member = TeamMember.objects.filter(selection__draw=draw, active=True).first()
    mine = set(
        TeamMember.objects.filter(selection__draw=draw, inspector=member.inspector, active=True).values_list(
            "selection__object__code", flat=True
        )
    )
    assert set(_codes(_get(client, draw, member=member.inspector_id))) == mine
    stratum = Selection.objects.filter(draw=draw).values_list("stratum", flat=True).first()
    codes = _codes(_get(client, draw, stratum=stratum, page=1)) + _codes(
        _get(client, draw, stratum=stratum, page=2)
    )
    assert set(codes) == set(
        Selection.objects.filter(draw=draw, stratum=stratum).values_list("object__code", flat=True)
    )
    assert 'id="no-result"' in _get(client, draw, q="没有这个对象")


def test_amy_without_read_sealed_gets_no_stratum_filter_and_a_stratum_in_the_query_changes_nothing(
    client, amy, draw
):
    assert draw.sealed
    login(client, amy)
    plain = _get(client, draw)
    assert 'name="stratum"' not in plain and "<th>分层</th>" not in plain and "<th>序位</th>" not in plain
    stratum = Selection.objects.filter(draw=draw, role="reserve").values_list("stratum", flat=True).first()
    assert _codes(_get(client, draw, stratum=stratum)) == _codes(plain)
    # Ordered as the public sees it: selected first, then by code, never by stratum or rank.
    every = sum((_codes(_get(client, draw, page=n)) for n in (1, 2, 3)), [])
    roles = dict(Selection.objects.filter(draw=draw).values_list("object__code", "role"))
    assert every == sorted(every, key=lambda c: (roles[c] != "selected", c))


def test_bob_of_a_participating_department_filters_and_counts_only_his_own_members(client, bob, draw):
    login(client, bob)
    page = _get(client, draw)
    theirs = TeamMember.objects.filter(selection__draw=draw, department__code="SCJG").first()
    assert f'<option value="{theirs.inspector_id}"' not in page
    assert _codes(_get(client, draw, member=theirs.inspector_id)) == _codes(page)  # ignored, not a hint
    teams = client.get(reverse("draw_teams", args=[draw.pk])).content.decode()
    own = TeamMember.objects.filter(selection__draw=draw, department__code="WJW", active=True).first()
    assert theirs.inspector.name not in teams and own.inspector.name in teams


def test_the_teams_view_lists_each_inspector_with_objects_and_count(client, alice, draw):
    login(client, alice)
    r = client.get(reverse("draw_teams", args=[draw.pk]))
    assert r.status_code == 200
    page = r.content.decode()
    for member in TeamMember.objects.filter(selection__draw=draw, active=True).select_related("inspector"):
        count = TeamMember.objects.filter(
            selection__draw=draw, active=True, selection__active=True, inspector=member.inspector
        ).count()
        row = page.split(f"?member={member.inspector_id}#result", 1)[1].split("</tr>", 1)[0]
        assert f'<td class="count">{count}</td>' in row


def test_after_a_substitution_alice_returns_to_the_same_page_and_filter(client, alice, draw):
    login(client, alice)
    page = _get(client, draw, status="active", page=2)
    sel_id = re.search(r"/selections/(\d+)/substitute/", page).group(1)
    back = re.search(r'name="back" value="([^"]+)"', page).group(1).replace("&amp;", "&")
    r = client.post(
        reverse("substitute_object", args=[draw.pk, sel_id]), {"reason_code": "DEREGISTERED", "back": back}
    )
    assert (
        r.status_code == 302
        and r["Location"] == reverse("draw_detail", args=[draw.pk]) + "?status=active&page=2"
    )
    hostile = client.post(
        reverse("substitute_object", args=[draw.pk, sel_id]),
        {"reason_code": "x", "back": "//evil.example/&page=1"},
    )
    assert hostile["Location"].startswith(reverse("draw_detail", args=[draw.pk]))
