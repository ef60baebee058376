"""The yearly limits a freeze applies to each object (art. 8, 9; issue 17, items 2 and 5), kept out of freezing.py so
that the draw side of the freeze stays as it is:

* the city-wide cap on checks of one object a year (``caps``), with the office's approved exemptions;
* an item's 抽查频次: an object already drawn for an item as many times a year as its frequency allows is not drawn
  for it again that year.
"""

from __future__ import annotations

from shuangsuiji.caps.selectors import exempt_object_ids, scheme_yearly_cap
from shuangsuiji.codes.errors import FrequencyError
from shuangsuiji.codes.frequency import times_per_year
from shuangsuiji.directory.rows import RowInvalid
from shuangsuiji.planning.models import TaskScheme

from .models import DrawStatus, Selection


def yearly_cap(scheme: TaskScheme) -> tuple[int, set[int]]:
    """The cap this freeze applies, and the objects the office allowed beyond it."""
    return scheme_yearly_cap(scheme), exempt_object_ids(scheme)


def frequency_reached(scheme: TaskScheme) -> set[int]:
    """Objects drawn this year, in other schemes, for one of this scheme's items as often as its frequency allows."""
    reached: set[int] = set()
    for item in [si.item for si in scheme.items.select_related("item")]:
        try:
            times = times_per_year(item.frequency)
        except FrequencyError as e:
            raise RowInvalid([("抽查频次", f"事项“{item.name}”：{e}；请先在事项清单中改正")]) from None
        if times is None:
            continue
        drawn: dict[int, int] = {}
        rows = (
            Selection.objects.filter(
                active=True,
                draw__status=DrawStatus.DRAWN,
                draw__scheme__year=scheme.year,
                draw__scheme__items__item_id=item.pk,
            )
            .exclude(draw__scheme=scheme)
            .values_list("object_id", "draw__scheme_id")
            .distinct()
        )
        for object_id, _scheme_id in rows.iterator(chunk_size=10000):
            drawn[object_id] = drawn.get(object_id, 0) + 1
        reached |= {object_id for object_id, n in drawn.items() if n >= times}
    return reached
