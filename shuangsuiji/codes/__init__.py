"""Pure validators and calculators: codes (USCC, ID number, phone, industry), masking, working days.

No Django here (see ruff.toml): anyone can check a code or a deadline with nothing but this package.
"""

from .errors import (
    CodeError,
    IDNumberError,
    IndustryCodeError,
    PhoneError,
    UnknownCalendarYear,
    USCCError,
    WorkdayError,
)
from .holidays import FESTIVALS, festival_days, provisional_holidays
from .idcard import id_check_char, is_valid_id_number, validate_id_number
from .industry import (
    SECTIONS,
    industry_level,
    industry_section,
    is_valid_industry_code,
    section_of_division,
    validate_industry_code,
)
from .mask import mask_id_number, mask_phone
from .phone import is_mobile, is_valid_phone, validate_phone
from .uscc import is_valid_uscc, uscc_check_char, uscc_kind, validate_uscc
from .workdays import (
    Deadline,
    WorkCalendar,
    add_working_days,
    default_calendar,
    is_working_day,
    remaining_working_days,
    working_days_between,
)

__all__ = [
    "FESTIVALS",
    "SECTIONS",
    "CodeError",
    "Deadline",
    "IDNumberError",
    "IndustryCodeError",
    "PhoneError",
    "USCCError",
    "UnknownCalendarYear",
    "WorkCalendar",
    "WorkdayError",
    "add_working_days",
    "default_calendar",
    "festival_days",
    "id_check_char",
    "industry_level",
    "industry_section",
    "is_mobile",
    "is_valid_id_number",
    "is_valid_industry_code",
    "is_valid_phone",
    "is_valid_uscc",
    "is_working_day",
    "mask_id_number",
    "mask_phone",
    "provisional_holidays",
    "remaining_working_days",
    "section_of_division",
    "uscc_check_char",
    "uscc_kind",
    "validate_id_number",
    "validate_industry_code",
    "validate_phone",
    "validate_uscc",
    "working_days_between",
]
