"""The Django side of DRAW-v1: frozen lists, ceremonies, certificates, teams and published substitutions."""

from django.conf import settings
from django.db import models

from shuangsuiji.codes.visit import format_visit_code
from shuangsuiji.labels import source_label, stratum_label
from shuangsuiji.personal.fields import EncryptedCharField

from .labels import source_fact_text, substitution_reason_label


class DrawStatus(models.TextChoices):
    FROZEN = "frozen", "名单已冻结，待抽取"
    DRAWING = "drawing", "正在抽取"
    DRAWN = "drawn", "已抽取"
    FAILED = "failed", "抽取失败"
    SUPERSEDED = "superseded", "已被重新抽取取代"


class DrawQuerySet(models.QuerySet):
    def public(self) -> "DrawQuerySet":
        # Every frozen list is public from the moment it is committed, including draws later superseded.
        return self.exclude(status=DrawStatus.DRAWING)


class Draw(models.Model):
    scheme = models.ForeignKey("planning.TaskScheme", on_delete=models.PROTECT, related_name="draws")
    seq = models.PositiveIntegerField("抽取序号")
    draw_id = models.CharField("抽取编号", max_length=80, unique=True)
    status = models.CharField("状态", max_length=12, choices=DrawStatus.choices, default=DrawStatus.FROZEN)
    hash_name = models.CharField("哈希算法", max_length=10, default="sha256")
    commitment = models.CharField("承诺值", max_length=64, unique=True)
    params_json = models.TextField("params.json")
    files_dir = models.CharField("文件目录", max_length=200)
    file_hashes = models.JSONField("文件哈希")
    # The server secret never leaves the server before the ceremony; only its hash is in params.json. It is stored
    # sealed (SM4-GCM) with PERSONAL_DATA_KEY, which lives outside the database (ADR 0007, 0012): whoever reads the
    # database alone cannot learn it and try lottery or dice values until the result suits them (issue 17, item 8).
    secret = EncryptedCharField(max_length=200, editable=False)
    # Public stratum codes are opaque (S1, S2, …): a stratum is a credit-risk class, which is never public.
    # This private map {opaque: class code} lets internal pages show the real class.
    strata_map = models.JSONField("分层代码对照（内部）", default=dict)
    # Inspectors appear in the public files under per-draw pseudonyms, so recusals.csv does not tell the public
    # which inspector declared a conflict with which firm. Private map {pseudonym: inspector code}.
    inspector_map = models.JSONField("人员代号对照（内部）", default=dict)
    sources = models.JSONField("随机源")
    announced = models.TextField("公告的随机源说明")
    # Issue 17, item 8: per public source, what makes it outside the operator's control — a lottery's game, period
    # and draw date (after the freeze), or dice thrown by a witness. Committed in params.json (extra key).
    source_facts = models.JSONField("随机源事实", default=dict)
    # {dice source: the registered witness who threw the dice}, recorded at the ceremony.
    thrown_by = models.JSONField("掷骰人", default=dict)
    candidates_count = models.PositiveIntegerField("候选对象数", default=0)
    excluded_count = models.PositiveIntegerField("排除对象数", default=0)
    inspectors_count = models.PositiveIntegerField("候选人员数", default=0)
    recusals_count = models.PositiveIntegerField("回避关系数", default=0)
    frozen_at = models.DateTimeField("冻结时间")
    frozen_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    redraw_of = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="redrawn_by"
    )
    redraw_reason = models.CharField("重新抽取理由", max_length=300, blank=True)
    reveals = models.JSONField("公开的随机源值", null=True, blank=True)
    seed = models.CharField("种子", max_length=64, blank=True)
    certificate_json = models.TextField("抽取证书 result.json", blank=True)
    drawn_at = models.DateTimeField("抽取时间", null=True, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    failure = models.TextField("失败原因", blank=True)
    # DRAW-v1.1 (docs/draw-v1.1-sealed.md): strata on confidential attributes. The directory holds the full DRAW-v1
    # files; the public sees only their projection in public/. `commitment` is then the public commitment and
    # `full_commitment` the DRAW-v1 one; `seed` stays the draw seed (substitutions need it), never shown publicly.
    sealed = models.BooleanField("密封分层", default=False)
    sealed_reason = models.CharField("密封理由", max_length=200, blank=True)
    # DRAW-v1.1's second secret: sealed like `secret`; never public, only in the full certificate.
    sealed_secret = EncryptedCharField(max_length=200, editable=False, blank=True)
    full_commitment = models.CharField("完整文件承诺值", max_length=64, blank=True)
    public_params_json = models.TextField("params-public.json", blank=True)
    public_seed = models.CharField("公开种子", max_length=64, blank=True)
    public_certificate_json = models.TextField("result-public.json", blank=True)
    # Draws made before sealing existed whose public files revealed strata: their public copy is withdrawn.
    public_withdrawn = models.TextField("公开文件撤回说明", blank=True)

    objects = DrawQuerySet.as_manager()

    class Meta:
        ordering = ["scheme", "seq"]
        verbose_name = verbose_name_plural = "抽取"
        constraints = [models.UniqueConstraint(fields=["scheme", "seq"], name="uniq_draw_seq")]

    def __str__(self) -> str:
        return self.draw_id

    @property
    def source_fact_rows(self) -> list[tuple[str, str, str]]:
        """(source name, its label, its facts in words): public, shown on the portal and the internal pages alike."""
        kinds = {s["name"]: s["kind"] for s in self.sources or []}
        return [
            (
                name,
                source_label(name, kinds.get(name, "")),
                source_fact_text(fact, (self.thrown_by or {}).get(name, "")),
            )
            for name, fact in (self.source_facts or {}).items()
        ]


class Witness(models.Model):
    """监督人员 present at the ceremony."""

    draw = models.ForeignKey(Draw, on_delete=models.PROTECT, related_name="witnesses")
    name = models.CharField("姓名", max_length=50)
    unit = models.CharField("单位", max_length=100)

    class Meta:
        ordering = ["id"]
        verbose_name = verbose_name_plural = "监督人员"

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"


class SelectionRole(models.TextChoices):
    SELECTED = "selected", "抽中"
    RESERVE = "reserve", "候补"


class Selection(models.Model):
    """An object of a certificate: selected or an ordered reserve. `active` turns when a substitution is made."""

    draw = models.ForeignKey(Draw, on_delete=models.PROTECT, related_name="selections")
    object = models.ForeignKey(
        "directory.InspectionObject", on_delete=models.PROTECT, related_name="selections"
    )
    stratum = models.CharField("分层", max_length=32)
    role = models.CharField("类型", max_length=10, choices=SelectionRole.choices)
    rank = models.PositiveIntegerField("序位")
    priority = models.CharField("优先值", max_length=64)
    active = models.BooleanField("有效", default=True)
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )

    class Meta:
        ordering = ["draw", "stratum", "role", "rank"]
        verbose_name = verbose_name_plural = "抽取结果"
        constraints = [models.UniqueConstraint(fields=["draw", "object"], name="uniq_selection_object")]
        indexes = [models.Index(fields=["object", "active"], name="selection_object_idx")]

    def __str__(self) -> str:
        return f"{self.draw_id}/{self.stratum}#{self.rank}"

    @property
    def stratum_label(self) -> str:
        """The real stratum (risk class, RAISED or UNRATED) behind the public code: for internal pages only."""
        code = self.draw.strata_map.get(self.stratum, self.stratum)
        return stratum_label(code)


