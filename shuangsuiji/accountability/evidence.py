"""The 照单免责 evidence pack of one inspection (art. 20: 尽职照单免责，失职照单问责).

An inspector who did what the list, the plan and the scheme required is exempt from liability when a firm that was not
drawn, or was drawn and passed, later turns out to have a problem. Proving that later needs the whole chain in one
place, checkable by someone who does not trust the platform: the plan, the scheme, the draw that chose the object and
the team (with its DRAW-v1 files, so `shuangsuiji verify draw` recomputes it), the record and its attachments, when it
was published, and the audit events of each of them with their chain MACs. MANIFEST.sha256 lists every other file in
`sha256sum -c` format.

Building a pack only reads. Personal data (ID numbers, phones) never enters it.
"""

from __future__ import annotations

import hashlib
import tempfile
import zipfile
from typing import IO, Any

from django.db.models import Q
from django.utils import timezone

from shuangsuiji import draw as engine
from shuangsuiji.accounts import scoping
from shuangsuiji.audit.chain import canonical, chain_key, mac_of
from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.draws.models import Draw, Substitution, TeamMember
from shuangsuiji.draws.services import FULL_FILES, PUBLIC_DIR, draw_dir
from shuangsuiji.inspections.models import InspectionRecord

from .packing import NO_DRAW, display_name, json_default, plan_part, safe_suffix, scheme_part, to_json

DRAW_FILES = list(FULL_FILES)  # the DRAW-v1 files and the ceremony record (who witnessed the draw)
MANIFEST = "MANIFEST.sha256"


def _versions(rec: InspectionRecord) -> list[InspectionRecord]:
    """Every version of the record, oldest first."""
    first = rec
    while first.corrects_id:
        first = InspectionRecord.objects.get(pk=first.corrects_id)
    chain = [first]
    while (nxt := InspectionRecord.objects.filter(corrects=chain[-1]).first()) is not None:
        chain.append(nxt)
    return chain


# --- the parts --------------------------------------------------------------------------------------------------------


def _commitment(draw: Draw) -> str:
    witnesses = "、".join(f"{w.name}（{w.unit}）" for w in draw.witnesses.all()) or "（无）"
    lines = [
        f"抽取编号：{draw.draw_id}",
        f"状态：{draw.get_status_display()}",
        f"哈希算法：{draw.hash_name}",
        *(
            [
                "本次抽取为密封分层（DRAW-v1.1）：分层依据不公开的信用风险分类，公众只看到 draw/public/ 中的投影。",
                f"公开承诺值（params-public.json 的哈希，冻结名单时公示）：{draw.commitment}",
                f"完整文件承诺值（draw/params.json 的哈希，包含在公开承诺中）：{draw.full_commitment}",
            ]
            if draw.sealed
            else [f"承诺值（params.json 的哈希，冻结名单时公示）：{draw.commitment}"]
        ),
        f"冻结时间：{json_default(draw.frozen_at)}",
        f"公告的随机源：{draw.announced}",
        f"抽取时间：{json_default(draw.drawn_at) if draw.drawn_at else '（未抽取）'}",
        f"种子：{draw.seed or '（无）'}",
        f"监督人员：{witnesses}",
    ]
    if draw.redraw_of_id:
        lines.append(f"本次为重新抽取，取代 {draw.redraw_of.draw_id}，理由：{draw.redraw_reason}")
    lines += [
        "",
        "验证方法：",
        "  shuangsuiji commit draw      # 输出的承诺值应与上面的承诺值一致",
        "  shuangsuiji verify draw      # 重新计算抽取结果和检查组，一致则输出“通过”",
    ]
    if draw.sealed:
        lines.append("  shuangsuiji verify draw --public draw/public   # 公开文件是完整文件的确切投影")
    lines.append("（未安装时可用 python -m shuangsuiji.draw 代替 shuangsuiji）")
    return "\n".join(lines) + "\n"


def _member(m: TeamMember) -> dict[str, Any]:
    return {
        "order": m.order,
        "department": m.department.name,
        "name": m.inspector.name,
        "cert_no": m.inspector.cert_no,
        "active": m.active,
        "cap_relaxed": m.cap_relaxed,
    }


