"""Pages of issue 5: inspection records, review, corrections, follow-up transfers, listing proposals, the credit
archive, the holiday calendar and notifications. Thin: fetch through the scoping selectors (404 outside the
department), call one service, redirect."""

from __future__ import annotations

import calendar as pycalendar
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shuangsuiji.accounts import scoping
from shuangsuiji.accounts.models import Role
from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.codes.errors import WorkdayError
from shuangsuiji.directory.models import METHOD_CHOICES, CheckItem, InspectionObject, Inspector
from shuangsuiji.directory.rows import RowInvalid
from shuangsuiji.draws.models import Selection, TeamMember
from shuangsuiji.inspections import categories as cat
from shuangsuiji.inspections import selectors, services
from shuangsuiji.inspections.calendar import deadline_after, missing_years, work_calendar
from shuangsuiji.inspections.models import (
    Attachment,
    CalendarDay,
    CalendarYear,
    InspectionRecord,
    Notification,
    ProposalStatus,
    RecordKind,
    RecordStatus,
    SignatureStatus,
    TransferKind,
    TransferStatus,
    deadline_label,
    draft_overdue_label,
)
from shuangsuiji.org.models import Department
from shuangsuiji.stats import policy as stats_policy

from . import params
from .views import _page, _querystring_without_page
from .views_planning import _act, _errors

# Overdue transfers named under the record list before "全部 N 件".
OVERDUE_SHOWN = 10
CLERK_ROLES = (Role.CLERK, Role.DEPT_ADMIN)
TRANSFER_BASES = ["谁审批谁监管", "谁主管谁监管", "属地管理"]
# Services name the field of each error in Chinese; the form shows each under its own field.
FIELD_KEYS = {
    "检查方式": "methods",
    "检查日期": "inspection_date",
    "结果产生日期": "result_date",
    "结果晚于检查日期的理由": "result_date",
    "结果依据附件": "result_date",
    "检查人员": "members",
    "出示执法证件": "cert_shown",
    "签字（盖章）": "signature",
    "受委托专业机构": "agency",
    "检查结果": "categories",
    "分事项结果": "item_results_err",
    "不予公示": "withhold",
    services.TRANSFER_FIELD: "transfer",
}
TEXT_FIELDS = [
    "outside_window_reason",
    "signature",
    "signature_reason",
    "witness",
    "agency",
    "agency_report",
    "measure_note",
    "note",
    "withhold_reason",
    "late_result_reason",
]


def _record_for(request, pk: int) -> InspectionRecord:
    return get_object_or_404(scoping.records_for(request.user), pk=pk)


def _is_clerk(user, department_id: int) -> bool:
    return user.role in CLERK_ROLES and user.department_id == department_id


def _is_reviewer(user, department_id: int) -> bool:
    return user.role == Role.REVIEWER and user.department_id == department_id


def _edit_url(rec: InspectionRecord) -> str:
    return f"/records/{rec.pk}/edit/" if rec.is_editable else f"/records/{rec.pk}/"


# --- lists ----------------------------------------------------------------------------------------------------------


