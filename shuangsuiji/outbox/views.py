"""The office's delivery page (issue 13): what reached the provincial platform, what was refused and why, what keeps
failing; resend one event or all refused ones. Office and system administrator only (scoping "outbox.manage")."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from shuangsuiji.accounts import scoping
from shuangsuiji.directory.rows import RowInvalid

from . import selectors, services
from .files import batch_path, batch_zip
from .models import OutboxBatch, OutboxEvent, OutboxState

PAGE_SIZE = 50


def _ensure(user) -> None:
    if not scoping.has_perm(user, "outbox.manage"):
        raise PermissionDenied("只有联席会议办公室和系统管理员可以查看省级平台推送情况")


@require_GET
@login_required
def delivery_page(request):
    _ensure(request.user)
    state = request.GET.get("state", "")
    counts = selectors.state_counts()
    if state not in OutboxState.values:
        # The first state that needs attention, else the delivered ones.
        state = next(
            (s for s in (OutboxState.REJECTED, OutboxState.FAILING, OutboxState.PENDING) if counts[s]),
            OutboxState.DELIVERED,
        )
    page = Paginator(selectors.events_in_state(state), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "outbox/delivery.html",
        {
            "tabs": [{"code": s, "label": label, "count": counts[s]} for s, label in OutboxState.choices],
            "state": state,
            "page": page,
            "rows": [selectors.event_row(e) for e in page.object_list],
            "qs": f"state={state}",
            "batches": selectors.recent_batches(),
        },
    )


def _back(request, state: str = ""):
    url = reverse("outbox_delivery")
    return redirect(f"{url}?state={state}" if state else url)


@require_POST
@login_required
def event_resend(request, pk: int):
    _ensure(request.user)
    event = get_object_or_404(OutboxEvent, pk=pk)
    state = event.state
    try:
        services.outbox_event_resend(actor=request.user, event=event)
    except RowInvalid as e:
        for field, reason in e.errors:
            messages.error(request, f"{field}：{reason}")
    else:
        messages.success(request, "已安排重新推送，将在下一次推送时发送")
    return _back(request, state)


@require_POST
@login_required
def rejected_resend(request):
    _ensure(request.user)
    try:
        n = services.outbox_rejected_resend(actor=request.user)
    except RowInvalid as e:
        for field, reason in e.errors:
            messages.error(request, f"{field}：{reason}")
    else:
        messages.success(request, f"已安排重新推送 {n} 个被拒收的事件")
    return _back(request, OutboxState.PENDING)


@require_GET
@login_required
def batch_download(request, pk: int):
    """The batch as one ZIP; reading it changes nothing (the upload is confirmed separately, by POST)."""
    _ensure(request.user)
    batch = get_object_or_404(OutboxBatch, pk=pk)
    if not batch_path(batch).is_dir():
        raise Http404("该批次的文件已不在服务器上")
    response = HttpResponse(batch_zip(batch), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{batch.number}.zip"'
    return response


@require_POST
@login_required
def batch_uploaded(request, pk: int):
    _ensure(request.user)
    batch = get_object_or_404(OutboxBatch, pk=pk)
    try:
        services.outbox_batch_uploaded(actor=request.user, batch=batch)
    except RowInvalid as e:
        for field, reason in e.errors:
            messages.error(request, f"{field}：{reason}")
    else:
        messages.success(request, f"已确认批次 {batch.number} 已上传，其中的事件记为已送达")
    return _back(request, OutboxState.AWAITING)


@require_POST
@login_required
def batch_returned(request, pk: int):
    _ensure(request.user)
    batch = get_object_or_404(OutboxBatch, pk=pk)
    try:
        services.outbox_batch_returned(actor=request.user, batch=batch, answer=request.POST.get("answer", ""))
    except RowInvalid as e:
        for field, reason in e.errors:
            messages.error(request, f"{field}：{reason}")
    else:
        messages.success(request, f"已登记批次 {batch.number} 被退回，其中的事件列为被拒收，修正后可重新推送")
    return _back(request, OutboxState.REJECTED)
