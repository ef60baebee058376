"""Masking of personal numbers for display (个人信息保护法): never show an inspector's full ID number or phone."""

from ._text import normalize
from .errors import PhoneError
from .phone import validate_phone

KEEP_ID_HEAD = 4
KEEP_ID_TAIL = 4


def mask_id_number(number: str | None) -> str:
    """``410481199001011234`` → ``4104**********1234``: keep the first 4 and last 4 characters.

    Anything that is not a full ID number is masked as safely: short strings (8 characters or fewer, where keeping
    4 + 4 would show everything) become all stars.
    """
    if not number:
        return ""
    s = normalize(number)
    if len(s) <= KEEP_ID_HEAD + KEEP_ID_TAIL:
        return "*" * len(s)
    return s[:KEEP_ID_HEAD] + "*" * (len(s) - KEEP_ID_HEAD - KEEP_ID_TAIL) + s[-KEEP_ID_TAIL:]


def mask_phone(phone: str | None) -> str:
    """``13812341234`` → ``138****1234``; ``0375-8123456`` → ``0375-***3456`` (an extension is hidden too).

    A value that is not a valid number keeps only its last 4 characters, or none if it has 8 or fewer.
    """
    if not phone:
        return ""
    try:
        s = validate_phone(phone)
    except PhoneError:
        raw = phone.strip()
        if len(raw) <= 8:
            return "*" * len(raw)
        return "*" * (len(raw) - 4) + raw[-4:]
    if s[0] == "1":
        return s[:3] + "****" + s[-4:]
    area, local, *extension = s.split("-")
    masked = f"{area}-{'*' * (len(local) - 4)}{local[-4:]}"
    if extension:
        masked += "-" + "*" * len(extension[0])
    return masked
