"""Pages for annual plans, joint plans and task schemes."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shuangsuiji import labels
from shuangsuiji.accounts import scoping
from shuangsuiji.accounts.models import Role
from shuangsuiji.caps import selectors as caps_selectors
from shuangsuiji.directory.models import METHOD_CHOICES, CheckItem, RiskClass
from shuangsuiji.directory.rows import RowInvalid
from shuangsuiji.draws.strata import scheme_plan
from shuangsuiji.org.models import Department, Region
from shuangsuiji.planning import archiving, dossier, services
from shuangsuiji.planning.models import (
    RAISED_STRATUM,
    STRATUM_LABELS,
    TRUSTED_STRATUM,
    UNRATED_STRATUM,
    PlanBatch,
    PlanItem,
    PlanKind,
    PlanStatus,
    PublishListAt,
    SchemeStatus,
)
from shuangsuiji.portal.selectors import filter_description
from shuangsuiji.stats import policy as stats_policy
from shuangsuiji.stats import strata_history

from . import params
from .views import _page, _querystring_without_page


def _errors(e: Exception) -> list[str]:
    if isinstance(e, RowInvalid):
        return [f"{c}：{r}" for c, r in e.errors]
    if isinstance(e, ValidationError):
        return list(e.messages)
    return [str(e)]


def _ratio(text, field: str) -> str | None:
    """A percentage typed on a page ("3", "3%") as the fraction the services store and the API speaks ("0.03")."""
    try:
        return labels.fraction_from_percent(text)
    except labels.PercentInvalid as e:
        raise RowInvalid([(field, str(e))]) from None


def _act(request, fn, success: str, redirect_to: str):
    try:
        result = fn()
    except (RowInvalid, ValidationError) as e:
        for m in _errors(e):
            messages.error(request, m)
        return redirect(redirect_to)
    if isinstance(result, list):
        for w in result:
            messages.warning(request, f"提示：{w}")
    messages.success(request, success)
    return redirect(redirect_to)


@require_GET
@login_required
def plan_list(request):
    qs = scoping.plans_for(request.user)
    if request.GET.get("year"):
        year = params.int_or_none(request.GET["year"], hi=9999)
        qs = qs.filter(year=year) if year is not None else qs.none()
    if (
        request.GET.get("status") in PlanStatus.values
    ):  # the work-bench links here, e.g. plans awaiting review
        qs = qs.filter(status=request.GET["status"])
    return render(
        request,
        "web/plan_list.html",
        {
            "page": _page(request, qs),
            "f": request.GET,
            "qs": _querystring_without_page(request),
            "statuses": PlanStatus.choices,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def plan_create(request):
    if request.user.role != Role.DEPT_ADMIN:
        raise PermissionDenied("只有部门管理员可以制定计划")
    errors: list[str] = []
    if request.method == "POST":
        try:
            plan = services.plan_create(
                actor=request.user,
                kind=request.POST.get("kind", ""),
                year=params.int_or_none(request.POST.get("year"), hi=9999) or 0,
                title=request.POST.get("title", ""),
                description=request.POST.get("description", ""),
                participant_ids=params.ids(request.POST.getlist("participants")),
            )
        except (RowInvalid, ValueError) as e:
            errors = _errors(e) if isinstance(e, RowInvalid) else ["年度应为数字"]
        else:
            messages.success(request, "计划已创建，请添加抽查事项和批次。")
            return redirect(f"/plans/{plan.pk}/")
    return render(
        request,
        "web/plan_form.html",
        {
            "errors": errors,
            "kinds": PlanKind.choices,
            "departments": Department.objects.filter(active=True).exclude(pk=request.user.department_id),
            "post": request.POST,
        },
    )


@require_GET
@login_required
def plan_detail(request, pk: int):
    plan = get_object_or_404(scoping.plans_for(request.user), pk=pk)
    errors, warnings = services.plan_check(plan)
    own = request.user.department_id == plan.department_id and request.user.role == Role.DEPT_ADMIN
    dept_ids = [plan.department_id, *plan.participants.values_list("id", flat=True)]
    return render(
        request,
        "web/plan_detail.html",
        {
            "plan": plan,
            "items": plan.items.select_related("item", "department"),
            "batches": plan.batches.all(),
            "versions": plan.versions.all(),
            "check_errors": errors,
            "check_warnings": warnings,
            "can_edit": own and plan.is_editable,
            "can_submit": own,
            "can_adjust": own and plan.status == "approved",
            "is_office": request.user.role == Role.OFFICE,
            "available_items": CheckItem.objects.valid()
            .filter(department_id__in=dept_ids)
            .select_related("department"),
            "schemes": plan.schemes.all(),
            "extra_batches": services.extra_batches(plan),
        },
    )


def _plan_for_action(request, pk: int):
    return get_object_or_404(scoping.plans_for(request.user), pk=pk)


@require_POST
@login_required
def plan_item_add(request, pk: int):
    plan = _plan_for_action(request, pk)
    item = get_object_or_404(CheckItem.objects.valid(), pk=params.int_or_none(request.POST.get("item")) or 0)
    return _act(
        request,
        lambda: services.plan_item_add(
            actor=request.user,
            plan=plan,
            item=item,
            ratio=_ratio(request.POST.get("ratio"), "计划比例"),
            note=request.POST.get("note", ""),
        ),
        "事项已加入计划。",
        f"/plans/{plan.pk}/",
    )


@require_POST
@login_required
def plan_item_remove(request, pk: int, item_pk: int):
    plan = _plan_for_action(request, pk)
    pi = get_object_or_404(PlanItem, plan=plan, pk=item_pk)
    return _act(
        request,
        lambda: services.plan_item_remove(actor=request.user, plan_item=pi),
        "已移出。",
        f"/plans/{plan.pk}/",
    )


@require_POST
@login_required
def plan_batch_add(request, pk: int):
    plan = _plan_for_action(request, pk)
    return _act(
        request,
        lambda: services.plan_batch_add(
            actor=request.user,
            plan=plan,
            name=request.POST.get("name", ""),
            month=request.POST.get("month"),
            note=request.POST.get("note", ""),
        ),
        "批次已添加。",
        f"/plans/{plan.pk}/",
    )


@require_POST
@login_required
def plan_batch_remove(request, pk: int, batch_pk: int):
    plan = _plan_for_action(request, pk)
    batch = get_object_or_404(PlanBatch, plan=plan, pk=batch_pk)
    return _act(
        request,
        lambda: services.plan_batch_remove(actor=request.user, batch=batch),
        "已删除。",
        f"/plans/{plan.pk}/",
    )


@require_POST
@login_required
def plan_extra_batches_reason(request, pk: int):
    plan = _plan_for_action(request, pk)
    return _act(
        request,
        lambda: (
            services.plan_extra_batches_reason_set(
                actor=request.user, plan=plan, reason=request.POST.get("reason", "")
            )
            and None
        ),
        "超过两批次的理由已保存；报送后由联席会议办公室批准。",
        reverse("plan_detail", args=[plan.pk]),
    )


@require_POST
@login_required
def plan_transition(request, pk: int, action: str):
    plan = _plan_for_action(request, pk)
    comment = request.POST.get("comment", "")
    actions = {
        "submit": (lambda: services.plan_submit(actor=request.user, plan=plan), "计划已报送联席会议办公室。"),
        "approve": (
            lambda: services.plan_approve(
                actor=request.user,
                plan=plan,
                comment=comment,
                approve_extra_batches=request.POST.get("approve_extra_batches") == "1",
            ),
            "计划已批准并公示。",
        ),
        "return": (
            lambda: services.plan_return(actor=request.user, plan=plan, comment=comment),
            "计划已退回。",
        ),
        "adjust": (
            lambda: services.plan_adjust(
                actor=request.user, plan=plan, reason=request.POST.get("reason", "")
            ),
            "已开始调整，新版本批准前原版本继续公示。",
        ),
    }
    if action not in actions:
        raise PermissionDenied("未知操作")
    fn, success = actions[action]
    return _act(request, fn, success, f"/plans/{plan.pk}/")


# --- 抽查工作方案 ---------------------------------------------------------------------------------------------------


@require_GET
@login_required
def scheme_list(request):
    qs = scoping.schemes_for(request.user)
    figure = stats_policy.figure_rows_for(request.user, "scheme_list", request.GET, timezone.localdate())
    if figure is not None:  # reached from a figure of /stats/: exactly the tasks it counts
        qs = stats_policy.narrowed_to_figure(qs, figure[0])
    if request.GET.get("status") in SchemeStatus.values:  # the work-bench links here, e.g. schemes to publish
        qs = qs.filter(status=request.GET["status"])
    return render(
        request,
        "web/scheme_list.html",
        {
            "page": _page(request, qs),
            "qs": _querystring_without_page(request),
            "stat_banner": figure[1] if figure else "",
            "f": request.GET,
            "statuses": SchemeStatus.choices,
        },
    )


def _strata_rows(post, risk_classes) -> list[tuple[str, str, str, str, str]]:
    """(code, label, ratio %, count, reserve) per stratum of the form, keeping what was typed."""
    rows = [(r.code, str(r), "2") for r in risk_classes]
    rows += [
        (RAISED_STRATUM, STRATUM_LABELS[RAISED_STRATUM], "2"),
        (UNRATED_STRATUM, STRATUM_LABELS[UNRATED_STRATUM], "0"),
        (TRUSTED_STRATUM, STRATUM_LABELS[TRUSTED_STRATUM], "0"),
    ]
    return [
        (
            code,
            name,
            post.get(f"ratio_{code}", ""),
            post.get(f"count_{code}", ""),
            post.get(f"reserve_{code}", default),
        )
        for code, name, default in rows
    ]


def _form_window_warnings(post) -> list[str]:
    start, end = params.date_or_none(post.get("window_start")), params.date_or_none(post.get("window_end"))
    batch_id = params.int_or_none(post.get("batch"), lo=1)
    if not (start and end and batch_id):
        return []
    batch = PlanBatch.objects.select_related("plan").filter(pk=batch_id).first()
    return services.window_warnings(start, end, batch)


def _typed_ratios(post) -> dict[str, str]:
    out = {}
    for key, value in post.items():
        if key.startswith("ratio_") and value.strip():
            try:
                fraction = labels.fraction_from_percent(value)
            except labels.PercentInvalid:
                continue
            if fraction:
                out[key.removeprefix("ratio_")] = fraction
    return out


def _advice_context(department_id: int, current: dict[str, str], items) -> dict:
    """Each stratum's past problem rate and the suggested ratio (issue 12 item 4), and the link that opens a new
    scheme's form with the suggestions filled in (a GET that only pre-fills: nothing is saved)."""
    rows = strata_history.advice(
        department_id, timezone.localdate(), current, strata_history.general_cap(items)
    )
    fill = {}
    for row in rows:
        value = row.suggested_percent or (
            labels.percent_input(row.current) if row.current is not None else ""
        )
        if value:
            fill[f"ratio_{row.code}"] = value
    changed = any(row.suggested_percent for row in rows)
    return {
        "advice": rows,
        "advice_fill": f"{reverse('scheme_create')}?{urlencode(fill)}" if changed else "",
    }


