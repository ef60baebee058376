"""Issue 16, item 7: draws frozen before sealing whose public files separated risk classes have their public copy
withdrawn; the committed files stay, the portal says why and serves none of them."""

import importlib

import pytest
from django.apps import apps

from shuangsuiji.draws import services
from shuangsuiji.draws.models import Draw
from tests.draws.helpers import ANNOUNCED, REVEALS, SOURCES, THROWN_BY, WITNESSES, published_scheme

pytestmark = pytest.mark.today("2026-11-27")
migration = importlib.import_module("shuangsuiji.draws.migrations.0006_withdraw_revealing_public_copies")


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def _as_before_sealing(draw: Draw) -> Draw:
    """What a draw frozen before DRAW-v1.1 looked like: its full files were its public files."""
    Draw.objects.filter(pk=draw.pk).update(sealed=False, public_withdrawn="")
    return Draw.objects.get(pk=draw.pk)


def test_an_old_draw_with_different_ratios_loses_its_public_copy_and_the_portal_says_why(client, alice):
    scheme = published_scheme(alice, publish_list_at="draw")
    draw = services.draw_freeze(actor=alice, scheme=scheme, sources=SOURCES, announced=ANNOUNCED)
    draw = _as_before_sealing(
        services.draw_perform(
            actor=alice, draw=draw, witnesses=WITNESSES, reveals=REVEALS, thrown_by=THROWN_BY
        )
    )
    committed = (services.draw_dir(draw) / "candidates.csv").read_bytes()
    migration.withdraw(apps, None)
    draw.refresh_from_db()
    assert "撤回" in draw.public_withdrawn
    page = client.get(f"/portal/tasks/{scheme.pk}/").content.decode()
    assert "已撤回" in page and draw.commitment in page and draw.seed not in page
    for name in ("params.json", "candidates.csv", "result.json"):
        assert client.get(f"/portal/draws/{draw.pk}/files/{name}").status_code == 404
    assert (services.draw_dir(draw) / "candidates.csv").read_bytes() == committed  # the committed files stay


def test_an_old_draw_with_one_ratio_for_all_keeps_its_public_files(client, alice):
    scheme = published_scheme(
        alice, strata={"A": {"ratio": "0.1", "reserve": 1}, "D": {"ratio": "0.1", "reserve": 1}}
    )
    draw = services.draw_freeze(actor=alice, scheme=scheme, sources=SOURCES, announced=ANNOUNCED)
    migration.withdraw(apps, None)
    draw.refresh_from_db()
    assert not draw.public_withdrawn and not draw.sealed
    assert client.get(f"/portal/draws/{draw.pk}/files/candidates.csv").status_code == 200
