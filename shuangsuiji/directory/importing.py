"""Bulk import of 两库一单 from .xlsx/.csv: every row validated like a page form, upserted by its natural key.

The rules (issue 2):
- every row goes through `rows.validate_row`, plus duplicates within the file and the department rules;
- any invalid row → nothing is written (one transaction), unless the user chose to import only the valid rows;
- rows already in the directory are updated when they differ and skipped when not, so importing the same file
  twice changes nothing the second time;
- one audit event summarises a committed import (kind, file name, sha256, counts, and the before/after of the first
  rows that changed); check-item changes also get their CheckItemVersion, like any other change of the list.

The import streams: rows are read, validated and written in batches of BATCH rows; only the keys seen so far (for
duplicates) and at most MAX_ERRORS errors are kept in memory, so a 1,000,000-row file stays well under 1 GB.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, reset_queries, transaction
from django.utils import timezone

from shuangsuiji.accounts.scoping import ensure_own_department, ensure_perm
from shuangsuiji.audit.services import record
from shuangsuiji.codes.mask import mask_id_number, mask_phone
from shuangsuiji.personal.fields import BlindIndexField, EncryptedCharField

from . import services
from .models import CheckItem, CheckItemVersion, InspectionObject, Inspector
from .rows import COLUMNS, KEYS, KIND_LABELS, Lookups, validate_row
from .tables import TableError, cell_text, file_digest, is_blank, is_xlsx, read_rows

BATCH = 2000
MAX_ERRORS = 10_000  # errors kept for the page, the command and the error workbook; the count goes on
MAX_AUDITED_CHANGES = 1000  # updated rows whose before/after go into the summary audit event
KINDS = tuple(COLUMNS)
MODELS = {"entities": InspectionObject, "inspectors": Inspector, "items": CheckItem}
# The permission that lets a user change each directory, on top of "directory.import".
EDIT_PERMS = {
    "entities": "directory.edit_entities",
    "inspectors": "directory.edit_inspectors",
    "items": "directory.edit_items",
}
DEPARTMENT_RULE = {"inspectors": "只能导入本部门的人员", "items": "只能导入本部门的事项"}
MASKABLE = {"id_number": mask_id_number, "phone": mask_phone}


class ImportFileError(Exception):
    """The file as a whole cannot be imported (unreadable, wrong columns). The message is for the user."""


@dataclass
class ImportResult:
    kind: str
    filename: str
    sha256: str
    dry_run: bool = False
    valid_rows_only: bool = False
    rows: int = 0  # non-blank data rows
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    # (row number as in Excel, column header, reason)
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    error_rows: list[tuple[int, list[Any]]] = field(default_factory=list)  # invalid rows as uploaded
    headers: list[str] = field(default_factory=list)  # the uploaded header row
    ignored_columns: list[str] = field(default_factory=list)
    errors_truncated: bool = False
    written: bool = False  # True when the import committed (even if it changed nothing)
    audit_event_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.invalid == 0

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "filename": self.filename,
            "sha256": self.sha256,
            "rows": self.rows,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "invalid": self.invalid,
            "dry_run": self.dry_run,
            "valid_rows_only": self.valid_rows_only,
            "written": self.written,
        }


def _canonical_header(text: Any) -> str:
    s = "" if text is None else str(text)
    s = s.replace("(", "（").replace(")", "）").replace(" ", "").replace("\u3000", "").strip()
    return s.lstrip("*＊").rstrip("*＊")


def _map_header(kind: str, header_cells: list[Any]) -> tuple[dict[int, str], list[str]]:
    """Column index -> header of our column list; raises ImportFileError when a required column is missing."""
    known = {_canonical_header(c.header): c.header for c in COLUMNS[kind]}
    known |= {c.name: c.header for c in COLUMNS[kind]}
    mapping: dict[int, str] = {}
    ignored: list[str] = []
    for i, cell in enumerate(header_cells):
        canon = _canonical_header(cell)
        if not canon:
            continue
        header = known.get(canon)
        if header is None:
            ignored.append(str(cell).strip())
            continue
        if header in mapping.values():
            raise ImportFileError(f"表头中“{header}”列出现了两次")
        mapping[i] = header
    missing = [c.header for c in COLUMNS[kind] if c.required and c.header not in mapping.values()]
    if missing:
        if not mapping:
            raise ImportFileError(
                f"第1行不是{KIND_LABELS[kind]}的表头：请使用下载的模板（第1行为列名，如“{COLUMNS[kind][0].header}”）"
            )
        raise ImportFileError(f"缺少必填列：{'、'.join(missing)}（第1行应为模板的列名）")
    return mapping, ignored


@dataclass
class _Pending:
    number: int
    cells: list[Any]
    clean: dict[str, Any]
    masked: dict[str, str]  # field -> masked value from an export, to be resolved against the stored value


class _Importer:
    def __init__(self, *, actor, kind: str, result: ImportResult, reason: str):
        self.actor, self.kind, self.result, self.reason = actor, kind, result, reason
        self.model = MODELS[kind]
        self.key = KEYS[kind]
        self.headers = {c.name: c.header for c in COLUMNS[kind]}
        self.lookups = Lookups.load()
        self.seen: dict[Any, int] = {}
        self.now = timezone.now()
        self.audited_changes: dict[str, dict[str, list[Any]]] = {}
        self.inserted_inspectors = False
        use_copy = connection.vendor == "postgresql" and kind != "items"
        self.copier = CopyWriter(self.model, self.now) if use_copy else None

    def wait(self) -> None:
        """Let the background COPY finish before this thread uses the connection."""
        if self.copier is not None:
            self.copier.wait()

    def close(self) -> None:
        if self.copier is not None:
            self.copier.close()

    # -- errors --

    def _fail(self, number: int, cells: list[Any], errors: list[tuple[str, str]]) -> None:
        r = self.result
        r.invalid += 1
        if len(r.errors) < MAX_ERRORS:
            r.errors.extend((number, col, reason) for col, reason in errors)
            r.error_rows.append((number, cells))
        else:
            r.errors_truncated = True

    def writing(self) -> bool:
        r = self.result
        return not r.dry_run and (r.valid_rows_only or r.invalid == 0)

    # -- per row --

    def check(self, number: int, cells: list[Any], raw: dict[str, Any]) -> _Pending | None:
        masked: dict[str, str] = {}
        if self.kind == "inspectors":
            # An export is masked (4104**********123X); re-importing it must keep the stored numbers.
            for name in MASKABLE:
                header = self.headers[name]
                value = raw.get(header)
                if isinstance(value, str) and "*" in value:
                    masked[name] = value.strip()
                    raw[header] = None
        clean, errors = validate_row(self.kind, raw, self.lookups)
        if self.kind in DEPARTMENT_RULE and "department_id" in clean:
            try:
                ensure_own_department(self.actor, clean["department_id"])
            except PermissionDenied:
                errors.append((self.headers["department_id"], DEPARTMENT_RULE[self.kind]))
        key = clean.get(self.key)
        if key:
            first = self.seen.setdefault(key, number)
            if first != number:
                errors.append((self.headers[self.key], f"与第{first}行重复（{key}）"))
        if errors:
            self._fail(number, cells, errors)
            return None
        return _Pending(number, cells, clean, masked)

    # -- per batch --

    def _existing(self, batch: list[_Pending], present: list[str]) -> dict[Any, dict[str, Any]]:
        """Stored values of the batch's keys that already exist: one query, plain dicts (no model instances)."""
        fields = ["id", self.key, *present]
        if self.kind in DEPARTMENT_RULE:
            fields.append("department_id")
        if self.kind == "inspectors":
            fields += list(MASKABLE)
        fields = list(dict.fromkeys(fields))
        keys = [p.clean[self.key] for p in batch]
        self.wait()
        if connection.vendor == "postgresql":
            # One array parameter instead of 2,000 placeholders: the ORM's IN (…) costs more to build than to run.
            meta = self.model._meta
            columns = ", ".join(connection.ops.quote_name(meta.get_field(f).column) for f in fields)
            key_column = connection.ops.quote_name(meta.get_field(self.key).column)
            sql = f"SELECT {columns} FROM {connection.ops.quote_name(meta.db_table)} WHERE {key_column} = ANY(%s)"
            with connection.cursor() as cursor:
                cursor.execute(sql, [keys])
                rows = [dict(zip(fields, row, strict=True)) for row in cursor.fetchall()]
            for f in fields:  # e.g. JSONField: Django has psycopg hand over jsonb as text
                convert = getattr(meta.get_field(f), "from_db_value", None)
                if convert is not None:
                    for row in rows:
                        row[f] = convert(row[f], None, connection)
        else:
            rows = list(self.model.objects.filter(**{f"{self.key}__in": keys}).values(*fields))
        return {row[self.key]: row for row in rows}

    def flush(self, batch: list[_Pending], present: list[str]) -> None:
        if not batch:
            return
        existing = self._existing(batch, present)
        creates: list[dict[str, Any]] = []
        updates: dict[int, dict[str, Any]] = {}  # id -> changed fields
        for p in batch:
            stored = existing.get(p.clean[self.key])
            errors = self._resolve_masked(p, stored)
            if stored is not None and self.kind in DEPARTMENT_RULE:
                if stored["department_id"] != p.clean["department_id"]:
                    what = "人员" if self.kind == "inspectors" else "事项"
                    errors.append(
                        (
                            self.headers["department_id"],
                            f"{self.headers[self.key]} {p.clean[self.key]} 已登记在其他部门，"
                            f"不能把{what}改到其他部门",
                        )
                    )
            if errors:
                self._fail(p.number, p.cells, errors)
                continue
            if stored is None:
                self.result.new += 1
                creates.append(p.clean)
                continue
            diff = {f: p.clean[f] for f in present if stored[f] != p.clean[f]}
            if not diff:
                self.result.unchanged += 1
                continue
            self.result.updated += 1
            if len(self.audited_changes) < MAX_AUDITED_CHANGES:
                self.audited_changes[str(p.clean[self.key])] = {f: [stored[f], v] for f, v in diff.items()}
            updates[stored["id"]] = diff
        if self.writing():
            self._write(creates, updates)
        # With DEBUG on, Django keeps the SQL of every query; a million-row import must not keep them all.
        reset_queries()

    def _resolve_masked(self, p: _Pending, stored: dict[str, Any] | None) -> list[tuple[str, str]]:
        errors = []
        for name, value in p.masked.items():
            number = stored[name] if stored is not None else ""
            if number and MASKABLE[name](number) == value:
                p.clean[name] = number
            else:
                errors.append((self.headers[name], "含“*”的脱敏号码只能用于保持原号码不变，请填写完整号码"))
        return errors

    def _write(self, creates: list[dict[str, Any]], updates: dict[int, dict[str, Any]]) -> None:
        if self.kind == "items":
            self._write_items(creates, updates)
            return
        if creates:
            if self.copier is not None:
                self.copier.submit(creates)
            else:
                self.model.objects.bulk_create([self.model(**c) for c in creates], batch_size=BATCH)
            if self.kind == "inspectors":
                self.inserted_inspectors = True  # their codes are assigned from the ids once, at the end
        if updates:
            self.wait()
            # bulk_update writes every named field of every object it is given: objects are grouped by the fields
            # that changed, or a row that changed only the name would write the blank address (and a row that
            # changed only the address the blank name) of an unsaved instance.
            groups: dict[tuple[str, ...], list[Any]] = {}
            for pk, diff in updates.items():
                groups.setdefault(tuple(sorted(diff)), []).append(
                    self.model(id=pk, updated_at=self.now, **diff)
                )
            for fields, objs in groups.items():
                self.model.objects.bulk_update(objs, [*fields, "updated_at"], batch_size=BATCH)

    def _write_items(self, creates: list[dict[str, Any]], updates: dict[int, dict[str, Any]]) -> None:
        # The item list is small (hundreds), and each change needs its version row: plain instances suffice.
        new = CheckItem.objects.bulk_create([CheckItem(**c, version=1) for c in creates], batch_size=BATCH)
        if new and new[0].pk is None:  # a database that does not return ids from bulk inserts
            ids = dict(CheckItem.objects.filter(code__in=[i.code for i in new]).values_list("code", "id"))
            for item in new:
                item.pk = ids[item.code]
        versions = [
            services.item_version(actor=self.actor, item=i, reason=self.reason, before=None) for i in new
        ]
        changed = list(CheckItem.objects.filter(pk__in=list(updates)))
        for item in changed:
            before = services._item_data(item)
            for f, v in updates[item.pk].items():
                setattr(item, f, v)
            item.version += 1
            item.updated_at = self.now
            versions.append(
                services.item_version(actor=self.actor, item=item, reason=self.reason, before=before)
            )
        if changed:
            fields = sorted({f for diff in updates.values() for f in diff} | {"version", "updated_at"})
            CheckItem.objects.bulk_update(changed, fields, batch_size=BATCH)
        CheckItemVersion.objects.bulk_create(versions, batch_size=BATCH)

    def finish(self) -> None:
        self.close()
        if self.inserted_inspectors:
            services.assign_inspector_codes()


