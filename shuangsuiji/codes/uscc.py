"""统一社会信用代码 (unified social credit code), GB 32100-2015.

Layout: char 1 registration authority, char 2 kind of organisation, chars 3–8 region code of the registering
authority, chars 9–17 organisation code, char 18 check character (mod 31).
"""

from ._text import normalize
from .errors import USCCError

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
FORBIDDEN_LETTERS = "IOSVZ"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {c: i for i, c in enumerate(ALPHABET)}

# 登记管理部门代码 (char 1) as listed in GB 32100-2015 and its later assignments.
AUTHORITIES: dict[str, str] = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "工商（市场监管）",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}

# 机构类别代码 (char 2) for codes issued by market regulation (char 1 = 9).
MARKET_KINDS: dict[str, str] = {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}

NAME = "统一社会信用代码"


def uscc_check_char(first17: str) -> str:
    """The check character (char 18) for the first 17 characters of a code."""
    if len(first17) != 17:
        raise USCCError(f"计算校验码需要{NAME}前17位，实为{len(first17)}位")
    _check_alphabet(first17)
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate_uscc(code: str) -> str:
    """Return the normalised code (stripped, uppercase) or raise USCCError saying what is wrong."""
    if not code or not normalize(code):
        raise USCCError(f"{NAME}不能为空")
    s = normalize(code)
    if len(s) != 18:
        raise USCCError(f"{NAME}应为18位，实为{len(s)}位")
    _check_alphabet(s)
    if s[0] not in AUTHORITIES:
        allowed = "、".join(AUTHORITIES)
        raise USCCError(f"{NAME}第1位（登记管理部门码）应为 {allowed} 之一，实为 {s[0]}")
    # The standard's kind codes are digits; each authority uses a few of them. Only the market-regulation
    # ones matter here, so other authorities are accepted with any non-zero digit.
    if s[0] == "9":
        if s[1] not in MARKET_KINDS:
            raise USCCError(
                f"{NAME}第2位（机构类别码）在第1位为 9 时应为 1（企业）、2（个体工商户）或 3（农民专业合作社），实为 {s[1]}"
            )
    elif not ("1" <= s[1] <= "9"):
        raise USCCError(f"{NAME}第2位（机构类别码）应为数字1–9，实为 {s[1]}")
    expected = uscc_check_char(s[:17])
    if s[17] != expected:
        raise USCCError(f"{NAME}第18位校验码应为 {expected}，实为 {s[17]}")
    return s


def is_valid_uscc(code: str) -> bool:
    try:
        validate_uscc(code)
    except USCCError:
        return False
    return True


def uscc_kind(code: str) -> str | None:
    """企业 / 个体工商户 / 农民专业合作社 for a valid code issued by market regulation (91/92/93), else None."""
    try:
        s = validate_uscc(code)
    except USCCError:
        return None
    if s[0] != "9":
        return None
    return MARKET_KINDS.get(s[1])


def _check_alphabet(s: str) -> None:
    for position, c in enumerate(s, start=1):
        if c in FORBIDDEN_LETTERS:
            raise USCCError(f"{NAME}不得含字母 I、O、S、V、Z（第{position}位为 {c}）")
        if c not in _VALUE:
            raise USCCError(f"{NAME}只能由数字和大写字母组成（第{position}位为 “{c}”）")