@require_GET
@login_required
def record_list(request):
    records = scoping.records_for(request.user)
    tab = request.GET.get("tab", "")
    today = timezone.localdate()
    if tab == "due":
        qs = selectors.due_soon(records, today)
    elif tab == "overdue":
        qs = selectors.overdue(records, today)
    elif tab == "drafts":
        qs = selectors.drafts_overdue(records, today)
    else:
        tab = ""
        qs = records
    if request.GET.get("status") in RecordStatus.values:
        qs = qs.filter(status=request.GET["status"])
    if request.GET.get("kind") in RecordKind.values:
        qs = qs.filter(kind=request.GET["kind"])
    if request.GET.get("q", "").strip():
        q = request.GET["q"].strip()
        qs = qs.filter(Q(object__name__contains=q) | Q(object__code=q.upper()))
    figure = stats_policy.figure_rows_for(request.user, "record_list", request.GET, today)
    if figure is not None:  # reached from a figure of /stats/: exactly the rows it counts
        qs = stats_policy.narrowed_to_figure(qs, figure[0])
    page = _page(request, qs)
    page.object_list = list(page.object_list)
    windows = dict(
        selectors.drafts_overdue(records.filter(pk__in=[r.pk for r in page]), today).values_list(
            "pk", "selection__draw__scheme__window_end"
        )
    )
    for r in page:
        r.draft_overdue = draft_overdue_label(windows[r.pk]) if r.pk in windows else ""
    overdue_transfers = selectors.overdue_transfers(scoping.transfers_for(request.user), today)
    return render(
        request,
        "web/record_list.html",
        {
            "page": page,
            "qs": _querystring_without_page(request),
            "f": request.GET,
            "tab": tab,
            "today": today,
            "stat_banner": figure[1] if figure else "",
            "statuses": RecordStatus.choices,
            "kinds": RecordKind.choices,
            "due_count": selectors.due_soon(records, today).count(),
            "overdue_count": selectors.overdue(records, today).count(),
            "drafts_count": selectors.drafts_overdue(records, today).count(),
            # The first few, with the count and a link to all of them: a city has thousands in a bad year.
            "overdue_transfers": list(overdue_transfers[:OVERDUE_SHOWN]),
            "overdue_transfers_count": overdue_transfers.count(),
            "can_create": request.user.role in CLERK_ROLES,
        },
    )


@require_GET
@login_required
def review_queue(request):
    if request.user.role != Role.REVIEWER:
        raise PermissionDenied("只有审核员可以审核检查结果")
    qs = scoping.records_for(request.user).filter(status=RecordStatus.SUBMITTED).order_by("deadline", "id")
    return render(
        request,
        "web/record_review.html",
        {"page": _page(request, qs), "qs": "", "today": timezone.localdate()},
    )


# --- detail ---------------------------------------------------------------------------------------------------------


def _versions(rec: InspectionRecord) -> list[InspectionRecord]:
    """The whole chain of versions this record belongs to, oldest first."""
    first = rec
    while first.corrects_id:
        first = InspectionRecord.objects.get(pk=first.corrects_id)
    chain = [first]
    while True:
        nxt = InspectionRecord.objects.filter(corrects=chain[-1]).first()
        if nxt is None:
            return chain
        chain.append(nxt)


@require_GET
@login_required
def record_detail(request, pk: int):
    rec = get_object_or_404(
        scoping.records_for(request.user).select_related(
            "selection__draw__scheme", "created_by", "reviewed_by", "corrects"
        ),
        pk=pk,
    )
    user = request.user
    is_clerk = _is_clerk(user, rec.department_id)
    concluded = rec.status in (RecordStatus.SUBMITTED, RecordStatus.PUBLISHED, RecordStatus.WITHHELD)
    return render(
        request,
        "web/record_detail.html",
        {
            "rec": rec,
            "members": rec.members.select_related("inspector", "inspector__department", "entered_by"),
            "item_results": rec.item_results.select_related("item"),
            "attachments": rec.attachments.all(),
            "transfers": rec.transfers.select_related("to_department"),
            "proposals": rec.listing_proposals.select_related("department"),
            "versions": _versions(rec),
            "events": (
                AuditEvent.objects.for_target(rec).order_by("at", "id")
                if scoping.reads_record_history(request.user)
                else None
            ),
            "can_edit": is_clerk and rec.is_editable,
            "can_review": _is_reviewer(user, rec.department_id) and rec.status == RecordStatus.SUBMITTED,
            "can_correct": is_clerk
            and rec.status in (RecordStatus.PUBLISHED, RecordStatus.WITHHELD)
            and not InspectionRecord.objects.filter(corrects=rec).exists(),
            "can_transfer": is_clerk and concluded,
            "transfer_kinds": TransferKind.choices,
            "transfer_bases": TRANSFER_BASES,
            "departments": Department.objects.filter(active=True).exclude(pk=rec.department_id),
            "visit": selectors.visit_summary(rec.visit) if rec.visit_id else None,
            "missing_transfers": services.missing_transfers(rec) if concluded else [],
        },
    )


@require_GET
@login_required
def attachment_download(request, pk: int, att_pk: int):
    rec = _record_for(request, pk)
    att = get_object_or_404(Attachment, record=rec, pk=att_pk)
    try:
        handle = att.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=att.original_name, content_type=att.content_type)


