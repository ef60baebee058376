"""Hand-over notifications (issue 15, item 2): who must act next hears of it in 消息 and on the work-bench.

Called by the service that makes the hand-over, inside its transaction, with the audit event it just wrote: the
notification's key names that event, so each hand-over notifies each person once and a rollback leaves none behind.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from shuangsuiji.accounts.models import Role, User

from .models import Notification


def department_users(department_id: int | None, roles: Iterable[str]) -> list[User]:
    """Active users of a department with one of `roles`."""
    if department_id is None:
        return []
    return list(User.objects.filter(department_id=department_id, role__in=list(roles), is_active=True))


def office_users() -> list[User]:
    return list(User.objects.filter(role=Role.OFFICE, is_active=True))


def notify(*, users: Iterable[User | None], event, message: str, link: str = "") -> int:
    """One notification per user (the actor excepted: who made the hand-over needs no message about it)."""
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        raise RuntimeError("notify() must be called inside the hand-over service's transaction.atomic()")
    actor_id = event.actor_id
    recipients = {u.pk: u for u in users if u is not None and u.pk != actor_id and u.is_active}
    Notification.objects.bulk_create(
        [
            Notification(user=u, message=message[:300], link=link[:200], key=f"{event.action}:{event.pk}")
            for u in recipients.values()
        ]
    )
    return len(recipients)
