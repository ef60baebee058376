"""The draw over /api/v1: freeze → ceremony → certificate → teams → substitutions → 登记表.

Thin endpoints over the same scoped selectors and services as the pages (`web/views_draws.py`): a draw is found
through `scoping.draws_for`, so another department's draw is simply not found (404) unless that department takes part
in the task; team members are cut by `scoping.team_members_visible` everywhere they appear. Each step is one call of
`draws.services`, which checks the operator again, happens once (a second attempt is refused with 409) and audits.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status

from shuangsuiji.accounts import scoping
from shuangsuiji.draws import services
from shuangsuiji.draws.forms_register import active_selections, register_rows, register_workbook
from shuangsuiji.draws.models import DrawStatus, Selection, SubstitutionKind, TeamMember
from shuangsuiji.draws.papers import batch_papers, papers_workbook
from shuangsuiji.draws.visit_codes import verify_url

from .draws_schemas import (
    CertificateOut,
    DrawFileName,
    DrawOut,
    FreezeIn,
    MemberOut,
    PapersQuery,
    PerformIn,
    PublicCertificateOut,
    ReasonIn,
    RegisterPage,
    SelectionFilters,
    SelectionOut,
    SelectionPage,
    SubstitutionOut,
    available_files,
)
from .schemas import READ_ERRORS, WRITE_ERRORS, ErrorOut, Paging, PathId, ValidationErrorOut, page_of

router = Router(tags=["抽取"])

# A step that already happened, or cannot happen in the draw's current state, is a conflict: 409 with the reason.
STEP_ERRORS = {**WRITE_ERRORS, 409: ValidationErrorOut}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _draw(request, id: int):
    draw = get_object_or_404(scoping.draws_for(request.auth).select_related("redraw_of"), pk=id)
    # Without draw.read_sealed a sealed draw reads as the public sees it (DRAW-v1.1): no strata, ranks, priorities.
    draw.public_view = not scoping.sees_strata(request.auth, draw)
    draw.full_access = draw.sealed and scoping.can_read_sealed(request.auth, draw)
    return draw


def _visible(request, draw, members) -> list:
    return scoping.team_members_visible(request.auth, draw.scheme, members)


@router.post("/schemes/{id}/freeze", response={201: DrawOut, **STEP_ERRORS}, tags=["抽取"])
def freeze(request, id: PathId, payload: FreezeIn):
    """冻结名单：生成并保存 DRAW-v1 文件与服务器密钥，公示承诺值与公告的随机源。已冻结或已抽取的方案须写明重新
    抽取理由（原抽取记录继续公开）。"""
    scheme = get_object_or_404(scoping.schemes_for(request.auth), pk=id)
    draw = services.draw_freeze(
        actor=request.auth,
        scheme=scheme,
        sources=[s.model_dump(exclude_none=True) for s in payload.sources],
        announced=payload.announced,
        redraw_reason=payload.redraw_reason,
        hash_name=payload.hash,
    )
    return Status(201, _draw(request, draw.pk))


@router.get("/draws/{id}", response={200: DrawOut, **READ_ERRORS})
def get_draw(request, id: PathId):
    """抽取：状态、承诺值、params.json、名单规模、随机源、监督人员；抽取后还有种子与公开的随机源值。"""
    return _draw(request, id)


@router.post("/draws/{id}/perform", response={200: DrawOut, **STEP_ERRORS})
def perform(request, id: PathId, payload: PerformIn):
    """抽取仪式：登记监督人员，输入公告随机源的值，公开服务器密钥，计算并保存证书、抽取结果和检查组。每次抽取只能
    进行一次：并发或重复的请求得到 409。人员不足以组成检查组时抽取失败（status=failed，failure 写明原因），须重新
    抽取。"""
    draw = _draw(request, id)
    services.draw_perform(
        actor=request.auth,
        draw=draw,
        witnesses=[w.model_dump() for w in payload.witnesses],
        reveals=dict(payload.reveals),
        thrown_by=dict(payload.thrown_by),
    )
    return _draw(request, draw.pk)


@router.get("/draws/{id}/selections", response={200: SelectionPage, **READ_ERRORS})
def list_selections(request, id: PathId, filters: Query[SelectionFilters], paging: Query[Paging]):
    """抽中对象与候补（按分层、类型、序位），及各对象的检查组（牵头部门看到全组，参加部门只看到本部门成员）。"""
    draw = _draw(request, id)
    members = TeamMember.objects.filter(active=True).select_related("inspector", "department")
    qs = filters.apply(
        Selection.objects.filter(draw=draw)
        .select_related("object", "visit_code")
        .prefetch_related(Prefetch("team", queryset=members))
        .order_by("stratum", "role", "rank")
    )
    if draw.public_view:
        qs = qs.order_by("role", "object__code")
    page = page_of(qs, paging)
    for sel in page["results"]:
        sel.visible_team = _visible(request, draw, list(sel.team.all()))
        if draw.public_view:
            sel.stratum, sel.rank, sel.priority = "", 0, ""
    return page


@router.get(
    "/draws/{id}/files/{name}",
    response={**READ_ERRORS},
    openapi_extra={
        "responses": {
            200: {
                "description": "文件内容（params.json、result.json 为 JSON，其余为 CSV）",
                "content": {"application/json": {}, "text/csv": {}},
            }
        }
    },
)
def get_file(request, id: PathId, name: DrawFileName):
    """下载 DRAW-v1 文件，用于独立核验（shuangsuiji verify）。result.json 在抽取后才有（被重新抽取取代后仍公开）。"""
    draw = _draw(request, id)
    if name not in available_files(draw):
        raise Http404
    if draw.full_access and name in services.FULL_FILES:
        path = services.sealed_files_read(actor=request.auth, draw=draw, reason=f"API 下载 {name}")[name]
    else:
        path = services.public_dir(draw) / name
    if not path.exists():
        raise Http404
    content_type = "application/json" if name.endswith(".json") else "text/csv"
    response = FileResponse(open(path, "rb"), content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f"attachment; filename={name}"
    return response


@router.get("/draws/{id}/certificate", response={200: CertificateOut, 403: ErrorOut, **READ_ERRORS})
def get_certificate(request, id: PathId):
    """抽取证书（result.json 的内容）；抽取完成后才有。密封分层的完整证书需要 draw.read_sealed 权限（牵头部门管理员、
    联席会议办公室、审计管理员），每次读取记入审计；其他人用 /draws/{id}/public-certificate。"""
    draw = _draw(request, id)
    if not draw.certificate_json:  # a computed certificate stays public, also once a redraw superseded it
        raise Http404
    if draw.public_view:
        raise PermissionDenied(
            "该抽取为密封分层，完整证书含各对象的分层；请用 /draws/{id}/public-certificate 读取公开证书".replace(
                "{id}", str(draw.pk)
            )
        )
    if draw.sealed:
        services.sealed_files_read(actor=request.auth, draw=draw, reason="API 读取完整证书")
    return json.loads(draw.certificate_json)


@router.get("/draws/{id}/public-certificate", response={200: PublicCertificateOut, **READ_ERRORS})
def get_public_certificate(request, id: PathId):
    """密封分层（DRAW-v1.1）抽取的公开证书 result-public.json：入选和候补对象按编号排列，不含分层、序位和优先值。
    非密封的抽取没有公开证书（其 result.json 本身就是公开的）。"""
    draw = _draw(request, id)
    if not draw.public_certificate_json:
        raise Http404
    return json.loads(draw.public_certificate_json)


@router.post("/draws/{id}/selections/{selection}/substitute", response={200: SelectionOut, **STEP_ERRORS})
def substitute_selection(request, id: PathId, selection: PathId, payload: ReasonIn):
    """无法检查的对象由同一分层的下一个候补替换（规范 §8）；检查组随之移到新对象。返回替换上来的对象。"""
    draw = _draw(request, id)
    sel = get_object_or_404(Selection, draw=draw, pk=selection)
    new = services.selection_substitute(
        actor=request.auth, selection=sel, reason_code=payload.reason_code, note=payload.note
    )
    new = Selection.objects.select_related("object", "visit_code").get(pk=new.pk)
    team = TeamMember.objects.filter(selection=new, active=True).select_related("inspector", "department")
    new.visible_team = _visible(request, draw, list(team))
    return new


@router.post("/draws/{id}/members/{member}/substitute", response={200: MemberOut, **STEP_ERRORS})
def substitute_member(request, id: PathId, member: PathId, payload: ReasonIn):
    """不能参加检查的人员按规范 §8 的规则替换。返回替换上来的成员。"""
    draw = _draw(request, id)
    m = get_object_or_404(TeamMember.objects.select_related("department"), selection__draw=draw, pk=member)
    if not _visible(request, draw, [m]):
        raise Http404
    new = services.member_substitute(
        actor=request.auth, member=m, reason_code=payload.reason_code, note=payload.note
    )
    return TeamMember.objects.select_related("inspector", "department").get(pk=new.pk)


@router.get("/draws/{id}/substitutions", response={200: list[SubstitutionOut], **READ_ERRORS})
def list_substitutions(request, id: PathId):
    """抽取后的替换记录（什么被什么替换、公开理由、操作人、时间），按时间顺序；内部说明只给有权限的人。"""
    draw = _draw(request, id)
    subs = draw.substitutions.select_related(
        "draw__scheme",
        "old_selection__object",
        "new_selection__object",
        "old_member__inspector",
        "old_member__department",
        "old_member__selection__object",
        "new_member__inspector",
        "new_member__department",
    )
    out = [s for s in subs if s.kind != SubstitutionKind.INSPECTOR or _visible(request, draw, [s.old_member])]
    for s in out:
        s.visible_note = s.note if scoping.sees_substitution_note(request.auth, s) else ""
    return out


def _register_selections(request, id: int):
    draw = _draw(request, id)
    if draw.status != DrawStatus.DRAWN:
        raise Http404
    return draw, active_selections(draw)


def _register_rows(request, draw, selections) -> list[dict]:
    rows = register_rows(draw, selections)
    for r in rows:
        sel = r["selection"]
        members = _visible(request, draw, [m for m in sel.team.all() if m.active])
        r["team"] = [(m.department.short_name, m.inspector.name, m.inspector.cert_no) for m in members]
    return rows


@router.get("/draws/{id}/register", response={200: RegisterPage, **READ_ERRORS})
def get_register(request, id: PathId, paging: Query[Paging]):
    """《市场主体执法检查登记表》：每个有效的抽中对象一行，含事项、方式、期限和检查人员（姓名、执法证号）。"""
    draw, selections = _register_selections(request, id)
    page = page_of(selections, paging)
    page["results"] = [
        {
            "selection": r["selection"].pk,
            "task_no": r["task_no"],
            "object": r["object"],
            "items": r["items"],
            "methods": r["methods"],
            "window": r["window"],
            "team": [{"department": d, "name": n, "cert_no": c} for d, n, c in r["team"]],
            "visit_code": r["code"].display if r["code"] else None,
            "verify_url": verify_url(request, r["code"].code) if r["code"] else None,
        }
        for r in _register_rows(request, draw, page["results"])
    ]
    return page


@router.get(
    "/draws/{id}/register.xlsx",
    response={**READ_ERRORS},
    openapi_extra={"responses": {200: {"description": "登记表（xlsx，A4 横向）", "content": {XLSX: {}}}}},
)
def get_register_xlsx(request, id: PathId):
    """《市场主体执法检查登记表》xlsx（全部抽中对象）。"""
    draw, selections = _register_selections(request, id)
    body = register_workbook(draw, _register_rows(request, draw, selections))
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'登记表-{draw.draw_id}.xlsx')}"
    return response


@router.get(
    "/draws/{id}/papers.xlsx",
    response={**READ_ERRORS},
    openapi_extra={
        "responses": {
            200: {"description": "随机抽查检查记录表（xlsx，每个检查对象一个工作表）", "content": {XLSX: {}}}
        }
    },
)
def get_papers_xlsx(request, id: PathId, query: Query[PapersQuery]):
    """随机抽查检查记录表（检查事项表）xlsx：每个有效抽中对象一个工作表，预填对象、事项及检查子项、检查组（姓名、执法证号）；
    `member` 只含该检查人员的检查对象。参加部门只看到本部门成员和本部门事项。与页面 /draws/{id}/papers.xlsx 相同。"""
    draw, _ = _register_selections(request, id)
    papers, member, _ = batch_papers(request.auth, draw, member=query.member)
    if query.member is not None and member is None:
        raise Http404
    response = HttpResponse(papers_workbook(papers), content_type=XLSX)
    name = f"检查记录表-{draw.draw_id}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