# --- create ---------------------------------------------------------------------------------------------------------


@require_POST
@login_required
def record_from_selection(request, pk: int, sel_pk: int):
    draw = get_object_or_404(scoping.draws_for(request.user), pk=pk)
    sel = get_object_or_404(Selection, draw=draw, pk=sel_pk)
    existing = (
        scoping.records_for(request.user)
        .filter(selection=sel, department_id=request.user.department_id)
        .exclude(status=RecordStatus.SUPERSEDED)
        .order_by("-version")
        .first()
    )
    if existing is not None:
        messages.info(request, "本部门已为该对象建立检查记录。")
        return redirect(_edit_url(existing))
    try:
        rec = services.record_create(actor=request.user, selection=sel)
    except RowInvalid as e:
        for m in _errors(e):
            messages.error(request, m)
        return redirect(f"/draws/{draw.pk}/")
    messages.success(request, f"已为 {rec.object.name} 建立检查记录（暂存），请填写检查结果。")
    return redirect(f"/records/{rec.pk}/edit/")


@require_POST
@login_required
def visit_absence(request, pk: int, sel_pk: int):
    """本部门未参加: a participating department of a joint task records why it could not attend the visit."""
    draw = get_object_or_404(scoping.draws_for(request.user), pk=pk)
    sel = get_object_or_404(Selection, draw=draw, pk=sel_pk)
    return _act(
        request,
        lambda: services.visit_absence_record(
            actor=request.user, selection=sel, reason=request.POST.get("reason", "")
        ),
        f"已登记本部门未参加对 {sel.object.name} 的联合检查。",
        reverse("draw_detail", args=[draw.pk]),
    )


@require_http_methods(["GET", "POST"])
@login_required
def record_new(request):
    user = request.user
    if user.role not in CLERK_ROLES:
        raise PermissionDenied("只有录入员或部门管理员可以录入检查结果")
    errors: list[str] = []
    items = CheckItem.objects.valid().filter(department_id=user.department_id).order_by("code")
    if request.method == "POST":
        code = request.POST.get("code", "").strip().upper()
        obj = InspectionObject.objects.filter(code=code).first() if code else None
        if obj is None:
            errors = [
                f"检查对象：未找到统一社会信用代码（对象编码）为“{code}”的检查对象"
                if code
                else "检查对象：请填写统一社会信用代码"
            ]
        else:
            try:
                rec = services.record_create(
                    actor=user,
                    obj=obj,
                    trigger=request.POST.get("trigger", ""),
                    trigger_ref=request.POST.get("trigger_ref", ""),
                    item_ids=params.ids(request.POST.getlist("items")),
                )
            except RowInvalid as e:
                errors = _errors(e)
            else:
                messages.success(request, f"已为 {obj.name} 建立非随机检查记录（暂存），请填写检查结果。")
                return redirect(f"/records/{rec.pk}/edit/")
    return render(
        request,
        "web/record_new.html",
        {
            "errors": errors,
            "post": request.POST,
            "chosen_items": set(request.POST.getlist("items")),
            "items": items,
            "triggers": cat.TRIGGERS,
        },
    )


# --- the record form ------------------------------------------------------------------------------------------------


def _member_choices(user, rec: InspectionRecord) -> tuple[list[Inspector], set[int]]:
    """The inspectors the form offers, and the ids of current members the user may not see (kept unchanged)."""
    current = set(rec.members.values_list("inspector_id", flat=True))
    if rec.selection_id:
        team = (
            TeamMember.objects.filter(selection_id=rec.selection_id, active=True)
            .select_related("inspector", "department")
            .order_by("order")
        )
        visible = scoping.team_members_visible(user, rec.selection.draw.scheme, team)
        offered = [m.inspector for m in visible]
    else:
        on = rec.inspection_date or timezone.localdate()
        offered = list(
            Inspector.objects.filter(department_id=rec.department_id)
            .filter(Q(pk__in=current) | Q(pk__in=Inspector.objects.drawable(on)))
            .order_by("id")
        )
    offered_ids = {i.pk for i in offered}
    hidden = current - offered_ids if rec.selection_id else set()
    return offered, hidden


