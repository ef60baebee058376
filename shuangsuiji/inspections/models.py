"""Inspection records, review and publication (art. 13–14), follow-up transfers and the credit archive (art. 14–15, 20)."""

from django.conf import settings
from django.db import models


def draft_overdue_label(window_end) -> str:
    """How every page, export and reminder names a draft left open after its task's inspection window closed."""
    return f"草稿逾期（检查期已于 {window_end:%Y-%m-%d} 结束）"


def deadline_label(day, pending_year: int | None) -> str:
    """How every page, export and reminder writes a deadline: a provisional one says so and names the missing year."""
    if day is None:
        return ""
    if pending_year:
        return f"{day:%Y-%m-%d}（暂定，待录入 {pending_year} 年节假日安排）"
    return f"{day:%Y-%m-%d}"


class RecordKind(models.TextChoices):
    RANDOM = "random", "双随机抽查"
    TRIGGERED = "triggered", "非随机检查（投诉举报/转办交办/数据监测）"


class RecordStatus(models.TextChoices):
    DRAFT = "draft", "暂存"
    SUBMITTED = "submitted", "已提交待审核"
    RETURNED = "returned", "已退回修改"
    PUBLISHED = "published", "已审核公示"
    WITHHELD = "withheld", "经批准不予公示"
    SUPERSEDED = "superseded", "已被更正"


class SignatureStatus(models.TextChoices):
    OBTAINED = "obtained", "已签字（盖章）"
    REFUSED = "refused", "无法取得签字（盖章）"


class InspectionRecordQuerySet(models.QuerySet):
    def published(self) -> "InspectionRecordQuerySet":
        return self.filter(status=RecordStatus.PUBLISHED)

    def public(self) -> "InspectionRecordQuerySet":
        """What the public sees: published records, a joint visit's only once the visit is published, and then as
        one entry (its first published part stands for the visit; the entry carries every part)."""
        first_part = (
            InspectionRecord.objects.filter(visit=models.OuterRef("visit"), status=RecordStatus.PUBLISHED)
            .order_by("pk")
            .values("pk")[:1]
        )
        return self.published().filter(
            models.Q(visit__isnull=True)
            | models.Q(visit__published_at__isnull=False, pk=models.Subquery(first_part))
        )

    def awaiting_publication(self) -> "InspectionRecordQuerySet":
        return self.filter(status__in=[RecordStatus.DRAFT, RecordStatus.SUBMITTED, RecordStatus.RETURNED])


