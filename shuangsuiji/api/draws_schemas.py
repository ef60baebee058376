"""Request and response schemas of the draw (/schemes/{id}/freeze, /draws/…): freeze, ceremony, certificate, teams,
substitutions and the 登记表.

Inspectors appear by name, department and certificate number only — never an ID number, a phone or an internal id.
"""

import datetime
import json
from typing import Any, Literal

from ninja import Field, Schema

from shuangsuiji.draw import SEALED_SOURCE
from shuangsuiji.draws import services
from shuangsuiji.draws.labels import INSPECTOR_REASONS, OBJECT_REASONS

from .schemas import Text

SourceKindIn = Literal["numbers", "digits"]
HashIn = Literal["sha256", "sm3"]

# The DRAW-v1 files of a draw, as served by GET /draws/{id}/files/{name}; result.json exists once drawn, and
# ceremony.json (who witnessed it, bound to the certificate) once the ceremony took place.
DRAW_FILES = (
    "params.json",
    "candidates.csv",
    "excluded.csv",
    "inspectors.csv",
    "recusals.csv",
    "result.json",
    "ceremony.json",
)
# DRAW-v1.1 (sealed strata): the public projection; excluded/inspectors/recusals are the same files.
SEALED_PUBLIC_FILES = ("params-public.json", "candidates-public.csv", "result-public.json")
DrawFileName = Literal[DRAW_FILES + SEALED_PUBLIC_FILES]  # type: ignore[valid-type]


def available_files(draw) -> list[str]:
    """The files this reader may download. A certificate, once computed, stays available — also after a redraw
    superseded its draw. A sealed draw gives its projection; its full files only with draw.read_sealed."""
    names = list(services.public_file_names(draw))
    if getattr(draw, "full_access", False):
        names = list(dict.fromkeys(names + list(DRAW_FILES)))
    return services.files_before_ceremony(names, draw, certificate=True)


# --- requests ------------------------------------------------------------------------------------------------------


class SourceIn(Schema):
    name: Text = Field(max_length=32, description="随机源名称（英文字母数字，唯一），如 lottery、witness")
    kind: SourceKindIn = Field(
        description="numbers：彩票开奖号码（须给出 lottery、period、draw_date）；digits：监督人员现场掷骰数字"
        "（抽取时在 thrown_by 中登记掷骰人）"
    )
    lottery: Text = Field("", max_length=50, description="彩票名称，如 福利彩票双色球（numbers 必填）")
    period: Text = Field(
        "", max_length=20, description="彩票期号，如 2026137（numbers 必填，须写进 announced）"
    )
    draw_date: datetime.date | None = Field(
        None, description="该期开奖日期（numbers 必填，须晚于冻结日：已开奖的一期不能使用）"
    )


class FreezeIn(Schema):
    sources: list[SourceIn] = Field(
        max_length=10, description="除服务器密钥外公告的随机源（抽取前不可预知），至少一个"
    )
    announced: Text = Field(
        max_length=2000, description="随机源公告，如：lottery = 福利彩票双色球第2026137期红球"
    )
    redraw_reason: Text = Field("", max_length=300, description="重新抽取理由（已冻结或已抽取的方案必填）")
    hash: HashIn = Field("sha256", description="哈希算法")


class WitnessIn(Schema):
    name: Text = Field(max_length=50, description="监督人员姓名")
    unit: Text = Field(max_length=100, description="监督人员单位")


class PerformIn(Schema):
    witnesses: list[WitnessIn] = Field(max_length=50, description="到场的监督人员（至少一名）")
    reveals: dict[Text, Text] = Field(
        max_length=10,
        description='公告的每个随机源的值，如 {"lottery": "30,3,11,15,22,27", "witness": "314159265358"}',
    )
    thrown_by: dict[Text, Text] = Field(
        default_factory=dict,
        max_length=10,
        description='每个掷骰随机源（digits）的掷骰人，须是 witnesses 中的监督人员，如 {"witness": "周监督"}',
    )


