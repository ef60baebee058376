"""Randomness the operator cannot steer (issue 17, item 8).

The bypass: with only a dice string typed by the operator (or a lottery period already drawn), whoever reads the
server secret can try values until the result suits them; and "第____期" was published as the announcement.
"""

import datetime
import json

import pytest

from shuangsuiji import draw as engine
from shuangsuiji.directory.rows import RowInvalid
from shuangsuiji.draws import services
from shuangsuiji.draws.models import Draw, DrawStatus
from tests.api.conftest import ApiClient
from tests.conftest import login
from tests.draws.helpers import (
    ANNOUNCED,
    LOTTERY,
    REVEALS,
    SOURCES,
    THROWN_BY,
    WITNESSES,
    published_scheme,
)

pytestmark = pytest.mark.today("2026-11-27")
TODAY = datetime.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def lottery(**change):
    return [
        {"name": "lottery", "kind": "numbers", **LOTTERY, **change},
        {"name": "witness", "kind": "digits"},
    ]


def fields(e) -> list[str]:
    return [f for f, _ in e.value.errors]


@pytest.mark.parametrize("days", [0, -1, -30])
def test_alice_cannot_freeze_on_a_lottery_period_already_drawn(alice, days):
    scheme = published_scheme(alice)
    drawn_on = (TODAY + datetime.timedelta(days=days)).isoformat()
    with pytest.raises(RowInvalid, match="不晚于冻结日") as e:
        services.draw_freeze(
            actor=alice, scheme=scheme, sources=lottery(draw_date=drawn_on), announced=ANNOUNCED
        )
    assert fields(e) == ["随机源（彩票开奖号码）开奖日期"]
    assert not Draw.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lottery": ""}, "随机源（彩票开奖号码）彩票名称"),
        ({"period": ""}, "随机源（彩票开奖号码）彩票期号"),
        ({"period": "第____期"}, "随机源（彩票开奖号码）彩票期号"),
        ({"draw_date": ""}, "随机源（彩票开奖号码）开奖日期"),
        ({"draw_date": "下周二"}, "随机源（彩票开奖号码）开奖日期"),
        ({"lottery": "福利彩票XXXX"}, "随机源（彩票开奖号码）彩票名称"),
    ],
)
def test_a_lottery_source_must_name_its_game_period_and_draw_date(alice, change, field):
    scheme = published_scheme(alice)
    with pytest.raises(RowInvalid) as e:
        services.draw_freeze(actor=alice, scheme=scheme, sources=lottery(**change), announced=ANNOUNCED)
    assert field in fields(e)


@pytest.mark.parametrize(
    "announced",
    [
        "lottery = 福利彩票双色球第____期红球; witness = 监督人员现场掷骰 12 位",
        "lottery = 福利彩票双色球第XXXX期红球（2026137）",
        "lottery = 福利彩票双色球第＿＿＿期（2026137）",
        "lottery = 双色球 2026137 期，witness = 掷骰 ?? 位",
        "lottery = 双色球第2026137期……",
        "lottery = 双色球第2026137期；开奖号码待填",
    ],
)
def test_alice_cannot_freeze_an_announcement_still_holding_a_placeholder(alice, announced):
    scheme = published_scheme(alice)
    with pytest.raises(RowInvalid, match="占位符") as e:
        services.draw_freeze(actor=alice, scheme=scheme, sources=SOURCES, announced=announced)
    # The placeholder, and (when it stands for the period) the period missing from the announcement: all at once.
    assert set(fields(e)) == {"随机源公告"}
    assert not Draw.objects.exists()


def test_the_announcement_names_the_period_that_is_declared(alice):
    scheme = published_scheme(alice)
    with pytest.raises(RowInvalid, match="没有写明彩票期号 2026137"):
        services.draw_freeze(
            actor=alice, scheme=scheme, sources=SOURCES, announced="lottery = 福利彩票双色球第2026138期红球"
        )


def test_dice_need_a_thrower_who_is_one_of_the_registered_witnesses(alice):
    scheme = published_scheme(alice)
    draw = services.draw_freeze(actor=alice, scheme=scheme, sources=SOURCES, announced=ANNOUNCED)
    with pytest.raises(RowInvalid, match="请登记掷骰的监督人员姓名"):
        services.draw_perform(actor=alice, draw=draw, witnesses=WITNESSES, reveals=REVEALS)
    with pytest.raises(RowInvalid, match="不是本次登记的监督人员"):
        services.draw_perform(
            actor=alice, draw=draw, witnesses=WITNESSES, reveals=REVEALS, thrown_by={"witness": "Alice"}
        )
    draw.refresh_from_db()
    assert draw.status == DrawStatus.FROZEN and draw.thrown_by == {}


