"""The first-login tour: each role's first three tasks, shown on the work-bench until dismissed (issue 15, item 13)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from shuangsuiji.accounts.models import Role

from .help import help_url


@dataclass(frozen=True)
class Task:
    text: str  # what to do, in Chinese
    url: str  # the exact page where it is done
    help: str  # the manual's section about it


# (what to do, URL name, query string). Every link is opened by that role in tests/web/test_help.py.
_TASKS: dict[str, list[tuple[str, str, str]]] = {
    Role.DEPT_ADMIN: [
        ("导入检查对象名录", "import", ""),
        ("制定年度计划", "plan_create", ""),
        ("发布任务方案", "scheme_create", ""),
    ],
    Role.OFFICE: [
        ("审核年度计划", "plan_list", "status=submitted"),
        ("设置全市年度抽查上限", "caps", ""),
        ("查看各部门统计分析", "stats", ""),
    ],
    Role.CLERK: [
        ("维护检查对象的监管属性", "object_list", ""),
        ("录入检查结果", "scheme_list", "status=drawn"),
        ("修改被退回的检查记录", "record_list", "status=returned"),
    ],
    Role.REVIEWER: [
        ("审核检查结果", "review_queue", ""),
        ("处理 5 个工作日内到期的公示", "record_list", "tab=due"),
        ("处理已逾期未公示的结果", "record_list", "tab=overdue"),
    ],
    Role.SYSADMIN: [
        ("录入下一年节假日安排", "calendar", ""),
        ("核对部门与区划", "reference", ""),
        ("查看问责报表", "accountability_report", ""),
    ],
    Role.SECURITY_ADMIN: [
        ("修改初始密码", "password_change", ""),
        ("解锁被锁定的账号", "security", ""),
        ("重置管理员的动态口令", "security", ""),
    ],
    Role.INSPECTOR: [
        ("设置自己的密码", "password_change", ""),
        ("查看我的检查", "my_visits", ""),
        ("在手机上录入检查记录", "my_visits", ""),
    ],
    Role.AUDITOR: [
        ("修改初始密码", "password_change", ""),
        ("查阅审计记录", "audit_list", ""),
        ("查看统计分析", "stats", ""),
    ],
}


def first_tasks(user) -> list[Task]:
    """The user's first three tasks while the tour is not dismissed; none afterwards (or for a role without a tour)."""
    if not user.is_authenticated or user.tour_dismissed_at is not None:
        return []
    return [
        Task(text, reverse(name) + (f"?{query}" if query else ""), help_url(name))
        for text, name, query in _TASKS.get(user.role, [])
    ]