def _form_data(request, rec: InspectionRecord, offered_ids: set[int], hidden: set[int]):
    """The POST as the services' `data`, plus date errors found before saving (a bad date is not saved)."""
    post = request.POST
    data: dict = {f: post.get(f, "") for f in TEXT_FIELDS}
    data["methods"] = post.getlist("methods")
    data["categories"] = post.getlist("categories")
    data["measures"] = post.getlist("measures")
    data["cert_shown"] = bool(post.get("cert_shown"))
    ids = [i for i in params.ids(post.getlist("member_ids")) if i in offered_ids]
    data["member_ids"] = ids + sorted(hidden)
    results = []
    allowed = set(rec.item_results.values_list("item_id", flat=True))
    for raw in post.getlist("item_ids"):
        if params.int_or_none(raw) in allowed:
            results.append(
                {
                    "item_id": int(raw),
                    "checked": bool(post.get(f"checked_{raw}")),
                    "problem_found": bool(post.get(f"problem_{raw}")),
                    "disposal": post.get(f"disposal_{raw}", ""),
                }
            )
    data["item_results"] = results
    errors: list[tuple[str, str]] = []
    for field, label in (("inspection_date", "检查日期"), ("result_date", "结果产生日期")):
        value = post.get(field, "").strip()
        if not value:
            data[field] = None
            if field == "inspection_date":
                errors.append((label, "请填写检查日期"))
            continue
        try:
            data[field] = datetime.date.fromisoformat(value)
        except ValueError:
            errors.append((label, f"“{value}”不是有效日期，应为 YYYY-MM-DD"))
            data.pop(field, None)
    if data.get("inspection_date") is None:
        data.pop("inspection_date", None)
    return data, errors


PLANNED_TRANSFERS = (
    1,
    2,
)  # the record form offers two transfers to send with the submission; more from the record


def _planned_transfers(post) -> list[dict]:
    """The transfers filled in on the record form (prefix t1_, t2_), as `record_submit` takes them."""
    return [
        {
            "kind": post.get(f"t{n}_kind", ""),
            "to_department_id": params.int_or_none(post.get(f"t{n}_to_department"), lo=1),
            "to_agency": post.get(f"t{n}_to_agency", "")[:200],
            "basis": post.get(f"t{n}_basis", "") if post.get(f"t{n}_basis") in TRANSFER_BASES else "",
            "content": post.get(f"t{n}_content", ""),
        }
        for n in PLANNED_TRANSFERS
        if post.get(f"t{n}_to_department")
        or post.get(f"t{n}_to_agency", "").strip()
        or post.get(f"t{n}_content", "").strip()
    ]


def _field_errors(pairs: list[tuple[str, str]]) -> tuple[dict[str, list[str]], list[str]]:
    by_field: dict[str, list[str]] = {}
    general: list[str] = []
    for field, reason in pairs:
        key = FIELD_KEYS.get(field)
        if key:
            by_field.setdefault(key, []).append(reason)
        else:
            general.append(f"{field}：{reason}")
    return by_field, general


