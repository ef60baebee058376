"""API authentication: a token for systems (the provincial platform, art. 6), the session for the browser."""

from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import APIKeyHeader, SessionAuth

from shuangsuiji.accounts.models import ADMIN_ROLES, ApiToken
from shuangsuiji.accounts.security import account_locked, password_expired

from . import ratelimit


class TokenAuth(APIKeyHeader):
    """`Authorization: Token <key>`; only the key's SHA-256 is stored."""

    param_name = "Authorization"
    openapi_description = "系统对接令牌：请求头 Authorization: Token <令牌>"

    def authenticate(self, request, key):
        if not key or not key.startswith("Token "):
            return None
        raw = key.removeprefix("Token ").strip()
        token = (
            ApiToken.objects.select_related("user", "user__department")
            .filter(key_hash=ApiToken.hash_key(raw), revoked=False, user__is_active=True)
            .exclude(user__role__in=ADMIN_ROLES)  # no second factor with a token (see api_token_create)
            .first()
        )
        if token is None:
            return None
        now = timezone.now()
        # A token stops with the account: expired, its password expired, or locked after failed logins.
        if token.expires_at is not None and token.expires_at <= now:
            return None
        if password_expired(token.user) or account_locked(token.user):
            return None
        if not token.allows(request.method, request.path):
            raise HttpError(
                403, f"该令牌不能调用 {request.method} {request.path}（令牌范围：{'、'.join(token.scope)}）"
            )
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        # The budget is counted only for a token that may make the call: a refused token is not the caller's load.
        verdict = ratelimit.hit(token, request.path)
        request.api_rate = verdict  # api.py puts the RateLimit-* headers on the answer
        if not verdict.allowed:
            raise ratelimit.RateLimited(verdict, ratelimit.bucket_for(request.path))
        request.user = token.user
        return token.user


class BrowserSessionAuth(SessionAuth):
    """The browser's login session. CSRF is enforced for unsafe methods (as ninja's SessionAuth does), but only once
    a session user exists: an anonymous call is simply unauthenticated (401), not a CSRF failure (403)."""

    def __call__(self, request):
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


session_auth = BrowserSessionAuth()
token_auth = TokenAuth()
