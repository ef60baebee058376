"""Annual plans, joint plans (art. 10) and task schemes (抽查工作方案, art. 11)."""

from django.conf import settings
from django.db import models


class PlanKind(models.TextChoices):
    DEPARTMENT = "department", "年度抽查计划"
    JOINT = "joint", "年度部门联合抽查计划"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已报送联席会议办公室"
    APPROVED = "approved", "已批准并公示"
    RETURNED = "returned", "已退回修改"


class AnnualPlanQuerySet(models.QuerySet):
    def published(self) -> "AnnualPlanQuerySet":
        # A plan is public once any version was approved; an adjustment in progress keeps the last approved one public.
        return self.filter(versions__isnull=False).distinct()


class AnnualPlan(models.Model):
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="plans", verbose_name="制定部门（牵头部门）"
    )
    kind = models.CharField("计划类型", max_length=12, choices=PlanKind.choices)
    year = models.PositiveIntegerField("年度")
    title = models.CharField("计划名称", max_length=200)
    participants = models.ManyToManyField(
        "org.Department", blank=True, related_name="joint_plans", verbose_name="参与部门"
    )
    status = models.CharField("状态", max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    version = models.PositiveIntegerField("版本", default=1)
    description = models.TextField("说明", blank=True)
    office_comment = models.TextField("联席会议办公室意见", blank=True)
    adjust_reason = models.CharField("调整理由", max_length=300, blank=True)
    # Art. 9: 1–2 random-check rounds a year. More batches of an item in a year need this reason, and the office's
    # approval of the plan names it (issue 17, item 5).
    extra_batches_reason = models.CharField("超过两批次的理由", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AnnualPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "department__sort", "id"]
        verbose_name = verbose_name_plural = "年度抽查计划"

    def __str__(self) -> str:
        return self.title

    @property
    def is_editable(self) -> bool:
        return self.status in (PlanStatus.DRAFT, PlanStatus.RETURNED)


class PlanItem(models.Model):
    """An item of the plan, pinned to the item-list version in force when it was added."""

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(
        "directory.CheckItem", on_delete=models.PROTECT, related_name="+", verbose_name="抽查事项"
    )
    item_version = models.PositiveIntegerField("事项版本")
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name="实施部门"
    )
    ratio = models.DecimalField("计划抽查比例", max_digits=7, decimal_places=6, null=True, blank=True)
    note = models.CharField("备注", max_length=300, blank=True)

    class Meta:
        ordering = ["department__sort", "item__code"]
        verbose_name = verbose_name_plural = "计划事项"
        constraints = [models.UniqueConstraint(fields=["plan", "item"], name="uniq_plan_item")]

    def __str__(self) -> str:
        return f"{self.item} v{self.item_version}"


class PlanBatch(models.Model):
    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="batches")
    seq = models.PositiveIntegerField("批次")
    name = models.CharField("批次名称", max_length=100)
    month = models.PositiveSmallIntegerField("计划月份")
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        ordering = ["plan", "seq"]
        verbose_name = verbose_name_plural = "计划批次"
        constraints = [models.UniqueConstraint(fields=["plan", "seq"], name="uniq_plan_batch")]

    def __str__(self) -> str:
        return f"第{self.seq}批（{self.month}月）{self.name}"


