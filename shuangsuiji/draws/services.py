"""Freeze → ceremony → teams → substitutions. Each step is one audited service and happens once."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import re
import secrets
import shutil
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from shuangsuiji import draw as engine
from shuangsuiji import labels
from shuangsuiji.accounts import scoping
from shuangsuiji.accounts.models import Role
from shuangsuiji.accounts.scoping import ensure_own_department
from shuangsuiji.audit.services import record
from shuangsuiji.bulk import bulk_insert
from shuangsuiji.directory.models import InspectionObject, Inspector, ItemCategory
from shuangsuiji.directory.rows import RowInvalid
from shuangsuiji.org.models import Department
from shuangsuiji.outbox.services import outbox_emit
from shuangsuiji.planning.archiving import ensure_task_open
from shuangsuiji.planning.models import RAISED_STRATUM, TRUSTED_STRATUM, SchemeStatus, TaskScheme
from shuangsuiji.planning.services import scheme_set_status, slots_without_consent

from .freezing import build_inputs
from .labels import FIELD_LABELS, SUBSTITUTION_REASONS, substitution_reason_label
from .models import (
    Draw,
    DrawStatus,
    Selection,
    SelectionRole,
    Substitution,
    SubstitutionKind,
    TeamMember,
    Witness,
)
from .strata import scheme_plan
from .visit_codes import visit_codes_issue

SOURCE_KINDS = {"numbers": "彩票开奖号码", "digits": "现场掷骰数字"}


def source_field(source: dict[str, Any]) -> str:
    """How a refusal names a source: 随机源（彩票开奖号码）, never the bare code "lottery"."""
    return f"随机源（{labels.source_label(source.get('name') or '', source.get('kind') or '')}）"


# Full-width digits and separators typed with a Chinese input method → their half-width forms (issue 15, item 6).
# Explicit rather than NFKC: NFKC would also turn "²" or "①" into digits, which nobody types for a lottery ball.
_HALF_WIDTH = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        "，": ",",
        "、": ",",
        "；": ";",
        "．": ".",
        "。": ".",
        "　": " ",
    }
)
_NUMBERS = re.compile(r"[\s,.;/]*[0-9]+(?:[\s,.;/]+[0-9]+)*[\s,.;/]*")


def normalise_reveal(kind: str, value: str) -> str:
    """A revealed value as the engine expects it, before DRAW-v1 canonicalises it (shuangsuiji/draw/seed.py).

    Half-width input passes through unchanged, so the canonical value in the certificate is what it always was;
    only forms the engine would refuse change: full-width digits and separators, and dice grouped with spaces."""
    text = (value or "").translate(_HALF_WIDTH).strip()
    if kind == "digits":
        text = re.sub(r"\s+", "", text)
    return text


def reveal_errors(source: dict[str, Any], value: str) -> list[tuple[str, str]]:
    """What is wrong with a (normalised) revealed value, in words, with the format it takes."""
    field, kind = source_field(source), source.get("kind")
    if not value:
        return [(field, f"请输入公开随机源的值。{labels.SOURCE_FORMATS.get(kind, '')}")]
    if kind == "numbers" and not _NUMBERS.fullmatch(value):
        return [(field, f"开奖号码“{value[:40]}”只能含数字和分隔符。{labels.SOURCE_FORMATS['numbers']}")]
    if kind == "digits" and not (value.isascii() and value.isdigit()):
        return [(field, f"掷骰结果“{value[:40]}”只能含数字。{labels.SOURCE_FORMATS['digits']}")]
    return []


class DrawRefused(RowInvalid):
    """A draw step that cannot happen (already done, wrong state, missing input)."""

    def __init__(self, message: str):
        super().__init__([("抽取", message)])


PUBLIC_DIR = "public"


def draws_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "draws"


def draw_dir(draw: Draw) -> Path:
    """The draw's public DRAW-v1 directory. A drawn draw's result.json is written after the ceremony commits; if
    that rename never happened (a crash right after the commit), the committed certificate is written here again."""
    directory = draws_root() / draw.files_dir
    if draw.certificate_json:  # set only by a committed ceremony (drawn, or drawn and later superseded)
        _heal(directory / "result.json", draw.certificate_json)
        if draw.sealed:
            _heal(directory / PUBLIC_DIR / engine.PUBLIC_RESULT, draw.public_certificate_json)
    if (
        draw.drawn_at and not (directory / engine.CEREMONY).exists()
    ):  # a ceremony took place (drawn or failed)
        write_ceremony(draw, directory)
    return directory


def public_dir(draw: Draw) -> Path:
    """The folder the public may download: the projection of a sealed draw, the DRAW-v1 folder of an open one."""
    directory = draw_dir(draw)
    return directory / PUBLIC_DIR if draw.sealed else directory


# The files a ceremony adds to the frozen ones: the certificate and the ceremony record (who witnessed it).
CEREMONY_FILES = ("result.json", engine.PUBLIC_RESULT, engine.CEREMONY)


def public_file_names(draw: Draw) -> list[str]:
    """The public files of a draw once drawn; the certificate and the ceremony record are CEREMONY_FILES, which the
    portal adds only when the list is public (see ceremony_files_visible)."""
    if draw.public_withdrawn:
        return []
    if draw.sealed:
        return [*engine.PUBLIC_FILES, engine.PUBLIC_RESULT, engine.CEREMONY]
    return [*FULL_FILES]


FULL_FILES = (
    "params.json",
    "candidates.csv",
    "excluded.csv",
    "inspectors.csv",
    "recusals.csv",
    "result.json",
    engine.CEREMONY,
)


def files_before_ceremony(names: list[str] | tuple[str, ...], draw: Draw, *, certificate: bool) -> list[str]:
    """`names` without what the ceremony wrote, unless it may be shown: the certificate when `certificate` (the
    reader may see it) and a certificate exists; the ceremony record then too, or at once when the draw failed
    (a failed draw's revealed values are public, and it has no certificate)."""
    drawn = certificate and bool(draw.certificate_json)
    failed = draw.drawn_at is not None and not draw.certificate_json
    hidden = set()
    if not drawn:
        hidden |= {"result.json", engine.PUBLIC_RESULT}
    if not (drawn or failed):
        hidden.add(engine.CEREMONY)
    return [n for n in names if n not in hidden]


def ceremony_body(draw: Draw) -> bytes:
    """ceremony.json (draw/ceremony.py): the witnesses and dice throwers of the ceremony, bound to the certificate.

    Built from the committed rows only, so the same bytes come back if the file has to be written again."""
    certificate = draw.certificate_json.encode("utf-8") if draw.certificate_json else None
    public = draw.public_certificate_json.encode("utf-8") if draw.public_certificate_json else None
    record = engine.ceremony_record(
        draw=draw.pk,
        task=draw.scheme.task_no or "",
        status="drawn" if certificate else "failed",
        drawn_at=timezone.localtime(draw.drawn_at).isoformat(timespec="seconds"),
        commitment=draw.commitment,
        full_commitment=draw.full_commitment or None,
        seed=(draw.public_seed if draw.sealed else draw.seed) or None,
        draw_seed=draw.seed or None,
        result_file=(engine.PUBLIC_RESULT if draw.sealed else "result.json") if certificate else None,
        result_body=public if draw.sealed else certificate,
        full_result_body=certificate if draw.sealed else None,
        witnesses=[{"name": w.name, "unit": w.unit} for w in draw.witnesses.all()],
        dice_thrown_by=draw.thrown_by or {},
        failure=draw.failure,
    )
    return engine.ceremony_bytes(record)


def write_ceremony(draw: Draw, directory: Path | None = None) -> None:
    """Write ceremony.json into the draw's folder (and its public folder when sealed), atomically."""
    directory = directory or draws_root() / draw.files_dir
    body = ceremony_body(draw)
    for folder in (directory, directory / PUBLIC_DIR) if draw.sealed else (directory,):
        tmp = folder / f".{engine.CEREMONY}.tmp"
        tmp.write_bytes(body)
        tmp.replace(folder / engine.CEREMONY)


@transaction.atomic
def sealed_files_read(*, actor, draw: Draw, reason: str = "") -> dict[str, Path]:
    """draw.read_sealed: the full DRAW-v1 files of a draw (and its public projection under public/), audited.

    Returns {relative name: path}. The full files tie every object to its stratum; whoever takes them is recorded."""
    if not scoping.can_read_sealed(actor, draw):
        raise PermissionDenied("只有牵头部门的部门管理员、联席会议办公室和审计管理员可以取得完整抽取文件")
    directory = draw_dir(draw)
    out = {name: directory / name for name in FULL_FILES if (directory / name).exists()}
    if draw.sealed:
        for name in (*engine.PUBLIC_FILES, engine.PUBLIC_RESULT, engine.CEREMONY):
            if (directory / PUBLIC_DIR / name).exists():
                out[f"{PUBLIC_DIR}/{name}"] = directory / PUBLIC_DIR / name
    record(actor=actor, action="draw.read_sealed", target=draw, after={"files": sorted(out)}, reason=reason)
    return out


@transaction.atomic
def firm_proof_issue(*, actor, draw: Draw, object_code: str) -> dict[str, Any]:
    """本户证明 (DRAW-v1.1 §6): a firm's proof of its own row, handed to it by the lead department; audited.

    The firm learns its stratum's size and draw count (so roughly its own ratio), nothing about anyone else."""
    if not draw.sealed:
        raise DrawRefused("该抽取不是密封分层，公开文件已可逐项核验，不需要本户证明")
    if not scoping.can_read_sealed(actor, draw):
        raise PermissionDenied("只有牵头部门的部门管理员、联席会议办公室和审计管理员可以出具本户证明")
    code = (object_code or "").strip().upper()
    if not code or len(code) > 64 or not code.isalnum() or not code.isascii():
        raise RowInvalid([("对象编码", "请输入统一社会信用代码或对象编码（数字和大写字母）")])
    directory = draw_dir(draw)
    certificate = json.loads(draw.certificate_json) if draw.certificate_json else None
    try:
        proof = engine.firm_proof(directory, directory / PUBLIC_DIR, draw.sealed_secret, code, certificate)
    except engine.DrawError as e:
        raise RowInvalid([("对象编码", str(e))]) from None
    record(
        actor=actor,
        action="draw.firm_proof",
        target=draw,
        after={"object": code, "outcome": proof["outcome"]},
    )
    return proof


def _heal(path: Path, text: str) -> None:
    if text and not path.exists():
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)


