"""After a sync: an object that left the market is not drawable in the next freeze, and the risk classes (and their
history) stay off every public page and the public API."""

import io

import pytest

from shuangsuiji.directory.models import InspectionObject, RiskClass, RiskClassHistory
from shuangsuiji.directory.syncing import directory_sync
from shuangsuiji.draws import services as draws
from shuangsuiji.draws.services import draw_dir
from shuangsuiji.inspections import services as records
from tests.directory.sync_helpers import reg_row, registration_file, risk_file
from tests.draws.helpers import ANNOUNCED, SOURCES, published_scheme
from tests.inspections.helpers import drawn_selection
from tests.portal.helpers import RISK_NAMES

pytestmark = [pytest.mark.django_db, pytest.mark.today("2026-11-27")]


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def sync(actor, data: bytes, name: str):
    return directory_sync(actor=actor, file=io.BytesIO(data), filename=name)


def table(draw, name: str) -> dict[str, str]:
    lines = (draw_dir(draw) / name).read_text(encoding="utf-8").splitlines()
    return (
        {a: b for a, b in (line.split(",") for line in lines)}
        if name == "excluded.csv"
        else {code: stratum for stratum, code in (line.split(",") for line in lines)}
    )


def test_objects_that_left_the_market_are_excluded_from_the_next_freeze_with_their_reason(alice, olivia):
    scheme = published_scheme(alice)
    firms = list(InspectionObject.objects.filter(risk_class__code="A").order_by("id")[:3])
    revoked, closed, moved = firms
    result = sync(
        olivia,
        registration_file(
            [
                reg_row(revoked.code, change="吊销"),
                reg_row(closed.code, status="注销", change="注销"),
                reg_row(moved.code, change="迁出"),
            ]
        ),
        "登记变更.xlsx",
    )
    assert result.left == 3 and result.written
    draw = draws.draw_freeze(actor=alice, scheme=scheme, sources=SOURCES, announced=ANNOUNCED)
    assert table(draw, "excluded.csv") == {
        revoked.code: "REVOKED",
        closed.code: "DEREGISTERED",
        moved.code: "MOVED_OUT",
    }
    candidates = table(draw, "candidates.csv")
    assert not {f.code for f in firms} & set(candidates)
    assert len(candidates) == 37 and draw.excluded_count == 3


COMPLETE = {
    "methods": ["实地核查"],
    "cert_shown": True,
    "signature": "obtained",
    "categories": ["未发现问题"],
    "measures": ["无需后续处置"],
}


def test_synced_risk_classes_and_their_history_are_on_no_public_page_or_public_api(
    client, alice, amy, rita, olivia
):
    selection = drawn_selection(alice)
    obj = selection.object
    rec = records.record_create(actor=amy, selection=selection)
    rec = records.record_submit(actor=amy, rec=rec, data=COMPLETE)
    records.record_review(actor=rita, rec=rec, approve=True)
    sync(olivia, risk_file([[obj.code, "较高", "2026-11-01"]]), "风险分类.xlsx")
    sync(olivia, risk_file([[obj.code, "高", "2026-11-20"]]), "风险分类2.xlsx")
    obj.refresh_from_db()
    assert (
        obj.risk_class == RiskClass.objects.get(code="D")
        and RiskClassHistory.objects.filter(object=obj).count() == 2
    )

    urls = [
        "/portal/",
        f"/portal/results/?q={obj.code}",
        f"/portal/results/?q={obj.name}",
        f"/portal/tasks/{selection.draw.scheme_id}/",
        f"/api/v1/public/results?q={obj.code}",
        f"/api/v1/public/results?q={obj.name}",
    ]
    shown = 0
    for url in urls:
        r = client.get(url)
        assert r.status_code == 200, url
        text = r.content.decode()
        shown += obj.name in text
        assert not [n for n in RISK_NAMES if n in text], url
        assert "信用风险分类：" not in text and "评定日期" not in text, url
    assert shown >= 2  # the published result is there; only its risk class is not
    assert client.get("/directory/sync/").status_code == 302  # the sync page is not public
