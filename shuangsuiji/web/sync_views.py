"""The office's page for the registration authority's change files and the province's risk-class files.

Upload → dry run (counts of new / changed / left / unchanged, and the row errors) → apply. The uploaded file of a
clean preview is kept for a day under MEDIA_ROOT/sync-previews/<uuid>.bin beside a <uuid>.json naming its owner, so
that “apply” is a POST of the preview's id and applies exactly the file that was previewed (checked by its sha256);
a file can also be uploaded and applied in one POST. No GET writes anything.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import render

from shuangsuiji.accounts.scoping import has_perm
from shuangsuiji.directory.models import SyncKind
from shuangsuiji.directory.selectors import recent_sync_batches
from shuangsuiji.directory.syncing import SYNC_PERM, SyncFileError, directory_sync

from .import_views import ERRORS_SHOWN, _store_error_report

PREVIEW_TTL = 24 * 3600


def _preview_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "sync-previews"


def _forget_old_previews(folder: Path) -> None:
    now = time.time()
    for old in folder.glob("*.json"):
        try:
            if now - old.stat().st_mtime > PREVIEW_TTL:
                old.unlink(missing_ok=True)
                old.with_suffix(".bin").unlink(missing_ok=True)
        except OSError:
            pass


def _store_preview(user, result, upload) -> str:
    folder = _preview_dir()
    folder.mkdir(parents=True, exist_ok=True)
    _forget_old_previews(folder)
    preview_id = uuid.uuid4().hex
    upload.file.seek(0)
    with (folder / f"{preview_id}.bin").open("wb") as out:
        for chunk in iter(lambda: upload.file.read(1 << 20), b""):
            out.write(chunk)
    owner = {
        "user": user.pk,
        "kind": result.kind,
        "filename": result.filename,
        "sha256": result.sha256,
        "created": time.time(),
    }
    (folder / f"{preview_id}.json").write_text(json.dumps(owner, ensure_ascii=False))
    return preview_id


def _load_preview(user, preview_id: str) -> tuple[dict, Path] | None:
    try:
        uuid.UUID(hex=preview_id)
    except (ValueError, TypeError):
        return None
    folder = _preview_dir()
    try:
        owner = json.loads((folder / f"{preview_id}.json").read_text())
    except (OSError, ValueError):
        return None
    path = folder / f"{preview_id}.bin"
    if (
        owner.get("user") != user.pk
        or time.time() - owner.get("created", 0) > PREVIEW_TTL
        or not path.is_file()
    ):
        return None
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != owner.get("sha256"):
        return None
    return owner, path


def _drop_preview(preview_id: str) -> None:
    folder = _preview_dir()
    (folder / f"{preview_id}.bin").unlink(missing_ok=True)
    (folder / f"{preview_id}.json").unlink(missing_ok=True)


@login_required
def sync_page(request):
    if not has_perm(request.user, SYNC_PERM):
        raise PermissionDenied("只有联席会议办公室可以导入登记变更文件和信用风险分类文件")
    kind = request.POST.get("kind") or request.GET.get("kind") or ""
    context = {
        "kinds": SyncKind.choices,
        "kind": kind,
        "max_mb": settings.MAX_IMPORT_UPLOAD_BYTES // (1024 * 1024),
        "batches": recent_sync_batches(),
    }
    if request.method == "GET":
        return render(request, "web/directory_sync.html", context)
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    if kind and kind not in SyncKind.values:
        context["problem"] = "请选择文件类型"
        return render(request, "web/directory_sync.html", context, status=400)
    apply = request.POST.get("action") == "apply"
    preview_id = request.POST.get("preview_id", "")
    if apply and preview_id:
        return _apply_preview(request, context, preview_id)
    upload = request.FILES.get("file")
    problem = None
    if upload is None:
        problem = "请选择要上传的 .xlsx 或 .csv 文件"
    elif upload.size > settings.MAX_IMPORT_UPLOAD_BYTES:
        problem = f"文件超过 {context['max_mb']} MB，请拆分后上传，或由管理员用命令行 sync_directory 导入"
    if problem:
        context["problem"] = problem
        return render(request, "web/directory_sync.html", context, status=400)
    try:
        result = directory_sync(
            actor=request.user, file=upload.file, filename=upload.name, kind=kind or None, dry_run=not apply
        )
    except SyncFileError as e:
        context["problem"] = str(e)
        return render(request, "web/directory_sync.html", context, status=400)
    if not apply and result.ok and result.changes:
        context["preview_id"] = _store_preview(request.user, result, upload)
    return _show(request, context, result)


def _apply_preview(request, context, preview_id: str):
    loaded = _load_preview(request.user, preview_id)
    if loaded is None:
        context["problem"] = "预览已过期或不存在，请重新上传文件"
        return render(request, "web/directory_sync.html", context, status=400)
    owner, path = loaded
    try:
        with path.open("rb") as f:
            result = directory_sync(
                actor=request.user, file=f, filename=owner["filename"], kind=owner["kind"]
            )
    except SyncFileError as e:
        context["problem"] = str(e)
        return render(request, "web/directory_sync.html", context, status=400)
    if result.ok:
        _drop_preview(preview_id)
    return _show(request, context, result)


def _show(request, context, result):
    context["result"] = result
    context["kind"] = result.kind
    context["errors_shown"] = result.errors[:ERRORS_SHOWN]
    if result.errors:
        context["report_id"] = _store_error_report(request.user, result.kind, result)
    context["batches"] = recent_sync_batches()
    return render(request, "web/directory_sync.html", context)
