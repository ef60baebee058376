import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    SYSADMIN = "sysadmin", "系统管理员"
    OFFICE = "office", "联席会议办公室"
    DEPT_ADMIN = "dept_admin", "部门管理员"
    CLERK = "clerk", "录入员"
    # An inspector of the directory with an account of their own (issue 14, 谁检查、谁录入): sees and records only the
    # visits they are drawn for (scoping.visit_selections_for).
    INSPECTOR = "inspector", "执法人员"
    REVIEWER = "reviewer", "审核员"
    # 三员分立 (等保 2.0): the system, security and audit administrators are three separate roles.
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDITOR = "auditor", "审计管理员"
    # The command-line actor for bulk loads (import_directory, seed_demo); it cannot log in.
    SYSTEM = "system", "系统（命令行）"


class User(AbstractUser):
    department = models.ForeignKey(
        "org.Department",
        verbose_name="所属部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.CLERK)
    full_name = models.CharField("姓名", max_length=50, blank=True)
    # Seeing ID numbers and phones unmasked is a separate, audited permission (个人信息保护法).
    can_view_personal_data = models.BooleanField("可查看完整身份证号与手机号", default=False)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    # An account created with a one-time password must change it at the first sign-in (security.password_expired).
    must_change_password = models.BooleanField("首次登录须修改密码", default=False)
    # The inspector of the directory this account belongs to (role 执法人员); one account per inspector.
    inspector = models.OneToOneField(
        "directory.Inspector",
        verbose_name="执法检查人员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="account",
    )
    # Base32 TOTP secret of the administrators' second factor; empty until enrolled.
    totp_secret = models.CharField("动态口令密钥", max_length=64, blank=True)
    # Kept on the account, not in the session: logging in again must not give fresh guesses (security.totp_attempt).
    totp_last_step = models.BigIntegerField("最近一次接受的动态口令时间步", null=True, blank=True)
    totp_failures = models.PositiveSmallIntegerField("动态口令连续错误次数", default=0)
    totp_failures_since = models.DateTimeField("首次错误时间", null=True, blank=True)
    totp_locked_at = models.DateTimeField("动态口令锁定时间", null=True, blank=True)
    # The work-bench shows a first-login tour ("您的前三项任务") until the user dismisses it (issue 15, item 13).
    tour_dismissed_at = models.DateTimeField("关闭首次登录指引时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


ADMIN_ROLES = {Role.SYSADMIN, Role.SECURITY_ADMIN, Role.AUDITOR}


class PasswordHistory(models.Model):
    """The hashes of a user's previous passwords, so that none of the last five is reused."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d}"


class ApiToken(models.Model):
    """A token for a system (the provincial platform, art. 6). Only its hash is stored."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="所属用户"
    )
    name = models.CharField("用途", max_length=100)
    prefix = models.CharField("前缀", max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked = models.BooleanField("已吊销", default=False)
    # Issue 11 (12): a token ends (default 90 days after creation) and carries only what it was made for.
    expires_at = models.DateTimeField("有效期至", null=True, blank=True)
    # "METHOD /api/v1/prefix" entries, e.g. "GET /api/v1/" (read only); "*" as method allows every method.
    scope = models.JSONField("可调用的接口", default=list, blank=True)
    # Issue 13 (M22): requests per minute; empty = the default of the settings (API_RATE_PER_MINUTE and
    # API_BULK_RATE_PER_MINUTE). Bulk reads (/api/v1/bulk/) count in their own, smaller budget (ADR 0026).
    rate_per_minute = models.PositiveIntegerField("每分钟请求上限", null=True, blank=True)
    bulk_rate_per_minute = models.PositiveIntegerField("批量读取每分钟上限", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    def allows(self, method: str, path: str) -> bool:
        """Whether this token may call `method path`; a token made before scopes existed keeps every operation."""
        if not self.scope:
            return True
        for entry in self.scope:
            want, _, prefix = str(entry).partition(" ")
            if want in ("*", method.upper()) and path.startswith(prefix):
                return True
        return False

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "ssj_" + secrets.token_urlsafe(32)


class ApiRateWindow(models.Model):
    """How many requests a token made in one minute, per budget: a fixed-window counter in the database, so that
    every worker process counts against the same budget (ADR 0026). Old minutes are deleted as new ones open."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    bucket = models.CharField(max_length=8)  # "api" or "bulk"
    minute = models.BigIntegerField()  # Unix time // 60
    n = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "bucket", "minute"], name="uniq_api_rate_window")
        ]

    def __str__(self) -> str:
        return f"{self.token_id}/{self.bucket}/{self.minute}: {self.n}"


def system_user() -> User:
    """The actor recorded for management commands run by an operator on the server."""
    user, _ = User.objects.get_or_create(
        username="system",
        defaults={"role": Role.SYSTEM, "full_name": "系统（命令行）", "is_active": True, "password": "!"},
    )
    return user
