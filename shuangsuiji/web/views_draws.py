"""Pages of the draw: freeze, ceremony, certificate, teams, substitutions, 登记表."""

from __future__ import annotations

import json
from collections import Counter
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shuangsuiji.accounts import scoping
from shuangsuiji.accounts.models import Role
from shuangsuiji.directory.rows import RowInvalid
from shuangsuiji.draws import selectors, services
from shuangsuiji.draws.forms_register import active_selections, register_rows, register_workbook
from shuangsuiji.draws.freezing import EXCLUSION_REASONS
from shuangsuiji.draws.labels import INSPECTOR_REASONS, OBJECT_REASONS
from shuangsuiji.draws.models import DrawStatus, Selection, TeamMember
from shuangsuiji.draws.visit_codes import verify_form_url, verify_url, visit_qr_svg
from shuangsuiji.labels import NUMBERS_NOTE, SOURCE_FORMATS, source_label
from shuangsuiji.portal.selectors import public_sources

from . import params
from .views_planning import _errors

DRAW_FILES = list(services.FULL_FILES)
RESULT_PAGE_SIZE = 50


@require_http_methods(["GET", "POST"])
@login_required
def freeze(request, pk: int):
    scheme = get_object_or_404(scoping.schemes_for(request.user), pk=pk)
    services.ensure_operator(request.user, scheme)  # no form for someone who could not submit it
    errors: list[str] = []
    if request.method == "POST":
        sources = []
        if request.POST.get("use_lottery"):
            sources.append(
                {
                    "name": "lottery",
                    "kind": "numbers",
                    "lottery": request.POST.get("lottery_name", ""),
                    "period": request.POST.get("lottery_period", ""),
                    "draw_date": request.POST.get("lottery_draw_date", ""),
                }
            )
        if request.POST.get("use_witness"):
            sources.append({"name": "witness", "kind": "digits"})
        try:
            draw = services.draw_freeze(
                actor=request.user,
                scheme=scheme,
                sources=sources,
                announced=request.POST.get("announced", ""),
                redraw_reason=request.POST.get("redraw_reason", ""),
                hash_name="sm3" if request.POST.get("hash") == "sm3" else "sha256",
            )
        except RowInvalid as e:
            errors = _errors(e)
        else:
            messages.success(request, f"名单已冻结，承诺值 {draw.commitment} 已公示。")
            return redirect(f"/draws/{draw.pk}/")
    posted = request.method == "POST"
    return render(
        request,
        "web/draw_freeze.html",
        {
            "scheme": scheme,
            "errors": errors,
            "post": request.POST,
            "redraw": scheme.draws.exists(),
            # A fresh form offers both sources; after a refusal it keeps what was chosen.
            "use_lottery": not posted or bool(request.POST.get("use_lottery")),
            "use_witness": not posted or bool(request.POST.get("use_witness")),
            "formats": SOURCE_FORMATS,
        },
    )


def _exclusions(draw) -> list[tuple[str, str, int]]:
    """excluded.csv by reason: (code, Chinese label, count), so that no object left out of the draw goes unseen."""
    path = services.draw_dir(draw) / "excluded.csv"
    if not path.exists():
        return []
    counts = Counter(line.rsplit(",", 1)[1] for line in path.read_text(encoding="utf-8").splitlines() if line)
    return [(code, EXCLUSION_REASONS.get(code, code), n) for code, n in sorted(counts.items())]


def _draw_for(request, pk: int):
    return get_object_or_404(scoping.draws_for(request.user), pk=pk)


# Query values the result page keeps across pages and after a substitution; anything else is dropped.
RESULT_PARAMS = ("stratum", "region", "member", "status", "q", "page")
SEARCH_MAX = 64


