"""Who may do what with the cap and its exemptions: asked by the pages, the API and the services alike."""

from shuangsuiji.accounts.models import Role


def can_set_cap(user) -> bool:
    """The joint office keeps the city-wide cap (art. 4, 16: it coordinates the departments)."""
    return user.is_authenticated and user.role in (Role.OFFICE, Role.SYSTEM)


def can_request_exemption(user) -> bool:
    """A department's administrator asks for its own department."""
    return user.is_authenticated and user.role == Role.DEPT_ADMIN and user.department_id is not None


def can_decide_exemption(user) -> bool:
    return can_set_cap(user)
