"""W011: the application connected to PostgreSQL as a superuser, which could disable the audit triggers
(docs/deploy.md gives the two-role setup)."""

from django.core import checks
from django.db import DatabaseError, connection


@checks.register(checks.Tags.security)
def app_role_is_not_superuser(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    if connection.vendor != "postgresql":
        return []
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            row = cur.fetchone()
    except (DatabaseError, RuntimeError):  # no database yet, or access blocked (pytest-django at collection)
        return []
    if not row or not row[0]:
        return []
    return [
        checks.Warning(
            "应用以 PostgreSQL 超级用户连接数据库：超级用户可以停用审计表的触发器。",
            hint="按 docs/deploy.md 为应用建一个非超级用户的角色，迁移时才用表的属主。",
            id="shuangsuiji.W011",
        )
    ]
