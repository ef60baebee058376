"""Demo accounts, created only in demo mode (DEMO_MODE=true), one per role, in two departments."""

from django.conf import settings
from django.db import transaction

from shuangsuiji.org.models import Department

from .models import ADMIN_ROLES, Role, User

DEMO_PASSWORD = "Demo@2026ssj"
# The demo administrators' TOTP secret (demo mode only): `python manage.py demo_totp` prints the current code.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

# username, full name, role, department code, may see personal data unmasked
DEMO_USERS = [
    ("admin", "系统管理员", Role.SYSADMIN, None, False),
    ("secadmin", "安全管理员", Role.SECURITY_ADMIN, None, False),
    ("auditor", "审计管理员", Role.AUDITOR, None, False),
    ("office", "联席办 王主任", Role.OFFICE, "SCJG", False),
    ("scjg_admin", "市场监管局 李科长", Role.DEPT_ADMIN, "SCJG", True),
    ("scjg_clerk", "市场监管局 张录入", Role.CLERK, "SCJG", False),
    ("scjg_reviewer", "市场监管局 赵审核", Role.REVIEWER, "SCJG", False),
    ("wjw_admin", "卫健委 陈科长", Role.DEPT_ADMIN, "WJW", False),
    ("wjw_clerk", "卫健委 刘录入", Role.CLERK, "WJW", False),
]


@transaction.atomic
def ensure_demo_users() -> list[tuple[str, str, str]]:
    if not settings.DEMO_MODE:
        raise RuntimeError("演示账号只能在演示模式（DEMO_MODE=true）下创建")
    rows = []
    for username, full_name, role, dept_code, personal in DEMO_USERS:
        dept = Department.objects.get(code=dept_code) if dept_code else None
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "full_name": full_name,
                "role": role,
                "department": dept,
                "can_view_personal_data": personal,
                "is_staff": role == Role.SYSADMIN,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            if role in ADMIN_ROLES:
                user.totp_secret = DEMO_TOTP_SECRET
            user.save()
        rows.append((username, full_name, role.label))
    return rows
