import pytest
from django.core.management import call_command

from shuangsuiji import draw as engine
from shuangsuiji.draws.models import Draw
from shuangsuiji.draws.services import draw_dir
from shuangsuiji.inspections.models import InspectionRecord
from shuangsuiji.planning.models import AnnualPlan


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def test_make_run_shows_a_whole_cycle_that_verifies(db, capsys):
    call_command("seed_demo", "--entities", "3000", "--seed", "3")
    call_command("demo_accounts")
    call_command("demo_workflow")
    assert AnnualPlan.objects.get().versions.count() == 1
    draw = Draw.objects.get()
    assert engine.verify(draw_dir(draw)).ok
    assert InspectionRecord.objects.published().count() == 5
    call_command("demo_workflow")  # a second run changes nothing
    assert "跳过" in capsys.readouterr().out and Draw.objects.count() == 1