def ensure_operator(actor, scheme: TaskScheme) -> None:
    """Only the lead department's administrator freezes and draws (pages check it on GET too, before showing a form)."""
    if actor.role not in (Role.DEPT_ADMIN, Role.SYSTEM):
        raise PermissionDenied("只有牵头部门的部门管理员可以组织抽取")
    ensure_own_department(actor, scheme.department_id)


# What a description still holding a template's blank looks like: "第____期" was published as-is (issue 17, item 8).
PLACEHOLDER = re.compile(r"_{2,}|＿|[XxＸｘ×*＊?？#＃]{2,}|[○〇□口]{2,}|…|\.{3,}|某期|待定|待填")


def _placeholder_errors(field: str, text: str) -> list[tuple[str, str]]:
    found = PLACEHOLDER.search(text)
    if not found:
        return []
    return [(field, f"仍含占位符“{found.group(0)}”；请写明实际的彩票期号或掷骰方式后再冻结")]


def _clean_date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    try:
        return datetime.date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


def source_facts(
    sources: list[dict[str, Any]], announced: str, today: datetime.date
) -> dict[str, dict[str, str]]:
    """The structured facts of the public sources (issue 17, item 8): randomness the operator cannot steer.

    A lottery (numbers) names its game, period and draw date, and the draw date is after the freeze (a period already
    drawn is known: an operator holding the server secret could pick it to suit). Dice (digits) are thrown by a
    witness at the ceremony, whose name is recorded then (draw_perform). The facts are committed in params.json."""
    errors: list[tuple[str, str]] = []
    facts: dict[str, dict[str, str]] = {}
    for s in sources:
        name, kind = (s.get("name") or "").strip(), (s.get("kind") or "").strip()
        if kind == "digits":
            facts[name] = {"kind": "witness_dice", "label": "监督人员现场掷骰（抽取时登记掷骰人）"}
            continue
        lottery = str(s.get("lottery") or "").strip()
        period = str(s.get("period") or "").strip()
        draw_date = _clean_date(s.get("draw_date"))
        field = source_field(s)
        if not lottery:
            errors.append((f"{field}{FIELD_LABELS['lottery']}", "请写明彩票名称，如：福利彩票双色球"))
        else:
            errors += _placeholder_errors(f"{field}{FIELD_LABELS['lottery']}", lottery)
        if not re.fullmatch(r"\d{3,12}", period):
            errors.append(
                (f"{field}{FIELD_LABELS['period']}", "请写明彩票期号（3 至 12 位数字），如 2026137")
            )
        elif period not in announced:
            errors.append((FIELD_LABELS["announced"], f"公告中没有写明彩票期号 {period}"))
        if draw_date is None:
            errors.append((f"{field}{FIELD_LABELS['draw_date']}", "请写明该期的开奖日期（YYYY-MM-DD）"))
        elif draw_date <= today:
            errors.append(
                (
                    f"{field}{FIELD_LABELS['draw_date']}",
                    f"该期于 {draw_date:%Y-%m-%d} 开奖，不晚于冻结日 {today:%Y-%m-%d}：开奖号码可能已经公布，"
                    "不能作为抽取后才产生的随机源；请选用冻结之后开奖的一期",
                )
            )
        facts[name] = {
            "kind": "lottery",
            "lottery": lottery,
            "period": period,
            "draw_date": draw_date.isoformat() if draw_date else "",
        }
    if errors:
        raise RowInvalid(errors)
    return facts


