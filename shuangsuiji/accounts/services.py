"""Writes to accounts. Each business action is one function: atomic, permission-checked, audited."""

from __future__ import annotations

import datetime
import enum
import secrets

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from shuangsuiji.audit.services import record
from shuangsuiji.codes.totp import matching_step

from . import scoping
from .models import ADMIN_ROLES, ApiToken, Role, User
from .scoping import ensure_perm

# --- API tokens (systems such as the provincial platform, art. 6) ------------------------------------------------

TOKEN_PREFIX_LEN = 8


class ApiTokenError(ValueError):
    """A token request that cannot be carried out; the message says why, in Chinese."""


def _token_prefix(key: str) -> str:
    # The characters after the fixed "ssj_" marker, so that prefixes of different tokens actually differ.
    return key.removeprefix("ssj_")[:TOKEN_PREFIX_LEN]


TOKEN_DAYS = 90
READ_ONLY = ["GET /api/v1/"]


def _clean_scope(scope: list[str] | None) -> list[str]:
    entries = [" ".join(str(e).split()) for e in (scope or ["* /api/v1/"]) if str(e).strip()]
    for entry in entries:
        method, _, prefix = entry.partition(" ")
        if method not in ("*", "GET", "POST", "PATCH", "PUT", "DELETE") or not prefix.startswith("/api/v1/"):
            raise ApiTokenError(f"令牌范围“{entry[:60]}”应写成“方法 /api/v1/路径前缀”，如“GET /api/v1/”")
    if len(entries) > 50:
        raise ApiTokenError("令牌范围最多 50 项")
    return entries


@transaction.atomic
def api_token_create(
    *, actor, user: User, name: str, days: int = TOKEN_DAYS, scope: list[str] | None = None
) -> tuple[ApiToken, str]:
    """Create a token for `user`. Returns the token and its key: the key is shown once and only its hash is kept.

    It ends after `days` (default 90, at most 366) and may call only what `scope` names ("GET /api/v1/" = read only;
    default every operation of the user)."""
    ensure_perm(actor, "accounts.manage")
    name = (name or "").strip()
    if not name:
        raise ApiTokenError("请填写令牌用途（如：省级平台对接）")
    if len(name) > ApiToken._meta.get_field("name").max_length:
        raise ApiTokenError("令牌用途不能超过 100 个字符")
    if not user.is_active:
        raise ApiTokenError(f"用户 {user.username} 已停用，不能为其创建令牌")
    if user.role in ADMIN_ROLES:
        # A token has no second factor: the three administrator roles sign in with a password and TOTP only.
        raise ApiTokenError(
            f"用户 {user.username} 是{user.get_role_display()}：管理员账号须用密码加动态口令登录，不能使用接口令牌"
        )
    if not 1 <= int(days) <= 366:
        raise ApiTokenError("令牌有效期应为 1—366 天")
    entries = _clean_scope(scope)
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=_token_prefix(key),
        key_hash=ApiToken.hash_key(key),
        expires_at=timezone.now() + datetime.timedelta(days=int(days)),
        scope=entries,
    )
    record(
        actor=actor,
        action="api_token.create",
        target=token,
        # Never the key or its hash: the prefix is enough to recognise the token later.
        after={
            "user": user.username,
            "name": name,
            "prefix": token.prefix,
            "expires_at": token.expires_at,
            "scope": entries,
        },
    )
    return token, key


def token_state(token: ApiToken) -> str:
    """How the security administrator sees a token: 有效至…, 已过期, 已吊销, or a legacy one without an end."""
    if token.revoked:
        return "已吊销"
    if token.expires_at is None:
        return "无期限（旧令牌，请重新签发）"
    if token.expires_at <= timezone.now():
        return "已过期"
    return f"有效至 {timezone.localtime(token.expires_at):%Y-%m-%d}"