class CopyWriter:
    """INSERTs through PostgreSQL's COPY, in a background thread, on the import's own connection and transaction.

    COPY is about three times faster than bulk_create's INSERT … VALUES, and running it in a thread lets the
    database insert (and update its indexes for) batch N while Python validates batch N+1: the two take about the
    same time, so a big import takes about half as long. The psycopg connection serialises its users, and the
    importer calls `wait()` before it uses the connection itself, so the thread never races the main one.
    """

    def __init__(self, model, now):
        from concurrent.futures import ThreadPoolExecutor

        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.defaults = {}
        for f in fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.defaults[f.attname] = now
            elif f.has_default() or f.null or f.blank:
                self.defaults[f.attname] = f.get_default()
        self.json_fields = {f.attname for f in fields if f.get_internal_type() == "JSONField"}
        # COPY bypasses the fields' own preparation: personal numbers are sealed and indexed here instead.
        self.sealed = {f.attname: f for f in fields if isinstance(f, EncryptedCharField)}
        self.indexed = {f.attname: f for f in fields if isinstance(f, BlindIndexField)}
        self.names = [f.attname for f in fields]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        self.sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
        connection.ensure_connection()
        self.raw = connection.connection
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-copy")
        self.pending = None

    def submit(self, rows: list[dict[str, Any]]) -> None:
        self.wait()
        self.pending = self.pool.submit(self._copy, rows)

    def wait(self) -> None:
        if self.pending is not None:
            pending, self.pending = self.pending, None
            try:
                pending.result()  # re-raises a database error of the thread here
            except Exception as e:
                import psycopg

                if isinstance(e, psycopg.IntegrityError):
                    raise IntegrityError(str(e)) from e
                raise

    def close(self) -> None:
        try:
            self.wait()
        finally:
            self.pool.shutdown(wait=True)

    def _copy(self, rows: list[dict[str, Any]]) -> None:
        from psycopg.types.json import Jsonb

        names, defaults, json_fields = self.names, self.defaults, self.json_fields
        sealed, indexed = self.sealed, self.indexed
        with self.raw.cursor() as cursor, cursor.copy(self.sql) as copy:
            for row in rows:
                values = [row[n] if n in row else defaults[n] for n in names]
                if sealed:
                    for i, n in enumerate(names):
                        if n in sealed:
                            values[i] = sealed[n].get_db_prep_save(values[i], connection)
                        elif n in indexed:
                            values[i] = indexed[n].index_of(row.get(indexed[n].source, ""))
                if json_fields:
                    values = [Jsonb(v) if n in json_fields else v for n, v in zip(names, values, strict=True)]
                copy.write_row(values)


