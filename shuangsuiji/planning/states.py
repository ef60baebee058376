"""Allowed transitions, in one table per workflow, checked on the server by every service that moves a state."""

from django.core.exceptions import ValidationError

from .models import PlanStatus, SchemeStatus

PLAN_TRANSITIONS: dict[tuple[str, str], str] = {
    (PlanStatus.DRAFT, PlanStatus.SUBMITTED): "报送",
    (PlanStatus.RETURNED, PlanStatus.SUBMITTED): "重新报送",
    (PlanStatus.SUBMITTED, PlanStatus.APPROVED): "批准",
    (PlanStatus.SUBMITTED, PlanStatus.RETURNED): "退回",
    (PlanStatus.APPROVED, PlanStatus.DRAFT): "调整",
}

SCHEME_TRANSITIONS: dict[tuple[str, str], str] = {
    (SchemeStatus.DRAFT, SchemeStatus.PUBLISHED): "公示方案",
    (SchemeStatus.PUBLISHED, SchemeStatus.FROZEN): "冻结名单",
    (SchemeStatus.FROZEN, SchemeStatus.DRAWN): "抽取",
    # A redraw freezes a new list; the earlier draw stays public.
    (SchemeStatus.FROZEN, SchemeStatus.FROZEN): "重新冻结",
    (SchemeStatus.DRAWN, SchemeStatus.FROZEN): "重新抽取",
    (SchemeStatus.DRAWN, SchemeStatus.CLOSED): "结束任务",
}


class TransitionError(ValidationError):
    pass


def check_transition(table: dict[tuple[str, str], str], current: str, target: str, labels) -> None:
    if (current, target) not in table:
        raise TransitionError(f"当前状态为“{labels(current).label}”，不能变为“{labels(target).label}”")
