"""任务档案 (art. 17 档案管理; issue 13 part 4): an archived task's papers as one ZIP, or as an unpacked folder.

What is in it, in this order (the order never depends on the database's mood):

    plan.json            the annual-plan version in force for the scheme and its approval
    scheme.json          the scheme (抽查工作方案), with its task and archive numbers
    draw/                the task's DRAW-v1 folder: `shuangsuiji verify draw` recomputes it. The full files (and the
                         public projection under draw/public/) only for holders of draw.read_sealed; everyone else gets
                         what the public gets (the projection of a sealed draw).
    superseded-draws/N/  earlier draws of the task (redrawn), the same way
    draws.json           every draw: commitment, sources, seed, witnesses (监督人员), dice throwers, substitutions
    witnesses.json       the witnesses of every ceremony
    register.xlsx        the 登记表 of the task's draw (draws.forms_register)
    records/ID/record.json     every record version with item results, members, attachments (sha256), transfers,
                               publication and its review trail (the record's audit events)
    records/ID/attachments/…   the attachment files, stored under their id
    publications.json    publication, withholding (不予公示) and corrections of every record
    transfers.json       后续处置 transfers and their outcome
    audit.json           the audit extract for the task (plan, scheme, draws, records, transfers, visits)
    index.html           printable (A4) index of every document with its SHA-256
    SHA256SUMS           `sha256sum -c SHA256SUMS` checks every other file

Streaming: entries are produced one by one, each as chunks; records are read in batches; attachments are read from
storage in 64 KB chunks. The ZIP goes to a non-seekable sink (zipfile writes data descriptors) and is handed out as
it grows, so neither the ZIP nor the dossier is ever whole in memory. The hashes are computed while the bytes pass;
index.html and SHA256SUMS, which need every hash, are written last. Personal data (ID numbers, phones) never enters
the dossier.
"""

from __future__ import annotations

import datetime
import gc
import hashlib
import html
import json
import shutil
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shuangsuiji import labels
from shuangsuiji.accountability.packing import (
    display_name,
    json_default,
    plan_part,
    safe_suffix,
    scheme_part,
    to_json,
)
from shuangsuiji.accounts import scoping
from shuangsuiji.accounts.models import Role
from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.audit.services import record as audit
from shuangsuiji.directory.rows import RowInvalid

from .models import TaskScheme

CHUNK = 64 * 1024
BATCH = 200
SUMS = "SHA256SUMS"
INDEX = "index.html"
DRAW_DIR = "draw"
ZIP_CONTENT_TYPE = "application/zip"


# --- who may export ---------------------------------------------------------------------------------------------------