def _rows(f: IO[bytes], filename: str) -> Iterator[tuple[int, list[Any]]]:
    try:
        yield from read_rows(f, filename)
    except TableError as e:
        raise ImportFileError(str(e)) from None


def _read_all(imp: _Importer, kind: str, file: IO[bytes], filename: str) -> None:
    result = imp.result
    mapping: dict[int, str] | None = None
    present: list[str] = []
    pairs: list[tuple[int, str]] = []
    width = 0
    text_only = not is_xlsx(file)
    batch: list[_Pending] = []
    for number, cells in _rows(file, filename):
        if mapping is None:
            if is_blank(cells):
                continue
            mapping, result.ignored_columns = _map_header(kind, cells)
            result.headers = [str(c).strip() if c is not None else "" for c in cells]
            by_header = {c.header: c.name for c in COLUMNS[kind]}
            present = [by_header[h] for h in mapping.values()]
            pairs = list(mapping.items())
            width = max(mapping) + 1
            continue
        if is_blank(cells):
            continue
        result.rows += 1
        if len(cells) < width:
            cells = cells + [None] * (width - len(cells))
        if text_only:  # CSV: every cell is already a str
            raw = {h: cells[i] for i, h in pairs}
        else:
            raw = {h: cell_text(cells[i]) for i, h in pairs}
        pending = imp.check(number, cells, raw)
        if pending is not None:
            batch.append(pending)
        if len(batch) >= BATCH:
            imp.flush(batch, present)
            batch = []
    if mapping is None:
        raise ImportFileError("文件是空的：第1行应为模板的列名，第2行起为数据")
    imp.flush(batch, present)