def _team(rec: InspectionRecord, user) -> dict[str, Any]:
    present = [
        {"name": m.inspector.name, "cert_no": m.inspector.cert_no, "department": m.inspector.department.name}
        for m in rec.members.select_related("inspector__department").order_by("inspector__cert_no")
    ]
    if rec.selection_id is None:
        return {"note": NO_DRAW + "到场检查人员由录入部门登记。", "present": present}
    sel = rec.selection
    scheme = sel.draw.scheme
    members = (
        TeamMember.objects.filter(selection=sel)
        .select_related("inspector", "department")
        .order_by("order", "id")
    )
    # A participating department of a joint task sees its own members only (the lead sees the whole team).
    visible = scoping.team_members_visible(user, scheme, members)
    visible_ids = {m.pk for m in visible}
    subs = Substitution.objects.filter(
        Q(old_selection=sel)
        | Q(new_selection=sel)
        | Q(old_member__selection=sel)
        | Q(new_member__selection=sel),
        draw=sel.draw,
    ).select_related(
        "draw__scheme",
        "old_selection__object",
        "new_selection__object",
        "old_member__inspector",
        "new_member__inspector",
    )
    substitutions = []
    for s in subs:
        if s.old_member_id and s.old_member_id not in visible_ids and s.new_member_id not in visible_ids:
            continue
        entry: dict[str, Any] = {
            "kind": s.get_kind_display(),
            "reason_code": s.reason_code,
            "reason": s.reason_label,
            # The internal note only for those who may read it (it may name a person's circumstances).
            "note": s.note if scoping.sees_substitution_note(user, s) else "",
            "by": s.by_name,
            "at": s.at,
        }
        if s.kind == "object":
            entry |= {"old_object": s.old_selection.object.name, "new_object": s.new_selection.object.name}
        else:
            entry |= {
                "old_inspector": s.old_member.inspector.name,
                "old_cert_no": s.old_member.inspector.cert_no,
                "new_inspector": s.new_member.inspector.name if s.new_member_id else None,
                "new_cert_no": s.new_member.inspector.cert_no if s.new_member_id else None,
            }
        substitutions.append(entry)
    return {
        "draw_id": sel.draw.draw_id,
        "object": {"code": sel.object.code, "name": sel.object.name},
        "stratum": sel.stratum,
        "rank": sel.rank,
        "role": sel.get_role_display(),
        "active": sel.active,
        "members": [_member(m) for m in visible],
        "substitutions": substitutions,
        "present": present,
    }


def _record(rec: InspectionRecord) -> tuple[dict[str, Any], dict[str, bytes]]:
    files: dict[str, bytes] = {}
    attachments = []
    for att in rec.attachments.select_related("uploaded_by").order_by("id"):
        # Stored under the id, not the uploaded name: a name may hold characters that sha256sum escapes.
        path = f"attachments/{att.pk}{safe_suffix(att.original_name)}"
        entry = {
            "id": att.pk,
            "kind": att.kind,
            "original_name": att.original_name,
            "sha256": att.sha256,
            "size": att.size,
            "content_type": att.content_type,
            "uploaded_by": display_name(att.uploaded_by),
            "uploaded_at": att.uploaded_at,
        }
        try:
            with att.file.open("rb") as f:
                data = f.read()
        except (FileNotFoundError, OSError):
            entry["missing"] = "附件文件在存储中找不到"
        else:
            files[path] = data
            entry["path"] = path
            entry["sha256_matches"] = hashlib.sha256(data).hexdigest() == att.sha256
        attachments.append(entry)
    data = {
        "id": rec.pk,
        "version": rec.version,
        "corrects": rec.corrects_id,
        "correction_reason": rec.correction_reason,
        "kind": rec.get_kind_display(),
        "status": rec.get_status_display(),
        "object": {"code": rec.object.code, "name": rec.object.name},
        "department": rec.department.name,
        "trigger": rec.trigger,
        "trigger_ref": rec.trigger_ref,
        "methods": rec.methods,
        "inspection_date": rec.inspection_date,
        "outside_window_reason": rec.outside_window_reason,
        "cert_shown": rec.cert_shown,
        "signature": rec.get_signature_display() if rec.signature else "",
        "signature_reason": rec.signature_reason,
        "witness": rec.witness,
        "agency": rec.agency,
        "agency_report": rec.agency_report,
        "categories": rec.categories,
        "measures": rec.measures,
        "measure_note": rec.measure_note,
        "note": rec.note,
        "result_date": rec.result_date,
        "late_result_reason": rec.late_result_reason,
        "created_by": display_name(rec.created_by),
        "created_at": rec.created_at,
        "item_results": [
            {
                "item": r.item.code,
                "name": r.item.name,
                "checked": r.checked,
                "problem_found": r.problem_found,
                "disposal": r.disposal,
            }
            for r in rec.item_results.select_related("item")
        ],
        "attachments": attachments,
        "transfers": [
            {
                "kind": t.get_kind_display(),
                "to": str(t.to_department or t.to_agency),
                "basis": t.basis,
                "content": t.content,
                "sent_at": t.sent_at,
                "due": t.due,
                "due_provisional": t.due_pending_year is not None,
                "receipt_no": t.receipt_no,
                "receipt_date": t.receipt_date,
                "status": t.get_status_display(),
                "outcome": t.outcome,
            }
            for t in rec.transfers.select_related("to_department").order_by("sent_at", "id")
        ],
        "listing_proposals": [
            {
                "reason": p.reason,
                "department": p.department.name,
                "due": p.due,
                "status": p.get_status_display(),
            }
            for p in rec.listing_proposals.select_related("department").order_by("id")
        ],
    }
    return data, files


