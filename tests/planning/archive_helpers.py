"""A finished task built through the services: drawn, every drawn object inspected, reviewed and published."""

from django.core.files.uploadedfile import SimpleUploadedFile

from shuangsuiji.draws.models import Selection
from shuangsuiji.inspections import services as inspections
from shuangsuiji.planning import services as planning
from tests.inspections.helpers import drawn_selection

COMPLETE = {
    "methods": ["实地核查"],
    "cert_shown": True,
    "signature": "obtained",
    "categories": ["未发现问题"],
    "measures": ["无需后续处置"],
}
PDF = b"%PDF-1.4 the signed inspection form"


def inspected_task(admin, clerk, reviewer, *, publish: bool = True):
    """A drawn task whose every active object has a record (with a PDF attachment), submitted and, when `publish`,
    approved. Returns (scheme, records)."""
    first = drawn_selection(admin)
    records = []
    for sel in Selection.objects.filter(draw=first.draw, active=True).order_by("pk"):
        rec = inspections.record_create(actor=clerk, selection=sel)
        inspections.attachment_add(
            actor=clerk,
            rec=rec,
            kind="扫描件",
            upload=SimpleUploadedFile(
                f"检查记录表-{sel.pk}.pdf", PDF + str(sel.pk).encode(), "application/pdf"
            ),
        )
        rec = inspections.record_submit(actor=clerk, rec=rec, data=COMPLETE)
        if publish:
            rec = inspections.record_review(actor=reviewer, rec=rec, approve=True)
        records.append(rec)
    return first.draw.scheme, records


def finished_task(admin, clerk, reviewer):
    scheme, records = inspected_task(admin, clerk, reviewer)
    return planning.scheme_close(actor=admin, scheme=scheme), records