@require_http_methods(["GET", "POST"])
@login_required
def record_edit(request, pk: int):
    rec = get_object_or_404(
        scoping.records_for(request.user).select_related("selection__draw__scheme"), pk=pk
    )
    if not _is_clerk(request.user, rec.department_id):
        raise PermissionDenied("只有本部门录入员或部门管理员可以修改检查记录")
    if not rec.is_editable:
        messages.info(request, f"记录当前为“{rec.get_status_display()}”，不可修改。")
        return redirect(f"/records/{rec.pk}/")
    offered, hidden = _member_choices(request.user, rec)
    pairs: list[tuple[str, str]] = []
    if request.method == "POST":
        data, pairs = _form_data(request, rec, {i.pk for i in offered}, hidden)
        try:
            rec = services.record_update(actor=request.user, rec=rec, data=data)
        except RowInvalid as e:
            pairs += e.errors
        if not pairs and request.POST.get("action") == "submit":
            try:
                rec = services.record_submit(
                    actor=request.user, rec=rec, transfers=_planned_transfers(request.POST)
                )
            except RowInvalid as e:
                pairs = e.errors
            except ValidationError as e:
                pairs = [("状态", m) for m in e.messages]
            else:
                messages.success(request, f"已提交审核，应于 {rec.deadline_label} 前完成审核公示。")
                return redirect(f"/records/{rec.pk}/")
        if not pairs:
            messages.success(request, "已暂存。")
            return redirect(f"/records/{rec.pk}/edit/")
        rec = InspectionRecord.objects.select_related("selection__draw__scheme").get(pk=rec.pk)
        offered, hidden = _member_choices(request.user, rec)
    field_errors, general = _field_errors(pairs)
    members = set(rec.members.values_list("inspector_id", flat=True))
    return render(
        request,
        "web/record_form.html",
        {
            "rec": rec,
            "scheme": rec.selection.draw.scheme if rec.selection_id else None,
            "methods": METHOD_CHOICES,
            "offered": offered,
            "hidden_members": Inspector.objects.filter(pk__in=hidden),
            "members": members,
            "item_results": rec.item_results.select_related("item"),
            "no_problem": cat.NO_PROBLEM,
            "pending": cat.PENDING,
            "pending_subkinds": cat.PENDING_SUBKINDS,
            "other_categories": [
                c for c in cat.LEAF_CATEGORIES if c != cat.NO_PROBLEM and c not in cat.PENDING_SUBKINDS
            ],
            "measures": cat.MEASURES,
            "transfer_measures": list(cat.TRANSFER_MEASURES),
            "planned": [
                {
                    k.removeprefix(f"t{n}_"): request.POST.get(k, "")
                    for k in request.POST
                    if k.startswith(f"t{n}_")
                }
                | {"n": n}
                for n in PLANNED_TRANSFERS
            ],
            "transfer_kinds": TransferKind.choices,
            "transfer_bases": TRANSFER_BASES,
            "departments": Department.objects.filter(active=True).exclude(pk=rec.department_id),
            "signatures": SignatureStatus.choices,
            "attachments": rec.attachments.all(),
            "fe": field_errors,
            "general_errors": general,
            "has_errors": bool(pairs),
            "today": timezone.localdate(),
        },
        status=200,
    )


@require_POST
@login_required
def attachment_upload(request, pk: int):
    rec = _record_for(request, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "附件：请选择文件")
        return redirect(f"/records/{rec.pk}/edit/")
    return _act(
        request,
        lambda: services.attachment_add(
            actor=request.user, rec=rec, kind=request.POST.get("kind", ""), upload=upload
        ),
        f"附件 {upload.name} 已上传。",
        f"/records/{rec.pk}/edit/",
    )


# --- review and correction ------------------------------------------------------------------------------------------


@require_POST
@login_required
def record_review(request, pk: int):
    rec = _record_for(request, pk)
    approve = request.POST.get("decision") == "approve"
    comment = request.POST.get("comment", "")
    try:
        rec = services.record_review(actor=request.user, rec=rec, approve=approve, comment=comment)
    except (RowInvalid, ValidationError) as e:
        for m in _errors(e):
            messages.error(request, m)
        return redirect(f"/records/{rec.pk}/")
    messages.success(
        request,
        {
            RecordStatus.PUBLISHED: "审核通过，检查结果已公示。",
            RecordStatus.WITHHELD: "审核通过，经批准不予公示。",
            RecordStatus.RETURNED: "已退回录入人修改。",
        }[rec.status],
    )
    nxt = request.POST.get("next", "")
    return redirect("/review/" if nxt == "review" else f"/records/{rec.pk}/")


@require_POST
@login_required
def record_correct(request, pk: int):
    rec = _record_for(request, pk)
    try:
        new = services.record_correct(actor=request.user, rec=rec, reason=request.POST.get("reason", ""))
    except RowInvalid as e:
        for m in _errors(e):
            messages.error(request, m)
        return redirect(f"/records/{rec.pk}/")
    messages.success(request, f"已建立更正版本 v{new.version}（暂存），原记录在更正版本审核通过前保持公示。")
    return redirect(f"/records/{new.pk}/edit/")


