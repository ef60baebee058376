"""Error types of the code validators and the working-day calendar.

Every message is in Simplified Chinese and says exactly what is wrong, so that a form can show it to the user
as it is.
"""


class CodeError(ValueError):
    """A code (统一社会信用代码, 身份证号, 电话号码, 行业代码) is malformed."""


class USCCError(CodeError):
    """A 统一社会信用代码 (GB 32100-2015) is invalid."""


class IDNumberError(CodeError):
    """A 居民身份证号码 (GB 11643-1999) is invalid."""


class PhoneError(CodeError):
    """A telephone number is invalid."""


class IndustryCodeError(CodeError):
    """A 国民经济行业分类 code (GB/T 4754-2017) is invalid."""


class WorkdayError(ValueError):
    """Working-day arithmetic cannot be carried out."""


class UnknownCalendarYear(WorkdayError):
    """The computation needs the holidays of a year the calendar does not know.

    Raised by the strict methods only; ``WorkCalendar.deadline`` answers provisionally instead.
    """

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(
            f"缺少 {year} 年的节假日安排，无法计算期限；"
            f"请系统管理员在“节假日”页面录入 {year} 年的法定节假日和调休工作日"
        )


class PersonalDataError(ValueError):
    """Personal data cannot be encrypted, decrypted or indexed (a missing key, a damaged ciphertext)."""


class FrequencyError(ValueError):
    """An item's 抽查频次 cannot be read as a number of checks a year."""
