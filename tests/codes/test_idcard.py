from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shuangsuiji.codes import IDNumberError, id_check_char, is_valid_id_number, validate_id_number
from shuangsuiji.codes._text import normalize

TODAY = date(2026, 1, 15)


def test_it_accepts_the_standards_own_example() -> None:
    assert validate_id_number("11010519491231002X", today=TODAY) == "11010519491231002X"


def test_it_normalizes_a_lowercase_x() -> None:
    assert validate_id_number(" 11010519491231002x ", today=TODAY) == "11010519491231002X"


def test_it_computes_the_check_character() -> None:
    assert id_check_char("11010519491231002") == "X"


def test_it_rejects_a_wrong_check_character() -> None:
    with pytest.raises(IDNumberError, match="身份证号第18位校验码应为 X，实为 1"):
        validate_id_number("110105194912310021", today=TODAY)


@pytest.mark.parametrize("birth", ["19490231", "20230229", "19991301", "19990100", "00000000"])
def test_it_rejects_impossible_birth_dates(birth: str) -> None:
    first17 = "110105" + birth + "002"
    with pytest.raises(IDNumberError, match=f"身份证号出生日期 {birth} 不是有效日期"):
        validate_id_number(first17 + id_check_char(first17), today=TODAY)


def test_it_accepts_29_february_of_a_leap_year() -> None:
    first17 = "41048120000229123"
    assert is_valid_id_number(first17 + id_check_char(first17), today=TODAY)


def test_it_rejects_a_birth_date_in_the_future() -> None:
    first17 = "41048120260116123"
    with pytest.raises(IDNumberError, match="身份证号出生日期 20260116 晚于今天（20260115）"):
        validate_id_number(first17 + id_check_char(first17), today=TODAY)


def test_it_accepts_a_person_born_today() -> None:
    first17 = "41048120260115123"
    assert is_valid_id_number(first17 + id_check_char(first17), today=TODAY)


def test_it_rejects_a_birth_date_before_1900() -> None:
    first17 = "11010518991231002"
    with pytest.raises(IDNumberError, match="身份证号出生日期 18991231 早于1900年"):
        validate_id_number(first17 + id_check_char(first17), today=TODAY)


@pytest.mark.parametrize(("number", "length"), [("11010519491231002", 17), ("11010519491231002XX", 19)])
def test_it_rejects_wrong_length(number: str, length: int) -> None:
    with pytest.raises(IDNumberError, match=f"身份证号应为18位，实为{length}位"):
        validate_id_number(number, today=TODAY)


def test_it_asks_for_the_new_number_instead_of_an_old_15_digit_one() -> None:
    with pytest.raises(IDNumberError, match="实为15位（15位的旧号码请换用18位的新号码）"):
        validate_id_number("110105491231002", today=TODAY)


def test_it_rejects_a_letter_among_the_first_17() -> None:
    with pytest.raises(IDNumberError, match="身份证号前17位应为数字（第7位为 “A”）"):
        validate_id_number("110105A9491231002X", today=TODAY)


def test_it_rejects_a_check_character_other_than_a_digit_or_x() -> None:
    with pytest.raises(IDNumberError, match="身份证号第18位应为数字或 X，实为 “Y”"):
        validate_id_number("11010519491231002Y", today=TODAY)


@pytest.mark.parametrize("number", ["", "  ", None])
def test_it_rejects_an_empty_number(number: str) -> None:
    with pytest.raises(IDNumberError, match="身份证号不能为空"):
        validate_id_number(number)


def test_it_uses_todays_date_in_china_by_default() -> None:
    assert is_valid_id_number("11010519491231002X")


def test_check_char_refuses_non_digits() -> None:
    with pytest.raises(IDNumberError):
        id_check_char("1101051949123100X")


# --- properties -------------------------------------------------------------------------------------------

birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)


@st.composite
def valid_first17(draw: st.DrawFn) -> str:
    region = draw(st.text(alphabet="0123456789", min_size=6, max_size=6))
    sequence = draw(st.text(alphabet="0123456789", min_size=3, max_size=3))
    return f"{region}{draw(birth_dates):%Y%m%d}{sequence}"


@st.composite
def valid_numbers(draw: st.DrawFn) -> str:
    first17 = draw(valid_first17())
    return first17 + id_check_char(first17)


@given(valid_first17())
def test_any_17_valid_digits_with_their_check_character_validate(first17: str) -> None:
    assert validate_id_number(first17 + id_check_char(first17), today=TODAY) == first17 + id_check_char(
        first17
    )


@given(valid_numbers(), st.integers(0, 17), st.characters())
def test_changing_any_single_character_invalidates_a_number(
    number: str, position: int, replacement: str
) -> None:
    # Why this holds: the weights 2^k mod 11 are never 0 mod the prime 11 and two digits differ by at most 9,
    # so replacing one of the first 17 digits changes the sum mod 11 and thus the check character (or breaks
    # the birth date); the 11 check characters are distinct; other characters are refused outright.
    if normalize(replacement) == number[position]:
        return  # e.g. "x" for "X", or a full-width digit: not a change
    changed = number[:position] + replacement + number[position + 1 :]
    assert not is_valid_id_number(changed, today=TODAY)


@given(valid_numbers(), st.integers(0, 15))
def test_swapping_two_different_neighbours_among_the_first_17_is_detected(number: str, i: int) -> None:
    # (b − a)(w_i − w_{i+1}) = (b − a)·w_{i+1} since w_i = 2·w_{i+1} mod 11: never 0 mod 11.
    if number[i] == number[i + 1]:
        return
    swapped = number[:i] + number[i + 1] + number[i] + number[i + 2 :]
    assert not is_valid_id_number(swapped, today=TODAY)


@given(st.dates(min_value=TODAY + timedelta(days=1), max_value=date(9999, 12, 31)))
def test_no_birth_date_after_today_is_accepted(born: date) -> None:
    first17 = f"410481{born:%Y%m%d}123"
    assert not is_valid_id_number(first17 + id_check_char(first17), today=TODAY)