def _clean_sources(sources: list[dict[str, str]]) -> list[dict[str, str]]:
    clean = []
    names = {"server"}
    for s in sources:
        name, kind = (s.get("name") or "").strip(), (s.get("kind") or "").strip()
        if kind not in SOURCE_KINDS:
            raise RowInvalid([("随机源", f"随机源类型“{kind}”应为 numbers（彩票号码）或 digits（掷骰数字）")])
        if (
            not name
            or not name.replace("_", "").replace("-", "").isalnum()
            or not name.isascii()
            or name in names
        ):
            raise RowInvalid([("随机源", f"随机源名称“{name}”须为唯一的英文字母数字，如 lottery、witness")])
        names.add(name)
        clean.append({"name": name, "kind": kind})
    if not clean:
        raise RowInvalid(
            [("随机源", "除服务器密钥外，至少公告一个抽取前不可预知的公开随机源（彩票号码或现场掷骰）")]
        )
    return clean


@transaction.atomic
def draw_freeze(
    *,
    actor,
    scheme: TaskScheme,
    sources: list[dict[str, str]],
    announced: str,
    redraw_reason: str = "",
    hash_name: str = "sha256",
) -> Draw:
    """冻结名单: compute and store the DRAW-v1 files, generate the secret, publish the commitment."""
    scheme = TaskScheme.objects.select_for_update().get(pk=scheme.pk)
    ensure_operator(actor, scheme)
    ensure_task_open(scheme.pk)
    previous = scheme.draws.order_by("-seq").first()
    if scheme.status == SchemeStatus.PUBLISHED:
        if previous is not None:
            raise DrawRefused("该方案已有抽取记录")
    elif scheme.status in (SchemeStatus.FROZEN, SchemeStatus.DRAWN):
        if not redraw_reason.strip():
            raise DrawRefused("该方案已冻结或已抽取；重新抽取必须写明理由，原抽取记录将继续公开")
    else:
        raise DrawRefused(f"方案当前为“{scheme.get_status_display()}”，不能冻结名单；请先公示方案")
    # Every refusal of the form at once (issue 15, item 6).
    errors: list[tuple[str, str]] = []
    if not announced.strip():
        errors.append(
            ("随机源公告", "请写明随机源，例如：福利彩票双色球第2026137期红球；监督人员现场掷骰 12 位")
        )
    errors += _placeholder_errors(FIELD_LABELS["announced"], announced)
    public_sources: list[dict[str, str]] = []
    facts: dict[str, dict[str, str]] = {}
    try:
        public_sources = _clean_sources(sources)
        facts = source_facts(sources, announced, timezone.localdate())
    except RowInvalid as e:
        errors += e.errors
    if errors:
        raise RowInvalid(errors)
    unconsented = slots_without_consent(scheme)
    if unconsented:
        names = "、".join(d.name for d in unconsented)
        raise DrawRefused(
            f"{names}的检查人员名额既不来自列明该部门的联合抽查计划，也未经该部门同意；"
            f"请由该部门管理员在方案页面确认参加后再冻结名单"
        )
    hidden = _hidden_open_lists(scheme)
    if hidden:
        # Freezing now would publish, as OPEN_TASK exclusions, the objects of a drawn list that is still secret.
        names = "、".join(f"{s.task_no}（名单于 {s.window_end:%Y-%m-%d} 后公示）" for s in hidden)
        raise DrawRefused(
            f"同一事项的任务 {names} 名单尚未公示；为防止通过排除名单推知其抽中对象，请在其公示后再冻结"
        )

    inputs = build_inputs(scheme)
    if inputs.inspectors_missing:
        raise RowInvalid([(f"检查人员（{d}）", m) for d, m in inputs.inspectors_missing.items()])
    if not inputs.candidates:
        raise RowInvalid([("候选对象", "按方案条件没有可抽取的对象")])
    errors = effective_ratio_errors(scheme, dict(inputs.strata_counts))
    if errors:
        raise RowInvalid(errors)

    seq = (previous.seq + 1) if previous else 1
    draw_id = f"{scheme.task_no}-{seq}"
    plan = scheme_plan(scheme)
    secret = engine.make_secret()
    all_sources = [
        {"name": "server", "kind": "secret", "commitment": engine.secret_commitment(secret, hash_name)}
    ]
    all_sources += public_sources
    blind = ""
    if plan.sealed:
        # DRAW-v1.1: one more secret, committed now and revealed only in the full certificate; the priorities
        # depend on it, so the public seed and candidate list tell nobody which stratum an object is in.
        blind = engine.make_secret()
        all_sources.append(
            {
                "name": engine.SEALED_SOURCE,
                "kind": "secret",
                "commitment": engine.secret_commitment(blind, hash_name),
            }
        )
    frozen_at = timezone.now()
    files_dir = f"{scheme.pk}/{seq}"
    directory = draws_root() / files_dir
    if directory.exists():
        shutil.rmtree(directory)  # a leftover of a rolled-back attempt; nothing in it was ever published
    extra = {
        "task_no": scheme.task_no,
        "scheme": scheme.name,
        "department": scheme.department.name,
        "items": [f"{si.item.code} v{si.item_version}" for si in scheme.items.select_related("item")],
        "window": [scheme.window_start.isoformat(), scheme.window_end.isoformat()],
        "frozen_at": frozen_at.isoformat(timespec="seconds"),
        "announced": announced.strip(),
        "source_facts": facts,
    }
    if redraw_reason:
        extra["redraw_of"] = previous.draw_id
        extra["redraw_reason"] = redraw_reason.strip()
    if plan.sealed:
        extra["projection"] = engine.SPEC_SEALED
        # Random codes from the CSPRNG: a code derived from public values could be recomputed by anyone.
        opaque = dict(zip(sorted(plan.rules), engine.random_stratum_codes(len(plan.rules)), strict=True))
    else:
        opaque = opaque_strata(draw_id, plan.rules)
    pseudo = pseudonyms(code for _, code in inputs.inspectors)
    files = {
        "candidates": ((opaque[plan.groups[stratum]], code) for stratum, code in inputs.candidates),
        "excluded": inputs.excluded,
        "inspectors": ((dept, pseudo[code]) for dept, code in inputs.inspectors),
        "recusals": ((pseudo[code], obj) for code, obj in inputs.recusals),
        "strata": {opaque[key]: rule for key, rule in plan.rules.items()},
        "teams": dict(scheme.team_slots),
        "sources": all_sources,
        "draw_id": draw_id,
        "hash_name": hash_name,
        "extra": extra,
    }
    public_params = ""
    if plan.sealed:
        commitment, public_commitment = engine.write_sealed_files(
            directory, directory / PUBLIC_DIR, blind, **files
        )
        public_params = (directory / PUBLIC_DIR / engine.PUBLIC_PARAMS).read_text(encoding="utf-8")
    else:
        commitment = public_commitment = engine.write_draw_files(directory, **files)
    params_text = (directory / "params.json").read_text(encoding="utf-8")
    params = json.loads(params_text)
    if previous is not None and previous.status != DrawStatus.SUPERSEDED:
        Draw.objects.filter(pk=previous.pk).update(status=DrawStatus.SUPERSEDED)
        # The superseded draw's objects are no longer to be inspected; its certificate stays public.
        Selection.objects.filter(draw=previous).update(active=False)
        TeamMember.objects.filter(selection__draw=previous).update(active=False)
    draw = Draw.objects.create(
        scheme=scheme,
        seq=seq,
        draw_id=draw_id,
        hash_name=hash_name,
        commitment=public_commitment,
        params_json=params_text,
        files_dir=files_dir,
        file_hashes=params["files"],
        secret=secret,
        sealed=plan.sealed,
        sealed_reason=plan.reason,
        sealed_secret=blind,
        full_commitment=commitment if plan.sealed else "",
        public_params_json=public_params,
        strata_map={v: plan.label(k) for k, v in opaque.items()},
        inspector_map={v: k for k, v in pseudo.items()},
        sources=all_sources,
        source_facts=facts,
        announced=announced.strip(),
        candidates_count=len(inputs.candidates),
        excluded_count=len(inputs.excluded),
        inspectors_count=len(inputs.inspectors),
        recusals_count=len(inputs.recusals),
        frozen_at=frozen_at,
        frozen_by=actor,
        redraw_of=previous if redraw_reason else None,
        redraw_reason=redraw_reason.strip(),
    )
    scheme_set_status(scheme, SchemeStatus.FROZEN)
    record(
        actor=actor,
        action="draw.redraw_freeze" if redraw_reason else "draw.freeze",
        target=draw,
        after={
            "commitment": public_commitment,
            "full_commitment": commitment if plan.sealed else "",
            "sealed": plan.sealed,
            "candidates": len(inputs.candidates),
            "excluded": len(inputs.excluded),
            "inspectors": len(inputs.inspectors),
            "recusals": len(inputs.recusals),
            "sources": all_sources,
            "source_facts": facts,
        },
        reason=redraw_reason,
    )
    return draw


