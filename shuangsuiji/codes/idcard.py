"""居民身份证号码 (citizen identity number), GB 11643-1999.

Layout: 6-digit region code, 8-digit birth date YYYYMMDD, 3-digit sequence (odd = male), check character (mod 11).
"""

from datetime import date, datetime, timedelta, timezone

from ._text import normalize
from .errors import IDNumberError

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
EARLIEST_BIRTH_YEAR = 1900

# China has had no daylight saving time since 1991, so a fixed offset is exact and needs no tz database.
_CHINA = timezone(timedelta(hours=8))

NAME = "身份证号"


def id_check_char(first17: str) -> str:
    """The check character (char 18) for the first 17 digits."""
    if len(first17) != 17 or not _is_ascii_digits(first17):
        raise IDNumberError(f"计算校验码需要{NAME}前17位数字，实为“{first17}”")
    total = sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def validate_id_number(number: str, *, today: date | None = None) -> str:
    """Return the normalised number (stripped, check character ``x`` → ``X``) or raise IDNumberError.

    ``today`` bounds the birth date from above; by default it is today's date in China.
    """
    if not number or not normalize(number):
        raise IDNumberError(f"{NAME}不能为空")
    s = normalize(number)
    if len(s) == 15 and _is_ascii_digits(s):
        raise IDNumberError(f"{NAME}应为18位，实为15位（15位的旧号码请换用18位的新号码）")
    if len(s) != 18:
        raise IDNumberError(f"{NAME}应为18位，实为{len(s)}位")
    for position, c in enumerate(s[:17], start=1):
        if not _is_ascii_digits(c):
            raise IDNumberError(f"{NAME}前17位应为数字（第{position}位为 “{c}”）")
    if s[17] not in CHECK_CHARS:
        raise IDNumberError(f"{NAME}第18位应为数字或 X，实为 “{s[17]}”")
    birth = s[6:14]
    try:
        born = date(int(birth[:4]), int(birth[4:6]), int(birth[6:]))
    except ValueError:
        raise IDNumberError(f"{NAME}出生日期 {birth} 不是有效日期") from None
    if born.year < EARLIEST_BIRTH_YEAR:
        raise IDNumberError(f"{NAME}出生日期 {birth} 早于{EARLIEST_BIRTH_YEAR}年")
    if today is None:
        today = datetime.now(_CHINA).date()
    if born > today:
        raise IDNumberError(f"{NAME}出生日期 {birth} 晚于今天（{today:%Y%m%d}）")
    expected = id_check_char(s[:17])
    if s[17] != expected:
        raise IDNumberError(f"{NAME}第18位校验码应为 {expected}，实为 {s[17]}")
    return s


def is_valid_id_number(number: str, *, today: date | None = None) -> bool:
    try:
        validate_id_number(number, today=today)
    except IDNumberError:
        return False
    return True


def _is_ascii_digits(s: str) -> bool:
    # str.isdigit() also accepts superscripts and other scripts' digits; int() would then accept some of them.
    return s.isascii() and s.isdigit()
