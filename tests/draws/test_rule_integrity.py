"""Issue 17 (3, 4): the ratio limits of art. 8 and 9 hold for the shares actually drawn, whatever the rule's form."""

import pytest

from shuangsuiji.directory.rows import RowInvalid
from shuangsuiji.draws import services as draws
from shuangsuiji.planning import services as planning
from tests import factories
from tests.draws.helpers import ANNOUNCED, SOURCES, published_scheme

pytestmark = pytest.mark.today("2026-11-27")


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def general(db):
    return factories.item("SCJG", category="一般", ratio_cap="0.1", name="价格行为检查")


def test_a_count_cannot_draw_more_than_a_general_items_ratio_cap(alice, general):
    # 40 candidates: 30 in A, 10 in D (tests/draws/helpers.py). count 10 of 10 under a cap of 0.1 was drawn before.
    scheme = published_scheme(alice, items=[general], strata={"A": {"count": 3}, "D": {"count": 10}})
    with pytest.raises(
        RowInvalid,
        match=r"分层 D：抽取 10 户占该层 10 户的 100.0%，超过一般检查事项“价格行为检查”的抽查比例上限 10.0%",
    ):
        draws.draw_freeze(actor=alice, scheme=scheme, sources=SOURCES, announced=ANNOUNCED)
    assert not scheme.draws.exists()


def test_a_count_within_the_cap_and_a_rounded_up_ratio_are_drawn(alice, general):
    # D: 1 of 10 is exactly the cap; A: ratio 0.1 of 30 is 3.
    scheme = published_scheme(alice, items=[general], strata={"A": {"ratio": "0.1"}, "D": {"count": 1}})
    assert (
        draws.draw_freeze(actor=alice, scheme=scheme, sources=SOURCES, announced=ANNOUNCED).status == "frozen"
    )


def test_a_key_item_has_no_cap(alice):
    key = factories.item("SCJG", category="重点", ratio_cap=None)
    scheme = published_scheme(alice, items=[key], strata={"A": {"count": 30}, "D": {"count": 10}})
    assert (
        draws.draw_freeze(actor=alice, scheme=scheme, sources=SOURCES, announced=ANNOUNCED).status == "frozen"
    )


def test_the_raised_stratum_may_not_be_lower_than_an_ordinary_one(alice):
    key = factories.item("SCJG", category="重点", ratio_cap=None)
    with pytest.raises(RowInvalid, match="提高比例层的比例 1% 低于普通分层的最高比例 50%"):
        planning.scheme_create(
            actor=alice,
            data={
                "name": "提高比例层测试",
                "adhoc_reason": "测试",
                "strata": {"A": {"ratio": "0.5", "reserve": 1}, "RAISED": {"ratio": "0.01", "reserve": 1}},
                "item_ids": [key.pk],
                "methods": ["实地核查"],
                "window_start": "2026-12-01",
                "window_end": "2026-12-20",
            },
        )


def test_a_raised_count_below_the_highest_ordinary_share_is_refused_at_freeze(alice):
    key = factories.item("SCJG", category="重点", ratio_cap=None)
    for _ in range(10):
        factories.entity(abnormal_list=True)
    scheme = published_scheme(
        alice, items=[key], strata={"A": {"ratio": "0.5"}, "D": {"ratio": "0.1"}, "RAISED": {"count": 1}}
    )
    with pytest.raises(RowInvalid, match="提高比例层抽取 10.0%，低于普通分层的最高比例 50.0%"):
        draws.draw_freeze(actor=alice, scheme=scheme, sources=SOURCES, announced=ANNOUNCED)