def _scheme_form_context(request, errors, post):
    user = request.user
    risk_classes = list(RiskClass.objects.filter(active=True))
    advice = {}
    if user.department_id:
        current = {**strata_history.last_ratios(user.department_id), **_typed_ratios(post)}
        chosen = params.ids(post.getlist("items"))
        items = (
            CheckItem.objects.filter(pk__in=chosen)
            if chosen
            else CheckItem.objects.valid().filter(department_id=user.department_id)
        )
        advice = _advice_context(user.department_id, current, items)
    return {
        **advice,
        "strata_rows": _strata_rows(post, risk_classes),
        "window_warnings": _form_window_warnings(post) if errors else [],
        "errors": errors,
        "post": post,
        "batches": PlanBatch.objects.filter(
            plan__department_id=user.department_id, plan__versions__isnull=False
        )
        .select_related("plan")
        .distinct(),
        "items": CheckItem.objects.valid().select_related("department"),
        "risk_classes": risk_classes,
        "methods": METHOD_CHOICES,
        "departments": Department.objects.filter(active=True),
        "regions": Region.objects.all(),
        "publish_choices": PublishListAt.choices,
        "own_code": user.department.code if user.department else "",
        "city_cap": caps_selectors.yearly_cap(),
    }


def scheme_data_from_post(post) -> dict:
    strata = {}
    ratio_errors = []
    risk_names = dict(RiskClass.objects.filter(active=True).values_list("code", "name"))
    for code in [*risk_names, RAISED_STRATUM, UNRATED_STRATUM, TRUSTED_STRATUM]:
        ratio, count = post.get(f"ratio_{code}", "").strip(), post.get(f"count_{code}", "").strip()
        if ratio:
            try:
                ratio = labels.fraction_from_percent(ratio) or ""
            except labels.PercentInvalid as e:
                ratio_errors.append((f"{labels.stratum_label(code, risk_names)} 比例", str(e)))
                continue
        if ratio or count:
            strata[code] = {
                "ratio": ratio or None,
                "count": count or None,
                "reserve": post.get(f"reserve_{code}") or 0,
            }
    slots = {}
    for key, value in post.items():
        if key.startswith("slots_") and value.strip():
            slots[key.removeprefix("slots_")] = value.strip()
    filters = {
        "regions": params.ids(post.getlist("f_regions")),
        "kinds": post.getlist("f_kinds"),
        "risk_classes": post.getlist("f_risk"),
        "industries": [
            s.strip() for s in post.get("f_industries", "").replace("，", ",").split(",") if s.strip()
        ],
        "tags": [s.strip() for s in post.get("f_tags", "").replace("；", ";").split(";") if s.strip()],
        "abnormal": {"1": True, "0": False}.get(post.get("f_abnormal", "")),
        "dishonest": {"1": True, "0": False}.get(post.get("f_dishonest", "")),
    }
    if ratio_errors:
        raise RowInvalid(ratio_errors)
    try:
        slot_values = {k: int(v) for k, v in slots.items()}
    except ValueError:
        raise RowInvalid([("检查组人数", "人数应为整数")]) from None
    return {
        "name": post.get("name", ""),
        "batch_id": params.int_or_none(post.get("batch"), lo=1),
        "adhoc_reason": post.get("adhoc_reason", ""),
        "directed": post.get("directed") == "1",
        "filters": {k: v for k, v in filters.items() if v not in (None, [], "")},
        "strata": strata,
        "item_ids": params.ids(post.getlist("items")),
        "methods": post.getlist("methods"),
        "window_start": post.get("window_start", ""),
        "window_end": post.get("window_end", ""),
        "team_slots": slot_values,
        "publish_list_at": post.get("publish_list_at", ""),
        "yearly_cap": post.get("yearly_cap", ""),
        "same_item_days": post.get("same_item_days") or 365,
        "raise_complaints": post.get("raise_complaints") or 3,
    }


