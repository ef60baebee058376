"""Second factor, password change and the security administrator's page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from shuangsuiji.accounts import scoping, services
from shuangsuiji.accounts.models import ApiToken, User
from shuangsuiji.accounts.security import needs_totp
from shuangsuiji.audit.services import record
from shuangsuiji.codes.totp import new_secret, provisioning_uri


@require_http_methods(["GET", "POST"])
@login_required
def totp_verify(request):
    user = request.user
    if not needs_totp(user) or request.session.get("otp_ok"):
        return redirect(safe_next(request, request.GET.get("next")))
    enrolling = not user.totp_secret
    secret = user.totp_secret or request.session.setdefault("totp_pending", new_secret())
    error = ""
    if request.method == "POST":
        outcome = services.totp_attempt(user=user, code=request.POST.get("code", "")[:20], secret=secret)
        if outcome == services.TotpOutcome.OK:
            with transaction.atomic():
                if enrolling:
                    User.objects.filter(pk=user.pk).update(totp_secret=secret)
                    request.session.pop("totp_pending", None)
                    record(actor=user, action="auth.totp_enrolled")
            request.session["otp_ok"] = True
            request.session.cycle_key()
            return redirect(safe_next(request, request.GET.get("next")))
        if outcome == services.TotpOutcome.LOCKED:
            logout(request)
            messages.error(
                request,
                f"动态口令 30 分钟内连续错误 {services.TOTP_MAX_FAILURES} 次，已锁定并退出登录；请联系安全管理员解锁。",
            )
            return redirect("/login/")
        error = (
            "该动态口令已经使用过，请等待验证器显示下一个口令。"
            if outcome == services.TotpOutcome.REPLAYED
            else "动态口令不正确，请重新输入。"
        )
    return render(
        request,
        "web/totp.html",
        {
            "enrolling": enrolling,
            "secret": secret if enrolling else "",
            "error": error,
            "uri": provisioning_uri(secret, user.username) if enrolling else "",
        },
    )


def safe_next(request, target: str | None) -> str:
    """Where to go after signing in: `target` only if it stays on this site; otherwise the home page."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@require_http_methods(["GET", "POST"])
@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save()
            record(actor=user, action="auth.password_change")
        update_session_auth_hash(request, user)
        messages.success(request, "密码已修改。")
        return redirect("/")
    return render(request, "web/password_change.html", {"form": form})


def _ensure_security_admin(user) -> None:
    if not scoping.has_perm(user, "security.manage"):
        raise PermissionDenied("只有安全管理员可以管理账号安全")


@require_http_methods(["GET"])
@login_required
def security_home(request):
    _ensure_security_admin(request.user)
    from axes.models import AccessAttempt

    return render(
        request,
        "web/security.html",
        {
            "attempts": AccessAttempt.objects.order_by("-attempt_time")[:100],
            "tokens": [
                (t, services.token_state(t))
                for t in ApiToken.objects.select_related("user").order_by("-id")[:200]
            ],
            "default_rate": settings.API_RATE_PER_MINUTE,
            "default_bulk_rate": settings.API_BULK_RATE_PER_MINUTE,
            "admins": User.objects.filter(role__in=["sysadmin", "security_admin", "auditor"]).order_by(
                "username"
            ),
        },
    )


@require_POST
@login_required
def security_unlock(request):
    _ensure_security_admin(request.user)
    from axes.utils import reset

    username = request.POST.get("username", "").strip()
    with transaction.atomic():
        count = reset(username=username)
        record(
            actor=request.user, action="auth.unlock", target_repr=username, after={"attempts_cleared": count}
        )
    messages.success(request, f"已解除 {username} 的登录锁定。")
    return redirect("/security/")


@require_POST
@login_required
def security_reset_totp(request, pk: int):
    _ensure_security_admin(request.user)
    target = get_object_or_404(User, pk=pk)
    if target.pk == request.user.pk:
        raise PermissionDenied("不能重置自己的动态口令，请由另一位安全管理员办理")
    with transaction.atomic():
        User.objects.filter(pk=target.pk).update(totp_secret="", totp_last_step=None)
        record(actor=request.user, action="auth.totp_reset", target=target)
    messages.success(request, f"已重置 {target.username} 的动态口令，下次登录时重新绑定。")
    return redirect("/security/")


@require_POST
@login_required
def security_unlock_totp(request, pk: int):
    _ensure_security_admin(request.user)
    target = get_object_or_404(User, pk=pk)
    services.totp_unlock(actor=request.user, user=target)
    messages.success(request, f"已解锁 {target.username} 的动态口令。")
    return redirect("/security/")


@require_POST
@login_required
def security_token_limits(request, pk: int):
    """A token's own request budgets per minute (ADR 0026); empty fields fall back to the defaults."""
    _ensure_security_admin(request.user)
    token = get_object_or_404(ApiToken, pk=pk)
    try:
        token = services.api_token_set_limits(
            actor=request.user,
            token=token,
            per_minute=request.POST.get("rate_per_minute", "")[:20],
            bulk_per_minute=request.POST.get("bulk_rate_per_minute", "")[:20],
        )
    except services.ApiTokenError as e:
        messages.error(request, f"令牌 {token.prefix} 的请求频率未修改：{e}")
        return redirect("/security/#api-tokens")
    messages.success(
        request,
        f"令牌 {token.prefix} 的请求频率：每分钟 {token.rate_per_minute or settings.API_RATE_PER_MINUTE} 次，"
        f"批量读取每分钟 {token.bulk_rate_per_minute or settings.API_BULK_RATE_PER_MINUTE} 次。",
    )
    return redirect("/security/#api-tokens")