class ReasonIn(Schema):
    reason_code: Text = Field(
        max_length=20,
        description="公开理由代码。对象替换："
        + "、".join(f"{c} {label}" for c, label in OBJECT_REASONS.items())
        + "；人员替换："
        + "、".join(f"{c} {label}" for c, label in INSPECTOR_REASONS.items())
        + "。公示网站只显示其中文名称",
    )
    note: Text = Field("", max_length=300, description="内部说明（不公开；个人情况写在这里）")


# --- responses -----------------------------------------------------------------------------------------------------


class SourceOut(Schema):
    name: str
    kind: str = Field(description="secret（服务器密钥，抽取前只公开其承诺值）、numbers 或 digits")
    commitment: str | None = Field(None, description="服务器密钥的承诺值")


class WitnessOut(Schema):
    name: str
    unit: str


class DrawCountsOut(Schema):
    candidates: int
    excluded: int
    inspectors: int
    recusals: int


class DrawOut(Schema):
    id: int
    draw_id: str = Field(description="抽取编号：任务编号-序号")
    scheme_id: int
    task_no: str | None
    seq: int
    status: str
    status_label: str
    hash: str
    commitment: str = Field(description="承诺值（冻结时公示；密封分层时为 params-public.json 的哈希）")
    sealed: bool = Field(description="密封分层（DRAW-v1.1）：分层依据不公开的风险分类，公众只看到投影")
    sealed_reason: str = Field(description="为什么密封或不密封")
    full_commitment: str = Field(description="密封分层时完整文件 params.json 的哈希（已包含在公开承诺中）")
    public_withdrawn: str = Field(description="公开文件被撤回的说明（密封分层启用前的抽取）")
    params: dict[str, Any] = Field(
        description="params.json 的内容（无 draw.read_sealed 权限时为 params-public.json）"
    )
    file_hashes: dict[str, Any] = Field(description="名单文件的哈希")
    sources: list[SourceOut] = Field(description="公告的随机源")
    announced: str
    source_facts: dict[str, dict[str, str]] = Field(
        description="随机源事实（写入 params.json）：彩票的名称、期号、开奖日期，或监督人员现场掷骰"
    )
    thrown_by: dict[str, str] = Field(description="掷骰随机源的掷骰人（抽取时登记的监督人员）")
    counts: DrawCountsOut
    frozen_at: datetime.datetime
    seed: str = Field(description="种子（抽取后；密封分层且无 draw.read_sealed 权限时为公开种子）")
    reveals: dict[str, str] | None = Field(
        description="公开的随机源值（抽取后，含服务器密钥；密封分层的密封值只在完整证书中）"
    )
    witnesses: list[WitnessOut]
    drawn_at: datetime.datetime | None
    failure: str = Field(description="抽取失败的原因（失败时）")
    redraw_of: int | None = Field(description="被本次重新抽取取代的抽取")
    redraw_of_draw_id: str | None
    redraw_reason: str
    redrawn_by: int | None = Field(description="取代本次抽取的重新抽取")
    files: list[str] = Field(description="可下载的文件（GET /draws/{id}/files/{name}）")
    verify: str = Field(description="独立核验的命令")

    @staticmethod
    def resolve_scheme_id(obj) -> int:
        return obj.scheme_id

    @staticmethod
    def resolve_task_no(obj) -> str | None:
        return obj.scheme.task_no

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_hash(obj) -> str:
        return obj.hash_name

    @staticmethod
    def resolve_params(obj) -> dict:
        if getattr(obj, "public_view", False):
            return json.loads(obj.public_params_json) if obj.public_params_json else {}
        return json.loads(obj.params_json)

    @staticmethod
    def resolve_file_hashes(obj) -> dict:
        if getattr(obj, "public_view", False):
            return json.loads(obj.public_params_json)["files"] if obj.public_params_json else {}
        return obj.file_hashes

    @staticmethod
    def resolve_sources(obj) -> list:
        if getattr(obj, "public_view", False):
            return [s for s in obj.sources if s["name"] != SEALED_SOURCE]
        return obj.sources

    @staticmethod
    def resolve_seed(obj) -> str:
        if getattr(obj, "public_view", False):
            return obj.public_seed
        return obj.seed

    @staticmethod
    def resolve_reveals(obj) -> dict | None:
        # The DRAW-v1.1 sealed value is never public, nor shown here: only in the full certificate, whose every
        # read is audited (GET /draws/{id}/certificate).
        if obj.reveals is None:
            return None
        return {k: v for k, v in obj.reveals.items() if k != SEALED_SOURCE}

    @staticmethod
    def resolve_counts(obj) -> dict:
        return {
            "candidates": obj.candidates_count,
            "excluded": obj.excluded_count,
            "inspectors": obj.inspectors_count,
            "recusals": obj.recusals_count,
        }

    @staticmethod
    def resolve_witnesses(obj) -> list:
        return list(obj.witnesses.all())

    @staticmethod
    def resolve_redraw_of(obj) -> int | None:
        return obj.redraw_of_id

    @staticmethod
    def resolve_redraw_of_draw_id(obj) -> str | None:
        return obj.redraw_of.draw_id if obj.redraw_of_id else None

    @staticmethod
    def resolve_redrawn_by(obj) -> int | None:
        nxt = type(obj).objects.filter(redraw_of=obj).values_list("id", flat=True).first()
        return nxt

    @staticmethod
    def resolve_files(obj) -> list[str]:
        return available_files(obj)

    @staticmethod
    def resolve_verify(obj) -> str:
        command = "shuangsuiji verify <下载全部公开文件的目录>（核验程序见公示网站 /portal/verifier/）"
        if obj.sealed and getattr(obj, "full_access", False):
            command += "；完整核验：shuangsuiji verify <完整文件目录> --public <公开文件目录>"
        return command


