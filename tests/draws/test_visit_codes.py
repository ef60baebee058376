"""核验码 (issue 14, part 2) on the department's side: issued with the draw, backfilled for older draws, in the API."""

import importlib

import pytest
from django.apps import apps

from shuangsuiji.draws.models import Selection, VisitCode
from tests.api.conftest import ApiClient
from tests.inspections.helpers import drawn_selection

pytestmark = pytest.mark.today("2026-12-05")
backfill = importlib.import_module("shuangsuiji.draws.migrations.0010_visit_codes").issue


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def test_each_object_to_visit_has_a_code_in_the_api_and_older_draws_get_theirs_from_the_migration(alice):
    selection = drawn_selection(alice, entities=8, inspectors=2)
    draw = selection.draw
    active = set(Selection.objects.filter(draw=draw, active=True).values_list("pk", flat=True))
    assert set(VisitCode.objects.values_list("selection_id", flat=True)) == active

    api = ApiClient(alice)
    listed = api.get(f"/draws/{draw.pk}/selections").json()["results"]
    by_id = {s["id"]: s for s in listed}
    code = VisitCode.objects.get(selection=selection)
    assert by_id[selection.pk]["visit_code"] == code.display and by_id[selection.pk]["visit_lookups"] == 0
    assert all(s["visit_code"] is None for s in listed if not s["active"])
    [row] = [
        r for r in api.get(f"/draws/{draw.pk}/register").json()["results"] if r["selection"] == selection.pk
    ]
    assert row["visit_code"] == code.display
    assert row["verify_url"] == f"http://testserver/portal/verify/{code.code}"

    # A draw made before codes existed: migration draws 0010 gives each active selection one, and only those.
    VisitCode.objects.all().delete()
    backfill(apps, None)
    assert set(VisitCode.objects.values_list("selection_id", flat=True)) == active
    backfill(apps, None)  # run again: nothing new
    assert VisitCode.objects.count() == len(active)