def _result_filter(
    request, draw, *, strata: bool, members: set[int]
) -> tuple[selectors.SelectionFilter, dict]:
    """The filters of the result page, from hostile query values: unknown or out-of-range values are ignored, never a
    500. The stratum filter exists only for users who may see strata; a participating department filters by its own
    team members only (`members`: the inspector ids the user may filter by)."""
    get = request.GET
    stratum = (get.get("stratum") or "")[:32]
    if not strata or not Selection.objects.filter(draw=draw, stratum=stratum).exists():
        stratum = ""
    status = get.get("status") or ""
    if status not in selectors.STATUSES:
        status = ""
    q = (get.get("q") or "").strip()[:SEARCH_MAX]  # NUL is refused before any view runs (nul.py)
    member = params.int_or_none(get.get("member"), lo=1)
    flt = selectors.SelectionFilter(
        stratum=stratum,
        region=params.int_or_none(get.get("region"), lo=1),
        inspector=member if member in members else None,
        status=status,
        q=q,
    )
    kept = {
        "stratum": flt.stratum,
        "region": flt.region or "",
        "member": flt.inspector or "",
        "status": flt.status,
        "q": flt.q,
    }
    return flt, {k: v for k, v in kept.items() if v}


def _back_to(draw, posted: str) -> str:
    """The result page the substitution form was sent from (its page and filters), rebuilt from known keys only."""
    query = QueryDict(posted[:1000])
    kept = {k: query.get(k, "")[:SEARCH_MAX] for k in RESULT_PARAMS if query.get(k)}
    url = reverse("draw_detail", args=[draw.pk])
    return f"{url}?{urlencode(kept)}" if kept else url


@require_GET
@login_required
def draw_detail(request, pk: int):
    draw = _draw_for(request, pk)
    strata = scoping.sees_strata(request.user, draw)
    whole_team = scoping.sees_whole_team(request.user, draw.scheme)
    members = selectors.draw_inspector_choices(
        draw, department=None if whole_team else request.user.department_id
    )
    flt, kept = _result_filter(request, draw, strata=strata, members=set(members))
    paginator = Paginator(selectors.draw_selections(draw, flt, by_stratum=strata), RESULT_PAGE_SIZE)
    page = paginator.get_page(params.int_or_none(request.GET.get("page"), lo=1, hi=100_000) or 1)
    selections = list(
        selectors.with_teams(
            Selection.objects.filter(pk__in=[s.pk for s in page.object_list]).select_related(
                "object", "visit_code"
            )
        )
    )
    by_pk = {s.pk: s for s in selections}
    selections = [by_pk[s.pk] for s in page.object_list]
    for sel in selections:
        sel.code = getattr(sel, "visit_code", None)
        sel.visible_team = scoping.team_members_visible(
            request.user, draw.scheme, [m for m in sel.team.all() if m.active]
        )
    own = request.user.department_id == draw.scheme.department_id and request.user.role == Role.DEPT_ADMIN
    return render(
        request,
        "web/draw_detail.html",
        {
            "draw": draw,
            "selections": selections,
            "page": page,
            "qs": urlencode(kept),
            "here": urlencode({**kept, "page": page.number}),
            "filters": kept,
            "filtered": bool(kept),
            "any_selection": draw.selections.exists(),
            "status_choices": selectors.STATUSES,
            "stratum_choices": _stratum_choices(draw) if strata else [],
            "region_choices": selectors.draw_regions(draw),
            "member_choices": sorted(members.items(), key=lambda m: m[1]),
            "substitutions": _substitutions(request.user, draw),
            "object_reasons": OBJECT_REASONS,
            "inspector_reasons": INSPECTOR_REASONS,
            "witnesses": draw.witnesses.all(),
            "own": own,
            "files": _public_files(draw),
            "full_files": _full_files(draw)
            if scoping.can_read_sealed(request.user, draw) and draw.sealed
            else [],
            "sees_strata": strata,
            "fingerprint": services.fingerprint(draw)
            if own or scoping.can_read_sealed(request.user, draw)
            else "",
            "exclusions": _exclusions(draw),
            "revealed": [
                s for s in public_sources(draw, reveal=True) if s["value"] and s["kind"] != "secret"
            ],
            "numbers_note": NUMBERS_NOTE,
        },
    )


def _stratum_choices(draw) -> list[tuple[str, str]]:
    codes = (
        Selection.objects.filter(draw=draw).values_list("stratum", flat=True).distinct().order_by("stratum")
    )
    return [(code, Selection(draw=draw, stratum=code).stratum_label) for code in codes]


@require_GET
@login_required
def draw_teams(request, pk: int):
    """The teams by inspector: which objects each checks and how many (a participating department sees its own)."""
    draw = _draw_for(request, pk)
    whole_team = scoping.sees_whole_team(request.user, draw.scheme)
    rows = selectors.draw_inspectors(draw, department=None if whole_team else request.user.department_id)
    return render(request, "web/draw_teams.html", {"draw": draw, "rows": rows})