def _publication(rec: InspectionRecord, versions: list[InspectionRecord]) -> dict[str, Any]:
    published_on = timezone.localtime(rec.published_at).date() if rec.published_at else None
    return {
        "status": rec.get_status_display(),
        "result_date": rec.result_date,
        "deadline": rec.deadline,
        "deadline_provisional": rec.deadline_pending_year is not None,
        "deadline_note": rec.deadline_note,
        "published_at": rec.published_at,
        "on_time": (published_on <= rec.deadline) if published_on and rec.deadline else None,
        "reviewer": display_name(rec.reviewed_by),
        "review_comment": rec.review_comment,
        "withhold_requested": rec.withhold_requested,
        "withhold_reason": rec.withhold_reason,
        "versions": [
            {
                "id": v.pk,
                "version": v.version,
                "status": v.get_status_display(),
                "published_at": v.published_at,
            }
            for v in versions
        ],
    }


def _targets(rec: InspectionRecord, versions: list[InspectionRecord]) -> Q:
    pairs: list[tuple[str, list[int]]] = [
        ("inspections.inspectionrecord", [v.pk for v in versions]),
        ("inspections.transfer", [t for v in versions for t in v.transfers.values_list("pk", flat=True)]),
        (
            "inspections.listingproposal",
            [p for v in versions for p in v.listing_proposals.values_list("pk", flat=True)],
        ),
    ]
    if rec.selection_id:
        scheme = rec.selection.draw.scheme
        pairs.append(("draws.draw", list(scheme.draws.values_list("pk", flat=True))))
        pairs.append(("planning.taskscheme", [scheme.pk]))
        if scheme.plan_id:
            pairs.append(("planning.annualplan", [scheme.plan_id]))
    q = Q(pk__in=[])
    for label, ids in pairs:
        if ids:
            q |= Q(target_type=label, target_id__in=[str(i) for i in ids])
    return q


def _audit(rec: InspectionRecord, versions: list[InspectionRecord]) -> dict[str, Any]:
    try:
        key: bytes | None = chain_key()
    except RuntimeError:
        key = None
    events = []
    for e in AuditEvent.objects.filter(_targets(rec, versions)).order_by("seq", "id"):
        events.append(
            {
                "id": e.id,
                "seq": e.seq,
                "at": e.at.isoformat(timespec="microseconds"),
                "actor_id": e.actor_id,
                "actor_name": e.actor_name,
                "department_id": e.department_id,
                "action": e.action,
                "target_type": e.target_type,
                "target_id": e.target_id,
                "target_repr": e.target_repr,
                "before": e.before,
                "after": e.after,
                "reason": e.reason,
                "ip": e.ip,
                "prev_mac": e.prev_mac,
                "mac": e.mac,
                # Checked with the server's key when the pack was made; the auditor's verify_audit checks the whole
                # chain (these events are a part of it, so their prev_mac links point to events not in the pack).
                "mac_ok": (e.mac == mac_of(key, e.prev_mac, canonical(e))) if key and e.seq else None,
            }
        )
    return {
        "note": "检查记录（含各更正版本）、其移交和列入名录建议、抽取、工作方案和年度计划的全部审计事件。"
        "mac = HMAC-SM3(审计密钥, prev_mac + '|' + 事件规范内容)；完整链条由审计管理员用 verify_audit 校验。",
        "events": events,
    }


