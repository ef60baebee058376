"""核验码 (issue 14, part 2): issuing each drawn object's visit code, counting lookups, and its QR code.

Codes are issued inside the services that make a visit exist — the ceremony (`draw_perform`) for every selected
object, a substitution (`selection_substitute`) for the reserve that takes over — so they are part of those audited
transactions. Drawn selections made before codes existed got theirs from migration draws 0010.
"""

from __future__ import annotations

from collections.abc import Iterable

import segno
from django.conf import settings
from django.db.models import F
from django.urls import reverse

from shuangsuiji.codes.visit import new_visit_code

from .models import VisitCode


def visit_codes_issue(selection_ids: Iterable[int]) -> int:
    """Give each selection without a code a fresh unique one; runs inside the caller's transaction."""
    wanted = set(selection_ids)
    ids = wanted - set(
        VisitCode.objects.filter(selection_id__in=wanted).values_list("selection_id", flat=True)
    )
    if not ids:
        return 0
    codes: set[str] = set()
    while len(codes) < len(ids):
        fresh = {new_visit_code() for _ in range(len(ids) - len(codes))} - codes
        # A collision with a stored code is about 10⁻¹¹ per code: drawn again rather than left to the unique index.
        codes |= fresh - set(VisitCode.objects.filter(code__in=fresh).values_list("code", flat=True))
    VisitCode.objects.bulk_create(
        VisitCode(selection_id=sid, code=code) for sid, code in zip(sorted(ids), sorted(codes), strict=True)
    )
    return len(ids)


def visit_code_find(code: str) -> VisitCode | None:
    """The code's row with what the verification page needs, or None."""
    return (
        VisitCode.objects.select_related(
            "selection__draw__scheme__department", "selection__object", "selection__replaced_by"
        )
        .filter(code=code)
        .first()
    )


def visit_code_count_lookup(visit_code: VisitCode) -> None:
    """One more lookup of this code: a number only — neither who looked nor from where is kept.

    Not an audited business action: the portal is anonymous, and the count is a signal for the department (a firm
    checking its visit), like a page counter. A single UPDATE … SET lookups = lookups + 1, so concurrent lookups
    are all counted."""
    VisitCode.objects.filter(pk=visit_code.pk).update(lookups=F("lookups") + 1)


def verify_url(request, code: str) -> str:
    """The public address of a code's page: PUBLIC_BASE_URL when set (the 登记表 is printed on the intranet but
    scanned by a firm on the internet), else the address the request came to."""
    return _public_url(request, reverse("portal:verify", args=[code]))


def verify_form_url(request) -> str:
    """Where a firm that cannot scan types its code."""
    return _public_url(request, reverse("portal:verify_form"))


def _public_url(request, path: str) -> str:
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


def visit_qr_svg(url: str) -> str:
    """The QR code of `url` as an SVG element (segno, ADR 0017): drawn on the server, nothing from a CDN. It has a
    viewBox and no size, so the page sizes it (30 mm on the printed 登记表)."""
    return segno.make(url, error="m", micro=False).svg_inline(
        border=2, title="核验二维码", svgclass="qr", lineclass=None, omitsize=True
    )
