import datetime

import pytest
from django.utils import timezone

from shuangsuiji.draws.models import Selection
from shuangsuiji.inspections import categories as cat
from shuangsuiji.inspections import services
from shuangsuiji.inspections.models import InspectionRecord
from tests.inspections.helpers import drawn_selection

COMPLETE = {
    "methods": ["实地核查"],
    "cert_shown": True,
    "signature": "obtained",
    "categories": ["未发现问题"],
    "measures": ["无需后续处置"],
}


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def selections(alice):
    """The active drawn objects of one SCJG scheme whose window runs from ten days ago to ten days ahead."""
    first = drawn_selection(alice)
    return list(
        Selection.objects.filter(draw=first.draw, active=True).select_related("object", "draw__scheme")
    )


def submitted(actor, selection, **data):
    rec = services.record_create(actor=actor, selection=selection)
    if set(data.get("categories", [])) - {"未发现问题"}:
        data.setdefault(
            "item_results",
            [{"item_id": r.item_id, "checked": True, "problem_found": True} for r in rec.item_results.all()],
        )
    measures = data.get("measures", [])
    if not cat.TRANSFER_MEASURES.keys() & set(measures):
        return services.record_submit(actor=actor, rec=rec, data=COMPLETE | data)
    # A measure that hands the problem on is now submitted with its transfer (issue 15, item 9); the report still
    # finds the records submitted before that rule, which this stands for: submitted, then the measures as they were.
    rec = services.record_submit(
        actor=actor, rec=rec, data=COMPLETE | data | {"measures": ["责令改正并跟踪"]}
    )
    InspectionRecord.objects.filter(pk=rec.pk).update(measures=measures)
    rec.refresh_from_db()
    return rec


def published(actor, reviewer, selection, **data):
    return services.record_review(actor=reviewer, rec=submitted(actor, selection, **data), approve=True)


def today() -> datetime.date:
    return timezone.localdate()
