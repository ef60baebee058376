import pytest

from shuangsuiji.codes import (
    SECTIONS,
    IndustryCodeError,
    industry_level,
    industry_section,
    is_valid_industry_code,
    section_of_division,
    validate_industry_code,
)
from shuangsuiji.codes.industry import SECTION_DIVISIONS


@pytest.mark.parametrize(
    ("raw", "normalized", "level"),
    [
        ("C", "C", "门类"),
        ("c", "C", "门类"),
        ("31", "31", "大类"),
        ("311", "311", "中类"),
        ("3110", "3110", "小类"),
        ("C3110", "C3110", "小类"),
        (" c31 ", "C31", "大类"),
        ("A0111", "A0111", "小类"),
        ("T97", "T97", "大类"),
    ],
)
def test_it_accepts_sections_divisions_groups_and_classes(raw: str, normalized: str, level: str) -> None:
    assert validate_industry_code(raw) == normalized
    assert industry_level(raw) == level


def test_it_has_twenty_sections_a_to_t() -> None:
    assert "".join(SECTIONS) == "ABCDEFGHIJKLMNOPQRST"
    assert SECTIONS["A"] == "农、林、牧、渔业"
    assert SECTIONS["T"] == "国际组织"


def test_the_sections_cover_divisions_01_to_97_in_order_without_gaps() -> None:
    covered = [n for first, last in SECTION_DIVISIONS.values() for n in range(first, last + 1)]
    assert covered == list(range(1, 98))


@pytest.mark.parametrize(
    ("division", "section"),
    [
        (1, "A"),
        (5, "A"),
        (6, "B"),
        (13, "C"),
        (31, "C"),
        (43, "C"),
        (44, "D"),
        (70, "K"),
        (83, "P"),
        (96, "S"),
        (97, "T"),
    ],
)
def test_it_maps_a_division_to_its_section(division: int, section: str) -> None:
    assert section_of_division(division) == section
    assert section_of_division(f"{division:02d}") == section


@pytest.mark.parametrize("division", [0, 98, 99])
def test_it_rejects_divisions_outside_01_to_97(division: int) -> None:
    with pytest.raises(IndustryCodeError, match="01–97"):
        section_of_division(division)
    with pytest.raises(IndustryCodeError, match="大类应在 01–97 之间"):
        validate_industry_code(f"{division:02d}10")


def test_it_rejects_a_section_letter_that_does_not_match_the_division() -> None:
    with pytest.raises(
        IndustryCodeError, match="行业代码 A3110 的门类应为 C，实为 A（大类 31 属于 C 制造业）"
    ):
        validate_industry_code("A3110")


@pytest.mark.parametrize("raw", ["U", "Z"])
def test_it_rejects_letters_after_T(raw: str) -> None:
    with pytest.raises(IndustryCodeError, match="行业门类应为字母 A–T"):
        validate_industry_code(raw)


@pytest.mark.parametrize("raw", ["1", "C1", "31101", "C31101", "31A", "CC31", "3-1"])
def test_it_rejects_malformed_codes(raw: str) -> None:
    assert not is_valid_industry_code(raw)


def test_it_rejects_an_empty_code() -> None:
    with pytest.raises(IndustryCodeError, match="行业代码不能为空"):
        validate_industry_code("")


def test_it_rejects_digits_of_other_scripts() -> None:
    assert not is_valid_industry_code("٣١")


@pytest.mark.parametrize(("code", "section"), [("C3110", "C"), ("311", "C"), ("0111", "A"), ("F", "F")])
def test_it_finds_the_section_of_any_code(code: str, section: str) -> None:
    assert industry_section(code) == section
