"""A city where firms were already checked this year: SCJG's closed draws, through the real services."""

from shuangsuiji.directory.models import InspectionObject, RiskClass
from shuangsuiji.draws import services as draws
from shuangsuiji.draws.freezing import build_inputs
from shuangsuiji.planning import services as planning
from tests import factories
from tests.draws.helpers import ANNOUNCED, REVEALS, SOURCES, THROWN_BY, WITNESSES, published_scheme


def firms(n: int, name: str = "舞钢市矿建商贸有限公司") -> list:
    a = RiskClass.objects.get(code="A")
    return [factories.entity(name=f"{name}{i}", risk_class=a) for i in range(n)]


def checked(actor, *, times: int, item=None) -> None:
    """`actor`'s department draws every firm of the directory `times` times this year (2026), each a closed task."""
    for _ in range(times):
        count = InspectionObject.objects.count()
        scheme = published_scheme(
            actor,
            entities=0,
            inspectors=2,
            strata={"A": {"count": count}},
            same_item_days=0,
            items=[item] if item else None,
        )
        draw = draws.draw_freeze(actor=actor, scheme=scheme, sources=SOURCES, announced=ANNOUNCED)
        draws.draw_perform(actor=actor, draw=draw, witnesses=WITNESSES, reveals=REVEALS, thrown_by=THROWN_BY)
        planning.scheme_close(actor=actor, scheme=scheme)


def wjw_scheme(bob, **extra):
    """卫健委's scheme of 2026 over the whole directory (a new item of its own, so only the yearly limits apply)."""
    return published_scheme(
        bob, entities=0, inspectors=2, strata={"A": {"ratio": "1"}}, same_item_days=0, **extra
    )


def reasons(scheme) -> dict[str, str]:
    """Object code → why the freeze leaves it out; candidates map to "CANDIDATE"."""
    inputs = build_inputs(scheme)
    return {code: "CANDIDATE" for _, code in inputs.candidates} | dict(inputs.excluded)
