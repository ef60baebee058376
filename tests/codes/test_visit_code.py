import math

from hypothesis import given
from hypothesis import strategies as st

from shuangsuiji.codes.visit import ALPHABET, LENGTH, format_visit_code, new_visit_code, read_visit_code


def test_a_code_has_no_letters_that_read_alike_and_at_least_40_bits() -> None:
    assert not set("0O1IL") & set(ALPHABET) and len(set(ALPHABET)) == len(ALPHABET) == 31
    assert LENGTH * math.log2(len(ALPHABET)) >= 40
    codes = {new_visit_code() for _ in range(200)}
    assert len(codes) == 200 and all(len(c) == LENGTH and set(c) <= set(ALPHABET) for c in codes)


def test_it_reads_a_code_however_the_firm_types_it() -> None:
    assert format_visit_code("ABCDE23456") == "ABCDE-23456"
    for typed in ("ABCDE-23456", "abcde 23456", " AbCdE—23456 ", "ＡＢＣＤＥ－２３４５６", "abc.de_234.56"):
        assert read_visit_code(typed) == "ABCDE23456", typed


def test_it_refuses_what_cannot_be_a_code() -> None:
    for typed in (
        "",
        "ABCDE2345",
        "ABCDE234567",
        "ABCDE2345O",
        "ABCDE23451",
        "ABCDEI3456",
        "A" * 41,
        "ß" * 10,
    ):
        assert read_visit_code(typed) is None, typed


@given(st.text(max_size=60))
def test_reading_any_text_gives_a_code_or_nothing_and_never_raises(typed: str) -> None:
    code = read_visit_code(typed)
    assert code is None or (len(code) == LENGTH and set(code) <= set(ALPHABET))


@given(st.integers(min_value=0))
def test_a_printed_code_reads_back_as_itself(_: int) -> None:
    code = new_visit_code()
    assert read_visit_code(format_visit_code(code)) == code
    assert read_visit_code(format_visit_code(code).lower()) == code
