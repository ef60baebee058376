"""Named reads: deadlines, the credit archive and the public result search."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from shuangsuiji.codes.errors import UnknownCalendarYear

from .calendar import REMINDER_DAYS, work_calendar
from .models import InspectionRecord, ListingProposal, ProposalStatus, RecordStatus, Transfer, TransferStatus

OPEN = [RecordStatus.SUBMITTED]


def due_soon(qs: QuerySet, today: datetime.date | None = None) -> QuerySet:
    """Submitted, unpublished records whose deadline is within REMINDER_DAYS working days (not yet overdue)."""
    today = today or timezone.localdate()
    try:
        horizon = work_calendar().add_working_days(today, REMINDER_DAYS)
    except UnknownCalendarYear:
        horizon = today + datetime.timedelta(days=REMINDER_DAYS + 4)
    return qs.filter(status__in=OPEN, deadline__gte=today, deadline__lte=horizon).order_by("deadline")


def overdue(qs: QuerySet, today: datetime.date | None = None) -> QuerySet:
    today = today or timezone.localdate()
    return qs.filter(status__in=OPEN, deadline__lt=today).order_by("deadline")


def overdue_transfers(qs: QuerySet, today: datetime.date | None = None) -> QuerySet:
    today = today or timezone.localdate()
    return qs.exclude(status=TransferStatus.CLOSED).filter(due__lt=today).order_by("due")


def overdue_proposals(today: datetime.date | None = None) -> QuerySet:
    today = today or timezone.localdate()
    return ListingProposal.objects.filter(status=ProposalStatus.PROPOSED, due__lt=today)


def credit_archive(obj) -> dict:
    """诚信档案 of one object: every check, result, transfer and listing proposal (art. 15)."""
    records = (
        InspectionRecord.objects.filter(object=obj)
        .select_related("department", "selection__draw__scheme")
        .prefetch_related("item_results__item")
        .order_by("-inspection_date", "-id")
    )
    return {
        "records": records,
        "transfers": Transfer.objects.filter(record__object=obj).select_related(
            "to_department", "record__department"
        ),
        "proposals": ListingProposal.objects.filter(object=obj).select_related("department"),
        "selections": obj.selections.filter(draw__status="drawn").select_related("draw__scheme"),
    }


def public_results(query: str) -> QuerySet:
    """Published results found by an entity's name or USCC. The portal shows only public fields of these."""
    query = (query or "").strip()
    if len(query) < 2:
        return InspectionRecord.objects.none()
    qs = InspectionRecord.objects.published().select_related("object", "department")
    if query.isalnum() and query.isascii() and len(query) == 18:
        qs = qs.filter(object__code=query.upper())
    else:
        qs = qs.filter(Q(object__name__contains=query) | Q(object__code=query.upper()))
    return qs.order_by("-inspection_date", "-id")
