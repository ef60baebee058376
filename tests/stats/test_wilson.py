"""The Wilson interval of a stratum's problem rate (pure function, not yet used by the scheme form)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shuangsuiji.stats.wilson import stratum_rates, wilson_interval


def test_it_gives_the_textbook_intervals():
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.27753), abs=1e-5)
    assert wilson_interval(5, 10) == pytest.approx((0.23659, 0.76341), abs=1e-5)
    assert wilson_interval(10, 10) == pytest.approx((0.72247, 1.0), abs=1e-5)


@given(st.integers(1, 10_000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_the_interval_holds_the_rate_stays_in_zero_one_and_mirrors(counts):
    k, n = counts
    low, high = wilson_interval(k, n)
    assert 0.0 <= low <= k / n <= high <= 1.0
    mirror_low, mirror_high = wilson_interval(n - k, n)
    assert (low, high) == pytest.approx((1 - mirror_high, 1 - mirror_low), abs=1e-12)


def test_more_checks_narrow_the_interval():
    narrow, wide = wilson_interval(30, 100), wilson_interval(3, 10)
    assert narrow[1] - narrow[0] < wide[1] - wide[0]


@pytest.mark.parametrize(("k", "n"), [(0, 0), (-1, 5), (6, 5)])
def test_it_refuses_impossible_counts_in_chinese(k, n):
    with pytest.raises(ValueError, match="检查数"):
        wilson_interval(k, n)


def test_it_counts_each_stratum_by_itself():
    rates = stratum_rates([("A", False)] * 8 + [("A", True)] * 2 + [("D", True)] * 3)
    assert (rates["A"].checked, rates["A"].problems, rates["A"].rate) == (10, 2, 0.2)
    assert (rates["D"].checked, rates["D"].problems, rates["D"].rate) == (3, 3, 1.0)
    assert rates["D"].high == 1.0 and rates["A"].low < 0.2 < rates["A"].high