def can_export(user, scheme: TaskScheme) -> bool:
    """Whoever sees the task may take its archive, except the system and security administrators, who read no audit
    events (三员分立; the dossier holds the task's audit extract)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if not scoping.reads_record_history(user):
        return False
    return scoping.schemes_for(user).filter(pk=scheme.pk).exists()


def _sees_all_records(user, scheme: TaskScheme) -> bool:
    """The lead department, the joint office and the auditor see every department's records of the task; a
    participating department of a joint task its own (谁检查、谁录入、谁公开)."""
    return (
        user.is_superuser
        or user.role in (Role.OFFICE, Role.AUDITOR, Role.SYSTEM)
        or user.department_id == scheme.department_id
    )


@dataclass
class DossierPlan:
    scheme: TaskScheme
    user: Any
    full_draws: set[int] = field(default_factory=set)  # draws whose full (sealed) files go in
    all_records: bool = True

    @property
    def name(self) -> str:
        return f"任务档案-{self.scheme.archive_no or self.scheme.task_no}"


@transaction.atomic
def dossier_export(*, actor, scheme: TaskScheme, via: str = "网页") -> DossierPlan:
    """Check the actor may take the dossier, audit the export (and the sealed files it includes, through
    draws.services.sealed_files_read) and return what to write. The writing itself only reads."""
    from shuangsuiji.draws.services import sealed_files_read

    scheme = TaskScheme.objects.select_related("department", "plan", "batch").get(pk=scheme.pk)
    if not can_export(actor, scheme):
        raise PermissionDenied("您不能导出该任务的档案")
    if scheme.archive_no is None:
        raise RowInvalid([("归档", "任务归档后才能导出档案；档案反映归档时只读的任务")])
    plan = DossierPlan(scheme=scheme, user=actor, all_records=_sees_all_records(actor, scheme))
    for draw in scheme.draws.order_by("seq"):
        if scoping.can_read_sealed(actor, draw):
            plan.full_draws.add(draw.pk)
            if draw.sealed:
                sealed_files_read(actor=actor, draw=draw, reason=f"导出任务档案 {scheme.archive_no}")
    audit(
        actor=actor,
        action="scheme.dossier_export",
        target=scheme,
        after={
            "archive_no": scheme.archive_no,
            "via": via,
            "full_draw_files": bool(plan.full_draws),
            "all_departments": plan.all_records,
        },
    )
    return plan


# --- entries ----------------------------------------------------------------------------------------------------------


@dataclass
class Entry:
    path: str
    title: str
    chunks: Callable[[], Iterable[bytes]]
    compress: bool = True


@dataclass(slots=True)
class Written:
    path: str
    title: str
    size: int
    sha256: str


def _once(data: Callable[[], Any]) -> Callable[[], Iterable[bytes]]:
    return lambda: [to_json(data())]


def _file_chunks(path: Path) -> Callable[[], Iterator[bytes]]:
    def read() -> Iterator[bytes]:
        with open(path, "rb") as f:
            while chunk := f.read(CHUNK):
                yield chunk

    return read


def _event(e: AuditEvent) -> dict[str, Any]:
    return {
        "id": e.id,
        "seq": e.seq,
        "at": e.at.isoformat(timespec="microseconds"),
        "actor_name": e.actor_name,
        "action": e.action,
        "action_label": labels.ACTIONS.get(e.action, ""),
        "target_type": e.target_type,
        "target_id": e.target_id,
        "target_repr": e.target_repr,
        "before": e.before,
        "after": e.after,
        "reason": e.reason,
        "prev_mac": e.prev_mac,
        "mac": e.mac,
    }


def _records(plan: DossierPlan):
    from shuangsuiji.inspections.models import InspectionRecord

    qs = InspectionRecord.objects.filter(selection__draw__scheme=plan.scheme)
    if not plan.all_records:
        qs = qs.filter(department_id=plan.user.department_id)
    return qs.order_by("pk")


def _draw_entries(plan: DossierPlan, draw, folder: str) -> Iterator[Entry]:
    from shuangsuiji.draw import CEREMONY as CEREMONY_FILE
    from shuangsuiji.draw import PUBLIC_FILES, PUBLIC_RESULT
    from shuangsuiji.draws.services import FULL_FILES, PUBLIC_DIR, draw_dir, public_dir, public_file_names

    directory = draw_dir(draw)
    if draw.pk in plan.full_draws:
        names = [(n, directory / n) for n in FULL_FILES]
        if draw.sealed:
            names += [
                (f"{PUBLIC_DIR}/{n}", directory / PUBLIC_DIR / n)
                for n in (*PUBLIC_FILES, PUBLIC_RESULT, CEREMONY_FILE)
            ]
    else:
        public = public_dir(draw)
        names = [(n, public / n) for n in public_file_names(draw)]
    for name, path in names:
        if path.exists():
            yield Entry(f"{folder}/{name}", f"抽取 {draw.draw_id} 的 {name}", _file_chunks(path))


def _draws_json(plan: DossierPlan) -> dict[str, Any]:
    from shuangsuiji.draws.models import Substitution

    out = []
    for draw in plan.scheme.draws.order_by("seq").prefetch_related("witnesses"):
        subs = []
        for s in (
            Substitution.objects.filter(draw=draw)
            .select_related(
                "draw__scheme",
                "old_selection__object",
                "new_selection__object",
                "old_member__inspector",
                "new_member__inspector",
            )
            .order_by("at", "id")
        ):
            entry = {
                "kind": s.get_kind_display(),
                "reason": s.reason_label,
                "note": s.note if scoping.sees_substitution_note(plan.user, s) else "",
                "by": s.by_name,
                "at": s.at,
            }
            if s.old_selection_id:
                entry |= {
                    "old_object": s.old_selection.object.name,
                    "new_object": s.new_selection.object.name,
                }
            if s.old_member_id:
                entry |= {
                    "old_inspector": s.old_member.inspector.name,
                    "new_inspector": s.new_member.inspector.name if s.new_member_id else None,
                }
            subs.append(entry)
        full = draw.pk in plan.full_draws
        out.append(
            {
                "draw_id": draw.draw_id,
                "seq": draw.seq,
                "status": draw.get_status_display(),
                "sealed": draw.sealed,
                "files": "完整文件（含密封部分）"
                if full or not draw.sealed
                else "公开文件（密封分层的公开投影）",
                "commitment": draw.commitment,
                "full_commitment": draw.full_commitment if full else "",
                "announced": draw.announced,
                "sources": [s.get("name") for s in draw.sources or []],
                "source_facts": [
                    {"source": n, "label": lbl, "facts": f} for n, lbl, f in draw.source_fact_rows
                ],
                "frozen_at": draw.frozen_at,
                "drawn_at": draw.drawn_at,
                "seed": (draw.seed if full or not draw.sealed else draw.public_seed) or "",
                "redraw_of": draw.redraw_of.draw_id if draw.redraw_of_id else None,
                "redraw_reason": draw.redraw_reason,
                "failure": draw.failure,
                "public_withdrawn": draw.public_withdrawn,
                "witnesses": [{"name": w.name, "unit": w.unit} for w in draw.witnesses.all()],
                "dice_thrown_by": draw.thrown_by or {},
                "substitutions": subs,
            }
        )
    return {"task_no": plan.scheme.task_no, "draws": out}


def _witnesses_json(plan: DossierPlan) -> dict[str, Any]:
    return {
        "note": "抽取仪式的监督人员（第十二条）；掷骰人见 draws.json 的 dice_thrown_by。",
        "draws": [
            {
                "draw_id": d.draw_id,
                "drawn_at": d.drawn_at,
                "witnesses": [{"name": w.name, "unit": w.unit} for w in d.witnesses.all()],
            }
            for d in plan.scheme.draws.order_by("seq").prefetch_related("witnesses")
        ],
    }


def _register(plan: DossierPlan, draw) -> bytes:
    from shuangsuiji.draws.forms_register import active_selections, register_rows, register_workbook

    rows = register_rows(draw, active_selections(draw))
    for r in rows:
        members = [m for m in r["selection"].team.all() if m.active]
        visible = scoping.team_members_visible(plan.user, draw.scheme, members)
        r["team"] = [(m.department.short_name, m.inspector.name, m.inspector.cert_no) for m in visible]
    return register_workbook(draw, rows)


def _record_batches(plan: DossierPlan) -> Iterator[list]:
    ids = list(_records(plan).values_list("pk", flat=True))
    from shuangsuiji.inspections.models import InspectionRecord

    for i in range(0, len(ids), BATCH):
        chunk = ids[i : i + BATCH]
        yield list(
            InspectionRecord.objects.filter(pk__in=chunk)
            .select_related("object", "department", "created_by", "reviewed_by", "selection", "visit")
            .prefetch_related(
                "item_results__item",
                "members__inspector__department",
                "attachments__uploaded_by",
                "transfers__to_department",
                "listing_proposals__department",
            )
            .order_by("pk")
        )


def _trail(records) -> dict[str, list[dict[str, Any]]]:
    ids = [str(r.pk) for r in records]
    trail: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
    for e in AuditEvent.objects.filter(
        target_type="inspections.inspectionrecord", target_id__in=ids
    ).order_by("seq", "id"):
        trail[e.target_id].append(_event(e))
    return trail


def _record_json(rec, trail: list[dict[str, Any]], attachments: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": rec.pk,
        "version": rec.version,
        "corrects": rec.corrects_id,
        "correction_reason": rec.correction_reason,
        "kind": rec.get_kind_display(),
        "status": rec.get_status_display(),
        "object": {"code": rec.object.code, "name": rec.object.name},
        "department": rec.department.name,
        "methods": rec.methods,
        "inspection_date": rec.inspection_date,
        "outside_window_reason": rec.outside_window_reason,
        "cert_shown": rec.cert_shown,
        "signature": rec.get_signature_display() if rec.signature else "",
        "signature_reason": rec.signature_reason,
        "witness": rec.witness,
        "agency": rec.agency,
        "agency_report": rec.agency_report,
        "categories": rec.categories,
        "measures": rec.measures,
        "measure_note": rec.measure_note,
        "note": rec.note,
        "result_date": rec.result_date,
        "late_result_reason": rec.late_result_reason,
        "members": sorted(
            (
                {
                    "name": m.inspector.name,
                    "cert_no": m.inspector.cert_no,
                    "department": m.inspector.department.name,
                }
                for m in rec.members.all()
            ),
            key=lambda m: m["cert_no"],
        ),
        "item_results": [
            {
                "item": r.item.code,
                "name": r.item.name,
                "checked": r.checked,
                "problem_found": r.problem_found,
                "disposal": r.disposal,
            }
            for r in sorted(rec.item_results.all(), key=lambda r: r.item.code)
        ],
        "attachments": attachments,
        "publication": {
            "deadline": rec.deadline,
            "deadline_provisional": rec.deadline_pending_year is not None,
            "published_at": rec.published_at,
            "reviewer": display_name(rec.reviewed_by),
            "review_comment": rec.review_comment,
            "withhold_requested": rec.withhold_requested,
            "withhold_reason": rec.withhold_reason,
        },
        "transfers": [_transfer(t) for t in sorted(rec.transfers.all(), key=lambda t: t.pk)],
        "listing_proposals": [
            {"reason": p.reason, "department": p.department.name, "status": p.get_status_display()}
            for p in sorted(rec.listing_proposals.all(), key=lambda p: p.pk)
        ],
        "created_by": display_name(rec.created_by),
        "created_at": rec.created_at,
        "review_trail": trail,
    }


def _transfer(t) -> dict[str, Any]:
    return {
        "id": t.pk,
        "record": t.record_id,
        "kind": t.get_kind_display(),
        "to": str(t.to_department or t.to_agency),
        "basis": t.basis,
        "content": t.content,
        "sent_at": t.sent_at,
        "due": t.due,
        "receipt_no": t.receipt_no,
        "receipt_date": t.receipt_date,
        "status": t.get_status_display(),
        "acknowledged_at": t.acknowledged_at,
        "closed_at": t.closed_at,
        "outcome": t.outcome,
    }


def _record_entries(plan: DossierPlan, summary: dict[str, list]) -> Iterator[Entry]:
    """records/ID/…, batch by batch; fills `summary` (publications, transfers) as it goes."""
    for n, batch in enumerate(_record_batches(plan)):
        if n:
            # Model instances with prefetched relations refer to each other (record ↔ attachment): cycles that only
            # the cyclic collector frees. Without this the finished batches pile up until a full collection happens
            # to run, and memory grows with the dossier instead of staying at one batch.
            gc.collect()
        trails = _trail(batch)
        for rec in batch:
            folder = f"records/{rec.pk}"
            attachments = []
            files = []
            for att in sorted(rec.attachments.all(), key=lambda a: a.pk):
                entry: dict[str, Any] = {
                    "id": att.pk,
                    "kind": att.kind,
                    "original_name": att.original_name,
                    "sha256": att.sha256,
                    "size": att.size,
                    "content_type": att.content_type,
                    "uploaded_by": display_name(att.uploaded_by),
                    "uploaded_at": att.uploaded_at,
                }
                try:
                    path = Path(att.file.path)
                except (NotImplementedError, ValueError):
                    path = None
                if path is None or not path.exists():
                    entry["missing"] = "附件文件在存储中找不到"
                else:
                    entry["path"] = f"attachments/{att.pk}{safe_suffix(att.original_name)}"
                    files.append((f"{folder}/{entry['path']}", att, path))
                attachments.append(entry)
            data = _record_json(rec, trails[str(rec.pk)], attachments)
            yield Entry(
                f"{folder}/record.json",
                f"检查记录 {rec.pk}（{rec.object.name}，{rec.department.short_name}，第 {rec.version} 版）",
                _once(lambda data=data: data),
            )
            for path_in_zip, att, path in files:
                yield Entry(
                    path_in_zip,
                    f"检查记录 {rec.pk} 的附件：{att.kind} {att.original_name}",
                    _file_chunks(path),
                    compress=False,
                )
            summary["record_ids"].append(rec.pk)
            summary["transfer_ids"] += [t.pk for t in rec.transfers.all()]
            summary["proposal_ids"] += [p.pk for p in rec.listing_proposals.all()]
            if rec.visit_id:
                summary["visit_ids"].add(rec.visit_id)


def _audit_chunks(plan: DossierPlan, summary: dict[str, Any]) -> Iterator[bytes]:
    """audit.json, streamed: the events of the plan, the scheme, its draws and every record, transfer, listing
    proposal and visit in the dossier, in chain order."""
    scheme = plan.scheme
    targets: list[tuple[str, list[int]]] = [
        ("planning.taskscheme", [scheme.pk]),
        ("draws.draw", list(scheme.draws.values_list("pk", flat=True))),
        ("inspections.inspectionrecord", summary["record_ids"]),
        ("inspections.transfer", summary["transfer_ids"]),
        ("inspections.listingproposal", summary["proposal_ids"]),
        ("inspections.visit", sorted(summary["visit_ids"])),
    ]
    if scheme.plan_id:
        targets.append(("planning.annualplan", [scheme.plan_id]))
    keys: list[tuple[int, int]] = []
    for label, ids in targets:
        for i in range(0, len(ids), 500):
            part = [str(x) for x in ids[i : i + 500]]
            keys += AuditEvent.objects.filter(Q(target_type=label, target_id__in=part)).values_list(
                "seq", "id"
            )
    keys.sort(key=lambda k: (k[0] or 0, k[1]))
    yield (
        '{\n  "note": "任务的审计摘录：年度计划、工作方案、抽取、检查记录（含更正版本）、后续处置移交、名录建议和联合检查的'
        "全部审计事件，按链序号排列。mac = HMAC-SM3(审计密钥, prev_mac + '|' + 事件规范内容)；"
        '完整链条由审计管理员用 verify_audit 校验。",\n  "events": ['
    ).encode()
    first = True
    ids = [k[1] for k in keys]
    for i in range(0, len(ids), 500):
        part = ids[i : i + 500]
        by_id = {e.id: e for e in AuditEvent.objects.filter(pk__in=part)}
        for pk in part:
            body = json.dumps(_event(by_id[pk]), ensure_ascii=False, default=json_default)
            yield (("\n    " if first else ",\n    ") + body).encode("utf-8")
            first = False
    yield b"\n  ]\n}\n"


def _plan_json(plan: DossierPlan) -> dict[str, Any]:
    return plan_part(plan.scheme)


def _scheme_json(plan: DossierPlan) -> dict[str, Any]:
    scheme = plan.scheme
    return scheme_part(scheme) | {
        "archive_no": scheme.archive_no,
        "archived_at": scheme.archived_at,
        "archived_by": display_name(scheme.archived_by),
    }


def entries(plan: DossierPlan, summary: dict[str, Any]) -> Iterator[Entry]:
    """Every document but the index and SHA256SUMS, in the dossier's fixed order."""
    from shuangsuiji.draws.models import DrawStatus

    yield Entry("plan.json", "年度抽查计划的批准版本及其批准", _once(lambda: _plan_json(plan)))
    yield Entry("scheme.json", "抽查工作方案（含任务编号、归档号）", _once(lambda: _scheme_json(plan)))
    draws = list(plan.scheme.draws.order_by("seq"))
    current = next((d for d in reversed(draws) if d.status == DrawStatus.DRAWN), None)
    for draw in draws:
        folder = DRAW_DIR if draw is current else f"superseded-draws/{draw.seq}"
        yield from _draw_entries(plan, draw, folder)
    yield Entry(
        "draws.json",
        "抽取记录：承诺值、随机源、种子、监督人员、抽取后的替换",
        _once(lambda: _draws_json(plan)),
    )
    yield Entry("witnesses.json", "抽取仪式监督人员", _once(lambda: _witnesses_json(plan)))
    if current is not None:
        yield Entry(
            "register.xlsx",
            "市场主体执法检查登记表（登记表）",
            lambda: [_register(plan, current)],
            compress=False,
        )
    yield from _record_entries(plan, summary)
    yield Entry(
        "publications.json",
        "检查结果的公示、不予公示与更正",
        lambda: _publications_chunks(plan),
    )
    yield Entry("transfers.json", "后续处置移交及办理结果", lambda: _transfers_chunks(plan))
    yield Entry("audit.json", "任务的审计摘录（含链序号与校验值）", lambda: _audit_chunks(plan, summary))