def _substitutions(user, draw) -> list:
    """The substitutions with their public reason; the internal note only for those scoping lets read it."""
    subs = list(
        draw.substitutions.select_related(
            "draw__scheme",
            "old_selection__object",
            "new_selection__object",
            "old_member__inspector",
            "new_member__inspector",
        )
    )
    for x in subs:
        x.visible_note = x.note if scoping.sees_substitution_note(user, x) else ""
    return subs


@require_http_methods(["GET", "POST"])
@login_required
def ceremony(request, pk: int):
    draw = _draw_for(request, pk)
    services.ensure_operator(request.user, draw.scheme)
    errors: list[str] = []
    if request.method == "POST":
        names, units = request.POST.getlist("witness_name"), request.POST.getlist("witness_unit")
        witnesses = [{"name": n, "unit": u} for n, u in zip(names, units, strict=False)]
        reveals = {
            s["name"]: request.POST.get(f"reveal_{s['name']}", "")
            for s in draw.sources
            if s["kind"] != "secret"
        }
        thrown_by = {
            s["name"]: request.POST.get(f"thrown_by_{s['name']}", "")
            for s in draw.sources
            if s["kind"] == "digits"
        }
        try:
            draw = services.draw_perform(
                actor=request.user, draw=draw, witnesses=witnesses, reveals=reveals, thrown_by=thrown_by
            )
        except RowInvalid as e:
            errors = _errors(e)
        else:
            if draw.status == DrawStatus.FAILED:
                messages.error(request, f"抽取失败：{draw.failure}。请补充人员后重新抽取。")
            else:
                messages.success(request, "抽取完成，证书已生成。")
            return redirect(f"/draws/{draw.pk}/")
    return render(
        request,
        "web/draw_ceremony.html",
        {
            "draw": draw,
            "errors": errors,
            "witness_rows": _witness_rows(request.POST),
            "source_rows": _source_rows(draw, request.POST),
            "fingerprint": services.fingerprint(draw),
        },
    )


def _witness_rows(post) -> list[tuple[int, str, str]]:
    """(n, name, unit): the witnesses typed so far, kept after a refusal, with at least three rows to fill."""
    names, units = post.getlist("witness_name"), post.getlist("witness_unit")
    count = max(3, len(names), len(units))
    count = min(count, 20)
    names += [""] * (count - len(names))
    units += [""] * (count - len(units))
    return [(n, names[n - 1], units[n - 1]) for n in range(1, count + 1)]


def _source_rows(draw, post) -> list[dict]:
    """The public sources to reveal, each with its label, format and example, and what was typed."""
    return [
        {
            "name": s["name"],
            "kind": s["kind"],
            "label": source_label(s["name"], s["kind"]),
            "format": SOURCE_FORMATS.get(s["kind"], ""),
            "value": post.get(f"reveal_{s['name']}", ""),
            "thrown_by": post.get(f"thrown_by_{s['name']}", ""),
        }
        for s in draw.sources
        if s["kind"] != "secret"
    ]


def _public_files(draw) -> list[str]:
    return services.files_before_ceremony(services.public_file_names(draw), draw, certificate=True)


def _full_files(draw) -> list[str]:
    return services.files_before_ceremony(DRAW_FILES, draw, certificate=True)


