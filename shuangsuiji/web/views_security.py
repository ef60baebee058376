"""Second factor, password change and the security administrator's page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from shuangsuiji.accounts import scoping
from shuangsuiji.accounts.models import User
from shuangsuiji.accounts.security import needs_totp
from shuangsuiji.audit.services import record
from shuangsuiji.codes.totp import new_secret, provisioning_uri, verify_totp

MAX_TOTP_FAILURES = 5


@require_http_methods(["GET", "POST"])
@login_required
def totp_verify(request):
    user = request.user
    if not needs_totp(user) or request.session.get("otp_ok"):
        return redirect("/")
    enrolling = not user.totp_secret
    secret = user.totp_secret or request.session.setdefault("totp_pending", new_secret())
    error = ""
    if request.method == "POST":
        if verify_totp(secret, request.POST.get("code", "")):
            with transaction.atomic():
                if enrolling:
                    User.objects.filter(pk=user.pk).update(totp_secret=secret)
                    request.session.pop("totp_pending", None)
                record(actor=user, action="auth.totp_enrolled" if enrolling else "auth.totp_ok")
            request.session["otp_ok"] = True
            request.session.cycle_key()
            return redirect(request.GET.get("next") or "/")
        failures = request.session.get("totp_failures", 0) + 1
        request.session["totp_failures"] = failures
        with transaction.atomic():
            record(actor=user, action="auth.totp_failed", after={"failures": failures})
        if failures >= MAX_TOTP_FAILURES:
            logout(request)
            messages.error(request, "动态口令连续错误，已退出登录。")
            return redirect("/login/")
        error = "动态口令不正确，请重新输入。"
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
    with transaction.atomic():
        User.objects.filter(pk=target.pk).update(totp_secret="")
        record(actor=request.user, action="auth.totp_reset", target=target)
    messages.success(request, f"已重置 {target.username} 的动态口令，下次登录时重新绑定。")
    return redirect("/security/")
