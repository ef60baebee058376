"""The `files` connector (ADR 0025): for a province without an interface, a daily batch for a person to upload.

A batch is a folder under OUTBOX_FILES_DIR named after its number:

* `results.xlsx` — one sheet 抽查检查结果, one row per result, in the layout of the public display of 抽查检查结果 on
  国家企业信用信息公示系统 (检查实施机关、检查类型、检查日期、检查结果 …) plus the event id and version the province needs to
  recognise a row sent again. COLUMNS is the one place to change when a real province's import template differs.
* `events.jsonl` — every other event (plans, schemes, draws, substitutions, withholdings, transfers, listings), one
  JSON document a line, byte for byte the body the `http` connector would POST.
* `manifest.json` — batch id and number, the event ids, counts, and the SHA-256 of both files.

ASCII file names: a ZIP with Chinese names opens garbled in Windows' own unzip (GBK), where the upload is done.
Only the public payloads go in (payloads.py): no risk class, ID number, phone or internal reason is ever there.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import uuid
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from shuangsuiji.directory.workbooks import literal_row

from .delivery import event_body
from .models import UNDELIVERED, BatchState, OutboxBatch, OutboxEvent, OutboxState

XLSX = "results.xlsx"
JSONL = "events.jsonl"
MANIFEST = "manifest.json"
SHEET = "抽查检查结果"
FORMAT = "ssj-outbox-files-v1"
# Result events become rows of the workbook; every other event goes to events.jsonl.
RESULT_EVENTS = {"result.published", "result.corrected", "visit.published", "visit.corrected"}
# An arbitrary constant naming the batch writer's advisory lock ("ssjbatch" in ASCII).
BATCH_LOCK = 0x73736A6261746368

Row = dict[str, Any]


def _date(value: str | None) -> str:
    return (value or "")[:10]


def _items(items: list[dict[str, str]]) -> str:
    return "；".join(f"{i['item']}：{i['result']}" for i in items)


# The workbook's columns: (header, value of a row). A province's own template differs? Change this list only.
COLUMNS: list[tuple[str, Callable[[Row], Any]]] = [
    ("序号", lambda r: r["n"]),
    ("统一社会信用代码", lambda r: r["object_code"]),
    ("企业名称", lambda r: r["object_name"]),
    ("检查实施机关", lambda r: r["department"]),
    ("检查类型", lambda r: r["kind"]),
    ("检查日期", lambda r: r["date"]),
    ("检查结果", lambda r: r["results"]),
    ("检查事项及结果", lambda r: r["items"]),
    ("公示日期", lambda r: r["published"]),
    ("操作", lambda r: r["action"]),
    ("事件编号", lambda r: r["event_id"]),
    ("对象及版本", lambda r: f"{r['object']}#{r['version']}"),
]


def result_rows(event: OutboxEvent) -> Iterator[Row]:
    """The rows of one result event: one for a department's result, one per department part for a joint visit."""
    data = event.payload
    base = {
        "event_id": str(event.event_id),
        "object": event.object_key,
        "version": event.version,
        "object_code": data.get("object_code", ""),
        "object_name": data.get("object_name", ""),
        "action": "更正" if event.type.endswith(".corrected") else "新增",
    }
    if event.type.startswith("result."):
        yield base | {
            "department": data.get("department", ""),
            "kind": data.get("kind", ""),
            "date": _date(data.get("inspection_date")),
            "results": "、".join(data.get("results", [])),
            "items": _items(data.get("items", [])),
            "published": _date(data.get("published_at")),
        }
        return
    for part in data.get("parts", []):
        if not part.get("attended", True):
            results = "未参加"
        elif not part.get("reported", True):
            results = "尚未报送"
        else:
            results = "、".join(part.get("results", []))
        yield base | {
            "department": part.get("department", ""),
            "kind": "双随机抽查（联合检查）",
            "date": _date(data.get("visit_date")),
            "results": results,
            "items": _items(part.get("items", [])),
            "published": _date(data.get("published_at")),
        }


