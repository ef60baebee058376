import pytest
from hypothesis import given
from hypothesis import strategies as st

from shuangsuiji.codes import PhoneError, is_mobile, is_valid_phone, validate_phone


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("13812341234", "13812341234"),
        (" 199 0000 1111 ", "19900001111"),
        ("138-1234-1234", "13812341234"),
        ("+86 138 1234 1234", "13812341234"),
        ("１３８１２３４１２３４", "13812341234"),
    ],
)
def test_it_accepts_mobile_numbers(raw: str, normalized: str) -> None:
    assert validate_phone(raw) == normalized
    assert is_mobile(raw)


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("0375-8123456", "0375-8123456"),
        ("03758123456", "0375-8123456"),
        ("0375-81234567", "0375-81234567"),
        ("0375-8123456-123", "0375-8123456-123"),
        ("(0375)8123456", "0375-8123456"),
        ("010-82345678", "010-82345678"),
        ("01082345678", "010-82345678"),
        ("021-6888 8888", "021-68888888"),
    ],
)
def test_it_accepts_landlines_with_area_code_and_extension(raw: str, normalized: str) -> None:
    assert validate_phone(raw) == normalized
    assert not is_mobile(raw)


@pytest.mark.parametrize("raw", ["1381234123", "138123412345", "12812341234", "10012341234"])
def test_it_rejects_a_mobile_number_of_the_wrong_form(raw: str) -> None:
    with pytest.raises(PhoneError, match="手机号应为以1开头的11位数字"):
        validate_phone(raw)


def test_it_says_how_many_digits_a_mobile_number_has() -> None:
    with pytest.raises(PhoneError, match="手机号应为以1开头的11位数字，实为10位"):
        validate_phone("1381234123")


def test_it_rejects_a_landline_with_too_short_a_number() -> None:
    with pytest.raises(PhoneError, match="固定电话号码（区号 0375 之后）应为7–8位数字，实为6位"):
        validate_phone("0375-812345")


def test_it_rejects_an_impossible_area_code() -> None:
    with pytest.raises(PhoneError, match="固定电话区号应为以0开头的3–4位数字"):
        validate_phone("0123-8123456")


def test_it_rejects_a_too_long_extension() -> None:
    with pytest.raises(PhoneError, match="固定电话分机号应为1–6位数字，实为 “1234567”"):
        validate_phone("0375-8123456-1234567")


def test_it_rejects_a_number_without_area_code() -> None:
    with pytest.raises(PhoneError, match="带区号的固定电话"):
        validate_phone("8123456")


@pytest.mark.parametrize("raw", ["", "  ", None])
def test_it_rejects_an_empty_number(raw: str) -> None:
    with pytest.raises(PhoneError, match="电话号码不能为空"):
        validate_phone(raw)


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_every_mobile_number_validates_to_itself(number: str) -> None:
    assert validate_phone(number) == number


@given(st.text())
def test_it_never_fails_other_than_with_a_phone_error(raw: str) -> None:
    try:
        result = validate_phone(raw)
    except PhoneError:
        return
    assert result.isascii()
    assert is_valid_phone(result)