def test_the_facts_are_committed_in_params_json_and_shown_on_the_portal(client, alice):
    scheme = published_scheme(alice)
    draw = services.draw_freeze(actor=alice, scheme=scheme, sources=SOURCES, announced=ANNOUNCED)
    params = json.loads(draw.params_json)
    assert params["source_facts"]["lottery"] == {"kind": "lottery", **LOTTERY}
    assert params["source_facts"]["witness"]["kind"] == "witness_dice"
    assert draw.source_facts == params["source_facts"]
    draw = services.draw_perform(
        actor=alice, draw=draw, witnesses=WITNESSES, reveals=REVEALS, thrown_by=THROWN_BY
    )
    assert draw.thrown_by == {"witness": "周监督"}
    assert engine.verify(services.draw_dir(draw)).ok  # extra keys are allowed by DRAW-v1
    assert engine.verify_public(services.public_dir(draw)).ok
    page = client.get(f"/portal/tasks/{scheme.pk}/").content.decode()
    assert f"福利彩票双色球 第 2026137 期，{LOTTERY['draw_date']} 开奖" in page
    assert "监督人员现场掷骰，掷骰人：周监督" in page


def test_the_freeze_page_asks_for_the_period_and_refuses_one_already_drawn(client, alice):
    scheme = published_scheme(alice)
    login(client, alice)
    form = client.get(f"/schemes/{scheme.pk}/freeze/").content.decode()
    assert "id_lottery_period" in form and "id_lottery_draw_date" in form
    assert 'value="lottery = 福利彩票双色球第____期' not in form  # the blank is a hint, no longer a value
    post = {
        "use_lottery": "1",
        "use_witness": "1",
        "lottery_name": "福利彩票双色球",
        "lottery_period": "2026137",
        "lottery_draw_date": TODAY.isoformat(),
        "announced": ANNOUNCED,
    }
    page = client.post(f"/schemes/{scheme.pk}/freeze/", post).content.decode()
    assert "开奖日期" in page and "不晚于冻结日" in page and not Draw.objects.exists()
    r = client.post(f"/schemes/{scheme.pk}/freeze/", post | {"lottery_draw_date": LOTTERY["draw_date"]})
    assert r.status_code == 302 and Draw.objects.get().source_facts["lottery"]["period"] == "2026137"


def test_the_ceremony_page_records_who_threw_the_dice(client, alice):
    scheme = published_scheme(alice)
    draw = services.draw_freeze(actor=alice, scheme=scheme, sources=SOURCES, announced=ANNOUNCED)
    login(client, alice)
    post = {
        "witness_name": ["周监督", "吴监督"],
        "witness_unit": ["舞钢市司法局", "舞钢市纪委监委"],
        "reveal_lottery": REVEALS["lottery"],
        "reveal_witness": REVEALS["witness"],
    }
    page = client.post(f"/draws/{draw.pk}/ceremony/", post).content.decode()
    assert "掷骰人" in page and Draw.objects.get().status == DrawStatus.FROZEN
    client.post(f"/draws/{draw.pk}/ceremony/", post | {"thrown_by_witness": "吴监督"})
    draw.refresh_from_db()
    assert draw.status == DrawStatus.DRAWN and draw.thrown_by == {"witness": "吴监督"}
    assert "掷骰人：吴监督" in client.get(f"/draws/{draw.pk}/").content.decode()


def test_the_api_refuses_a_period_already_drawn_and_returns_the_facts(alice):
    scheme = published_scheme(alice)
    c = ApiClient(alice)
    past = {"sources": lottery(draw_date="2026-11-20"), "announced": ANNOUNCED}
    r = c.post(f"/schemes/{scheme.pk}/freeze", past)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "随机源（彩票开奖号码）开奖日期"
    r = c.post(f"/schemes/{scheme.pk}/freeze", {"sources": SOURCES, "announced": ANNOUNCED})
    assert r.status_code == 201, r.content.decode()
    assert r.json()["source_facts"]["lottery"]["draw_date"] == LOTTERY["draw_date"]
    draw = r.json()["id"]
    r = c.post(f"/draws/{draw}/perform", {"witnesses": WITNESSES, "reveals": REVEALS, "thrown_by": THROWN_BY})
    assert r.status_code == 200 and r.json()["thrown_by"] == {"witness": "周监督"}