# --- 后续处置 -------------------------------------------------------------------------------------------------------


def _transfer_for(request, pk: int):
    return get_object_or_404(scoping.transfers_for(request.user), pk=pk)


@require_POST
@login_required
def transfer_create(request, pk: int):
    rec = _record_for(request, pk)
    to_department = request.POST.get("to_department", "")
    return _act(
        request,
        lambda: services.transfer_create(
            actor=request.user,
            rec=rec,
            kind=request.POST.get("kind", ""),
            content=request.POST.get("content", ""),
            to_department_id=params.int_or_none(to_department, lo=1),
            to_agency=request.POST.get("to_agency", ""),
            basis=request.POST.get("basis", "") if request.POST.get("basis") in TRANSFER_BASES else "",
        ),
        "已移交，接收方确认接收后开始办理。",
        f"/records/{rec.pk}/",
    )


@require_GET
@login_required
def transfer_list(request):
    user = request.user
    today = timezone.localdate()
    qs = scoping.transfers_for(user)
    if request.GET.get("status") in TransferStatus.values:
        qs = qs.filter(status=request.GET["status"])
    overdue = request.GET.get("overdue") == "1"
    if overdue:
        qs = selectors.overdue_transfers(qs, today)
    figure = stats_policy.figure_rows_for(user, "transfer_list", request.GET, today)
    if figure is not None:  # reached from a figure of /stats/: exactly the transfers it counts
        qs = stats_policy.narrowed_to_figure(qs, figure[0])
    # The overdue ones by how long they have been due (as the record list names them), the others newest first.
    qs = qs.order_by("due", "id") if overdue else qs.order_by("-sent_at", "-id")
    if scoping.sees_all_departments(user) or user.department_id is None:
        parts = [("全部移交", "page", qs)]
    else:
        parts = [
            ("本部门移出", "page_out", qs.filter(record__department_id=user.department_id)),
            ("移交本部门", "page_in", qs.filter(to_department_id=user.department_id)),
        ]
    # Each part a page at a time, with its own page number in the address (a city sends thousands a year).
    sections = [
        {
            "title": title,
            "page": _page(request, rows, param),
            "param": param,
            "qs": _querystring_without_page(request, param),
        }
        for title, param, rows in parts
    ]
    return render(
        request,
        "web/transfer_list.html",
        {
            "sections": sections,
            "today": today,
            "f": request.GET,
            "statuses": TransferStatus.choices,
            "stat_banner": figure[1] if figure else "",
            # One part: its pager has counted the figure's rows already (a count over a year's transfers).
            "stat_count": (sections[0]["page"].paginator.count if len(sections) == 1 else qs.count())
            if figure
            else 0,
            "overdue_count": selectors.overdue_transfers(scoping.transfers_for(user), today).count(),
        },
    )


@require_GET
@login_required
def transfer_detail(request, pk: int):
    t = _transfer_for(request, pk)
    user = request.user
    receiver = (
        t.to_department_id == user.department_id
        if t.to_department_id
        else _is_clerk(user, t.record.department_id)
    )
    owner = t.to_department_id or t.record.department_id
    return render(
        request,
        "web/transfer_detail.html",
        {
            "t": t,
            "today": timezone.localdate(),
            "own_record": user.department_id == t.record.department_id,
            "can_acknowledge": receiver and t.status == TransferStatus.SENT,
            "needs_receipt": not t.to_department_id,
            "can_close": user.department_id == owner and t.status == TransferStatus.ACKNOWLEDGED,
        },
    )


@require_POST
@login_required
def transfer_acknowledge(request, pk: int):
    t = _transfer_for(request, pk)
    return _act(
        request,
        lambda: services.transfer_acknowledge(
            actor=request.user,
            transfer=t,
            receipt_no=request.POST.get("receipt_no", ""),
            receipt_date=request.POST.get("receipt_date") or None,
        ),
        "已确认接收。",
        f"/transfers/{t.pk}/",
    )


@require_POST
@login_required
def transfer_close(request, pk: int):
    t = _transfer_for(request, pk)
    return _act(
        request,
        lambda: services.transfer_close(
            actor=request.user, transfer=t, outcome=request.POST.get("outcome", "")
        ),
        "已办结。",
        f"/transfers/{t.pk}/",
    )