@require_http_methods(["GET", "POST"])
@login_required
def scheme_create(request):
    if request.user.role != Role.DEPT_ADMIN:
        raise PermissionDenied("只有部门管理员可以制定工作方案")
    errors: list[str] = []
    if request.method == "POST":
        try:
            scheme = services.scheme_create(actor=request.user, data=scheme_data_from_post(request.POST))
        except RowInvalid as e:
            errors = _errors(e)
        else:
            messages.success(request, "方案已保存为草稿；核对无误后请公示。")
            return redirect(f"/schemes/{scheme.pk}/")
    # A GET may carry ratio_<stratum> to pre-fill the ratios (采用建议); it saves nothing.
    post = request.POST if request.method == "POST" else request.GET
    return render(request, "web/scheme_form.html", _scheme_form_context(request, errors, post))


@require_POST
@login_required
def department_raise_problems(request):
    return _act(
        request,
        lambda: (
            services.department_set_raise_problems(actor=request.user, on=request.POST.get("on") == "1")
            and None
        ),
        "已保存本部门的提高比例规则；此后制定的方案按新规则执行。",
        reverse("scheme_list"),
    )


@require_GET
@login_required
def scheme_detail(request, pk: int):
    scheme = get_object_or_404(scoping.schemes_for(request.user), pk=pk)
    own = request.user.department_id == scheme.department_id and request.user.role == Role.DEPT_ADMIN
    unconsented = services.slots_without_consent(scheme)
    mine = request.user.department if request.user.role == Role.DEPT_ADMIN else None
    risk_names = dict(RiskClass.objects.values_list("code", "name"))
    departments = dict(Department.objects.filter(code__in=scheme.team_slots).values_list("code", "name"))
    # The strata's past problem rates name risk classes: the lead department's own officials only.
    advice = (
        _advice_context(
            scheme.department_id,
            strata_history.scheme_ratios(scheme),
            [si.item for si in scheme.items.select_related("item")],
        )
        if request.user.department_id == scheme.department_id
        else {}
    )
    if not own:
        advice.pop("advice_fill", None)
    return render(
        request,
        "web/scheme_detail.html",
        {
            **advice,
            "scheme": scheme,
            "items": scheme.items.select_related("item", "department"),
            "draws": scheme.draws.all(),
            "own": own,
            "strata": [
                (labels.stratum_label(code, risk_names), spec, labels.percent_text(spec.get("ratio")))
                for code, spec in scheme.strata.items()
            ],
            "team": [(departments.get(code, code), n) for code, n in scheme.team_slots.items()],
            "filter_text": filter_description(scheme, internal=True),
            "window_warnings": services.scheme_window_warnings(scheme),
            "unconsented": unconsented,
            "consents": scheme.consents.select_related("department", "accepted_by"),
            "can_accept": mine is not None
            and mine in unconsented
            and scheme.status in (SchemeStatus.DRAFT, SchemeStatus.PUBLISHED),
            "my_slots": scheme.team_slots.get(mine.code) if mine else None,
            "draw_plan": scheme_plan(scheme),
            "yearly_cap": caps_selectors.scheme_yearly_cap(scheme),
            # 归档 (art. 17): what still blocks it, shown to the lead department's administrator of a closed task.
            "archive_blockers": (
                archiving.blocker_errors(archiving.archive_blockers(scheme))
                if own and scheme.status == SchemeStatus.CLOSED and not scheme.is_archived
                else []
            ),
            "can_export_dossier": scheme.is_archived and dossier.can_export(request.user, scheme),
        },
    )


