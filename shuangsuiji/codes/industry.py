"""国民经济行业分类 (industrial classification for national economic activities), GB/T 4754-2017.

Four levels: 门类 (section, a letter A–T), 大类 (division, 2 digits 01–97), 中类 (group, 3 digits),
小类 (class, 4 digits). A code may be written with its section letter in front, e.g. ``C3110``.
Only the format and the division → section mapping are checked, not that a 中类 or 小类 actually exists.
"""

import re

from ._text import normalize
from .errors import IndustryCodeError

SECTIONS: dict[str, str] = {
    "A": "农、林、牧、渔业",
    "B": "采矿业",
    "C": "制造业",
    "D": "电力、热力、燃气及水生产和供应业",
    "E": "建筑业",
    "F": "批发和零售业",
    "G": "交通运输、仓储和邮政业",
    "H": "住宿和餐饮业",
    "I": "信息传输、软件和信息技术服务业",
    "J": "金融业",
    "K": "房地产业",
    "L": "租赁和商务服务业",
    "M": "科学研究和技术服务业",
    "N": "水利、环境和公共设施管理业",
    "O": "居民服务、修理和其他服务业",
    "P": "教育",
    "Q": "卫生和社会工作",
    "R": "文化、体育和娱乐业",
    "S": "公共管理、社会保障和社会组织",
    "T": "国际组织",
}

# First and last 大类 of each 门类; together they cover 01–97 without gaps.
SECTION_DIVISIONS: dict[str, tuple[int, int]] = {
    "A": (1, 5),
    "B": (6, 12),
    "C": (13, 43),
    "D": (44, 46),
    "E": (47, 50),
    "F": (51, 52),
    "G": (53, 60),
    "H": (61, 62),
    "I": (63, 65),
    "J": (66, 69),
    "K": (70, 70),
    "L": (71, 72),
    "M": (73, 75),
    "N": (76, 79),
    "O": (80, 82),
    "P": (83, 83),
    "Q": (84, 85),
    "R": (86, 90),
    "S": (91, 96),
    "T": (97, 97),
}

FIRST_DIVISION, LAST_DIVISION = 1, 97
LEVELS = {1: "门类", 2: "大类", 3: "中类", 4: "小类"}

_FORMAT = re.compile(r"(?P<section>[A-Z]?)(?P<digits>[0-9]{2,4})|(?P<only>[A-Z])")
NAME = "行业代码"


def section_of_division(division: int | str) -> str:
    """The 门类 letter of a 大类, given as a number (31) or a two-digit string ("31")."""
    if isinstance(division, str):
        if not re.fullmatch(r"[0-9]{2}", division):
            raise IndustryCodeError(f"行业大类应为2位数字，实为 “{division}”")
        number = int(division)
    else:
        number = division
    for section, (first, last) in SECTION_DIVISIONS.items():
        if first <= number <= last:
            return section
    raise IndustryCodeError(f"行业大类应在 01–97 之间，实为 {division}")


def validate_industry_code(code: str) -> str:
    """Return the normalised code (stripped, uppercase) or raise IndustryCodeError.

    Accepted: a 门类 letter (``C``); a 大类/中类/小类 of 2/3/4 digits (``31``, ``311``, ``3110``); or the same
    digits after their 门类 letter (``C3110``), in which case the letter must be the division's 门类.
    """
    if not code or not normalize(code):
        raise IndustryCodeError(f"{NAME}不能为空")
    s = normalize(code)
    m = _FORMAT.fullmatch(s)
    if m is None:
        raise IndustryCodeError(
            f"{NAME}应为门类字母 A–T，或2–4位数字的大类、中类、小类代码（可带门类字母，如 C3110），实为 “{s}”"
        )
    if m["only"]:
        if m["only"] not in SECTIONS:
            raise IndustryCodeError(f"行业门类应为字母 A–T，实为 {s}")
        return s
    digits = m["digits"]
    division = int(digits[:2])
    if not (FIRST_DIVISION <= division <= LAST_DIVISION):
        raise IndustryCodeError(f"{NAME} {s} 的大类 {digits[:2]} 不存在：大类应在 01–97 之间")
    expected = section_of_division(division)
    if m["section"] and m["section"] != expected:
        raise IndustryCodeError(
            f"{NAME} {s} 的门类应为 {expected}，实为 {m['section']}（大类 {digits[:2]} 属于 {expected} {SECTIONS[expected]}）"
        )
    return s


def is_valid_industry_code(code: str) -> bool:
    try:
        validate_industry_code(code)
    except IndustryCodeError:
        return False
    return True


def industry_section(code: str) -> str:
    """The 门类 letter of any valid code: ``C3110`` → ``C``, ``311`` → ``C``, ``C`` → ``C``."""
    s = validate_industry_code(code)
    if s[0].isalpha():
        return s[0]
    return section_of_division(int(s[:2]))


def industry_level(code: str) -> str:
    """门类, 大类, 中类 or 小类."""
    s = validate_industry_code(code)
    return LEVELS[len(s.lstrip("ABCDEFGHIJKLMNOPQRST")) or 1]