def opaque_strata(draw_id: str, strata) -> dict[str, str]:
    """Map each stratum (a risk class, or RAISED) to a public code S1…Sn in an order unrelated to the classes.

    The published files must show which objects share a stratum (that is what makes the draw verifiable) but
    must not label an object with its credit-risk class, which is never public (domain.md §3).
    """
    ordered = sorted(strata, key=lambda c: hashlib.sha256(f"{draw_id}|{c}".encode()).hexdigest())
    return {code: f"S{n}" for n, code in enumerate(ordered, start=1)}


def pseudonyms(codes) -> dict[str, str]:
    """Per-draw pseudonyms for inspector codes: keyed with a random salt that is never stored or published."""
    salt = secrets.token_bytes(16)
    out = {c: "P" + _letters(hmac.new(salt, c.encode(), "sha256").digest()) for c in codes}
    if len(set(out.values())) != len(
        out
    ):  # a 70-bit collision: practically impossible, but never silently wrong
        return pseudonyms(out)
    return out


def _letters(digest: bytes, n: int = 15) -> str:
    """n letters A–Z (about 70 bits) from a digest. Letters only: a pseudonym never contains a run of digits that a
    reader or a data-loss scanner would take for a phone or ID number (hex pseudonyms sometimes did)."""
    value = int.from_bytes(digest, "big")
    out = []
    for _ in range(n):
        value, r = divmod(value, 26)
        out.append(chr(ord("A") + r))
    return "".join(out)


def _pseudo(draw: Draw) -> dict[str, str]:
    return {code: p for p, code in draw.inspector_map.items()} if draw.inspector_map else {}


