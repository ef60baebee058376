"""Session hardening: idle timeout, the administrators' second factor, password expiry; login events audited."""

from __future__ import annotations

import datetime
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils import timezone

from .models import ADMIN_ROLES

OPEN_PATHS = (
    "/login/",
    "/logout/",
    "/static/",
    "/portal/",
    "/healthz",
    "/favicon.ico",
    "/api/v1/public/",
    "/api/v1/openapi.json",
)
TOTP_PATHS = ("/login/totp/",)
PASSWORD_PATHS = ("/password/change/",)


def needs_totp(user) -> bool:
    return getattr(settings, "REQUIRE_ADMIN_TOTP", True) and user.role in ADMIN_ROLES


def password_expired(user) -> bool:
    if getattr(user, "must_change_password", False):
        return True  # a one-time password given by the administrator (inspector accounts): change it first
    max_age = getattr(settings, "PASSWORD_MAX_AGE_DAYS", 90)
    changed = user.password_changed_at or user.date_joined
    return bool(max_age) and changed < timezone.now() - datetime.timedelta(days=max_age)


def account_locked(user) -> bool:
    """Whether django-axes holds the account locked (AXES_FAILURE_LIMIT failures within AXES_COOLOFF_TIME)."""
    from axes.models import AccessAttempt

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(
        username=user.username, failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    ).exists()


class SessionSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        path = request.path
        if user is None or not user.is_authenticated or request.session.session_key is None:
            return self.get_response(request)
        now = time.time()
        last = request.session.get("last_seen", now)
        if now - last > settings.SESSION_IDLE_TIMEOUT:
            logout(request)
            if path.startswith("/api/"):
                return JsonResponse({"detail": "长时间未操作，已自动退出，请重新登录"}, status=401)
            messages.info(request, "您已超过 30 分钟未操作，已自动退出，请重新登录。")
            return redirect(f"{settings.LOGIN_URL}?next={path}")
        if now - last > 60 or "last_seen" not in request.session:
            request.session["last_seen"] = now  # saving at most once a minute keeps session writes rare
        if path.startswith(OPEN_PATHS):
            return self.get_response(request)
        if needs_totp(user) and not request.session.get("otp_ok"):
            if path.startswith(TOTP_PATHS):
                return self.get_response(request)
            if path.startswith("/api/"):
                return JsonResponse({"detail": "管理员账号须先完成动态口令验证"}, status=403)
            return redirect("/login/totp/")
        if password_expired(user) and not path.startswith(PASSWORD_PATHS + TOTP_PATHS):
            if path.startswith("/api/"):
                return JsonResponse({"detail": "密码已过期，请先修改密码"}, status=403)
            if user.must_change_password:
                messages.warning(request, "这是管理员发给您的一次性密码，请先设置自己的新密码。")
            else:
                messages.warning(request, "密码已超过 90 天未修改，请先修改密码。")
            return redirect("/password/change/")
        return self.get_response(request)


def _audit(action: str, actor=None, reason: str = "", **after) -> None:
    from shuangsuiji.audit.services import record

    with transaction.atomic():
        record(actor=actor, action=action, reason=reason, after=after or None)


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs):
    request.session["last_seen"] = time.time()
    request.session["otp_ok"] = False
    _audit("auth.login", user)


@receiver(user_logged_out)
def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        _audit("auth.logout", user)


# A flood of failed logins for names that are no account (136 in 15 s from one client) must not flood the audit
# trail: such failures are recorded once a minute per client address, with how many were folded into the next
# record. A failure for a real account is always recorded (django-axes locks the account after five).
UNKNOWN_LOGIN_AUDIT_SECONDS = 60


@receiver(user_login_failed)
def _on_login_failed(sender, credentials, request=None, **kwargs):
    from django.core.cache import cache

    from .models import User

    username = str(credentials.get("username", ""))[:150]
    if User.objects.filter(username=username).exists():
        _audit("auth.login_failed", None, username=username)
        return
    ip = (request.META.get("REMOTE_ADDR", "") if request is not None else "")[:45]
    window, folded = f"ssj:login_failed:{ip}", f"ssj:login_failed_folded:{ip}"
    if cache.add(window, 1, UNKNOWN_LOGIN_AUDIT_SECONDS):
        earlier = cache.get(folded, 0)
        cache.delete(folded)
        _audit("auth.login_failed", None, username=username, unknown_account=True, folded_before=earlier)
    else:
        cache.add(folded, 0, 24 * 3600)
        cache.incr(folded)


def _on_locked_out(sender, request, username=None, ip_address=None, **kwargs):
    _audit(
        "auth.locked_out", None, reason="连续 5 次登录失败，锁定 30 分钟", username=str(username or "")[:150]
    )


try:  # django-axes signals the lockout it enforces; the audit records it.
    from axes.signals import user_locked_out

    user_locked_out.connect(_on_locked_out, dispatch_uid="ssj_axes_locked_out")
except ImportError:  # pragma: no cover - axes is a pinned dependency
    pass