def _cell(value: Any) -> Any:
    # Control characters pasted from other systems are not allowed in xlsx.
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def workbook(events: list[OutboxEvent]) -> tuple[bytes, int]:
    """The results workbook and its number of rows. Every value passes through `literal` (formula-like text stays
    text: CWE-1236), as in every workbook the platform writes."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET)
    ws.append(literal_row(ws, [h for h, _ in COLUMNS]))
    n = 0
    for event in events:
        for row in result_rows(event):
            n += 1
            row["n"] = n
            ws.append(literal_row(ws, [_cell(value(row)) for _, value in COLUMNS]))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), n


def files_dir() -> Path:
    return Path(settings.OUTBOX_FILES_DIR or Path(settings.MEDIA_ROOT) / "outbox")


def batch_path(batch: OutboxBatch) -> Path:
    return files_dir() / batch.folder


def _next_number(day) -> str:
    prefix = f"SSJ-{day:%Y%m%d}-"
    taken = OutboxBatch.objects.filter(number__startswith=prefix).count()
    return f"{prefix}{taken + 1:02d}"


class FilesConnector:
    """deliver_outbox with PROVINCE_CONNECTOR=files: write one batch a business day (or at once with force)."""

    kind = "files"

    def close(self) -> None:
        pass

    def write_batch(self, *, force: bool = False) -> OutboxBatch | None:
        """Take every undelivered event not in a batch (id order) into a new batch, mark them awaiting upload.

        One writer at a time (PostgreSQL: an advisory lock until commit; SQLite: its writers are serialised), and the
        events are taken and marked in the same transaction, so no event is ever in two batches. The folder is
        written before the commit and removed if the transaction fails."""
        path: Path | None = None
        try:
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [BATCH_LOCK])
                day = timezone.localdate()
                if not force and OutboxBatch.objects.filter(business_date=day).exists():
                    return None
                events = list(
                    OutboxEvent.objects.select_for_update()
                    .filter(state__in=UNDELIVERED, batch__isnull=True)
                    .order_by("id")
                )
                if not events:
                    return None
                results = [e for e in events if e.type in RESULT_EVENTS]
                others = [e for e in events if e.type not in RESULT_EVENTS]
                xlsx, rows = workbook(results)
                jsonl = b"".join(event_body(e) + b"\n" for e in others)
                number = _next_number(day)
                batch_id = uuid.uuid4()
                folder = f"{number}_{batch_id.hex[:8]}"
                now = timezone.now()
                manifest = {
                    "format": FORMAT,
                    "batch_id": str(batch_id),
                    "number": number,
                    "business_date": day.isoformat(),
                    "created_at": now.isoformat(),
                    "files": {
                        XLSX: {"sha256": hashlib.sha256(xlsx).hexdigest(), "rows": rows, "sheet": SHEET},
                        JSONL: {"sha256": hashlib.sha256(jsonl).hexdigest(), "lines": len(others)},
                    },
                    "counts": {
                        "events": len(events),
                        "result_events": len(results),
                        "result_rows": rows,
                        "other_events": len(others),
                        "by_type": dict(sorted(Counter(e.type for e in events).items())),
                    },
                    "event_ids": [str(e.event_id) for e in events],
                }
                path = files_dir() / folder
                path.mkdir(parents=True, exist_ok=False)
                (path / XLSX).write_bytes(xlsx)
                (path / JSONL).write_bytes(jsonl)
                (path / MANIFEST).write_text(
                    json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
                )
                batch = OutboxBatch.objects.create(
                    batch_id=batch_id,
                    number=number,
                    business_date=day,
                    created_at=now,
                    folder=folder,
                    events_count=len(events),
                    result_rows=rows,
                    other_count=len(others),
                    xlsx_sha256=manifest["files"][XLSX]["sha256"],
                )
                OutboxEvent.objects.filter(pk__in=[e.pk for e in events]).update(
                    state=OutboxState.AWAITING, batch=batch, attempts=1, last_error=""
                )
        except BaseException:
            # Nothing committed: no folder left behind for a batch that does not exist.
            if path is not None:
                shutil.rmtree(path, ignore_errors=True)
            raise
        return batch


def batch_zip(batch: OutboxBatch) -> bytes:
    """The batch folder as one ZIP for the download (a day's batch is small: built in memory)."""
    path = batch_path(batch)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in (XLSX, JSONL, MANIFEST):
            zf.write(path / name, f"{batch.number}/{name}")
    return out.getvalue()


__all__ = ["BatchState", "FilesConnector", "batch_path", "batch_zip", "result_rows", "workbook"]