def directory_import(
    *,
    actor,
    kind: str,
    file: IO[bytes],
    filename: str,
    valid_rows_only: bool = False,
    dry_run: bool = False,
    reason: str = "批量导入",
) -> ImportResult:
    """Import one uploaded file into a directory. Raises PermissionDenied or ImportFileError for the whole file."""
    if kind not in KINDS:
        raise ImportFileError(f"未知的名录类型：{kind}")
    ensure_perm(actor, "directory.import")
    ensure_perm(actor, EDIT_PERMS[kind])
    reason = (reason or "").strip() or "批量导入"
    result = ImportResult(
        kind=kind,
        filename=filename,
        sha256=file_digest(file),
        dry_run=dry_run,
        valid_rows_only=valid_rows_only,
    )
    try:
        _import(actor=actor, kind=kind, result=result, reason=reason, file=file, filename=filename)
    except IntegrityError:
        # Another import or edit inserted the same code between our check and our insert; nothing was written.
        raise ImportFileError("导入时有人同时新增了相同编码的记录，本次未写入任何数据，请重新上传") from None
    return result


def _import(*, actor, kind: str, result: ImportResult, reason: str, file: IO[bytes], filename: str) -> None:
    with transaction.atomic():
        imp = _Importer(actor=actor, kind=kind, result=result, reason=reason)
        try:
            _read_all(imp, kind, file, filename)
        finally:
            imp.close()  # the background COPY must be done before commit or rollback
        if not imp.writing():
            # Dry run, or an invalid row in an all-or-nothing import: undo whatever was written before it.
            transaction.set_rollback(True)
            return
        imp.finish()
        event = record(
            actor=actor,
            action="directory.import",
            target_type=f"directory.{kind}",
            target_repr=f"导入{KIND_LABELS[kind]}：{filename}"[:200],
            after=result.as_dict() | {"written": True, "changes": imp.audited_changes},
            reason=reason,
        )
        result.written = True
        result.audit_event_id = event.pk