class Visit(models.Model):
    """One visit to a drawn object of a joint task (art. 3, 10: one team, one visit, less burden on firms).

    Each participating department keeps its own record of the visit (its part: its items, its findings, its review;
    谁检查、谁录入、谁公开), and every part points here. The visit holds what the parts share: the day, fixed by the
    first part submitted; a later part with another day is refused (issue 17, item 6). The public result of the
    visit shows once, with every department's part, when no part is left open (services.visit_publish_if_complete)."""

    selection = models.OneToOneField("draws.Selection", on_delete=models.PROTECT, related_name="visit")
    visit_date = models.DateField("联合检查日期", null=True, blank=True)
    published_at = models.DateTimeField("公示时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "联合检查"

    def __str__(self) -> str:
        return f"联合检查 {self.selection_id}（{self.visit_date or '日期未定'}）"


class VisitAbsence(models.Model):
    """A participating department that could not attend the joint visit says why: its part shows as 未参加."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="absences")
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("未参加的理由", max_length=300)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "未参加联合检查"
        constraints = [
            models.UniqueConstraint(fields=["visit", "department"], name="uniq_visit_absence_department")
        ]

    def __str__(self) -> str:
        return f"{self.department} 未参加：{self.reason}"


ABSENT_LABEL = "未参加"


class InspectionRecord(models.Model):
    """One department's record of inspecting one object (谁检查、谁录入、谁公开). Read-only once submitted;
    a correction of a published record is a new version that supersedes it."""

    kind = models.CharField("检查类型", max_length=10, choices=RecordKind.choices)
    selection = models.ForeignKey(
        "draws.Selection", null=True, blank=True, on_delete=models.PROTECT, related_name="records"
    )
    object = models.ForeignKey("directory.InspectionObject", on_delete=models.PROTECT, related_name="records")
    # Set for the drawn object of a joint task: this record is the department's part of that one visit.
    visit = models.ForeignKey(Visit, null=True, blank=True, on_delete=models.PROTECT, related_name="parts")
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="records", verbose_name="检查实施机关"
    )
    trigger = models.CharField("检查来源", max_length=10, blank=True)
    trigger_ref = models.CharField("来源编号", max_length=100, blank=True)
    methods = models.JSONField("检查方式", default=list)
    inspection_date = models.DateField("检查日期")
    # The time of day the visit began, as entered on site (the phone form); optional.
    inspection_time = models.TimeField("检查时间", null=True, blank=True)
    outside_window_reason = models.CharField("超出检查期限的理由", max_length=300, blank=True)
    cert_shown = models.BooleanField("已出示执法证件", default=False)
    signature = models.CharField("签字（盖章）", max_length=10, choices=SignatureStatus.choices, blank=True)
    signature_reason = models.CharField("无法取得签字的原因", max_length=300, blank=True)
    witness = models.CharField("见证人", max_length=100, blank=True)
    agency = models.CharField("受委托专业机构", max_length=200, blank=True)
    agency_report = models.CharField("专业机构报告编号", max_length=100, blank=True)
    categories = models.JSONField("检查结果", default=list)
    measures = models.JSONField("后续处置措施", default=list)
    measure_note = models.CharField("措施说明", max_length=300, blank=True)
    note = models.TextField("检查情况", blank=True)
    result_date = models.DateField("结果产生日期", null=True, blank=True)
    # A result formed after the inspection day (a lab report, an expert opinion) says why; the document itself is
    # attached (RESULT_BASIS_KINDS). Without it the 20 working days could be pushed back at will (issue 17, item 7).
    late_result_reason = models.CharField("结果晚于检查日期的理由", max_length=300, blank=True)
    deadline = models.DateField("公示期限", null=True, blank=True)
    # Set while the deadline rests on a provisional calendar: the first year whose holidays are still missing.
    deadline_pending_year = models.PositiveSmallIntegerField("期限待定年度", null=True, blank=True)
    deadline_note = models.CharField("期限调整说明", max_length=300, blank=True)
    status = models.CharField("状态", max_length=12, choices=RecordStatus.choices, default=RecordStatus.DRAFT)
    version = models.PositiveIntegerField("版本", default=1)
    corrects = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrected_by"
    )
    correction_reason = models.CharField("更正理由", max_length=300, blank=True)
    withhold_reason = models.CharField("不予公示的法律依据", max_length=300, blank=True)
    withhold_requested = models.BooleanField("申请不予公示", default=False)
    review_comment = models.CharField("审核意见", max_length=300, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField("公示时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InspectionRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-inspection_date", "-id"]
        verbose_name = verbose_name_plural = "检查记录"
        indexes = [
            models.Index(fields=["status", "deadline"], name="record_deadline_idx"),
            models.Index(fields=["object", "status"], name="record_object_idx"),
            # Statistics (ADR 0015): every record figure ranges over the inspection date, grouped by department.
            models.Index(fields=["inspection_date", "department"], name="record_date_dept_idx"),
            # The first versions of the period's records (stats.selectors.records_first, what most record figures
            # and the lists they lead to count): an index-only count. At 1 M results counting a year's finished
            # records took 260 ms through the index above and the table, 60 ms with this one (ADR 0022, seventh pass).
            models.Index(
                fields=["inspection_date", "status", "kind", "department"],
                condition=models.Q(corrects__isnull=True),
                name="record_first_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department.short_name} 检查 {self.object.name}（{self.inspection_date}）"

    @property
    def deadline_label(self) -> str:
        return deadline_label(self.deadline, self.deadline_pending_year)

    @property
    def is_editable(self) -> bool:
        return self.status in (RecordStatus.DRAFT, RecordStatus.RETURNED)


class RecordMember(models.Model):
    record = models.ForeignKey(InspectionRecord, on_delete=models.CASCADE, related_name="members")
    inspector = models.ForeignKey("directory.Inspector", on_delete=models.PROTECT, related_name="+")
    # Who entered this inspector as present (the record shows "由 X 登记到场"), and when the inspector confirmed it
    # from their own account (issue 14: the second inspector confirms presence from their own phone).
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField("本人确认到场时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "到场检查人员"
        constraints = [models.UniqueConstraint(fields=["record", "inspector"], name="uniq_record_member")]

    def __str__(self) -> str:
        return str(self.inspector)


class ItemResult(models.Model):
    record = models.ForeignKey(InspectionRecord, on_delete=models.CASCADE, related_name="item_results")
    item = models.ForeignKey("directory.CheckItem", on_delete=models.PROTECT, related_name="+")
    checked = models.BooleanField("是否检查", default=True)
    problem_found = models.BooleanField("发现问题", default=False)
    disposal = models.CharField("处置", max_length=300, blank=True)

    class Meta:
        ordering = ["item__code"]
        verbose_name = verbose_name_plural = "分事项结果"
        constraints = [models.UniqueConstraint(fields=["record", "item"], name="uniq_record_item")]

    def __str__(self) -> str:
        return f"{self.item.code}: {'发现问题' if self.problem_found else '未发现问题'}"


class Attachment(models.Model):
    record = models.ForeignKey(InspectionRecord, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField("类型", max_length=20)
    file = models.FileField(upload_to="records/%Y/%m/")
    original_name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveIntegerField("大小")
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "附件"

    def __str__(self) -> str:
        return self.original_name


class TransferKind(models.TextChoices):
    DEPARTMENT = "department", "移交相关部门"
    CASE_UNIT = "case_unit", "移送办案机构"
    POLICE = "police", "移送公安机关"


class TransferStatus(models.TextChoices):
    SENT = "sent", "已移交待接收"
    ACKNOWLEDGED = "acknowledged", "已接收处理中"
    CLOSED = "closed", "已办结"


class Transfer(models.Model):
    """后续处置: a problem handed to the responsible department, a case unit or the police."""

    record = models.ForeignKey(InspectionRecord, on_delete=models.PROTECT, related_name="transfers")
    kind = models.CharField("类型", max_length=12, choices=TransferKind.choices)
    to_department = models.ForeignKey(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incoming_transfers",
        verbose_name="接收部门",
    )
    to_agency = models.CharField("接收机构", max_length=200, blank=True)
    basis = models.CharField(
        "依据", max_length=20, blank=True, help_text="谁审批谁监管/谁主管谁监管/属地管理"
    )
    content = models.TextField("移交内容")
    sent_at = models.DateTimeField("移交时间", auto_now_add=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due = models.DateField("办理期限")
    due_days = models.PositiveSmallIntegerField("办理期限（工作日）", default=10)
    due_pending_year = models.PositiveSmallIntegerField("期限待定年度", null=True, blank=True)
    due_note = models.CharField("期限调整说明", max_length=300, blank=True)
    receipt_no = models.CharField("回执编号", max_length=100, blank=True)
    receipt_date = models.DateField("回执日期", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=TransferStatus.choices, default=TransferStatus.SENT
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField("办理结果", blank=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = verbose_name_plural = "后续处置移交"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.to_department or self.to_agency}"

    @property
    def due_label(self) -> str:
        return deadline_label(self.due, self.due_pending_year)


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", "待决定"
    LISTED = "listed", "已列入"
    REJECTED = "rejected", "不予列入"


class ListingProposal(models.Model):
    """A proposal to list an entity in the 经营异常名录, raised by a result; the registering department decides."""

    object = models.ForeignKey(
        "directory.InspectionObject", on_delete=models.PROTECT, related_name="listing_proposals"
    )
    record = models.ForeignKey(InspectionRecord, on_delete=models.PROTECT, related_name="listing_proposals")
    reason = models.CharField("理由", max_length=100)
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name="决定部门（登记机关）"
    )
    due = models.DateField("决定期限")
    due_pending_year = models.PositiveSmallIntegerField("期限待定年度", null=True, blank=True)
    due_note = models.CharField("期限调整说明", max_length=300, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.CharField("决定说明", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = "列入经营异常名录建议"

    def __str__(self) -> str:
        return f"{self.object.name}：{self.reason}"

    @property
    def due_label(self) -> str:
        return deadline_label(self.due, self.due_pending_year)


class CalendarDay(models.Model):
    """An administrator's holiday-calendar entry: a holiday or a make-up working day that wins over the package."""

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("工作日")
    note = models.CharField("说明", max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = verbose_name_plural = "节假日调整"

    def __str__(self) -> str:
        return f"{self.date} {'上班' if self.is_workday else '休息'}"


class CalendarYear(models.Model):
    """A year whose holidays and make-up days an administrator has fully entered (beyond the package's years)."""

    year = models.PositiveIntegerField("年度", unique=True)
    declared_by = models.CharField("录入人", max_length=100)
    declared_at = models.DateTimeField(auto_now_add=True)
    notice_number = models.CharField("通知文号", max_length=60, blank=True)
    notice_date = models.DateField("通知日期", null=True, blank=True)
    incomplete_reason = models.CharField("节日不全的说明", max_length=300, blank=True)

    class Meta:
        ordering = ["year"]
        verbose_name = verbose_name_plural = "已录入节假日年度"

    def __str__(self) -> str:
        return str(self.year)


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    message = models.CharField(max_length=300)
    link = models.CharField(max_length=200, blank=True)
    key = models.CharField(max_length=100, help_text="one reminder per key and day")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="uniq_notification_key")]

    def __str__(self) -> str:
        return self.message