def _code(draw: Draw, pseudonym: str) -> str:
    return draw.inspector_map.get(pseudonym, pseudonym)


def _hidden_open_lists(scheme: TaskScheme) -> list[TaskScheme]:
    """Open tasks on the same items whose drawn list is still unpublished (published only after the window)."""
    today = timezone.localdate()
    item_ids = list(scheme.items.values_list("item_id", flat=True))
    return list(
        TaskScheme.objects.open_tasks()
        .exclude(pk=scheme.pk)
        .filter(items__item_id__in=item_ids, publish_list_at="window_end", window_end__gte=today)
        .distinct()
    )


def _claim(draw: Draw) -> None:
    # A conditional UPDATE is the lock: of ten concurrent requests exactly one moves FROZEN → DRAWING; the others
    # find the row changed (PostgreSQL re-checks the WHERE after the first commits; SQLite serialises writers).
    claimed = Draw.objects.filter(pk=draw.pk, status=DrawStatus.FROZEN).update(status=DrawStatus.DRAWING)
    if claimed != 1:
        current = Draw.objects.get(pk=draw.pk)
        raise DrawRefused(
            f"抽取 {current.draw_id} 当前为“{current.get_status_display()}”，每次抽取只能进行一次"
        )


@transaction.atomic
def draw_perform(
    *,
    actor,
    draw: Draw,
    witnesses: list[dict[str, str]],
    reveals: dict[str, str],
    thrown_by: dict[str, str] | None = None,
) -> Draw:
    """抽取仪式: record witnesses, reveal the secret, compute and store the certificate, selections and teams.

    `thrown_by` names, for each dice source, the registered witness who threw the dice (issue 17, item 8): digits
    typed by the operator alone are a source the operator could steer."""
    draw = Draw.objects.select_related("scheme").get(pk=draw.pk)
    ensure_operator(actor, draw.scheme)
    ensure_task_open(draw.scheme_id)
    if (
        draw.status != DrawStatus.FROZEN
    ):  # said before any form error: no correction makes a second ceremony possible
        raise DrawRefused(f"抽取 {draw.draw_id} 当前为“{draw.get_status_display()}”，每次抽取只能进行一次")
    witnesses = [
        {"name": (w.get("name") or "").strip(), "unit": (w.get("unit") or "").strip()} for w in witnesses
    ]
    witnesses = [w for w in witnesses if w["name"] or w["unit"]]
    # Every refusal at once (issue 15, item 6): the operator corrects the whole form in one go.
    errors: list[tuple[str, str]] = []
    if not witnesses:
        errors.append(("监督人员", "请登记至少一名监督人员的姓名和单位"))
    for n, w in enumerate(witnesses, start=1):
        if not w["name"] or not w["unit"]:
            missing = "姓名" if not w["name"] else "单位"
            errors.append(("监督人员", f"第 {n} 名监督人员缺少{missing}：请登记监督人员的姓名和单位"))
    values = {"server": draw.secret}
    if draw.sealed:
        values[engine.SEALED_SOURCE] = draw.sealed_secret
    for source in draw.sources:
        if source["kind"] == "secret":
            continue
        value = normalise_reveal(source["kind"], reveals.get(source["name"]) or "")
        errors += reveal_errors(source, value)
        values[source["name"]] = value
    try:
        throwers = _throwers(draw, witnesses, thrown_by or {})
    except RowInvalid as e:
        errors += e.errors
    if errors:
        raise RowInvalid(errors)
    _claim(draw)
    directory = draw_dir(draw)
    _remove_stale_outputs(directory)
    try:
        certificate = engine.run_draw(directory, values)
    except engine.TeamImpossibleError as e:
        # The spec's failure: no certificate exists; the failure is recorded and public, a redraw is needed.
        Draw.objects.filter(pk=draw.pk).update(
            status=DrawStatus.FAILED,
            failure=str(e),
            drawn_at=timezone.now(),
            drawn_by=actor,
            reveals=_canonical(draw, values),
            thrown_by=throwers,
        )
        Witness.objects.bulk_create([Witness(draw=draw, **w) for w in witnesses])
        record(actor=actor, action="draw.fail", target=draw, reason=str(e))
        draw.refresh_from_db()
        outbox_emit("draw.failed", draw)
        _write_ceremony_on_commit(draw)
        return draw
    except engine.DrawError as e:
        raise RowInvalid([("随机源", str(e))]) from None
    # The certificate reveals the server secret: it reaches the public directory only once the draw is committed.
    # Written to a pending name now and renamed after commit; a crash before the commit leaves no result.json,
    # and the next attempt removes the pending file (issue 11, item 13).
    body = engine.certificate_bytes(certificate)
    pending = directory / PENDING_CERTIFICATE
    pending.write_bytes(body)
    transaction.on_commit(lambda: pending.replace(directory / "result.json"))
    public_body, public_seed = b"", ""
    if draw.sealed:
        public = engine.project_certificate(certificate, draw.public_params_json.encode("utf-8"))
        public_body, public_seed = engine.certificate_bytes(public), public["seed"]
        public_pending = directory / PUBLIC_DIR / PENDING_CERTIFICATE
        public_pending.write_bytes(public_body)
        transaction.on_commit(lambda: public_pending.replace(directory / PUBLIC_DIR / engine.PUBLIC_RESULT))
    _store_results(draw, certificate)
    # Each object to visit gets its 核验码 with the draw: printed on the 登记表, the firm's key to its visit.
    codes = visit_codes_issue(Selection.objects.filter(draw=draw, active=True).values_list("pk", flat=True))
    Witness.objects.bulk_create([Witness(draw=draw, **w) for w in witnesses])
    Draw.objects.filter(pk=draw.pk).update(
        status=DrawStatus.DRAWN,
        reveals={s["name"]: s["value"] for s in certificate["sources"]},
        seed=certificate["seed"],
        certificate_json=body.decode("utf-8"),
        public_seed=public_seed,
        public_certificate_json=public_body.decode("utf-8"),
        thrown_by=throwers,
        drawn_at=timezone.now(),
        drawn_by=actor,
    )
    scheme_set_status(draw.scheme, SchemeStatus.DRAWN)
    draw.refresh_from_db()
    _write_ceremony_on_commit(draw)
    selected = sum(s["k"] for s in certificate["strata"].values())
    record(
        actor=actor,
        action="draw.perform",
        target=draw,
        after={
            "seed": public_seed or certificate["seed"],
            "selected": selected,
            "witnesses": witnesses,
            "thrown_by": throwers,
            "fingerprint": fingerprint(draw),
            "visit_codes": codes,
        },
    )
    outbox_emit("draw.performed", draw)
    return draw