class PlanVersion(models.Model):
    """An approved version of a plan, kept forever: the public change history (art. 10: 动态调整)."""

    plan = models.ForeignKey(AnnualPlan, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField("版本")
    data = models.JSONField("计划内容")
    reason = models.CharField("调整理由", max_length=300, blank=True)
    approved_by_name = models.CharField("批准人", max_length=100)
    approved_at = models.DateTimeField("批准时间")

    class Meta:
        ordering = ["plan", "-version"]
        verbose_name = verbose_name_plural = "计划版本"
        constraints = [models.UniqueConstraint(fields=["plan", "version"], name="uniq_plan_version")]

    def __str__(self) -> str:
        return f"{self.plan} v{self.version}"


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已公示"
    FROZEN = "frozen", "名单已冻结"
    DRAWN = "drawn", "已抽取"
    CLOSED = "closed", "已结束"


class PublishListAt(models.TextChoices):
    DRAW = "draw", "抽取后立即公示名单"
    WINDOW_END = "window_end", "检查期结束后公示名单"


RAISED_STRATUM = "RAISED"
# Objects without a credit-risk class (products, projects, behaviours, firms not yet rated) form this stratum when a
# scheme sets it; otherwise they are listed in excluded.csv with the reason UNRATED (art. 3 全面覆盖, issue 17 item 1).
UNRATED_STRATUM = "UNRATED"
# Objects marked 守信 when the list is frozen (inspections/credit_mark.py) sampled at a lower ratio than the ordinary
# strata (包容审慎, art. 8 and 15; docs/adr/0028). Never objects the raised rules catch, on either list or with
# complaints. The mark reads withheld results too, so a scheme with this stratum is always sealed (draws/strata.py).
TRUSTED_STRATUM = "TRUSTED"
# How pages name the strata that are not risk classes.
STRATUM_LABELS = {
    RAISED_STRATUM: "提高比例层",
    UNRATED_STRATUM: "未评定风险分类",
    TRUSTED_STRATUM: "守信（包容审慎）",
}


class TaskSchemeQuerySet(models.QuerySet):
    def published(self) -> "TaskSchemeQuerySet":
        return self.exclude(status=SchemeStatus.DRAFT)

    def open_tasks(self) -> "TaskSchemeQuerySet":
        return self.filter(status__in=[SchemeStatus.FROZEN, SchemeStatus.DRAWN])


class TaskScheme(models.Model):
    """抽查工作方案 — one batch of random checks: type, ratio, items, methods, window (art. 11)."""

    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="schemes", verbose_name="牵头部门"
    )
    plan = models.ForeignKey(
        AnnualPlan, null=True, blank=True, on_delete=models.PROTECT, related_name="schemes"
    )
    batch = models.ForeignKey(
        PlanBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="schemes"
    )
    adhoc_reason = models.CharField("计划外方案理由", max_length=300, blank=True)
    year = models.PositiveIntegerField("年度")
    task_no = models.CharField("任务编号", max_length=50, unique=True, null=True, blank=True)
    name = models.CharField("方案名称", max_length=200)
    directed = models.BooleanField("定向抽查", default=False)
    # Directed filters: {"regions": [id], "industries": ["C31"], "kinds": [...], "risk_classes": ["C","D"],
    # "tags": ["食品经营"], "abnormal": true|false|null, "dishonest": true|false|null}
    filters = models.JSONField("定向条件", default=dict, blank=True)
    # {"A": {"ratio": "0.01", "reserve": 2}, "B": {"count": 10, "reserve": 1}, ..., "RAISED": {...}, "UNRATED": {...}}
    strata = models.JSONField("分层抽查比例")
    raise_abnormal = models.BooleanField("经营异常名录对象提高比例", default=True)
    raise_dishonest = models.BooleanField("严重违法失信对象提高比例", default=True)
    raise_complaints = models.PositiveIntegerField("投诉举报达到次数时提高比例", default=3)
    # The department's rule when the scheme was made (Department.raise_problems), kept so a later switch does not
    # change a scheme already drafted or drawn.
    raise_problems = models.BooleanField("近12个月发现问题的对象提高比例", default=False)
    methods = models.JSONField("检查方式", default=list)
    window_start = models.DateField("检查开始日期")
    window_end = models.DateField("检查结束日期")
    # {"SCJG": 2, "WJW": 1}: per-department slots; a joint task lists every participating department.
    team_slots = models.JSONField("检查组人数（按部门）", default=dict)
    publish_list_at = models.CharField(
        "名单公示时间", max_length=12, choices=PublishListAt.choices, default=PublishListAt.DRAW
    )
    # The cap is city-wide, kept by the joint office (caps.YearlyCapVersion, art. 9). A scheme may only be stricter;
    # empty follows the city's cap. Exceeding it needs the office's exemption for a named object (caps.CapExemption).
    yearly_cap = models.PositiveIntegerField("本方案更严格的年度抽查次数上限", null=True, blank=True)
    same_item_days = models.PositiveIntegerField("同一事项间隔天数", default=365)
    status = models.CharField("状态", max_length=12, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT)
    published_at = models.DateTimeField("公示时间", null=True, blank=True)
    # Art. 17 档案管理 (issue 13 part 4): a finished task is archived once; from then on it is read-only and every
    # service that changes it, its draws, records or transfers refuses (planning.archiving.ensure_task_open).
    archive_no = models.CharField("归档号", max_length=80, unique=True, null=True, blank=True)
    archived_at = models.DateTimeField("归档时间", null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TaskSchemeQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = verbose_name_plural = "抽查工作方案"

    def __str__(self) -> str:
        return f"{self.task_no or '（未编号）'} {self.name}"

    @property
    def is_archived(self) -> bool:
        return self.archive_no is not None

    @property
    def is_joint(self) -> bool:
        return len(self.team_slots) > 1

    @property
    def participant_codes(self) -> list[str]:
        return sorted(self.team_slots)


class SchemeConsent(models.Model):
    """A participating department's administrator accepts that its inspectors are drawn for another department's
    task (art. 11: joint tasks by agreement). Needed for every slot outside the lead department that no approved
    joint plan naming that department covers (issue 11, item 7)."""

    scheme = models.ForeignKey(TaskScheme, on_delete=models.CASCADE, related_name="consents")
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "参加部门同意"
        constraints = [models.UniqueConstraint(fields=["scheme", "department"], name="uniq_scheme_consent")]

    def __str__(self) -> str:
        return f"{self.scheme_id}/{self.department_id}"


class SchemeItem(models.Model):
    scheme = models.ForeignKey(TaskScheme, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(
        "directory.CheckItem", on_delete=models.PROTECT, related_name="+", verbose_name="抽查事项"
    )
    item_version = models.PositiveIntegerField("事项版本")
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name="实施部门"
    )

    class Meta:
        ordering = ["department__sort", "item__code"]
        verbose_name = verbose_name_plural = "方案事项"
        constraints = [models.UniqueConstraint(fields=["scheme", "item"], name="uniq_scheme_item")]

    def __str__(self) -> str:
        return f"{self.item} v{self.item_version}"


class TaskCounter(models.Model):
    """The last task number given per department and year; incremented under a row lock so numbers never repeat."""

    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["department", "year"], name="uniq_task_counter")]

    def __str__(self) -> str:
        return f"{self.department_id}/{self.year}: {self.last}"


class ArchiveCounter(models.Model):
    """The last archive number given per department and year (归档号), incremented under a row lock like TaskCounter."""

    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["department", "year"], name="uniq_archive_counter")]

    def __str__(self) -> str:
        return f"{self.department_id}/{self.year}: {self.last}"
