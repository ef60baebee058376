"""Telephone numbers: mainland mobile numbers and landlines with an area code.

Normalised forms: ``13812341234`` for a mobile, ``0375-8123456`` or ``0375-8123456-123`` (extension) for a landline.
"""

import re

from ._text import normalize
from .errors import PhoneError

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
# Area codes: 010 and 02X have three digits, every other one (03XX–09XX) has four, so the split of a number
# written without a hyphen is unambiguous. Local numbers have 7 or 8 digits and never start with 0 or 1.
_AREA = r"(?P<area>010|02[0-9]|0[3-9][0-9][0-9])"
_LOCAL = r"(?P<local>[2-9][0-9]{6,7})"
_EXT = r"(?:-(?P<ext>[0-9]{1,6}))?"
_LANDLINE = re.compile(rf"{_AREA}-?{_LOCAL}{_EXT}")
_SEPARATORS = re.compile(r"[\s()（）]")

MOBILE_MESSAGE = "手机号应为以1开头的11位数字"


def validate_phone(phone: str) -> str:
    """Return the normalised number or raise PhoneError saying what is wrong."""
    if not phone or not normalize(phone):
        raise PhoneError("电话号码不能为空")
    s = _SEPARATORS.sub("", normalize(phone))
    if s.startswith("+86"):
        s = s[3:].lstrip("-")
    if s.startswith("1"):
        digits = s.replace("-", "")
        if _MOBILE.fullmatch(digits):
            return digits
        if not digits.isascii() or not digits.isdigit():
            raise PhoneError(f"{MOBILE_MESSAGE}，不能含其他字符")
        if len(digits) != 11:
            raise PhoneError(f"{MOBILE_MESSAGE}，实为{len(digits)}位")
        raise PhoneError(f"{MOBILE_MESSAGE}，且第2位应为3–9，实为 {digits[1]}")
    if s.startswith("0"):
        return _validate_landline(s)
    raise PhoneError("电话号码应为手机号（以1开头的11位数字）或带区号的固定电话（如 0375-8123456）")


def is_valid_phone(phone: str) -> bool:
    try:
        validate_phone(phone)
    except PhoneError:
        return False
    return True


def is_mobile(phone: str) -> bool:
    try:
        return _MOBILE.fullmatch(validate_phone(phone)) is not None
    except PhoneError:
        return False


def _validate_landline(s: str) -> str:
    m = _LANDLINE.fullmatch(s)
    if m:
        normalized = f"{m['area']}-{m['local']}"
        return f"{normalized}-{m['ext']}" if m["ext"] else normalized
    if not re.fullmatch(r"[0-9-]+", s):
        raise PhoneError(f"固定电话只能由数字和连字符组成，如 0375-8123456，实为 “{s}”")
    area = re.match(r"010|02[0-9]|0[3-9][0-9][0-9]", s)
    if area is None:
        raise PhoneError(f"固定电话区号应为以0开头的3–4位数字（如 010、0375），实为 “{s.split('-')[0]}”")
    rest = s[area.end() :].lstrip("-")
    local, _, ext = rest.partition("-")
    if not (7 <= len(local) <= 8):
        raise PhoneError(f"固定电话号码（区号 {area.group()} 之后）应为7–8位数字，实为{len(local)}位")
    if local[0] in "01":
        raise PhoneError(f"固定电话号码（区号 {area.group()} 之后）不能以 {local[0]} 开头")
    raise PhoneError(f"固定电话分机号应为1–6位数字，实为 “{ext}”" if ext else "固定电话分机号不能为空")