def _write_ceremony_on_commit(draw: Draw) -> None:
    """The ceremony record lists the witnesses (issue 16, item 3); like the certificate, it reaches the folder only
    once the ceremony is committed (after the certificate's own rename: on_commit callbacks run in order)."""
    transaction.on_commit(lambda: write_ceremony(draw))


def _throwers(draw: Draw, witnesses: list[dict[str, str]], thrown_by: dict[str, str]) -> dict[str, str]:
    """Each dice source's thrower: one of the witnesses registered at this ceremony."""
    names = {w["name"] for w in witnesses}
    out, errors = {}, []
    for source in draw.sources:
        if source["kind"] != "digits":
            continue
        who = (thrown_by.get(source["name"]) or "").strip()
        field = f"{source_field(source)}{FIELD_LABELS['thrown_by']}"
        if not who:
            errors.append((field, "请登记掷骰的监督人员姓名：骰子须由监督人员当场投掷，不能由操作人员输入"))
        elif who not in names:
            errors.append((field, f"“{who}”不是本次登记的监督人员；掷骰人须是到场登记的监督人员之一"))
        out[source["name"]] = who
    if errors:
        raise RowInvalid(errors)
    return out


def fingerprint(draw: Draw) -> str:
    """What the witnesses sign on the paper record: the first 16 hex digits of the commitment(s) and, once drawn,
    of the seed, in groups of four. Enough to tell this draw from any other when the full files are checked later."""

    return engine.fingerprint(
        draw.commitment, draw.full_commitment if draw.sealed else None, draw.seed or None
    )


def _share_of(spec: dict[str, Any], n: int) -> Fraction:
    """The share a rule asks of a stratum of `n` candidates: its ratio, or for a count k / n (k at most n).

    A ratio's rounding up to whole objects (ceil) is not held against it: at least one object of a small stratum
    is drawn, and two equal ratios stay equal."""
    if "count" in spec:
        return Fraction(min(n, int(spec["count"])), n)
    return Fraction(Decimal(spec["ratio"]))


def effective_ratio_errors(scheme: TaskScheme, counts: dict[str, int]) -> list[tuple[str, str]]:
    """Rules on the shares actually drawn, known only once the list is frozen (issue 17, items 3 and 4).

    Art. 8: a general item's ratio cap bounds every ordinary stratum's share, whether the rule is a ratio or a count
    (a count of 10 of 10 was accepted under a cap of 0.1). Art. 9 (适当提高): the raised stratum asks at least the
    share of the highest ordinary stratum. Shares as in _share_of.
    """
    errors: list[tuple[str, str]] = []
    ordinary = {
        c: _share_of(spec, counts[c])
        for c, spec in scheme.strata.items()
        if c not in (RAISED_STRATUM, TRUSTED_STRATUM) and counts.get(c)
    }
    caps = [
        (si.item, Fraction(Decimal(si.item.ratio_cap)))
        for si in scheme.items.select_related("item")
        if si.item.category == ItemCategory.GENERAL and si.item.ratio_cap is not None
    ]
    for code, share in ordinary.items():
        if "count" not in scheme.strata[code]:
            continue
        for item, cap in caps:
            if share > cap:
                errors.append(
                    (
                        f"分层 {code}",
                        f"抽取 {scheme.strata[code]['count']} 户占该层 {counts[code]} 户的 {float(share):.1%}，"
                        f"超过一般检查事项“{item.name}”的抽查比例上限 {float(cap):.1%}（第八条）",
                    )
                )
    raised = scheme.strata.get(RAISED_STRATUM)
    if raised and counts.get(RAISED_STRATUM) and ordinary:
        share, highest = _share_of(raised, counts[RAISED_STRATUM]), max(ordinary.values())
        if share < highest:
            errors.append(
                (
                    f"分层 {RAISED_STRATUM}",
                    f"提高比例层抽取 {float(share):.1%}，低于普通分层的最高比例 {float(highest):.1%}；"
                    "提高比例层应不低于普通分层（第九条“适当提高”）",
                )
            )
    trusted = scheme.strata.get(TRUSTED_STRATUM)
    if trusted and counts.get(TRUSTED_STRATUM) and ordinary:
        # 包容审慎 (ADR 0028): the 守信 share stays below every ordinary stratum's, counts included.
        share, lowest = _share_of(trusted, counts[TRUSTED_STRATUM]), min(ordinary.values())
        if share >= lowest:
            errors.append(
                (
                    f"分层 {TRUSTED_STRATUM}",
                    f"守信（包容审慎）层抽取 {float(share):.1%}，不低于普通分层的最低比例 {float(lowest):.1%}；"
                    "守信对象只能按较低比例抽取（第八条、第十五条）",
                )
            )
    return errors


PENDING_CERTIFICATE = ".result.json.pending"


def _remove_stale_outputs(directory) -> None:
    """What an earlier attempt killed mid-ceremony may have left: never a certificate of an uncommitted draw."""
    ceremony = (f".{engine.CEREMONY}.tmp", engine.CEREMONY)
    for name in (PENDING_CERTIFICATE, ".result.json.tmp", "result.json", *ceremony):
        (directory / name).unlink(missing_ok=True)
    for name in (PENDING_CERTIFICATE, f".{engine.PUBLIC_RESULT}.tmp", engine.PUBLIC_RESULT, *ceremony):
        (directory / PUBLIC_DIR / name).unlink(missing_ok=True)


def _canonical(draw: Draw, values: dict[str, str]) -> dict[str, str]:
    # The sealed value never goes public, not even for a failed draw: with it the candidates' priorities follow.
    kept = {k: v for k, v in values.items() if k not in ("server", engine.SEALED_SOURCE)}
    return kept | {"server": "（已公开于失败记录）"}