# --- 经营异常名录建议 -------------------------------------------------------------------------------------------------


@require_GET
@login_required
def proposal_list(request):
    user = request.user
    qs = scoping.proposals_for(user).select_related("department", "decided_by")
    if request.GET.get("status") in ProposalStatus.values:
        qs = qs.filter(status=request.GET["status"])
    return render(
        request,
        "web/proposal_list.html",
        {
            "page": _page(request, qs),
            "qs": _querystring_without_page(request),
            "f": request.GET,
            "statuses": ProposalStatus.choices,
            "today": timezone.localdate(),
            "deciding_department": user.department_id if user.role == Role.DEPT_ADMIN else None,
        },
    )


@require_POST
@login_required
def proposal_decide(request, pk: int):
    proposal = get_object_or_404(scoping.proposals_for(request.user), pk=pk)
    listed = request.POST.get("decision") == "listed"
    return _act(
        request,
        lambda: services.proposal_decide(
            actor=request.user, proposal=proposal, listed=listed, note=request.POST.get("note", "")
        ),
        "已决定列入经营异常名录。" if listed else "已决定不予列入。",
        "/proposals/",
    )


# --- 诚信档案 --------------------------------------------------------------------------------------------------------


@require_GET
@login_required
def credit_archive(request, pk: int):
    obj = get_object_or_404(scoping.objects_for(request.user), pk=pk)
    archive = selectors.credit_archive(obj)
    own = set(scoping.records_for(request.user).filter(object=obj).values_list("pk", flat=True))
    # Another department's work in progress stays in that department; its concluded results are shared here.
    concluded = (RecordStatus.PUBLISHED, RecordStatus.WITHHELD, RecordStatus.SUPERSEDED)
    records = [r for r in archive["records"] if r.pk in own or r.status in concluded]
    visible_transfers = set(scoping.transfers_for(request.user).values_list("pk", flat=True))
    return render(
        request,
        "web/credit_archive.html",
        {
            "obj": obj,
            "mark": archive["mark"],
            "records": records,
            "own": own,
            "transfers": archive["transfers"],
            "visible_transfers": visible_transfers,
            "proposals": archive["proposals"],
            "selections": archive["selections"],
        },
    )


# --- 节假日日历 ------------------------------------------------------------------------------------------------------


def _ensure_sysadmin(user) -> None:
    if user.role != Role.SYSADMIN and not user.is_superuser:
        raise PermissionDenied("只有系统管理员可以维护节假日日历")


def _month_grids(year: int, days: dict) -> list[dict]:
    """Twelve month grids (Monday first) of ``year``: each cell a date with its kind for the confirmation page."""
    grids = []
    for month in range(1, 13):
        weeks = []
        for week in pycalendar.Calendar().monthdatescalendar(year, month):
            cells = []
            for day in week:
                if day.month != month:
                    cells.append(None)
                    continue
                entry = days.get(day)
                if entry is not None:
                    kind = "makeup" if entry[0] else "holiday"
                    note = entry[1]
                else:
                    kind, note = ("weekend" if day.weekday() >= 5 else "work"), ""
                cells.append({"day": day, "kind": kind, "note": note})
            weeks.append(cells)
        grids.append({"month": month, "weeks": weeks})
    return grids


@require_GET
@login_required
def calendar_page(request):
    _ensure_sysadmin(request.user)
    calendar = work_calendar()
    known = sorted(calendar.known_years or [])
    start = request.GET.get("start", "").strip()[:20]
    computed = error = None
    if start:
        try:
            day = datetime.date.fromisoformat(start)
        except ValueError:
            error = f"“{start}”不是有效日期，应为 YYYY-MM-DD"
        else:
            try:
                deadline = deadline_after(day, calendar=calendar)
            except WorkdayError as e:
                error = str(e)
            else:
                computed = deadline_label(deadline.day, deadline.pending_year)
    pending = InspectionRecord.objects.filter(deadline_pending_year__isnull=False)
    return render(
        request,
        "web/calendar.html",
        {
            "days": CalendarDay.objects.all(),
            "years": CalendarYear.objects.all(),
            "known_range": f"{known[0]}—{known[-1]}" if known else "—",
            "known_years": known,
            "missing": missing_years(timezone.localdate(), calendar),
            "pending_count": pending.count(),
            "pending_years": sorted(set(pending.values_list("deadline_pending_year", flat=True))),
            "start": start,
            "computed": computed,
            "error": error,
        },
    )