def _readme(rec: InspectionRecord, has_draw: bool) -> str:
    lines = [
        f"照单免责证据包：检查记录 {rec.pk}（{rec.object.name}，{rec.department.name}，{rec.inspection_date}）",
        f"生成时间：{json_default(timezone.now())}",
        "",
        "plan.json        年度抽查计划的批准版本（或计划外/非随机检查的说明）",
        "scheme.json      抽查工作方案",
    ]
    if has_draw:
        lines += [
            "draw/            DRAW-v1 抽取文件夹（与公示的文件逐字节相同）；shuangsuiji verify draw 可重新计算",
            "commitment.txt   承诺值、随机源、监督人员",
        ]
    else:
        lines.append(f"（无 draw/ 与承诺值）{NO_DRAW}")
    lines += [
        "team.json        检查组（姓名、执法证号、部门）、抽取后的替换、到场人员",
        "record.json      检查记录、分事项结果、附件（sha256）、后续处置移交；附件文件在 attachments/",
        "publication.json 公示时间、公示期限、审核人",
        "audit.json       相关审计事件（含链序号 seq、prev_mac、mac）",
        "MANIFEST.sha256  以上每个文件的 SHA-256；在解压目录中运行 sha256sum -c MANIFEST.sha256 校验",
    ]
    return "\n".join(lines) + "\n"


# --- the pack --------------------------------------------------------------------------------------------------------


def evidence_files(rec: InspectionRecord, *, user) -> dict[str, bytes]:
    """Every file of the pack by its path, MANIFEST.sha256 last. `user` decides which joint-team members show."""
    rec = InspectionRecord.objects.select_related(
        "object",
        "department",
        "created_by",
        "reviewed_by",
        "selection__object",
        "selection__draw__scheme__department",
        "selection__draw__scheme__plan__department",
        "selection__draw__scheme__batch",
        "selection__draw__redraw_of",
    ).get(pk=rec.pk)
    draw = rec.selection.draw if rec.selection_id else None
    scheme = draw.scheme if draw else None
    versions = _versions(rec)
    files: dict[str, bytes] = {"README.txt": _readme(rec, draw is not None).encode("utf-8")}
    files["plan.json"] = to_json(plan_part(scheme))
    files["scheme.json"] = to_json(scheme_part(scheme))
    if draw is not None:
        folder = draw_dir(draw)
        for name in DRAW_FILES:
            path = folder / name
            if path.exists():
                files[f"draw/{name}"] = path.read_bytes()
        if draw.sealed:
            for name in (*engine.PUBLIC_FILES, engine.PUBLIC_RESULT, engine.CEREMONY):
                path = folder / PUBLIC_DIR / name
                if path.exists():
                    files[f"draw/public/{name}"] = path.read_bytes()
        files["commitment.txt"] = _commitment(draw).encode("utf-8")
    files["team.json"] = to_json(_team(rec, user))
    record_data, attachments = _record(rec)
    files["record.json"] = to_json(record_data)
    files |= attachments
    files["publication.json"] = to_json(_publication(rec, versions))
    files["audit.json"] = to_json(_audit(rec, versions))
    files[MANIFEST] = "".join(f"{hashlib.sha256(files[p]).hexdigest()}  {p}\n" for p in sorted(files)).encode(
        "utf-8"
    )
    return files


def write_zip(files: dict[str, bytes], out: IO[bytes]) -> None:
    stamp = timezone.localtime().timetuple()[:6]
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for path, data in files.items():
            info = zipfile.ZipInfo(path, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)


def evidence_zip(rec: InspectionRecord, *, user) -> IO[bytes]:
    """The pack as a ZIP in a temporary file (spilled to disk past 16 MB: attachments can be large), at offset 0."""
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)
    write_zip(evidence_files(rec, user=user), out)
    out.seek(0)
    return out
