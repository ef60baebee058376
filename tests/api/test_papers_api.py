"""The record sheets of the papers (issue 14, part 1) over /api/v1: the same batch as the page's xlsx."""

import io

import openpyxl
import pytest

from shuangsuiji.draws.models import Selection, TeamMember
from tests.api.conftest import ApiClient
from tests.inspections.helpers import drawn_selection

pytestmark = pytest.mark.today("2026-12-05")


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def test_the_api_gives_the_record_sheets_of_the_draw_or_of_one_team_member(alice, bob):
    draw = drawn_selection(alice, entities=12, inspectors=3).draw
    api = ApiClient(alice)
    r = api.get(f"/draws/{draw.pk}/papers.xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    active = Selection.objects.filter(draw=draw, active=True)
    assert len(book.worksheets) == active.count()
    names = {ws["B4"].value for ws in book.worksheets}
    assert names == set(active.values_list("object__name", flat=True))

    member = TeamMember.objects.filter(selection__draw=draw, active=True).first()
    theirs = active.filter(team__inspector=member.inspector, team__active=True).count()
    book = openpyxl.load_workbook(
        io.BytesIO(api.get(f"/draws/{draw.pk}/papers.xlsx", member=member.inspector_id).content)
    )
    assert len(book.worksheets) == theirs
    # Someone who is not on this draw's teams, or not a number: refused, not a silent whole draw.
    assert api.get(f"/draws/{draw.pk}/papers.xlsx", member=99999999).status_code == 404
    assert api.get(f"/draws/{draw.pk}/papers.xlsx", member="abc").status_code == 422
    # Another department's draw is not found.
    assert ApiClient(bob).get(f"/draws/{draw.pk}/papers.xlsx").status_code == 404