@require_POST
@login_required
def calendar_notice_preview(request):
    """Read the pasted notice and show it on a month calendar for confirmation; nothing is stored here."""
    _ensure_sysadmin(request.user)
    text = request.POST.get("text", "")[:50_000]
    try:
        notice = services.notice_read(text)
    except RowInvalid as e:
        return render(
            request,
            "web/calendar_notice.html",
            {"text": text, "problems": [f"{f}：{m}" for f, m in e.errors]},
            status=422,
        )
    days = notice.days()
    replaced = CalendarYear.objects.filter(year=notice.year).first()
    return render(
        request,
        "web/calendar_notice.html",
        {
            "text": text,
            "notice": notice,
            "grids": _month_grids(notice.year, days),
            "outside": [(d, w, n) for d, (w, n) in days.items() if d.year != notice.year],
            "replaced": replaced,
            "pending": InspectionRecord.objects.filter(deadline_pending_year=notice.year).count(),
        },
    )


@require_POST
@login_required
def calendar_notice_import(request):
    _ensure_sysadmin(request.user)
    try:
        entry = services.calendar_notice_import(
            actor=request.user,
            text=request.POST.get("text", "")[:50_000],
            reason=request.POST.get("reason", ""),
        )
    except RowInvalid as e:
        for field, message in e.errors:
            messages.error(request, f"{field}：{message}")
        return redirect("/calendar/")
    messages.success(
        request,
        f"已按通知录入 {entry.year} 年节假日安排并声明录入完毕；涉及 {entry.year} 年的暂定期限已全部重算"
        f"（期限有变动的记录已通知各部门审核员）。",
    )
    return redirect("/calendar/")


@require_POST
@login_required
def calendar_day_set(request):
    return _act(
        request,
        lambda: services.calendar_day_set(
            actor=request.user,
            date=request.POST.get("date", ""),
            is_workday=request.POST.get("is_workday") == "1",
            note=request.POST.get("note", ""),
        ),
        "已保存。",
        "/calendar/",
    )


@require_POST
@login_required
def calendar_day_remove(request, pk: int):
    _ensure_sysadmin(request.user)
    day = get_object_or_404(CalendarDay, pk=pk)
    return _act(
        request, lambda: services.calendar_day_remove(actor=request.user, day=day), "已删除。", "/calendar/"
    )


@require_POST
@login_required
def calendar_year_declare(request):
    year = request.POST.get("year", "")[:10]
    return _act(
        request,
        lambda: services.calendar_year_declare(
            actor=request.user, year=year, reason=request.POST.get("reason", "")
        ),
        f"已声明 {year} 年节假日录入完毕；涉及该年的暂定期限已重算。",
        "/calendar/",
    )


# --- 站内消息 --------------------------------------------------------------------------------------------------------


@require_GET
@login_required
def notification_list(request):
    qs = Notification.objects.filter(user=request.user)
    return render(request, "web/notifications.html", {"page": _page(request, qs), "qs": ""})


@require_POST
@login_required
def notification_open(request, pk: int):
    """Opening a message marks it read (a POST: no GET changes state), then goes where it points."""
    n = get_object_or_404(Notification, pk=pk, user=request.user)
    services.notifications_mark_read(actor=request.user, notification_ids=[n.pk])
    if n.link and url_has_allowed_host_and_scheme(n.link, allowed_hosts=None):
        return redirect(n.link)
    return redirect("notification_list")


@require_POST
@login_required
def notification_read(request):
    ids = params.ids(request.POST.getlist("id"))
    n = services.notifications_mark_read(actor=request.user, notification_ids=ids or None)
    messages.success(request, f"已将 {n} 条消息标为已读。")
    return redirect("/notifications/")
