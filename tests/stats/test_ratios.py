"""The suggested ratio of a stratum (pure rule, synthetic histories)."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from shuangsuiji.stats.ratios import MIN_CHECKED, suggest_ratio

THREE = Decimal("0.03")


def test_the_issue_example_suggests_a_higher_ratio_and_says_why():
    s = suggest_ratio(current=THREE, checked=48, problems=12, dept_checked=500, dept_problems=50)
    assert s.changed and s.ratio == Decimal("0.06")  # 2.5 times the average, held to twice the ratio
    assert s.sentence.startswith("过去3年该层抽查 48 户、发现问题 12 户（25%，95% 区间 14.9%–38.8%）")
    assert "高于全部门平均 10%：建议比例 6%（现为 3%）" in s.sentence


def test_a_stratum_with_no_problems_is_never_raised():
    s = suggest_ratio(current=THREE, checked=200, problems=0, dept_checked=1000, dept_problems=100)
    assert not s.changed and s.ratio == THREE and "未发现问题" in s.sentence


def test_a_small_stratum_keeps_its_ratio_however_bad_it_looks():
    s = suggest_ratio(
        current=THREE, checked=MIN_CHECKED - 1, problems=MIN_CHECKED - 1, dept_checked=900, dept_problems=9
    )
    assert not s.changed and "区间过宽" in s.sentence


def test_a_rate_within_the_noise_of_the_average_keeps_the_ratio():
    s = suggest_ratio(current=THREE, checked=40, problems=6, dept_checked=400, dept_problems=40)
    assert not s.changed and "无明显差异" in s.sentence


def test_the_suggestion_stops_at_the_general_items_cap():
    s = suggest_ratio(
        current=THREE, checked=100, problems=60, dept_checked=1000, dept_problems=50, cap=Decimal("0.05")
    )
    assert s.ratio == Decimal("0.05") and "上限 5%" in s.sentence
    at_cap = suggest_ratio(
        current=Decimal("0.05"),
        checked=100,
        problems=60,
        dept_checked=1000,
        dept_problems=50,
        cap=Decimal("0.05"),
    )
    assert not at_cap.changed and at_cap.ratio == Decimal("0.05")


def test_no_history_means_no_suggestion():
    s = suggest_ratio(current=None, checked=0, problems=0, dept_checked=0, dept_problems=0)
    assert s.ratio is None and not s.changed and "没有已公示" in s.sentence


@given(
    st.integers(0, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
    st.integers(1, 2000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
    st.sampled_from([Decimal("0.01"), THREE, Decimal("0.1")]),
    st.sampled_from([None, Decimal("0.02"), Decimal("0.05"), Decimal("0.2")]),
)
def test_it_never_lowers_never_raises_without_problems_and_never_passes_a_cap_it_was_under(
    stratum, dept, current, cap
):
    (k, n), (dk, dn) = stratum, dept
    s = suggest_ratio(current=current, checked=n, problems=k, dept_checked=dn, dept_problems=dk, cap=cap)
    assert s.ratio is not None and s.ratio >= current
    if k == 0 or n < MIN_CHECKED:
        assert s.ratio == current
    if cap is not None and current <= cap:
        assert s.ratio <= cap
    assert s.ratio <= 2 * current


def test_the_trusted_stratum_is_never_suggested_higher_however_high_its_rate():
    s = suggest_ratio(
        current=Decimal("0.01"), checked=100, problems=60, dept_checked=1000, dept_problems=50, trusted=True
    )
    assert not s.changed and s.ratio == Decimal("0.01")
    assert "守信（包容审慎）层不建议提高比例；可考虑不设守信层" in s.sentence
    calm = suggest_ratio(
        current=Decimal("0.01"), checked=100, problems=0, dept_checked=1000, dept_problems=50, trusted=True
    )
    assert not calm.changed and calm.ratio == Decimal("0.01")


@given(
    checked=st.integers(0, 500),
    rate=st.floats(0, 1),
    dept_checked=st.integers(1, 5000),
    dept_rate=st.floats(0, 1),
    current=st.decimals(min_value=Decimal("0.001"), max_value=1, places=3),
)
def test_the_trusted_stratum_keeps_its_ratio_on_any_history(checked, rate, dept_checked, dept_rate, current):
    s = suggest_ratio(
        current=current,
        checked=checked,
        problems=int(checked * rate),
        dept_checked=dept_checked,
        dept_problems=int(dept_checked * dept_rate),
        trusted=True,
    )
    assert not s.changed and s.ratio == current
