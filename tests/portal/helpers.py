"""Drawn schemes for portal tests, built through the services like tests/draws."""

import datetime
import re

from shuangsuiji.directory.models import InspectionObject
from shuangsuiji.draws import services
from shuangsuiji.planning.models import TaskScheme
from tests.draws.helpers import ANNOUNCED, REVEALS, SOURCES, THROWN_BY, WITNESSES, published_scheme

ID_NUMBER = re.compile(r"\d{17}[\dX]")
PHONE = re.compile(r"1[3-9]\d{9}")
RISK_NAMES = ("低风险", "一般风险", "较高风险", "高风险")


def frozen(actor, **extra):
    scheme = published_scheme(actor, **extra)
    return scheme, services.draw_freeze(actor=actor, scheme=scheme, sources=SOURCES, announced=ANNOUNCED)


def drawn(actor, **extra):
    scheme, draw = frozen(actor, **extra)
    draw = services.draw_perform(
        actor=actor, draw=draw, witnesses=WITNESSES, reveals=REVEALS, thrown_by=THROWN_BY
    )
    return scheme, draw


def close_window(scheme):
    """Move the inspection window into the past, as if the checks were over."""
    TaskScheme.objects.filter(pk=scheme.pk).update(
        window_start=datetime.date(2020, 1, 1), window_end=datetime.date(2020, 1, 31)
    )


def personal_data(page: str) -> list[str]:
    """ID-number- or phone-shaped strings on a page, after removing what legitimately looks like one.

    Hashes (64 hex digits), the revealed lottery and dice values and the objects' 统一社会信用代码 (18 characters,
    digits only in test data) are public and can contain such runs by chance; anything else of that shape
    would be personal data.
    """
    text = re.sub(r"[0-9a-f]{64}", " ", page)
    for value in REVEALS.values():
        text = text.replace(value, " ")
    for code in InspectionObject.objects.values_list("code", flat=True):
        text = text.replace(code, " ")
    return ID_NUMBER.findall(text) + PHONE.findall(text)