class VisitCode(models.Model):
    """核验码: the firm's own key to its visit (issue 14, part 2), printed with a QR code on the 登记表.

    One per drawn object that is (or was) to be visited: issued at the ceremony for each selected object and at a
    substitution for the reserve that takes over. The code belongs to the selection, so it outlives a substitution
    or a redraw and then tells the firm that the visit it names no longer stands. `lookups` counts every time the
    code was looked up on the portal — a number, never who looked."""

    selection = models.OneToOneField(Selection, on_delete=models.PROTECT, related_name="visit_code")
    code = models.CharField("核验码", max_length=10, unique=True)
    lookups = models.PositiveIntegerField("核验次数", default=0)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "检查核验码"

    def __str__(self) -> str:
        return format_visit_code(self.code)

    @property
    def display(self) -> str:
        return format_visit_code(self.code)


class TeamMember(models.Model):
    selection = models.ForeignKey(Selection, on_delete=models.PROTECT, related_name="team")
    inspector = models.ForeignKey(
        "directory.Inspector", on_delete=models.PROTECT, related_name="team_memberships"
    )
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    slot = models.PositiveIntegerField("部门内序号")
    order = models.PositiveIntegerField("组内顺序")
    active = models.BooleanField("有效", default=True)
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    cap_relaxed = models.BooleanField("超出负荷上限", default=False)

    class Meta:
        ordering = ["selection", "order"]
        verbose_name = verbose_name_plural = "检查组成员"
        indexes = [models.Index(fields=["inspector", "active"], name="team_inspector_idx")]

    def __str__(self) -> str:
        return f"{self.selection} {self.inspector_id}"


class SubstitutionKind(models.TextChoices):
    OBJECT = "object", "检查对象替换"
    INSPECTOR = "inspector", "检查人员替换"


class Substitution(models.Model):
    """A published change after the draw (spec §8): what was replaced by what, why, by whom, when."""

    draw = models.ForeignKey(Draw, on_delete=models.PROTECT, related_name="substitutions")
    kind = models.CharField("类型", max_length=10, choices=SubstitutionKind.choices)
    old_selection = models.ForeignKey(
        Selection, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    new_selection = models.ForeignKey(
        Selection, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    old_member = models.ForeignKey(
        TeamMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    new_member = models.ForeignKey(
        TeamMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The public reason is a code of labels.SUBSTITUTION_REASONS; the free text is internal (issue 17, item 9).
    reason_code = models.CharField("公开理由", max_length=20)
    note = models.CharField("内部说明", max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    by_name = models.CharField("操作人", max_length=100)
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        ordering = ["draw", "at", "id"]
        verbose_name = verbose_name_plural = "抽取后替换"

    def __str__(self) -> str:
        return f"{self.draw} {self.get_kind_display()}"

    @property
    def reason_label(self) -> str:
        """The public reason: a label of the code, never the internal note."""
        return substitution_reason_label(self.kind, self.reason_code)