@transaction.atomic
def api_token_revoke(*, actor, prefix: str) -> ApiToken:
    """Revoke the one active token whose prefix (or full key) is given."""
    ensure_perm(actor, "accounts.manage")
    prefix = _token_prefix((prefix or "").strip())
    if len(prefix) < TOKEN_PREFIX_LEN:
        raise ApiTokenError(f"请提供令牌前缀（{TOKEN_PREFIX_LEN} 位）")
    tokens = list(ApiToken.objects.select_for_update().filter(prefix=prefix, revoked=False))
    if not tokens:
        raise ApiTokenError(f"没有前缀为 {prefix} 的有效令牌")
    if len(tokens) > 1:
        raise ApiTokenError(f"前缀 {prefix} 对应多个令牌，请提供完整令牌")
    token = tokens[0]
    token.revoked = True
    token.save(update_fields=["revoked"])
    record(
        actor=actor,
        action="api_token.revoke",
        target=token,
        before={"revoked": False},
        after={"revoked": True, "user": token.user.username, "name": token.name, "prefix": token.prefix},
    )
    return token


MAX_RATE_PER_MINUTE = 100_000


def _rate(value, label: str) -> int | None:
    """A budget as typed by an administrator: empty = the default of the settings; otherwise 1—100000."""
    text = str(value if value is not None else "").strip()
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_RATE_PER_MINUTE:
        raise ApiTokenError(f"{label}应为 1—{MAX_RATE_PER_MINUTE} 的整数，留空则使用默认值")
    return int(text)


@transaction.atomic
def api_token_set_limits(*, actor, token: ApiToken, per_minute, bulk_per_minute) -> ApiToken:
    """Set a token's own request budgets per minute (ADR 0026); empty = the default of the settings.

    The security administrator (on the security page) or the system administrator (`api_token limits`)."""
    if not (scoping.has_perm(actor, "security.manage") or scoping.has_perm(actor, "accounts.manage")):
        raise PermissionDenied("只有安全管理员或系统管理员可以设置令牌的请求频率")
    rate = _rate(per_minute, "每分钟请求上限")
    bulk = _rate(bulk_per_minute, "批量读取每分钟上限")
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    before = {"rate_per_minute": token.rate_per_minute, "bulk_rate_per_minute": token.bulk_rate_per_minute}
    token.rate_per_minute, token.bulk_rate_per_minute = rate, bulk
    token.save(update_fields=["rate_per_minute", "bulk_rate_per_minute"])
    record(
        actor=actor,
        action="api_token.limits",
        target=token,
        before=before,
        after={"rate_per_minute": rate, "bulk_rate_per_minute": bulk, "prefix": token.prefix},
    )
    return token


# --- the administrators' second factor -------------------------------------------------------------------------------

TOTP_MAX_FAILURES = 5
TOTP_FAILURE_WINDOW = datetime.timedelta(minutes=30)


class TotpOutcome(enum.Enum):
    OK = "ok"
    WRONG = "wrong"
    REPLAYED = "replayed"
    LOCKED = "locked"


