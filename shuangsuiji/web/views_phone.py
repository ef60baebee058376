"""Issue 14, part 3: inspectors' own accounts, 我的检查 and record entry on a phone.

Thin, like every view: the visits come from `scoping.visit_selections_for` (another team's visit is simply not found,
404), every write goes through the same services as the desktop record form (record_create, record_update,
record_submit, attachment_add), and the phone's draft arrives once thanks to its idempotency key (the middleware).
"""

from __future__ import annotations

import io
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shuangsuiji.accounts import scoping
from shuangsuiji.accounts import services as account_services
from shuangsuiji.accounts.models import User
from shuangsuiji.directory.models import Inspector
from shuangsuiji.directory.rows import RowInvalid
from shuangsuiji.inspections import categories as cat
from shuangsuiji.inspections import selectors, services
from shuangsuiji.inspections.models import InspectionRecord, RecordStatus, SignatureStatus, TransferKind
from shuangsuiji.org.models import Department

from .views_records import (
    PLANNED_TRANSFERS,
    TRANSFER_BASES,
    _form_data,
    _member_choices,
    _planned_transfers,
)

PHOTO_KIND = "现场照片"
SIGNATURE_KIND = "签字"
PHOTOS_MAX = 10
DOCUMENTS_MAX = 5


def _ensure_inspector(user) -> None:
    if not scoping.is_inspector(user):
        raise PermissionDenied("“我的检查”供执法人员本人使用；录入员请从检查结果页面录入")


def _visit_for(request, sel_pk: int):
    return get_object_or_404(scoping.visit_selections_for(request.user), pk=sel_pk)


def _current_record(user, selection) -> InspectionRecord | None:
    return (
        scoping.records_for(user)
        .filter(selection=selection)
        .exclude(status=RecordStatus.SUPERSEDED)
        .order_by("-version")
        .first()
    )


# --- 我的检查 --------------------------------------------------------------------------------------------------------


@require_GET
@login_required
def my_visits(request):
    _ensure_inspector(request.user)
    return render(request, "web/my_visits.html", {"visits": selectors.my_visits(request.user)})


@require_GET
@login_required
@never_cache
def my_visit(request, sel_pk: int):
    """The phone form of one visit: one column, large targets; the draft lives in the browser until it is sent."""
    _ensure_inspector(request.user)
    sel = _visit_for(request, sel_pk)
    rec = _current_record(request.user, sel)
    scheme = sel.draw.scheme
    team = [m for m in sel.team.select_related("inspector").order_by("order") if m.active]
    members = {}
    if rec is not None:
        members = {m.inspector_id: m for m in rec.members.select_related("entered_by")}
    present = [
        {
            "inspector": m.inspector,
            "member": members.get(m.inspector_id),
            "me": m.inspector_id == request.user.inspector_id,
        }
        for m in scoping.team_members_visible(request.user, scheme, team)
    ]
    items = (
        list(rec.item_results.select_related("item"))
        if rec is not None
        else [
            {"item_id": i.item_id, "item": i.item, "checked": True, "problem_found": False}
            for i in scheme.items.filter(department_id=request.user.department_id).select_related("item")
        ]
    )
    return render(
        request,
        "web/my_visit.html",
        {
            "sel": sel,
            "scheme": scheme,
            "rec": rec,
            "editable": rec is None or rec.is_editable,
            "present": present,
            "member_ids": set(members) if rec is not None else {m["inspector"].pk for m in present},
            "items": items,
            "methods": scheme.methods,
            "rec_methods": rec.methods if rec is not None else list(scheme.methods),
            "categories": cat.LEAF_CATEGORIES,
            "measures": cat.MEASURES,
            "signatures": SignatureStatus.choices,
            # What the desktop form also asks (ADR 0027): the result date and its documents, a commissioned agency,
            # transfers sent with the submission, a withholding request.
            "document_kinds": services.RESULT_BASIS_KINDS,
            "transfer_measures": list(cat.TRANSFER_MEASURES),
            "planned": [{"n": n} for n in PLANNED_TRANSFERS],
            "transfer_kinds": TransferKind.choices,
            "transfer_bases": TRANSFER_BASES,
            "departments": Department.objects.filter(active=True).exclude(pk=request.user.department_id),
            "attachments": rec.attachments.all() if rec is not None else [],
            "address": sel.object.address,
            "map_url": selectors.map_url(sel.object.address),
            "map_text": selectors.map_text(sel.object.address),
            "today": timezone.localdate(),
            "sync_url": reverse("my_visit_sync", args=[sel.pk]),
            "sw_scope": reverse("phone_service_worker").rsplit("/", 1)[0] + "/",
            "register_url": reverse("register_object", args=[sel.draw_id, sel.pk]),
            "needs_my_confirmation": rec is not None
            and request.user.inspector_id in members
            and members[request.user.inspector_id].confirmed_at is None,
        },
    )