def _store_results(draw: Draw, certificate: dict[str, Any]) -> None:
    codes = []
    for stratum in certificate["strata"].values():
        codes += [c for c, _ in stratum["selected"]] + [c for c, _ in stratum["reserves"]]
    object_ids = dict(InspectionObject.objects.filter(code__in=codes).values_list("code", "id"))
    rows = []
    for code, stratum in certificate["strata"].items():
        for role, entries in (
            (SelectionRole.SELECTED, stratum["selected"]),
            (SelectionRole.RESERVE, stratum["reserves"]),
        ):
            for rank, (object_code, priority) in enumerate(entries, start=1):
                rows.append(
                    (
                        draw.pk,
                        object_ids[object_code],
                        code,
                        role.value,
                        rank,
                        priority,
                        role == SelectionRole.SELECTED,
                    )
                )
    bulk_insert(Selection, ("draw_id", "object_id", "stratum", "role", "rank", "priority", "active"), rows)
    if not certificate.get("teams"):
        return
    by_object = dict(
        Selection.objects.filter(draw=draw, role=SelectionRole.SELECTED).values_list("object__code", "id")
    )
    inspector_codes = {_code(draw, m[1]) for t in certificate["teams"] for m in t["members"]}
    ids_by_code = dict(Inspector.objects.filter(code__in=inspector_codes).values_list("code", "id"))
    inspector_ids = {p: ids_by_code[_code(draw, p)] for t in certificate["teams"] for _, p in t["members"]}
    dept_ids = dict(Department.objects.values_list("code", "id"))
    relaxed = {(r["object"], r["department"], r["slot"]) for r in certificate.get("relaxations", [])}

    def members():
        for team in certificate["teams"]:
            slots: dict[str, int] = {}
            for order, (dept, ins_code) in enumerate(team["members"], start=1):
                slots[dept] = slots.get(dept, 0) + 1
                yield (
                    by_object[team["object_id"]],
                    inspector_ids[ins_code],
                    dept_ids[dept],
                    slots[dept],
                    order,
                    True,
                    (team["object_id"], dept, slots[dept]) in relaxed,
                )

    bulk_insert(
        TeamMember,
        ("selection_id", "inspector_id", "department_id", "slot", "order", "active", "cap_relaxed"),
        members(),
    )


def _certificate(draw: Draw) -> dict[str, Any]:
    return json.loads(draw.certificate_json)


def _recused_with(draw: Draw, object_code: str) -> set[str]:
    recused = set()
    with open(draw_dir(draw) / "recusals.csv", encoding="utf-8") as f:
        for line in f:
            ins, obj = line.rstrip("\n").split(",")
            if obj == object_code:
                recused.add(ins)
    return recused


def _department_inspectors(draw: Draw) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    with open(draw_dir(draw) / "inspectors.csv", encoding="utf-8") as f:
        for line in f:
            dept, ins = line.rstrip("\n").split(",")
            out.setdefault(dept, []).append(ins)
    return out


def _replace_member(
    draw: Draw, member: TeamMember, unavailable: set[str], new_selection: Selection | None = None
) -> TeamMember:
    """Spec §8: the choice of §5 for that slot among the remaining candidates, loads as they are."""
    certificate = _certificate(draw)
    dept = member.department.code
    target = new_selection or member.selection
    object_code = target.object.code
    pool = _department_inspectors(draw)[dept]
    pseudo = _pseudo(draw)
    active = TeamMember.objects.filter(selection__draw=draw, active=True).select_related("inspector")
    loads: dict[str, int] = {}
    for m in active:
        p = pseudo.get(m.inspector.code, m.inspector.code)
        loads[p] = loads.get(p, 0) + 1
    team = [
        pseudo.get(m.inspector.code, m.inspector.code)
        for m in active
        if m.selection_id == target.pk and m.pk != member.pk
    ]
    unavailable = {pseudo.get(c, c) for c in unavailable}
    k = sum(s["k"] for s in certificate["strata"].values())
    cap = engine.department_cap(draw.scheme.team_slots[dept], k, len(pool))
    code, relaxed = engine.choose_replacement(
        hash_name=draw.hash_name,
        seed=draw.seed,
        object_id=object_code,
        department=dept,
        inspectors=pool,
        team=team,
        unavailable=unavailable,
        recused=_recused_with(draw, object_code),
        loads=loads,
        cap=cap,
        slot=member.slot,
    )
    return TeamMember(
        selection=target,
        inspector=Inspector.objects.get(code=_code(draw, code)),
        department=member.department,
        slot=member.slot,
        order=member.order,
        replaces=member,
        cap_relaxed=relaxed,
    )


def _ensure_drawn(actor, draw: Draw) -> Draw:
    draw = Draw.objects.select_for_update().select_related("scheme").get(pk=draw.pk)
    ensure_operator(actor, draw.scheme)
    ensure_task_open(draw.scheme_id)
    if draw.status != DrawStatus.DRAWN:
        raise DrawRefused(f"抽取 {draw.draw_id} 当前为“{draw.get_status_display()}”，不能替换")
    return draw


def substitution_reason(kind: str, reason_code: str, note: str = "") -> tuple[str, str]:
    """The public reason code, checked against labels.SUBSTITUTION_REASONS, and the internal note (issue 17, item 9).

    Free text was published verbatim ("孙之峰 休病假" reached the portal): the public sees only a code's label."""
    reasons = SUBSTITUTION_REASONS[kind]
    code = (reason_code or "").strip()
    if code not in reasons:
        choices = "、".join(f"{c}（{label}）" for c, label in reasons.items())
        given = f"“{code}”不是可选的公开理由；" if code else "必须选择公开理由；"
        raise RowInvalid(
            [(FIELD_LABELS["reason_code"], f"{given}应为：{choices}。个人情况等写在内部说明中，不公开")]
        )
    note = (note or "").strip()
    if len(note) > Substitution._meta.get_field("note").max_length:
        raise RowInvalid([(FIELD_LABELS["note"], "内部说明不能超过 300 个字符")])
    return code, note


def _audit_reason(kind: str, reason_code: str, note: str) -> str:
    label = substitution_reason_label(kind, reason_code)
    return f"{label}：{note}" if note else label


