"""抽查频次 → times one object may be drawn for the item in a year: the one mapping (codes/frequency.py)."""

import pytest

from shuangsuiji.codes.errors import FrequencyError
from shuangsuiji.codes.frequency import times_per_year


@pytest.mark.parametrize(
    ("text", "times"),
    [
        ("", None),
        ("  ", None),
        ("每年1次", 1),
        ("每年一次", 1),
        ("每年2次", 2),
        ("每年两次", 2),
        ("每年度 1 次", 1),
        ("每年不超过2次", 2),
        ("每半年1次", 2),
        ("每季度1次", 4),
        ("每月1次", 12),
        ("2次/年", 2),
    ],
)
def test_it_reads_the_frequency_as_times_a_year(text, times):
    assert times_per_year(text) == times


@pytest.mark.parametrize("text", ["想查就查", "不定期", "每周1次", "每年0次", "每月2次", "每年100次"])
def test_it_refuses_a_frequency_it_cannot_read_with_an_example(text):
    with pytest.raises(FrequencyError, match="抽查频次"):
        times_per_year(text)
