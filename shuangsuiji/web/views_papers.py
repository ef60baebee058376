"""The papers inspectors carry (issue 14, part 1): 检查通知书 and 随机抽查检查记录表, printed in batches.

One HTML print job per batch — the whole draw, a team member's assignment (?member=<inspector id>) or one object —
each paper on its own A4 page, and the record sheets as an xlsx. Like the 登记表: login, the draws scoping lets the
user see, each team cut to the members the user's department may see; not on the portal. Printing changes nothing,
so, like the 登记表, it is not audited.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from shuangsuiji.accounts import scoping
from shuangsuiji.draws.models import DrawStatus
from shuangsuiji.draws.papers import CHECK_MARKS, batch_papers, papers_workbook, result_choices
from shuangsuiji.draws.visit_codes import verify_form_url, verify_url, visit_qr_svg
from shuangsuiji.portal.verify import HOTLINE

from . import params

# ?kind=: which papers of each object the batch prints (both by default).
KINDS = {"notice": "检查通知书", "record": "检查记录表"}


def _batch(request, pk: int, sel_pk: int | None):
    """The draw, its papers for this user and batch, and the batch's filter (hostile values ignored, never a 500)."""
    # An inspector reaches the draws of its own visits (and, in batch_papers, only those visits' papers).
    draw = get_object_or_404(scoping.register_draws_for(request.user), pk=pk)
    if draw.status != DrawStatus.DRAWN:
        raise Http404
    # One object's papers are that object's, whoever else is asked for.
    member = params.int_or_none(request.GET.get("member"), lo=1) if sel_pk is None else None
    papers, member, choices = batch_papers(request.user, draw, member=member, selection_id=sel_pk)
    if (sel_pk is not None or scoping.is_inspector(request.user)) and not papers:
        raise Http404
    return draw, papers, member, choices


@require_GET
@login_required
def papers_page(request, pk: int, sel_pk: int | None = None):
    draw, papers, member, choices = _batch(request, pk, sel_pk)
    kind = request.GET.get("kind") if request.GET.get("kind") in KINDS else ""
    for p in papers:
        if p["raw_code"]:
            p["verify_url"] = verify_url(request, p["raw_code"])
            # segno writes the SVG from the URL alone; nothing of it is user-controlled markup.
            p["qr"] = mark_safe(visit_qr_svg(p["verify_url"]))
    kept = {k: v for k, v in {"member": member or "", "kind": kind}.items() if v}
    per_object = 1 if kind else 2
    return render(
        request,
        "web/papers/batch.html",
        {
            "draw": draw,
            "scheme": draw.scheme,
            "papers": papers,
            "notices": kind in ("", "notice"),
            "records": kind in ("", "record"),
            "kind": kind,
            "kinds": KINDS,
            "member": member,
            "member_name": choices.get(member, "") if member else "",
            "member_choices": sorted(choices.items(), key=lambda m: m[1]),
            "single": sel_pk is not None,
            "sel_pk": sel_pk,
            "pages": len(papers) * per_object,
            "qs": urlencode(kept),
            "xlsx_qs": urlencode({"member": member} if member else {}),
            "verify_form_url": verify_form_url(request),
            "inspector": scoping.is_inspector(request.user),
            "hotline": HOTLINE,
            "marks": CHECK_MARKS,
            **result_choices(),
        },
    )


@require_GET
@login_required
def papers_xlsx(request, pk: int, sel_pk: int | None = None):
    """The batch's record sheets, one worksheet per object, for officials who fill them in on a computer."""
    draw, papers, member, choices = _batch(request, pk, sel_pk)
    body = papers_workbook(papers)
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    who = f"-{choices[member]}" if member else ""
    one = f"-{papers[0]['n']:03d}" if sel_pk is not None and papers else ""
    filename = f"检查记录表-{draw.draw_id}{who}{one}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