def _refused(
    pairs: list[tuple[str, str]], status: int = 422, rec: InspectionRecord | None = None
) -> JsonResponse:
    return JsonResponse(
        {
            "ok": False,
            "record": rec.pk if rec is not None else None,
            "errors": [{"field": f, "reason": r} for f, r in pairs],
            "detail": "；".join(f"{f}：{r}" for f, r in pairs),
        },
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def _documents(request) -> list[tuple[str, object]]:
    """The result's documents (检测报告, 专家意见) sent with the draft, each with its kind (document_kinds, in order)."""
    files = request.FILES.getlist("documents")
    kinds = request.POST.getlist("document_kinds")
    if len(files) > DOCUMENTS_MAX:
        raise RowInvalid([("结果依据附件", f"一次最多上传 {DOCUMENTS_MAX} 个文件")])
    if len(kinds) != len(files) or any(k not in services.RESULT_BASIS_KINDS for k in kinds):
        choices = "或".join(f"“{k}”" for k in services.RESULT_BASIS_KINDS)
        raise RowInvalid([("结果依据附件", f"附件类型应为{choices}")])
    return list(zip(kinds, files, strict=True))


def _sync(request, sel, rec, photos, submitted: bool) -> InspectionRecord:
    if rec is None:
        rec = services.record_create(actor=request.user, selection=sel)
    offered, hidden = _member_choices(request.user, rec)
    data, pairs = _form_data(request, rec, {i.pk for i in offered}, hidden)
    data["inspection_time"] = request.POST.get("inspection_time", "")[:8]
    if pairs:
        raise RowInvalid(pairs)
    documents = _documents(request)
    rec = services.record_update(actor=request.user, rec=rec, data=data)
    for n, upload in enumerate(photos, start=1):
        if upload.content_type == "image/jpeg":
            upload.name = f"现场照片{n}.jpg"
        services.attachment_add_once(actor=request.user, rec=rec, kind=PHOTO_KIND, upload=upload)
    signature = request.FILES.get("signature_png")
    if signature is not None:
        signature.name = "检查对象签字.png"
        services.attachment_add_once(actor=request.user, rec=rec, kind=SIGNATURE_KIND, upload=signature)
    for kind, upload in documents:
        services.attachment_add_once(actor=request.user, rec=rec, kind=kind, upload=upload)
    if submitted:
        rec = services.record_submit(actor=request.user, rec=rec, transfers=_planned_transfers(request.POST))
    return rec


@require_POST
@login_required
def my_visit_sync(request, sel_pk: int):
    """The phone's draft: the record's fields, its photos (resized in the browser) and the firm's signature (PNG), in
    one request. Creates the record if the department has none yet, saves it, attaches what is new and, with
    action=submit, submits it. Sent with the header Idempotency-Key (one per draft version), it runs once."""
    _ensure_inspector(request.user)
    sel = _visit_for(request, sel_pk)
    photos = request.FILES.getlist("photos")
    if len(photos) > PHOTOS_MAX:
        return _refused([("现场照片", f"一次最多上传 {PHOTOS_MAX} 张照片")])
    rec = _current_record(request.user, sel)
    if rec is not None and not rec.is_editable:
        return _refused([("状态", f"记录当前为“{rec.get_status_display()}”，已不可修改")], 409, rec)
    submitted = request.POST.get("action") == "submit"
    try:
        # All or nothing: a refused draft leaves the platform as it was (the phone keeps the draft and shows why).
        with transaction.atomic():
            rec = _sync(request, sel, rec, photos, submitted)
    except RowInvalid as e:
        return _refused(e.errors)
    except ValidationError as e:
        return _refused([("状态", m) for m in e.messages])
    return JsonResponse(
        {
            "ok": True,
            "record": rec.pk,
            "status": rec.get_status_display(),
            "submitted": submitted,
            "attachments": rec.attachments.count(),
            "message": (
                f"已提交审核，应于 {rec.deadline_label} 前完成审核公示。" if submitted else "已暂存到平台。"
            ),
        },
        json_dumps_params={"ensure_ascii": False},
    )


@require_POST
@login_required
def my_visit_confirm(request, sel_pk: int):
    """The second inspector confirms from their own account that they were present."""
    _ensure_inspector(request.user)
    sel = _visit_for(request, sel_pk)
    rec = _current_record(request.user, sel)
    if rec is None:
        messages.error(request, "检查人员：尚未建立检查记录，无需确认到场")
        return redirect("my_visit", sel_pk=sel.pk)
    try:
        services.record_member_confirm(actor=request.user, rec=rec)
    except RowInvalid as e:
        for field, reason in e.errors:
            messages.error(request, f"{field}：{reason}")
    else:
        messages.success(request, "已确认本人到场。")
    return redirect("my_visit", sel_pk=sel.pk)


# Changed whenever sw.js changes in a way that must drop the static files it kept (the browser re-installs a Service
# Worker whose script differs by a byte).
SERVICE_WORKER_VERSION = "2026-12-07.1"


@require_GET
def phone_service_worker(request):
    """The Service Worker of the phone pages (offline reload of the record form). Public like a static file: it holds
    no data, and the browser fetches it again to look for updates even after the session ended."""
    scope = reverse("phone_service_worker").rsplit("/", 1)[0] + "/"
    response = render(
        request,
        "web/phone/sw.js",
        {
            "version": SERVICE_WORKER_VERSION,
            "static_url": settings.STATIC_URL,
            "pages": reverse("my_visits"),
            "scope": scope,
            "sw_url": reverse("phone_service_worker"),
        },
        content_type="text/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = scope
    response["Cache-Control"] = "no-cache"
    return response


# --- 执法人员账号 (the department administrator) ---------------------------------------------------------------------


def _ensure_accounts_admin(user):
    department = scoping.inspector_accounts_department(user)
    if department is None:
        raise PermissionDenied("只有部门管理员可以为本部门执法人员开通账号")
    return department


def _accounts_page(request, department, created, errors, *, reissued: bool = False):
    inspectors = (
        Inspector.objects.filter(department=department).select_related("account").order_by("code", "id")
    )
    return render(
        request,
        "web/inspector_accounts.html",
        {
            "department": department,
            "without": [i for i in inspectors if not hasattr(i, "account")],
            "with_account": [i for i in inspectors if hasattr(i, "account")],
            "created": created,
            "reissued": reissued,
            "errors": errors,
        },
        status=422 if errors else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
@never_cache
def inspector_accounts(request):
    department = _ensure_accounts_admin(request.user)
    created: list[tuple[User, str]] = []
    errors: list[str] = []
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("inspector") if v.isdecimal() and len(v) < 12]
        try:
            created = account_services.inspector_accounts_create(actor=request.user, inspector_ids=ids)
        except account_services.InspectorAccountError as e:
            errors.append(str(e))
    return _accounts_page(request, department, created, errors)


@require_POST
@login_required
@never_cache
def inspector_password_reissue(request, user_pk: int):
    """A new one-time password for an inspector account of the own department, shown once on the accounts page."""
    department = _ensure_accounts_admin(request.user)
    account = get_object_or_404(scoping.inspector_accounts_for(request.user), pk=user_pk)
    try:
        user, password = account_services.inspector_password_reissue(actor=request.user, user_id=account.pk)
    except account_services.InspectorAccountError as e:
        return _accounts_page(request, department, [], [str(e)])
    return _accounts_page(request, department, [(user, password)], [], reissued=True)


@require_POST
@login_required
def inspector_credentials_xlsx(request):
    """The one-time passwords just shown, as a workbook to hand out: only accounts of the own department that still
    hold exactly the password posted back (nothing is kept on the server)."""
    _ensure_accounts_admin(request.user)
    pairs = list(zip(request.POST.getlist("username"), request.POST.getlist("password"), strict=False))
    confirmed = account_services.inspector_credentials_confirmed(actor=request.user, pairs=pairs)
    if not confirmed:
        messages.error(request, "没有可下载的一次性密码（账号已修改密码或不属于本部门）")
        return redirect("inspector_accounts")
    from openpyxl import Workbook

    from shuangsuiji.directory.workbooks import literal_row

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("执法人员账号")
    ws.append(literal_row(ws, ["姓名", "执法证号", "账号", "一次性密码", "说明"]))
    for user, password in confirmed:
        cert_no = user.inspector.cert_no if user.inspector else ""
        ws.append(literal_row(ws, [user.full_name, cert_no, user.username, password, "首次登录须修改密码"]))
    buffer = io.BytesIO()
    wb.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote('执法人员账号.xlsx')}"
    response["Cache-Control"] = "no-store"
    return response