class CertStratumOut(Schema):
    N: int = Field(description="候选对象数")
    k: int = Field(description="抽中数")
    selected: list[list[str]] = Field(description="[对象编码, 优先值]，按优先值排序")
    reserves: list[list[str]] = Field(description="候补，按顺序")


class CertTeamOut(Schema):
    object_id: str
    members: list[list[str]] = Field(description="[部门代码, 人员编码]")


class CertificateOut(Schema):
    """result.json：DRAW-v1 抽取证书。"""

    spec: str
    draw_id: str
    hash: str
    commitment: str
    sources: list[dict[str, Any]]
    key: str
    seed: str
    strata: dict[str, CertStratumOut]
    teams: list[CertTeamOut] | None
    relaxations: list[dict[str, Any]]


class PublicCertificateOut(Schema):
    """result-public.json：密封分层（DRAW-v1.1）的公开证书，不含分层、序位和优先值。"""

    spec: str
    draw_id: str
    hash: str
    commitment: str = Field(description="公开承诺值（params-public.json 的哈希）")
    sealed_commitment: str = Field(description="完整文件的承诺值")
    sources: list[dict[str, Any]]
    key: str
    seed: str = Field(description="公开种子")
    selected: list[str] = Field(description="入选对象，按编号排列")
    reserves: list[str] = Field(description="候补对象，按编号排列")
    teams: list[CertTeamOut] | None
    relaxations: int = Field(description="放宽负荷上限的次数")


class MemberOut(Schema):
    """检查组成员：姓名与执法证号（不含身份证号、电话）。"""

    id: int = Field(description="成员编号（替换人员时使用）")
    department_code: str
    department: str = Field(description="部门简称")
    name: str
    cert_no: str = Field(description="执法证号")
    slot: int
    order: int
    cap_relaxed: bool = Field(description="超出负荷上限（规范 §5 放宽）")

    @staticmethod
    def resolve_department_code(obj) -> str:
        return obj.department.code

    @staticmethod
    def resolve_department(obj) -> str:
        return obj.department.short_name

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.inspector.name

    @staticmethod
    def resolve_cert_no(obj) -> str:
        return obj.inspector.cert_no


class ObjectRefOut(Schema):
    id: int
    code: str
    name: str
    address: str