@transaction.atomic
def totp_attempt(*, user: User, code: str, secret: str) -> TotpOutcome:
    """One try at the second factor, counted on the account under a row lock (not in the session).

    Five failures within 30 minutes lock the account's second factor until the security administrator unlocks it;
    a time step once accepted is never accepted again for the account (no replay), however soon it is sent again.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    now = timezone.now()
    if user.totp_locked_at is not None:
        record(actor=user, action="auth.totp_refused_locked")
        return TotpOutcome.LOCKED
    step = matching_step(secret, code)
    if step is not None and (user.totp_last_step is None or step > user.totp_last_step):
        user.totp_last_step, user.totp_failures, user.totp_failures_since = step, 0, None
        user.save(update_fields=["totp_last_step", "totp_failures", "totp_failures_since"])
        record(actor=user, action="auth.totp_ok")
        return TotpOutcome.OK
    outcome = TotpOutcome.WRONG if step is None else TotpOutcome.REPLAYED
    if user.totp_failures_since is None or now - user.totp_failures_since > TOTP_FAILURE_WINDOW:
        user.totp_failures, user.totp_failures_since = 0, now
    user.totp_failures += 1
    fields = ["totp_failures", "totp_failures_since"]
    record(
        actor=user, action="auth.totp_failed", after={"failures": user.totp_failures, "why": outcome.value}
    )
    if user.totp_failures >= TOTP_MAX_FAILURES:
        user.totp_locked_at = now
        fields.append("totp_locked_at")
        record(actor=user, action="auth.totp_locked", after={"failures": user.totp_failures})
        outcome = TotpOutcome.LOCKED
    user.save(update_fields=fields)
    return outcome


@transaction.atomic
def totp_unlock(*, actor, user: User) -> User:
    """The security administrator lifts a locked second factor (another account's, never their own)."""
    ensure_perm(actor, "security.manage")
    if actor.pk == user.pk:
        raise PermissionDenied("不能解锁自己的动态口令，请由另一位安全管理员办理")
    user = User.objects.select_for_update().get(pk=user.pk)
    before = {"locked_at": user.totp_locked_at, "failures": user.totp_failures}
    user.totp_locked_at, user.totp_failures, user.totp_failures_since = None, 0, None
    user.save(update_fields=["totp_locked_at", "totp_failures", "totp_failures_since"])
    record(actor=actor, action="auth.totp_unlock", target=user, before=before)
    return user


# --- inspector accounts (issue 14: 谁检查、谁录入 by the inspectors themselves) --------------------------------------

# One-time passwords: no look-alike characters (0/O, 1/l/I), every class the policy asks for.
_OTP_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_OTP_LOWER = "abcdefghijkmnpqrstuvwxyz"
_OTP_DIGITS = "23456789"
_OTP_SYMBOLS = "#%+=@"
ONE_TIME_PASSWORD_LENGTH = 12
INSPECTOR_ACCOUNTS_MAX = 200


class InspectorAccountError(ValueError):
    """A bulk account request that cannot be carried out; the message says why, in Chinese."""


def one_time_password() -> str:
    """A random 12-character password with upper and lower letters, digits and a symbol (passwords.py's policy)."""
    pools = (_OTP_UPPER, _OTP_LOWER, _OTP_DIGITS, _OTP_SYMBOLS)
    alphabet = "".join(pools)
    chars = [secrets.choice(pool) for pool in pools]
    chars += [secrets.choice(alphabet) for _ in range(ONE_TIME_PASSWORD_LENGTH - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def inspector_username(inspector) -> str:
    """The account name of an inspector: its platform code in lower case (stable, no personal data)."""
    return f"zf_{(inspector.code or str(inspector.pk)).lower()}"


@transaction.atomic
def inspector_accounts_create(*, actor, inspector_ids: list[int]) -> list[tuple[User, str]]:
    """The department administrator creates accounts (role 执法人员) for inspectors of the own department that have
    none. Returns each account with its one-time password: shown once, never stored (only its hash); the inspector
    must change it at the first sign-in."""
    from shuangsuiji.directory.models import Inspector

    from .scoping import inspector_accounts_department

    department = inspector_accounts_department(actor)
    if department is None:
        raise PermissionDenied("只有部门管理员可以为本部门执法人员开通账号")
    ids = list(dict.fromkeys(int(i) for i in inspector_ids))
    if not ids:
        raise InspectorAccountError("请选择要开通账号的执法人员")
    if len(ids) > INSPECTOR_ACCOUNTS_MAX:
        raise InspectorAccountError(f"一次最多开通 {INSPECTOR_ACCOUNTS_MAX} 个账号")
    inspectors = {
        i.pk: i for i in Inspector.objects.select_for_update().filter(pk__in=ids, department_id=department.pk)
    }
    missing = [str(i) for i in ids if i not in inspectors]
    if missing:
        raise InspectorAccountError(f"编号 {'、'.join(missing)} 不是本部门的执法人员")
    taken = set(User.objects.filter(inspector_id__in=ids).values_list("inspector_id", flat=True))
    if taken:
        names = "、".join(inspectors[i].name for i in ids if i in taken)
        raise InspectorAccountError(f"{names} 已有账号，请勿重复开通")
    created: list[tuple[User, str]] = []
    for pk in ids:
        inspector = inspectors[pk]
        username = inspector_username(inspector)
        if User.objects.filter(username=username).exists():
            raise InspectorAccountError(f"账号名 {username} 已被占用（{inspector.name}），请联系系统管理员")
        password = one_time_password()
        user = User(
            username=username,
            full_name=inspector.name,
            role=Role.INSPECTOR,
            department=department,
            inspector=inspector,
            must_change_password=True,
            # The hash alone: set_password would record it in the history as a password the user chose.
            password=make_password(password),
        )
        user.save()
        record(
            actor=actor,
            action="account.inspector_create",
            target=user,
            # Never the password or its hash.
            after={"username": username, "inspector": inspector.code, "name": inspector.name},
        )
        created.append((user, password))
    return created


@transaction.atomic
def inspector_password_reissue(*, actor, user_id: int) -> tuple[User, str]:
    """A lost one-time (or forgotten) password: the department administrator gives an inspector account of the own
    department a new one-time password. The old password stops working at once (its hash is replaced, and so the
    account's open sessions end); the new one is shown once, never stored (only its hash), and must be changed at the
    next sign-in."""
    from .scoping import inspector_accounts_department

    department = inspector_accounts_department(actor)
    if department is None:
        raise PermissionDenied("只有部门管理员可以为本部门执法人员重新发放密码")
    user = (
        # of=("self",): PostgreSQL locks no nullable side of an outer join (the inspector link may be empty).
        User.objects.select_for_update(of=("self",))
        .select_related("inspector")
        .filter(pk=user_id, role=Role.INSPECTOR, department_id=department.pk)
        .first()
    )
    if user is None:
        raise InspectorAccountError("该账号不是本部门执法人员的账号")
    if not user.is_active:
        raise InspectorAccountError(f"账号 {user.username} 已停用，请先联系系统管理员启用")
    password = one_time_password()
    # The hash alone, as at creation: set_password would record it in the history as a password the user chose.
    user.password = make_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    record(
        actor=actor,
        action="account.inspector_password_reissue",
        target=user,
        # Never the password or its hash.
        after={"username": user.username, "inspector": user.inspector.code if user.inspector else ""},
    )
    return user, password


def inspector_credentials_confirmed(*, actor, pairs: list[tuple[str, str]]) -> list[tuple[User, str]]:
    """The accounts and one-time passwords a download may list: only accounts of the actor's department that still
    hold exactly that one-time password (unchanged since creation). Reads only."""
    from .scoping import inspector_accounts_department

    department = inspector_accounts_department(actor)
    if department is None:
        raise PermissionDenied("只有部门管理员可以为本部门执法人员开通账号")
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=[u for u, _ in pairs[:INSPECTOR_ACCOUNTS_MAX]],
            department=department,
            role=Role.INSPECTOR,
            must_change_password=True,
        ).select_related("inspector")
    }
    return [
        (users[name], password)
        for name, password in pairs[:INSPECTOR_ACCOUNTS_MAX]
        if name in users and check_password(password, users[name].password)
    ]


# --- the first-login tour (issue 15, item 13) ------------------------------------------------------------------------


@transaction.atomic
def tour_dismiss(*, actor: User) -> User:
    """The user closes the work-bench's "您的前三项任务" panel; it stays closed. Closing it again changes nothing."""
    user = User.objects.select_for_update().get(pk=actor.pk)
    if user.tour_dismissed_at is None:
        user.tour_dismissed_at = timezone.now()
        user.save(update_fields=["tour_dismissed_at"])
        record(
            actor=actor, action="tour.dismiss", target=user, after={"dismissed_at": user.tour_dismissed_at}
        )
    return user
