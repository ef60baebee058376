"""Pages of the internal platform. Thin: parse, fetch through scoped selectors (404 outside scope), call one service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shuangsuiji.accounts import scoping
from shuangsuiji.accounts.models import Role
from shuangsuiji.accounts.scoping import ensure_perm
from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.directory import selectors, services
from shuangsuiji.directory.models import (
    InspectionObject,
    InspectorStatus,
    ItemCategory,
    ItemStatus,
    ObjectKind,
    RegStatus,
    RiskClass,
)
from shuangsuiji.directory.rows import KIND_LABELS, RowInvalid
from shuangsuiji.inspections.models import Notification
from shuangsuiji.labels import percent_text
from shuangsuiji.org.models import Department, Region

from . import params, todo, tour
from .forms import PERCENT_FIELDS, form_fields, values_from_instance, values_from_post

PAGE_SIZE = 50


def _page(request, qs, param: str = "page"):
    paginator = Paginator(qs, PAGE_SIZE)
    return paginator.get_page(request.GET.get(param))


def _querystring_without_page(request, param: str = "page") -> str:
    q = request.GET.copy()
    q.pop(param, None)
    return q.urlencode()


# The security administrator and the auditor keep the accounts and the audit trail (三员分立): a count of inspectors
# or items means nothing to them, so their home page shows no business tiles and no to-dos (issue 15, item 12).
NON_BUSINESS_ROLES = {Role.SECURITY_ADMIN, Role.AUDITOR}


@require_GET
@login_required
def home(request):
    user = request.user
    today = timezone.localdate()
    ctx = {
        "todos": todo.todos_for(user),
        "business": user.role not in NON_BUSINESS_ROLES,
        "all_departments": scoping.sees_all_departments(user),
        "unread": Notification.objects.filter(user=user, read_at__isnull=True)[:10],
        "recent": scoping.audit_events_for(user)[:10] if scoping.has_perm(user, "audit.view") else [],
        "tour": tour.first_tasks(user),  # the first-login tour, until dismissed (issue 15, item 13)
    }
    if ctx["business"]:
        ctx |= {
            "object_count": InspectionObject.objects.count(),
            "inspector_count": scoping.inspectors_for(user).count(),
            "drawable_count": scoping.inspectors_for(user).drawable(today).count(),
            "item_count": scoping.items_for(user).valid().count(),
        }
    return render(request, "web/home.html", ctx)


# --- 检查对象名录库 -------------------------------------------------------------------------------------------------


@require_GET
@login_required
def object_list(request):
    qs = selectors.objects_list(request.user, request.GET)
    return render(
        request,
        "web/object_list.html",
        {
            "page": _page(request, qs),
            "qs": _querystring_without_page(request),
            "regions": Region.objects.all(),
            "risk_classes": RiskClass.objects.filter(active=True),
            "kinds": ObjectKind.choices,
            "statuses": RegStatus.choices,
            "departments": Department.objects.filter(active=True),
            "f": request.GET,
        },
    )


@require_GET
@login_required
def object_detail(request, pk: int):
    obj = get_object_or_404(scoping.objects_for(request.user), pk=pk)
    own_sup = None
    if request.user.department_id:
        own_sup = obj.supervisions.filter(department_id=request.user.department_id).first()
    return render(
        request,
        "web/object_detail.html",
        {
            "obj": obj,
            "supervisions": obj.supervisions.select_related("department"),
            "licences": obj.licences.select_related("department"),
            "own_sup": own_sup,
            "conflicts": scoping.conflicts_for(request.user).filter(object=obj),
            "risk_history": selectors.risk_history(obj)[:20],
        },
    )


def _directory_form(
    request, *, kind: str, instance=None, create, update, success_url, title: str, extra=None
):
    errors: dict[str, str] = {}
    general: list[str] = []
    if request.method == "POST":
        data = values_from_post(kind, request.POST)
        reason = request.POST.get("reason", "")
        try:
            obj = create(data, reason) if instance is None else update(instance, data, reason)
        except RowInvalid as e:
            for header, msg in e.errors:
                errors.setdefault(header, msg)
            general = [f"{h}：{m}" for h, m in e.errors]
            values = data
        else:
            messages.success(request, "已保存。")
            return redirect(success_url(obj))
    else:
        values = values_from_instance(kind, instance) if instance is not None else {}
    return render(
        request,
        "web/directory_form.html",
        {
            "title": title,
            "kind": kind,
            "kind_label": KIND_LABELS[kind],
            "fields": form_fields(kind, request.user, values, errors),
            "errors": general,
            "needs_reason": kind == "items",
            "reason": request.POST.get("reason", ""),
            "instance": instance,
            **(extra or {}),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def object_create(request):
    ensure_perm(request.user, "directory.edit_entities")
    return _directory_form(
        request,
        kind="entities",
        create=lambda data, reason: services.object_create(actor=request.user, data=data),
        update=None,
        success_url=lambda o: f"/objects/{o.pk}/",
        title="新增检查对象",
    )


@require_http_methods(["GET", "POST"])
@login_required
def object_edit(request, pk: int):
    obj = get_object_or_404(scoping.objects_for(request.user), pk=pk)
    ensure_perm(request.user, "directory.edit_entities")
    return _directory_form(
        request,
        kind="entities",
        instance=obj,
        create=None,
        update=lambda o, data, reason: services.object_update(actor=request.user, obj=o, data=data),
        success_url=lambda o: f"/objects/{o.pk}/",
        title=f"修改检查对象：{obj.name}",
    )


@require_POST
@login_required
def object_supervision(request, pk: int):
    obj = get_object_or_404(scoping.objects_for(request.user), pk=pk)
    tags = [
        t
        for t in request.POST.get("tags", "")
        .replace("；", ";")
        .replace("，", ";")
        .replace(",", ";")
        .split(";")
    ]
    try:
        services.supervision_set(
            actor=request.user, obj=obj, tags=tags, note=request.POST.get("note", "").strip()
        )
        messages.success(request, "本部门监管属性已保存。")
    except RowInvalid as e:
        messages.error(request, str(e))
    return redirect(f"/objects/{obj.pk}/")


@require_POST
@login_required
def object_licence_add(request, pk: int):
    import datetime

    obj = get_object_or_404(scoping.objects_for(request.user), pk=pk)

    def parse(name):
        value = request.POST.get(name, "").strip()
        try:
            return datetime.date.fromisoformat(value) if value else None
        except ValueError:
            raise RowInvalid([(name, f"“{value}”不是有效日期")]) from None

    try:
        services.licence_add(
            actor=request.user,
            obj=obj,
            name=request.POST.get("name", ""),
            number=request.POST.get("number", ""),
            valid_from=parse("valid_from"),
            valid_to=parse("valid_to"),
        )
        messages.success(request, "许可证已登记。")
    except RowInvalid as e:
        messages.error(request, str(e))
    return redirect(f"/objects/{obj.pk}/")


# --- 执法检查人员名录库 ---------------------------------------------------------------------------------------------


@require_GET
@login_required
def inspector_list(request):
    qs = selectors.inspectors_list(request.user, request.GET)
    page = _page(request, qs)
    today = timezone.localdate()
    rows = [
        {"ins": ins, "reason": ins.not_drawable_reason(today), **selectors.personal_fields(ins)}
        for ins in page
    ]
    return render(
        request,
        "web/inspector_list.html",
        {
            "page": page,
            "rows": rows,
            "qs": _querystring_without_page(request),
            "statuses": InspectorStatus.choices,
            "departments": Department.objects.filter(active=True)
            if scoping.sees_all_departments(request.user)
            else [],
            "f": request.GET,
        },
    )


@require_GET
@login_required
def inspector_detail(request, pk: int):
    ins = get_object_or_404(scoping.inspectors_for(request.user), pk=pk)
    return render(
        request,
        "web/inspector_detail.html",
        {
            "ins": ins,
            "reason": ins.not_drawable_reason(timezone.localdate()),
            "personal": selectors.personal_fields(ins),
            "conflicts": ins.conflicts.select_related("object"),
            "can_reveal": request.user.can_view_personal_data,
        },
    )


@require_POST
@login_required
def inspector_reveal(request, pk: int):
    ins = get_object_or_404(scoping.inspectors_for(request.user), pk=pk)
    data = services.personal_data_reveal(
        actor=request.user, inspector=ins, purpose=request.POST.get("purpose", "")
    )
    response = render(request, "web/inspector_reveal.html", {"ins": ins, "personal": data})
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@login_required
def inspector_create(request):
    ensure_perm(request.user, "directory.edit_inspectors")
    return _directory_form(
        request,
        kind="inspectors",
        create=lambda data, reason: services.inspector_create(actor=request.user, data=data),
        update=None,
        success_url=lambda o: f"/inspectors/{o.pk}/",
        title="新增执法检查人员",
    )


@require_http_methods(["GET", "POST"])
@login_required
def inspector_edit(request, pk: int):
    ins = get_object_or_404(scoping.inspectors_for(request.user), pk=pk)
    ensure_perm(request.user, "directory.edit_inspectors")
    scoping.ensure_own_department(request.user, ins.department_id)
    return _directory_form(
        request,
        kind="inspectors",
        instance=ins,
        create=None,
        update=lambda o, data, reason: services.inspector_update(actor=request.user, inspector=o, data=data),
        success_url=lambda o: f"/inspectors/{o.pk}/",
        title=f"修改执法检查人员：{ins.name}",
    )


@require_POST
@login_required
def inspector_conflict_add(request, pk: int):
    ins = get_object_or_404(scoping.inspectors_for(request.user), pk=pk)
    code = request.POST.get("object_code", "").strip().upper()
    obj = InspectionObject.objects.filter(code=code).first()
    if obj is None:
        messages.error(request, f"名录库中没有统一社会信用代码/对象编码为“{code}”的对象")
        return redirect(f"/inspectors/{ins.pk}/")
    try:
        services.conflict_declare(
            actor=request.user, inspector=ins, obj=obj, reason=request.POST.get("reason", "")
        )
        messages.success(request, "回避关系已登记。")
    except RowInvalid as e:
        messages.error(request, str(e))
    return redirect(f"/inspectors/{ins.pk}/")


@require_POST
@login_required
def conflict_withdraw(request, pk: int):
    conflict = get_object_or_404(scoping.conflicts_for(request.user), pk=pk)
    inspector_id = conflict.inspector_id
    try:
        services.conflict_withdraw(
            actor=request.user, conflict=conflict, reason=request.POST.get("reason", "")
        )
        messages.success(request, "回避关系已撤销。")
    except RowInvalid as e:
        messages.error(request, str(e))
    return redirect(f"/inspectors/{inspector_id}/")


# --- 随机抽查事项清单 -----------------------------------------------------------------------------------------------


@require_GET
@login_required
def item_list(request):
    qs = selectors.items_list(request.user, request.GET)
    return render(
        request,
        "web/item_list.html",
        {
            "page": _page(request, qs),
            "qs": _querystring_without_page(request),
            "categories": ItemCategory.choices,
            "statuses": ItemStatus.choices,
            "departments": Department.objects.filter(active=True)
            if scoping.sees_all_departments(request.user)
            else [],
            "f": request.GET,
        },
    )


@require_GET
@login_required
def item_detail(request, pk: int):
    item = get_object_or_404(scoping.items_for(request.user), pk=pk)
    return render(request, "web/item_detail.html", {"item": item, "versions": item.versions.all()})


@require_GET
@login_required
def item_version(request, pk: int, version: int):
    item = get_object_or_404(scoping.items_for(request.user), pk=pk)
    ver = get_object_or_404(item.versions, version=version)
    from shuangsuiji.directory.rows import COLUMNS

    headers = {c.name: c.header for c in COLUMNS["items"]}
    rows = [
        (headers.get(k, k), percent_text(v) if k in PERCENT_FIELDS else v)
        for k, v in ver.data.items()
        if k in headers
    ]
    return render(request, "web/item_version.html", {"item": item, "ver": ver, "rows": rows})


@require_http_methods(["GET", "POST"])
@login_required
def item_create(request):
    ensure_perm(request.user, "directory.edit_items")
    return _directory_form(
        request,
        kind="items",
        create=lambda data, reason: services.item_create(
            actor=request.user, data=data, reason=reason or "新增事项"
        ),
        update=None,
        success_url=lambda o: f"/items/{o.pk}/",
        title="新增随机抽查事项",
    )


@require_http_methods(["GET", "POST"])
@login_required
def item_edit(request, pk: int):
    item = get_object_or_404(scoping.items_for(request.user), pk=pk)
    ensure_perm(request.user, "directory.edit_items")
    scoping.ensure_own_department(request.user, item.department_id)
    return _directory_form(
        request,
        kind="items",
        instance=item,
        create=None,
        update=lambda o, data, reason: services.item_update(
            actor=request.user, item=o, data=data, reason=reason
        ),
        success_url=lambda o: f"/items/{o.pk}/",
        title=f"修改事项：{item.name}",
    )


@require_POST
@login_required
def item_retire(request, pk: int):
    item = get_object_or_404(scoping.items_for(request.user), pk=pk)
    try:
        services.item_retire(actor=request.user, item=item, reason=request.POST.get("reason", ""))
        messages.success(request, "事项已停用，历史版本保留。")
    except RowInvalid as e:
        messages.error(request, str(e))
    return redirect(f"/items/{item.pk}/")


# --- 部门与区划、审计 -----------------------------------------------------------------------------------------------


@require_GET
@login_required
def reference(request):
    return render(
        request,
        "web/reference.html",
        {
            "departments": Department.objects.annotate(n_inspectors=Count("inspectors")),
            "regions": Region.objects.all(),
            "risk_classes": RiskClass.objects.all(),
        },
    )


@require_GET
@login_required
def audit_list(request):
    if not scoping.has_perm(request.user, "audit.view"):
        raise PermissionDenied("只有系统管理员可以查看审计记录")
    qs = scoping.audit_events_for(request.user)
    f = request.GET
    if f.get("action"):
        qs = qs.filter(action__startswith=f["action"])
    if f.get("actor"):
        qs = qs.filter(actor_name__contains=f["actor"])
    if f.get("target"):
        qs = qs.filter(target_repr__contains=f["target"])
    since, until = params.date_or_none(f.get("since")), params.date_or_none(f.get("until"))
    if f.get("since"):
        qs = qs.filter(at__date__gte=since) if since else qs.none()
    if f.get("until"):
        qs = qs.filter(at__date__lte=until) if until else qs.none()
    actions = AuditEvent.objects.order_by().values_list("action", flat=True).distinct()
    return render(
        request,
        "web/audit_list.html",
        {
            "page": _page(request, qs),
            "qs": _querystring_without_page(request),
            "f": f,
            "actions": sorted(actions),
        },
    )


@require_GET
@login_required
def audit_detail(request, pk: int):
    event = get_object_or_404(scoping.audit_events_for(request.user), pk=pk)
    return render(request, "web/audit_detail.html", {"e": event})


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")
