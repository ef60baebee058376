"""Leaks through the DRAW-v1 files that the portal review found, and how the freeze side now prevents them."""

import pytest

from shuangsuiji.draws import services
from shuangsuiji.draws.models import Selection
from shuangsuiji.planning import services as planning
from tests import factories
from tests.draws.helpers import ANNOUNCED, SOURCES
from tests.portal.helpers import drawn

# The tasks' window is 1–20 December 2026; a list hidden until the window ends needs a today before it.
pytestmark = pytest.mark.today("2026-11-27")


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def test_a_hidden_drawn_list_cannot_leak_through_another_tasks_excluded_file(client, alice):
    item = factories.item("SCJG", category="重点", ratio_cap=None)
    first, draw = drawn(alice, publish_list_at="window_end", items=[item])
    assert "名单将于检查期结束后" in client.get(f"/portal/tasks/{first.pk}/").content.decode()
    hidden = set(Selection.objects.filter(draw=draw, active=True).values_list("object__code", flat=True))
    second = planning.scheme_create(
        actor=alice,
        data={
            "name": "同一事项的第二个方案",
            "adhoc_reason": "测试",
            "strata": {"A": {"ratio": "0.1", "reserve": 1}, "D": {"ratio": "0.1", "reserve": 1}},
            "item_ids": [item.pk],
            "methods": ["实地核查"],
            "window_start": "2026-12-01",
            "window_end": "2026-12-20",
            "team_slots": {"SCJG": 2},
        },
    )
    second = planning.scheme_publish(actor=alice, scheme=second)
    # Freezing the overlapping task would list the hidden objects as OPEN_TASK exclusions, so it is refused until
    # the first task's list is public.
    assert hidden
    with pytest.raises(services.DrawRefused, match="名单尚未公示"):
        services.draw_freeze(actor=alice, scheme=second, sources=SOURCES, announced=ANNOUNCED)
