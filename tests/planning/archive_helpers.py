"""A finished task built through the services: drawn, every drawn object inspected, reviewed and published."""

import hashlib
import os
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

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


def add_bulk_records(scheme, clerk, n: int, attachment_size: int, media_root) -> int:
    """`n` published records with one PDF attachment of `attachment_size` random bytes each, spread over the task's
    drawn objects: written with bulk_create (no services, no audit) to give the exporter volume to stream, for the
    memory test and bench/bench_dossier.py. Returns the bytes of attachments written."""
    from shuangsuiji.inspections.models import Attachment, InspectionRecord, RecordKind, RecordStatus

    selections = list(Selection.objects.filter(draw__scheme=scheme, active=True).select_related("object"))
    folder = Path(media_root) / "records" / "bulk"
    folder.mkdir(parents=True, exist_ok=True)
    now = timezone.now()
    today = timezone.localdate()
    written = 0
    for start in range(0, n, 1000):
        batch = [
            InspectionRecord(
                kind=RecordKind.RANDOM,
                selection=sel,
                object=sel.object,
                department_id=scheme.department_id,
                methods=["实地核查"],
                inspection_date=today,
                cert_shown=True,
                signature="obtained",
                categories=["未发现问题"],
                measures=["无需后续处置"],
                result_date=today,
                status=RecordStatus.PUBLISHED,
                published_at=now,
                created_by=clerk,
            )
            for sel in (selections[i % len(selections)] for i in range(start, min(n, start + 1000)))
        ]
        InspectionRecord.objects.bulk_create(batch)
        batch = list(InspectionRecord.objects.filter(attachments__isnull=True).order_by("-pk")[: len(batch)])
        attachments = []
        for rec in batch:
            body = PDF + os.urandom(max(0, attachment_size - len(PDF)))
            name = f"records/bulk/{rec.pk}.pdf"
            (Path(media_root) / name).write_bytes(body)
            written += len(body)
            attachments.append(
                Attachment(
                    record=rec,
                    kind="扫描件",
                    file=name,
                    original_name=f"检查记录表-{rec.pk}.pdf",
                    sha256=hashlib.sha256(body).hexdigest(),
                    size=len(body),
                    content_type="application/pdf",
                    uploaded_by=clerk,
                )
            )
        Attachment.objects.bulk_create(attachments)
    return written
