"""Import page, template download, error-report download and xlsx export: thin views over the directory services.

The error report of an upload is kept for a day under MEDIA_ROOT/import-errors/<uuid>.xlsx beside a small
<uuid>.json naming its owner, so that the report can be downloaded by a plain GET that changes nothing, and only
by the user who uploaded the file.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shuangsuiji.accounts.scoping import has_perm
from shuangsuiji.directory.exporting import directory_export, export_filename
from shuangsuiji.directory.importing import EDIT_PERMS, KINDS, ImportFileError, directory_import
from shuangsuiji.directory.rows import KIND_LABELS
from shuangsuiji.directory.workbooks import ExportTooLarge, error_workbook, template_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERROR_REPORT_TTL = 24 * 3600
ERRORS_SHOWN = 500


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


def _quote(filename: str) -> str:
    from urllib.parse import quote

    return quote(filename)


def _error_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "import-errors"


def _store_error_report(user, kind: str, result) -> str:
    folder = _error_dir()
    folder.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for old in folder.glob("*.json"):  # forget reports older than a day
        try:
            if now - old.stat().st_mtime > ERROR_REPORT_TTL:
                old.unlink(missing_ok=True)
                old.with_suffix(".xlsx").unlink(missing_ok=True)
        except OSError:
            pass
    report_id = uuid.uuid4().hex
    data = error_workbook(
        kind, result.headers, result.error_rows, result.errors, truncated=result.errors_truncated
    )
    (folder / f"{report_id}.xlsx").write_bytes(data)
    owner = {"user": user.pk, "kind": kind, "filename": result.filename, "created": now}
    (folder / f"{report_id}.json").write_text(json.dumps(owner, ensure_ascii=False))
    return report_id


@login_required
def import_page(request):
    if not has_perm(request.user, "directory.import"):
        raise PermissionDenied("您没有导入名录的权限")
    kinds = [(k, KIND_LABELS[k]) for k in KINDS if has_perm(request.user, EDIT_PERMS[k])]
    kind = request.POST.get("kind") or request.GET.get("kind") or (kinds[0][0] if kinds else "")
    context = {
        "kinds": kinds,
        "kind": kind,
        "valid_rows_only": False,
        "dry_run": False,
        "max_mb": settings.MAX_IMPORT_UPLOAD_BYTES // (1024 * 1024),
    }
    if request.method == "GET":
        return render(request, "web/import.html", context)
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    valid_rows_only = request.POST.get("valid_rows_only") == "1"
    dry_run = request.POST.get("dry_run") == "1"
    context.update(valid_rows_only=valid_rows_only, dry_run=dry_run)
    upload = request.FILES.get("file")
    problem = None
    if kind not in dict(kinds):
        problem = "请选择您有权维护的名录"
    elif upload is None:
        problem = "请选择要上传的 .xlsx 或 .csv 文件"
    elif upload.size > settings.MAX_IMPORT_UPLOAD_BYTES:
        problem = f"文件超过 {context['max_mb']} MB，请拆分后上传，或由管理员用命令行导入"
    if problem:
        context["problem"] = problem
        return render(request, "web/import.html", context, status=400)
    try:
        result = directory_import(
            actor=request.user,
            kind=kind,
            file=upload.file,
            filename=upload.name,
            valid_rows_only=valid_rows_only,
            dry_run=dry_run,
            reason=request.POST.get("reason", "").strip() or "批量导入",
        )
    except ImportFileError as e:
        context["problem"] = str(e)
        return render(request, "web/import.html", context, status=400)
    context["result"] = result
    context["errors_shown"] = result.errors[:ERRORS_SHOWN]
    if result.errors:
        context["report_id"] = _store_error_report(request.user, kind, result)
    return render(request, "web/import.html", context)


@login_required
@require_GET
def error_report(request, report_id: str):
    try:
        uuid.UUID(hex=report_id)
    except ValueError:
        raise Http404 from None
    folder = _error_dir()
    try:
        owner = json.loads((folder / f"{report_id}.json").read_text())
        data = (folder / f"{report_id}.xlsx").read_bytes()
    except (OSError, ValueError):
        raise Http404("错误报告不存在或已过期") from None
    if owner.get("user") != request.user.pk or time.time() - owner.get("created", 0) > ERROR_REPORT_TTL:
        raise Http404("错误报告不存在或已过期")
    stem = Path(owner.get("filename") or "导入").stem
    return _xlsx(data, f"{stem}-错误报告.xlsx")


@login_required
@require_GET
def template_download(request, kind: str):
    return _xlsx(template_workbook(kind), f"{KIND_LABELS[kind]}-导入模板.xlsx")


@login_required
def export_download(request, kind: str):
    """GET: the masked export of the filtered list. POST with full=1: the unmasked one (permission, audited)."""
    if request.method == "GET":
        unmasked = False
    elif request.method == "POST" and request.POST.get("full") == "1":
        unmasked = True
    else:
        return HttpResponseNotAllowed(["GET", "POST"])
    try:
        data = directory_export(actor=request.user, kind=kind, params=request.GET, unmasked=unmasked)
    except ExportTooLarge as e:
        return render(request, "web/import.html", {"problem": str(e), "export_only": True}, status=400)
    name = export_filename(kind)
    if unmasked:
        name = name.replace(".xlsx", "-完整信息.xlsx")
    response = _xlsx(data, name)
    response["Cache-Control"] = "no-store"
    return response