class SelectionOut(Schema):
    id: int = Field(description="抽取结果编号（替换对象时使用）")
    object: ObjectRefOut
    stratum: str = Field(description="分层（公开文件中的代码）")
    role: str = Field(description="selected 抽中；reserve 候补")
    role_label: str
    rank: int
    priority: str
    active: bool = Field(description="是否有效（被替换的对象、未启用的候补为否）")
    replaces: int | None = Field(description="本对象替换的抽取结果")
    team: list[MemberOut] = Field(description="检查组（本部门可见的成员）")
    visit_code: str | None = Field(
        description="核验码（印在登记表上，检查对象凭此在公示网站核验本次检查；替换或重新抽取后不再有效）"
    )
    visit_lookups: int = Field(description="核验码被查询的次数（只计数，不记录查询人）")

    @staticmethod
    def resolve_visit_code(obj) -> str | None:
        code = getattr(obj, "visit_code", None)
        return code.display if code else None

    @staticmethod
    def resolve_visit_lookups(obj) -> int:
        code = getattr(obj, "visit_code", None)
        return code.lookups if code else 0

    @staticmethod
    def resolve_role_label(obj) -> str:
        return obj.get_role_display()

    @staticmethod
    def resolve_replaces(obj) -> int | None:
        return obj.replaces_id

    @staticmethod
    def resolve_team(obj) -> list:
        return getattr(obj, "visible_team", [])


class SelectionPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[SelectionOut]


class SelectionFilters(Schema):
    stratum: Text | None = Field(None, max_length=32, description="分层")
    role: Literal["selected", "reserve"] | None = Field(None, description="selected 抽中；reserve 候补")
    active: bool | None = Field(None, description="只看有效（或无效）的")

    def apply(self, qs):
        return qs.filter(**self.model_dump(exclude_none=True))


class PapersQuery(Schema):
    member: int | None = Field(
        None,
        ge=1,
        description="检查人员 id：只含该人员被抽中参加的检查对象（须是本次抽取中当前用户可见的检查组成员）",
    )


class SubstitutedObjectOut(Schema):
    selection: int
    code: str
    name: str


class SubstitutedMemberOut(Schema):
    member: int
    department: str
    name: str
    cert_no: str


class SubstitutionOut(Schema):
    id: int
    kind: str = Field(description="object 检查对象替换；inspector 检查人员替换")
    kind_label: str
    object: SubstitutedObjectOut | None = Field(description="人员替换所在的检查对象")
    old_object: SubstitutedObjectOut | None
    new_object: SubstitutedObjectOut | None
    old_member: SubstitutedMemberOut | None
    new_member: SubstitutedMemberOut | None
    reason_code: str = Field(description="公开理由代码")
    reason: str = Field(description="公开理由（代码的中文名称，公示网站显示的就是它）")
    note: str = Field(
        description="内部说明（只有牵头部门、被替换人员所在部门、联席会议办公室和审计管理员看到，否则为空）"
    )
    by_name: str
    at: datetime.datetime

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_reason(obj) -> str:
        return obj.reason_label

    @staticmethod
    def resolve_note(obj) -> str:
        return getattr(obj, "visible_note", "")

    @staticmethod
    def resolve_object(obj) -> dict | None:
        return _object_of(obj.old_member.selection) if obj.old_member_id else None

    @staticmethod
    def resolve_old_object(obj) -> dict | None:
        return _object_of(obj.old_selection) if obj.old_selection_id else None

    @staticmethod
    def resolve_new_object(obj) -> dict | None:
        return _object_of(obj.new_selection) if obj.new_selection_id else None

    @staticmethod
    def resolve_old_member(obj) -> dict | None:
        return _member_of(obj.old_member) if obj.old_member_id else None

    @staticmethod
    def resolve_new_member(obj) -> dict | None:
        return _member_of(obj.new_member) if obj.new_member_id else None


def _object_of(selection) -> dict:
    return {"selection": selection.pk, "code": selection.object.code, "name": selection.object.name}


def _member_of(member) -> dict:
    return {
        "member": member.pk,
        "department": member.department.short_name,
        "name": member.inspector.name,
        "cert_no": member.inspector.cert_no,
    }


class RegisterMemberOut(Schema):
    department: str = Field(description="部门简称")
    name: str
    cert_no: str = Field(description="执法证号")


class RegisterRowOut(Schema):
    """《市场主体执法检查登记表》的一行（一个检查对象）。"""

    selection: int
    task_no: str
    object: ObjectRefOut
    items: list[str]
    methods: list[str]
    window: str
    team: list[RegisterMemberOut]
    visit_code: str | None = Field(description="核验码")
    verify_url: str | None = Field(description="核验地址（登记表上二维码的内容）")


class RegisterPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[RegisterRowOut]