@transaction.atomic
def selection_substitute(*, actor, selection: Selection, reason_code: str, note: str = "") -> Selection:
    """An object that turns out uninspectable is replaced by the first unused reserve of its stratum.

    The public reason is a code of labels.OBJECT_REASONS; `note` is internal and never published."""
    reason_code, note = substitution_reason(SubstitutionKind.OBJECT, reason_code, note)
    draw = _ensure_drawn(actor, selection.draw)
    selection = Selection.objects.select_for_update().select_related("object").get(pk=selection.pk)
    if not selection.active:
        raise DrawRefused("该对象已被替换")
    used = set(
        Selection.objects.filter(draw=draw, stratum=selection.stratum, role=SelectionRole.RESERVE)
        .exclude(replaces=None)
        .values_list("object__code", flat=True)
    )
    try:
        code = engine.next_reserve(_certificate(draw), selection.stratum, used)
    except engine.ReservesExhaustedError as e:
        raise DrawRefused(str(e)) from None
    new = Selection.objects.select_for_update().get(draw=draw, object__code=code)
    new.active, new.replaces = True, selection
    new.save(update_fields=["active", "replaces"])
    selection.active = False
    selection.save(update_fields=["active"])
    # The reserve gets its own 核验码; the replaced object's code stays and now answers 已被替换.
    visit_codes_issue([new.pk])
    substitution = Substitution.objects.create(
        draw=draw,
        kind=SubstitutionKind.OBJECT,
        old_selection=selection,
        new_selection=new,
        reason_code=reason_code,
        note=note,
        by=actor,
        by_name=actor.display_name,
    )
    # The team moves with the slot; a member recused with the new object is replaced by the §8 rule.
    recused = {_code(draw, p) for p in _recused_with(draw, new.object.code)}
    for member in list(selection.team.filter(active=True).select_related("inspector", "department")):
        member.active = False
        member.save(update_fields=["active"])
        if member.inspector.code in recused:
            moved = _replace_member(draw, member, {member.inspector.code}, new_selection=new)
        else:
            moved = TeamMember(
                selection=new,
                inspector=member.inspector,
                department=member.department,
                slot=member.slot,
                order=member.order,
                cap_relaxed=member.cap_relaxed,
            )
        moved.save()
    record(
        actor=actor,
        action="draw.substitute_object",
        target=draw,
        reason=_audit_reason(SubstitutionKind.OBJECT, reason_code, note),
        before={"object": selection.object.code},
        after={"object": new.object.code, "reason_code": reason_code},
    )
    outbox_emit("draw.substituted", substitution)
    return new


@transaction.atomic
def member_substitute(*, actor, member: TeamMember, reason_code: str, note: str = "") -> TeamMember:
    """A drawn inspector who becomes unavailable is replaced by the spec's §8 rule.

    The public reason is a code of labels.INSPECTOR_REASONS; a person's circumstances go in the internal `note`."""
    reason_code, note = substitution_reason(SubstitutionKind.INSPECTOR, reason_code, note)
    member = (
        TeamMember.objects.select_for_update()
        .select_related("selection__draw", "inspector", "department", "selection__object")
        .get(pk=member.pk)
    )
    draw = _ensure_drawn(actor, member.selection.draw)
    if not member.active:
        raise DrawRefused("该人员已被替换")
    previously = set(
        TeamMember.objects.filter(
            selection=member.selection, active=False, department=member.department
        ).values_list("inspector__code", flat=True)
    )
    try:
        new = _replace_member(draw, member, {member.inspector.code} | previously)
    except engine.TeamImpossibleError as e:
        raise DrawRefused(str(e)) from None
    member.active = False
    member.save(update_fields=["active"])
    new.save()
    substitution = Substitution.objects.create(
        draw=draw,
        kind=SubstitutionKind.INSPECTOR,
        old_member=member,
        new_member=new,
        reason_code=reason_code,
        note=note,
        by=actor,
        by_name=actor.display_name,
    )
    record(
        actor=actor,
        action="draw.substitute_inspector",
        target=draw,
        reason=_audit_reason(SubstitutionKind.INSPECTOR, reason_code, note),
        before={"object": member.selection.object.code, "inspector": member.inspector.code},
        after={"inspector": new.inspector.code, "cap_relaxed": new.cap_relaxed, "reason_code": reason_code},
    )
    outbox_emit("draw.substituted", substitution)
    return new


@transaction.atomic
def draws_lists_publish_due(*, today: datetime.date) -> int:
    """A scheme that publishes its drawn list after the inspection window (domain.md §3) has no act that publishes
    it: the portal shows the list from the day after the window ends. Run daily (send_reminders, by cron), this
    records that fact for each such draw once — audited as the system's act, and as a `draw.list_published` outbox
    event (the province had only "drawn" until then) in the same transaction. Idempotent: a draw whose event exists
    is left alone, so running it twice, or late, sends nothing twice."""
    from shuangsuiji.outbox.models import OutboxEvent
    from shuangsuiji.portal.selectors import drawn_list_visible

    due = list(
        Draw.objects.filter(
            status=DrawStatus.DRAWN,
            scheme__publish_list_at="window_end",
            scheme__window_end__lt=today,
        )
        .exclude(certificate_json="")
        .order_by("pk")
        .values_list("pk", "draw_id")
    )
    done = set(
        OutboxEvent.objects.filter(
            type="draw.list_published", object_key__in=[f"draw:{draw_id}" for _, draw_id in due]
        ).values_list("object_key", flat=True)
    )
    published = 0
    for pk, draw_id in due:
        if f"draw:{draw_id}" in done:
            continue
        # Locked one by one, like visits_publish_due; the draw's events are numbered under this lock.
        draw = Draw.objects.select_for_update().select_related("scheme").get(pk=pk)
        if draw.status != DrawStatus.DRAWN or not drawn_list_visible(draw.scheme, today):
            continue
        record(
            actor=None,
            action="draw.list_public",
            target=draw,
            after={"window_end": draw.scheme.window_end, "published_on": today},
            reason="检查期已结束：按工作方案公示抽取名单",
        )
        outbox_emit("draw.list_published", draw)
        published += 1
    return published
