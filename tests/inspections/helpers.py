import datetime

from django.utils import timezone

from shuangsuiji.draws import services as draws
from shuangsuiji.draws.models import Selection
from tests.draws.helpers import ANNOUNCED, REVEALS, THROWN_BY, WITNESSES, published_scheme, sources_after


def drawn_selection(actor, **kw):
    """A drawn, active selection of a scheme whose window contains today (2026-11-27 is inside the default)."""
    today = timezone.localdate()
    kw.setdefault("window_start", (today - datetime.timedelta(days=10)).isoformat())
    kw.setdefault("window_end", (today + datetime.timedelta(days=10)).isoformat())
    scheme = published_scheme(actor, **kw)
    draw = draws.draw_freeze(actor=actor, scheme=scheme, sources=sources_after(today), announced=ANNOUNCED)
    draw = draws.draw_perform(
        actor=actor, draw=draw, witnesses=WITNESSES, reveals=REVEALS, thrown_by=THROWN_BY
    )
    return Selection.objects.filter(draw=draw, active=True).select_related("object").first()
