import pytest
from hypothesis import given
from hypothesis import strategies as st

from shuangsuiji.codes import mask_id_number, mask_phone
from shuangsuiji.codes._text import normalize


def test_it_keeps_the_first_and_last_four_characters_of_an_id_number() -> None:
    assert mask_id_number("410481199001011234") == "4104**********1234"
    assert mask_id_number("41048119900101123x") == "4104**********123X"


@pytest.mark.parametrize("value", [None, ""])
def test_it_masks_nothing_into_an_empty_string(value: str | None) -> None:
    assert mask_id_number(value) == ""
    assert mask_phone(value) == ""


def test_it_hides_a_short_id_number_completely() -> None:
    assert mask_id_number("12345678") == "********"


def test_it_keeps_the_first_three_and_last_four_digits_of_a_mobile_number() -> None:
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("+86 138 1234 1234") == "138****1234"


def test_it_keeps_the_area_code_and_last_four_digits_of_a_landline() -> None:
    assert mask_phone("0375-8123456") == "0375-***3456"
    assert mask_phone("01082345678") == "010-****5678"


def test_it_hides_a_landline_extension() -> None:
    assert mask_phone("0375-8123456-123") == "0375-***3456-***"


def test_it_keeps_only_the_last_four_characters_of_an_invalid_phone_number() -> None:
    assert mask_phone("12345678901234") == "**********1234"
    assert mask_phone("1234") == "****"


@given(st.text())
def test_masking_an_id_number_never_reveals_more_than_the_first_and_last_four(value: str) -> None:
    s = normalize(value)
    masked = mask_id_number(value)
    assert len(masked) == len(s)
    revealed = [i for i, c in enumerate(masked) if c != "*"]
    assert all(masked[i] == s[i] and (i < 4 or i >= len(s) - 4) for i in revealed)
    if len(s) <= 8:
        assert revealed == []


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_masking_a_mobile_number_reveals_exactly_seven_digits(number: str) -> None:
    masked = mask_phone(number)
    assert masked == number[:3] + "****" + number[-4:]


@given(st.text())
def test_masking_a_phone_number_never_reveals_more_than_eight_digits(value: str) -> None:
    # At most a 4-digit area code and the last 4 digits of the number.
    masked = mask_phone(value)
    assert sum(c.isdigit() for c in masked) <= 8


@given(st.from_regex(r"0[3-9][0-9]{2}-[2-9][0-9]{6,7}(-[0-9]{1,6})?", fullmatch=True))
def test_masking_a_landline_reveals_only_the_area_code_and_last_four_digits(number: str) -> None:
    area, local, *_ = number.split("-")
    masked = mask_phone(number)
    assert masked.startswith(f"{area}-" + "*" * (len(local) - 4) + local[-4:])
    assert sum(c.isdigit() for c in masked) == len(area) + 4
