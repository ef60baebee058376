"""Pages of the city-wide cap: the office's page (change the cap, decide requests), the departments' requests, and
the public page of the portal (the cap in force, its history, approved exemptions)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from shuangsuiji.accounts import scoping
from shuangsuiji.directory.rows import RowInvalid
from shuangsuiji.web import params

from . import policy, selectors, services


def _act(request, fn, success: str):
    try:
        fn()
    except RowInvalid as e:
        for field, reason in e.errors:
            messages.error(request, f"{field}：{reason}")
    except ValidationError as e:
        for m in e.messages:
            messages.error(request, m)
    else:
        messages.success(request, success)
    return redirect(reverse("caps"))


@require_GET
@login_required
def caps_page(request):
    user = request.user
    return render(
        request,
        "caps/caps.html",
        {
            "cap": selectors.yearly_cap(),
            "history": selectors.yearly_cap_history(),
            "exemptions": selectors.exemptions_for(user)[:200],
            "can_set": policy.can_set_cap(user),
            "can_request": policy.can_request_exemption(user),
            "can_decide": policy.can_decide_exemption(user),
            "schemes": scoping.schemes_for(user).filter(department_id=user.department_id)
            if policy.can_request_exemption(user)
            else [],
            "this_year": timezone.localdate().year,
        },
    )


@require_POST
@login_required
def cap_set(request):
    return _act(
        request,
        lambda: services.yearly_cap_set(
            actor=request.user, value=request.POST.get("value", ""), reason=request.POST.get("reason", "")
        ),
        "全市年度抽查次数上限已调整并公示。",
    )


@require_POST
@login_required
def exemption_request(request):
    if not policy.can_request_exemption(request.user):  # before looking the object up: who asks comes first
        raise PermissionDenied("只有部门管理员可以为本部门申请超过年度抽查次数上限")

    def run():
        obj = (
            scoping.objects_for(request.user)
            .filter(code=request.POST.get("object_code", "").strip()[:18])
            .first()
        )
        if obj is None:
            raise RowInvalid([("检查对象", "未找到该统一社会信用代码（或对象代码）对应的检查对象")])
        scheme_id = params.int_or_none(request.POST.get("scheme"), lo=1)
        scheme = None
        if scheme_id is not None:
            scheme = scoping.schemes_for(request.user).filter(pk=scheme_id).first()
            if scheme is None:
                raise RowInvalid([("工作方案", "未找到该工作方案")])
        services.cap_exemption_request(
            actor=request.user,
            obj=obj,
            year=request.POST.get("year", ""),
            reason=request.POST.get("reason", ""),
            scheme=scheme,
        )

    return _act(request, run, "申请已提交联席会议办公室核准。")


@require_POST
@login_required
def exemption_decide(request, pk: int, decision: str):
    exemption = get_object_or_404(selectors.exemptions_for(request.user), pk=pk)
    if decision not in ("approve", "refuse"):
        raise Http404
    comment = request.POST.get("comment", "")
    if decision == "approve":
        return _act(
            request,
            lambda: services.cap_exemption_approve(actor=request.user, exemption=exemption, comment=comment),
            "已核准，该对象可在本年度超过上限被抽取，并在公示门户公示。",
        )
    return _act(
        request,
        lambda: services.cap_exemption_refuse(actor=request.user, exemption=exemption, comment=comment),
        "已不予核准。",
    )


@require_GET
def public_caps(request):
    """Portal: anonymous, read-only, published selectors only; no person's name."""
    year = params.int_or_none(request.GET.get("year"), lo=2000, hi=2100)
    return render(
        request,
        "caps/portal_caps.html",
        {
            "cap": selectors.yearly_cap(),
            "history": selectors.yearly_cap_history(),
            "exemptions": selectors.public_exemptions(year)[:500],
            "year": year,
        },
    )
