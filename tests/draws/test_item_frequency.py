"""Issue 17 (5), art. 8, 9: an item's 抽查频次 bounds how often one object is drawn for it in a year (ITEM_FREQUENCY)."""

import pytest

from shuangsuiji.directory import services as directory
from shuangsuiji.directory.models import CheckItem
from shuangsuiji.directory.rows import RowInvalid
from shuangsuiji.draws.freezing import EXCLUSION_REASONS
from tests import factories
from tests.caps.helpers import checked, firms, reasons
from tests.draws.helpers import published_scheme

pytestmark = pytest.mark.today("2026-11-27")


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def again(alice, item):
    return published_scheme(
        alice, entities=0, inspectors=2, strata={"A": {"ratio": "1"}}, same_item_days=0, items=[item]
    )


def test_the_reason_has_a_chinese_label():
    assert EXCLUSION_REASONS["ITEM_FREQUENCY"] == "本年度该事项的抽查次数已达事项抽查频次"


def test_a_firm_drawn_once_for_a_once_a_year_item_is_not_drawn_for_it_again(alice):
    item = factories.item("SCJG", category="重点", ratio_cap=None, frequency="每年1次")
    three = firms(3)
    checked(alice, times=1, item=item)
    why = reasons(again(alice, item))
    assert {why[f.code] for f in three} == {"ITEM_FREQUENCY"}


def test_a_twice_a_year_item_draws_the_firm_a_second_time(alice):
    item = factories.item("SCJG", category="重点", ratio_cap=None, frequency="每年2次")
    three = firms(3)
    checked(alice, times=1, item=item)
    why = reasons(again(alice, item))
    assert {why[f.code] for f in three} == {"CANDIDATE"}


def test_another_item_is_not_bounded_by_this_items_frequency(alice):
    once = factories.item("SCJG", category="重点", ratio_cap=None, frequency="每年1次")
    other = factories.item(
        "SCJG", category="重点", ratio_cap=None, frequency="每年1次", name="广告发布行为检查"
    )
    three = firms(3)
    checked(alice, times=1, item=once)
    why = reasons(again(alice, other))
    assert {why[f.code] for f in three} == {"CANDIDATE"}


def test_the_item_list_refuses_a_frequency_the_draw_cannot_read(alice):
    with pytest.raises(RowInvalid) as e:
        directory.item_create(
            actor=alice,
            data={
                "code": "SCJG-F",
                "name": "价格行为检查",
                "department_id": alice.department_id,
                "legal_basis": "《价格法》",
                "methods": "书面检查",
                "category": "重点",
                "frequency": "想查就查",
            },
        )
    [(field, reason)] = e.value.errors
    assert (
        field == "抽查频次" and "无法识别" in reason and not CheckItem.objects.filter(code="SCJG-F").exists()
    )


def test_a_freeze_refuses_an_item_whose_stored_frequency_cannot_be_read(alice):
    item = factories.item("SCJG", category="重点", ratio_cap=None, name="计量器具使用检查")
    firms(2)
    scheme = again(alice, item)
    CheckItem.objects.filter(pk=item.pk).update(frequency="经常")  # written before the list validated it
    with pytest.raises(RowInvalid, match="事项“计量器具使用检查”：抽查频次“经常”无法识别"):
        reasons(scheme)