@require_POST
@login_required
def scheme_accept(request, pk: int):
    scheme = get_object_or_404(scoping.schemes_for(request.user), pk=pk)
    return _act(
        request,
        lambda: services.scheme_accept(actor=request.user, scheme=scheme) and None,
        "已确认本部门参加该任务。",
        f"/schemes/{scheme.pk}/",
    )


@require_POST
@login_required
def scheme_publish(request, pk: int):
    scheme = get_object_or_404(scoping.schemes_for(request.user), pk=pk)
    return _act(
        request,
        lambda: services.scheme_publish(actor=request.user, scheme=scheme) and None,
        "方案已公示并编号。",
        f"/schemes/{scheme.pk}/",
    )


@require_POST
@login_required
def scheme_close(request, pk: int):
    scheme = get_object_or_404(scoping.schemes_for(request.user), pk=pk)
    return _act(
        request,
        lambda: services.scheme_close(actor=request.user, scheme=scheme) and None,
        "任务已结束。",
        f"/schemes/{scheme.pk}/",
    )


@require_POST
@login_required
def scheme_archive(request, pk: int):
    scheme = get_object_or_404(scoping.schemes_for(request.user), pk=pk)
    return _act(
        request,
        lambda: archiving.task_archive(actor=request.user, scheme=scheme) and None,
        "任务已归档，档案只读。",
        f"/schemes/{scheme.pk}/",
    )


@require_POST
@login_required
def scheme_dossier(request, pk: int):
    """任务档案 ZIP, streamed (never whole in memory). A POST: taking the dossier writes an audit event."""
    scheme = get_object_or_404(scoping.schemes_for(request.user), pk=pk)
    try:
        plan = dossier.dossier_export(actor=request.user, scheme=scheme)
    except RowInvalid as e:
        for m in _errors(e):
            messages.error(request, m)
        return redirect(f"/schemes/{scheme.pk}/")
    response = StreamingHttpResponse(dossier.stream_zip(plan), content_type=dossier.ZIP_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(plan.name + '.zip')}"
    return response