def _file_response(path, name: str):
    if not path.exists():
        raise Http404
    content_type = "application/json" if name.endswith(".json") else "text/csv"
    response = FileResponse(open(path, "rb"), content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f"attachment; filename={name}"
    return response


@require_GET
@login_required
def draw_file(request, pk: int, name: str):
    """The public files of a draw: what the portal serves, also for internal users without draw.read_sealed."""
    draw = _draw_for(request, pk)
    if name not in _public_files(draw):
        raise Http404
    return _file_response(services.public_dir(draw) / name, name)


@require_GET
@login_required
def full_file(request, pk: int, name: str):
    """The full DRAW-v1 files of a sealed draw (draw.read_sealed); every download is audited."""
    draw = get_object_or_404(scoping.sealed_draws_for(request.user), pk=pk)
    if not draw.sealed or name not in _full_files(draw):
        raise Http404
    files = services.sealed_files_read(actor=request.user, draw=draw, reason=f"下载 {name}")
    return _file_response(files[name], name)


@require_POST
@login_required
def substitute_object(request, pk: int, sel_pk: int):
    draw = _draw_for(request, pk)
    sel = get_object_or_404(Selection, draw=draw, pk=sel_pk)
    try:
        new = services.selection_substitute(
            actor=request.user,
            selection=sel,
            reason_code=request.POST.get("reason_code", ""),
            note=request.POST.get("note", ""),
        )
        messages.success(request, f"已由候补对象 {new.object.name} 替换，替换记录已公示。")
    except RowInvalid as e:
        for m in _errors(e):
            messages.error(request, m)
    return redirect(_back_to(draw, request.POST.get("back", "")))


@require_POST
@login_required
def substitute_member(request, pk: int, member_pk: int):
    draw = _draw_for(request, pk)
    member = get_object_or_404(TeamMember, selection__draw=draw, pk=member_pk)
    try:
        new = services.member_substitute(
            actor=request.user,
            member=member,
            reason_code=request.POST.get("reason_code", ""),
            note=request.POST.get("note", ""),
        )
        messages.success(request, f"已由 {new.inspector.name} 替换，替换记录已公示。")
    except RowInvalid as e:
        for m in _errors(e):
            messages.error(request, m)
    return redirect(_back_to(draw, request.POST.get("back", "")))


def _register(request, pk: int, sel_pk: int | None):
    """The draw and its 登记表 rows, each team cut to what the user's department may see."""
    draw = get_object_or_404(scoping.register_draws_for(request.user), pk=pk)
    if draw.status != DrawStatus.DRAWN:
        raise Http404
    selections = scoping.register_selections_for(request.user, draw, active_selections(draw))
    if not selections.exists():
        raise Http404
    if sel_pk is not None:
        selections = selections.filter(pk=sel_pk)
        if not selections.exists():
            raise Http404
    rows = register_rows(draw, selections)
    for r in rows:
        members = [m for m in r["selection"].team.all() if m.active]
        visible = scoping.team_members_visible(request.user, draw.scheme, members)
        r["team"] = [(m.department.short_name, m.inspector.name, m.inspector.cert_no) for m in visible]
        if r["code"]:
            r["verify_url"] = verify_url(request, r["code"].code)
    return draw, rows


@require_GET
@login_required
def register_page(request, pk: int, sel_pk: int | None = None):
    draw, rows = _register(request, pk, sel_pk)
    for r in rows:
        if r["code"]:
            # segno writes the SVG from the URL alone; nothing of it is user-controlled markup.
            r["qr"] = mark_safe(visit_qr_svg(r["verify_url"]))
    return render(
        request,
        "web/register.html",
        {"draw": draw, "rows": rows, "verify_form_url": verify_form_url(request)},
    )


@require_GET
@login_required
def visit_qr(request, pk: int, sel_pk: int):
    """The QR code of an object's 核验码, for the draw page (the 登记表 carries it inline)."""
    draw = _draw_for(request, pk)
    selection = get_object_or_404(Selection.objects.select_related("visit_code"), draw=draw, pk=sel_pk)
    code = getattr(selection, "visit_code", None)
    if code is None:
        raise Http404
    svg = visit_qr_svg(verify_url(request, code.code))
    svg = svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_GET
@login_required
def register_xlsx(request, pk: int, sel_pk: int | None = None):
    draw, rows = _register(request, pk, sel_pk)
    body = register_workbook(draw, rows)
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    filename = f"登记表-{draw.draw_id}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@require_GET
@login_required
def firm_proof(request, pk: int):
    """本户证明: the JSON a firm checks with `shuangsuiji verify-proof` (draw.read_sealed; audited)."""
    draw = get_object_or_404(scoping.sealed_draws_for(request.user), pk=pk)
    code = (request.GET.get("object") or "")[:64]
    try:
        proof = services.firm_proof_issue(actor=request.user, draw=draw, object_code=code)
    except RowInvalid as e:
        for m in _errors(e):
            messages.error(request, m)
        return redirect(f"/draws/{draw.pk}/")
    response = HttpResponse(
        json.dumps(proof, ensure_ascii=False, indent=1) + "\n", content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f"attachment; filename=proof-{proof['object_id']}.json"
    return response