def _json_list(key: str, note: str, items: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """{"note": …, key: [ … ]} written item by item."""
    yield (f'{{\n  "note": {json.dumps(note, ensure_ascii=False)},\n  "{key}": [').encode()
    first = True
    for item in items:
        body = json.dumps(item, ensure_ascii=False, default=json_default)
        yield (("\n    " if first else ",\n    ") + body).encode()
        first = False
    yield b"\n  ]\n}\n"


def _publications_chunks(plan: DossierPlan) -> Iterator[bytes]:
    def items() -> Iterator[dict[str, Any]]:
        for r in (
            _records(plan)
            .values(
                "pk",
                "object__name",
                "department__name",
                "version",
                "status",
                "published_at",
                "deadline",
                "withhold_reason",
                "corrects_id",
                "correction_reason",
            )
            .iterator(chunk_size=BATCH)
        ):
            yield {
                "record": r["pk"],
                "object": r["object__name"],
                "department": r["department__name"],
                "version": r["version"],
                "status": RecordStatus(r["status"]).label,
                "published_at": r["published_at"],
                "deadline": r["deadline"],
                "withhold_reason": r["withhold_reason"],
                "corrects": r["corrects_id"],
                "correction_reason": r["correction_reason"],
            }

    from shuangsuiji.inspections.models import RecordStatus

    return _json_list(
        "records",
        "每条检查记录（含各更正版本）的公示、依法不予公示和更正；记录全文见 records/ID/record.json。",
        items(),
    )


def _transfers_chunks(plan: DossierPlan) -> Iterator[bytes]:
    from shuangsuiji.inspections.models import Transfer

    transfers = (
        Transfer.objects.filter(record__in=_records(plan))
        .select_related("to_department")
        .order_by("pk")
        .iterator(chunk_size=BATCH)
    )
    return _json_list(
        "transfers", "后续处置移交（第十四条）及其接收、办理结果。", (_transfer(t) for t in transfers)
    )


def _new_summary() -> dict[str, Any]:
    return {
        "record_ids": [],
        "transfer_ids": [],
        "proposal_ids": [],
        "visit_ids": set(),
    }


# --- index.html and SHA256SUMS -----------------------------------------------------------------------------------------

PRINT_CSS = """
@page { size: A4; margin: 15mm 12mm; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif; font-size: 10.5pt;
       color: #000; margin: 0 auto; max-width: 186mm; }
h1 { font-size: 16pt; margin: 0 0 4mm; }
h2 { font-size: 12pt; margin: 6mm 0 2mm; }
dl { display: grid; grid-template-columns: 28mm 1fr; gap: 1mm 3mm; margin: 0; }
dt { font-weight: bold; }
dd { margin: 0; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; }
th, td { border: 0.3mm solid #444; padding: 1mm 1.5mm; vertical-align: top; text-align: left; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
col.n { width: 10mm; } col.size { width: 18mm; } col.sha { width: 52mm; }
code, .sha { font-family: "Noto Sans Mono CJK SC", "DejaVu Sans Mono", monospace; font-size: 7.5pt;
             word-break: break-all; }
.path { font-family: "DejaVu Sans Mono", monospace; font-size: 8.5pt; word-break: break-all; }
pre { white-space: pre-wrap; font-size: 9pt; }
@media screen { body { padding: 10mm; } }
"""


def _index_html(
    plan: DossierPlan, written: list[Written], generated_at: datetime.datetime
) -> Iterator[bytes]:
    """index.html, row by row (a dossier of 10,000 records lists some 20,000 documents)."""
    s = plan.scheme
    e = html.escape
    head = [
        ("归档号", s.archive_no or ""),
        ("任务编号", s.task_no or ""),
        ("方案名称", s.name),
        ("牵头部门", s.department.name),
        ("检查期限", f"{s.window_start:%Y-%m-%d} 至 {s.window_end:%Y-%m-%d}"),
        ("归档时间", json_default(s.archived_at) if s.archived_at else ""),
        ("归档人", display_name(s.archived_by)),
        ("导出时间", json_default(generated_at)),
        ("导出人", display_name(plan.user)),
        (
            "抽取文件",
            "完整文件（含密封部分）" if plan.full_draws else "公开文件（无密封部分）",
        ),
        ("检查记录", "全部参加部门" if plan.all_records else "仅本部门"),
        ("文件数", f"{len(written) + 2}（含本索引和 SHA256SUMS）"),
    ]
    facts = "\n".join(f"<dt>{e(k)}</dt><dd>{e(str(v))}</dd>" for k, v in head)
    yield f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>任务档案 {e(s.archive_no or "")}</title>
<style>{PRINT_CSS}</style>
</head>
<body>
<h1>双随机抽查任务档案</h1>
<dl>
{facts}
</dl>
<h2>校验方法</h2>
<pre>解压后在档案目录中运行：
  sha256sum -c SHA256SUMS        # 每个文件输出“成功”（OK）即与本索引一致
  shuangsuiji verify draw        # 重新计算抽取结果和检查组，一致则输出“通过”
（未安装 shuangsuiji 时可用 python -m shuangsuiji.draw 代替）
本索引自身的 SHA-256 列在 SHA256SUMS 中。</pre>
<h2>文件清单</h2>
<table>
<colgroup><col class="n"><col><col class="size"><col class="sha"></colgroup>
<thead><tr><th>序号</th><th>文件与内容</th><th>字节数</th><th>SHA-256</th></tr></thead>
<tbody>
""".encode()
    for i, w in enumerate(written, 1):
        yield (
            f'<tr><td>{i}</td><td><span class="path">{e(w.path)}</span><br>{e(w.title)}</td>'
            f'<td>{w.size:,}</td><td class="sha">{w.sha256}</td></tr>\n'
        ).encode()
    yield b"</tbody>\n</table>\n</body>\n</html>\n"


def _sums(written: list[Written]) -> Iterator[bytes]:
    for w in sorted(written, key=lambda w: w.path):
        yield f"{w.sha256}  {w.path}\n".encode()


# --- writers -----------------------------------------------------------------------------------------------------------


class _Sink:
    """A write-only, non-seekable stream that hands its bytes out as they come (zipfile then writes data
    descriptors instead of seeking back)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        if data:
            self.parts.append(bytes(data))
            self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        out = b"".join(self.parts)
        self.parts.clear()
        self.size = 0
        return out


def _stamp(plan: DossierPlan) -> tuple[int, int, int, int, int, int]:
    at = plan.scheme.archived_at or timezone.now()
    return tuple(timezone.localtime(at).timetuple()[:6])  # type: ignore[return-value]


def stream_zip(plan: DossierPlan) -> Iterator[bytes]:
    """The dossier as ZIP bytes, chunk by chunk."""
    sink = _Sink()
    stamp = _stamp(plan)
    written: list[Written] = []
    summary = _new_summary()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as z:  # type: ignore[arg-type]

        def put(path: str, title: str, chunks: Iterable[bytes], compress: bool) -> Iterator[bytes]:
            info = zipfile.ZipInfo(path, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            digest, size = hashlib.sha256(), 0
            with z.open(info, "w", force_zip64=True) as f:
                for chunk in chunks:
                    digest.update(chunk)
                    size += len(chunk)
                    f.write(chunk)
                    if sink.size >= CHUNK:
                        yield sink.take()
            yield sink.take()
            written.append(Written(path, title, size, digest.hexdigest()))

        for entry in entries(plan, summary):
            yield from put(entry.path, entry.title, entry.chunks(), entry.compress)
        yield from put(INDEX, "本索引（可打印，A4）", _index_html(plan, list(written), timezone.now()), True)
        yield from put(SUMS, "", _sums(written), True)
    yield sink.take()


def write_folder(plan: DossierPlan, out: Path) -> list[Written]:
    """The dossier unpacked into `out` (created; must not exist or be empty). Returns what was written."""
    if out.exists() and any(out.iterdir()):
        raise RowInvalid([("输出目录", f"{out} 不是空目录")])
    out.mkdir(parents=True, exist_ok=True)
    written: list[Written] = []
    summary = _new_summary()
    try:
        for entry in entries(plan, summary):
            written.append(_write_file(out, entry.path, entry.title, entry.chunks()))
        index = _index_html(plan, list(written), timezone.now())
        written.append(_write_file(out, INDEX, "本索引（可打印，A4）", index))
        _write_file(out, SUMS, "", _sums(written))
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise
    return written


def _write_file(root: Path, rel: str, title: str, chunks: Iterable[bytes]) -> Written:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with open(path, "wb") as f:
        for chunk in chunks:
            digest.update(chunk)
            size += len(chunk)
            f.write(chunk)
    return Written(rel, title, size, digest.hexdigest())


def write_zip_file(plan: DossierPlan, path: Path) -> int:
    size = 0
    with open(path, "wb") as f:
        for chunk in stream_zip(plan):
            f.write(chunk)
            size += len(chunk)
    return size
