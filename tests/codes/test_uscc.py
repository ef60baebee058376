import pytest
from hypothesis import given
from hypothesis import strategies as st

from shuangsuiji.codes import CodeError, USCCError, is_valid_uscc, uscc_check_char, uscc_kind, validate_uscc
from shuangsuiji.codes._text import normalize
from shuangsuiji.codes.uscc import ALPHABET, AUTHORITIES, MARKET_KINDS

EXAMPLES = ["91350100M000100Y43", "91110000600037341L", "91110108551385082Q"]


@pytest.mark.parametrize("code", EXAMPLES)
def test_it_accepts_the_standards_own_examples(code: str) -> None:
    assert validate_uscc(code) == code
    assert is_valid_uscc(code)


@pytest.mark.parametrize("code", EXAMPLES)
def test_it_computes_the_check_character_of_the_examples(code: str) -> None:
    assert uscc_check_char(code[:17]) == code[17]


def test_it_maps_a_sum_divisible_by_31_to_check_character_0() -> None:
    # 31 − 0 = 31 is not a character value; the standard writes 0 instead.
    # "91", 14 zeros, "4": Σ = 9·1 + 1·3 + 4·28 = 124 = 4·31.
    first17 = "91" + "0" * 14 + "4"
    assert uscc_check_char(first17) == "0"
    assert is_valid_uscc(first17 + "0")


def test_it_strips_and_uppercases() -> None:
    assert validate_uscc("  91110108551385082q\n") == "91110108551385082Q"


def test_it_folds_full_width_characters_typed_with_a_chinese_ime() -> None:
    assert validate_uscc("９１１１０１０８５５１３８５０８２Ｑ") == "91110108551385082Q"


def test_it_rejects_a_wrong_check_character() -> None:
    with pytest.raises(USCCError, match="统一社会信用代码第18位校验码应为 3，实为 4"):
        validate_uscc("91350100M000100Y44")


@pytest.mark.parametrize("letter", "IOSVZ")
def test_it_rejects_forbidden_letters_I_O_S_V_Z(letter: str) -> None:
    code = "9135" + letter + "100M000100Y43"
    with pytest.raises(USCCError, match=f"统一社会信用代码不得含字母 I、O、S、V、Z（第5位为 {letter}）"):
        validate_uscc(code)


def test_it_names_a_lowercase_forbidden_letter_as_typed_in_uppercase() -> None:
    with pytest.raises(USCCError, match="第5位为 O"):
        validate_uscc("9135o100M000100Y43")


@pytest.mark.parametrize(
    ("code", "length"), [("91350100M000100Y4", 17), ("91350100M000100Y431", 19), ("9", 1)]
)
def test_it_rejects_wrong_length(code: str, length: int) -> None:
    with pytest.raises(USCCError, match=f"统一社会信用代码应为18位，实为{length}位"):
        validate_uscc(code)


@pytest.mark.parametrize("code", ["", "   ", None])
def test_it_rejects_an_empty_code(code: str) -> None:
    with pytest.raises(USCCError, match="统一社会信用代码不能为空"):
        validate_uscc(code)


def test_it_rejects_other_characters() -> None:
    with pytest.raises(USCCError, match="统一社会信用代码只能由数字和大写字母组成（第9位为 “-”）"):
        validate_uscc("91350100-000100Y43")


def test_it_rejects_an_unknown_registration_authority() -> None:
    code = "B1350100M000100Y4"
    code += uscc_check_char(code)
    with pytest.raises(USCCError, match="第1位（登记管理部门码）应为 .* 之一，实为 B"):
        validate_uscc(code)


def test_it_rejects_a_kind_market_regulation_does_not_issue() -> None:
    code = "94350100M000100Y4"
    code += uscc_check_char(code)
    with pytest.raises(
        USCCError,
        match="第2位（机构类别码）在第1位为 9 时应为 1（企业）、2（个体工商户）或 3（农民专业合作社），实为 4",
    ):
        validate_uscc(code)


@pytest.mark.parametrize(
    "first17", ["12110000400000001", "52110000MJ0000001", "Y1110000MA0000001", "N2410481MA0000001"]
)
def test_it_accepts_other_registration_authorities(first17: str) -> None:
    assert is_valid_uscc(first17 + uscc_check_char(first17))


def test_it_rejects_kind_0_for_other_authorities() -> None:
    code = "10110000400000001"
    code += uscc_check_char(code)
    with pytest.raises(USCCError, match="第2位（机构类别码）应为数字1–9，实为 0"):
        validate_uscc(code)


@pytest.mark.parametrize(("kind", "name"), MARKET_KINDS.items())
def test_it_names_the_kind_of_market_entity(kind: str, name: str) -> None:
    first17 = "9" + kind + "410481MA0000001"
    assert uscc_kind(first17 + uscc_check_char(first17)) == name


def test_it_gives_no_kind_for_other_authorities_or_invalid_codes() -> None:
    first17 = "12110000400000001"
    assert uscc_kind(first17 + uscc_check_char(first17)) is None
    assert uscc_kind("91350100M000100Y44") is None


def test_its_errors_are_value_errors() -> None:
    assert issubclass(USCCError, CodeError)
    assert issubclass(CodeError, ValueError)


def test_check_char_refuses_a_wrong_length() -> None:
    with pytest.raises(USCCError, match="前17位，实为16位"):
        uscc_check_char("9135010000000010")


# --- properties -------------------------------------------------------------------------------------------

valid_first17 = st.builds(
    lambda a, k, rest: a + k + rest,
    st.sampled_from(sorted(AUTHORITIES)),
    st.sampled_from("123"),
    st.text(alphabet=ALPHABET, min_size=15, max_size=15),
)


@st.composite
def valid_codes(draw: st.DrawFn) -> str:
    first17 = draw(valid_first17)
    return first17 + uscc_check_char(first17)


@given(valid_first17)
def test_any_17_valid_characters_with_their_check_character_validate(first17: str) -> None:
    assert validate_uscc(first17 + uscc_check_char(first17)) == first17 + uscc_check_char(first17)


@given(valid_codes(), st.integers(0, 17), st.characters())
def test_changing_any_single_character_invalidates_a_code(code: str, position: int, replacement: str) -> None:
    # Why this holds: the weights are 3^i mod 31, never 0 mod the prime 31, and two character values differ by
    # less than 31, so replacing one of the first 17 characters changes the sum mod 31 and the check character;
    # the 31 possible check characters are distinct; anything outside the alphabet is refused outright.
    if normalize(replacement) == code[position]:
        return  # e.g. a full-width or lowercase form of the same character: not a change
    changed = code[:position] + replacement + code[position + 1 :]
    assert not is_valid_uscc(changed)


@pytest.mark.parametrize("code", EXAMPLES)
def test_every_single_substitution_of_the_examples_is_detected(code: str) -> None:
    for position in range(18):
        for replacement in ALPHABET + "IOSVZ":
            if replacement != code[position]:
                assert not is_valid_uscc(code[:position] + replacement + code[position + 1 :])


@given(valid_codes(), st.integers(0, 15))
def test_swapping_two_different_neighbours_among_the_first_17_is_detected(code: str, i: int) -> None:
    # Swapping values a, b at positions i, i+1 changes the sum by (b − a)(w_i − w_{i+1}) = −2(b − a)·w_i,
    # which is not 0 mod 31. (A swap involving the check character itself is not always detected.)
    if code[i] == code[i + 1]:
        return
    swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
    assert not is_valid_uscc(swapped)
