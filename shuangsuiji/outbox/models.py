"""The transactional outbox: every public fact bound for the provincial platform, written in the transaction that
makes the fact (ADR 0020). The row's `id` is the change feed's cursor; `event_id` is the id the province sees."""

import uuid

from django.db import models


class OutboxState(models.TextChoices):
    PENDING = "pending", "待推送"
    DELIVERED = "delivered", "已送达"
    REJECTED = "rejected", "被省级平台拒收"
    FAILING = "failing", "推送失败、等待重试"
    # The files connector (ADR 0025): written to a batch for a person to upload; delivered once they confirm it.
    AWAITING = "awaiting", "已导出、等待上传"


# States that hold an object's later events back (delivery in order per object).
UNDELIVERED = (OutboxState.PENDING, OutboxState.FAILING)


class BatchState(models.TextChoices):
    AWAITING = "awaiting", "等待上传"
    UPLOADED = "uploaded", "已上传"
    RETURNED = "returned", "被退回"


class OutboxBatch(models.Model):
    """One file batch of the `files` connector (ADR 0025): a folder under OUTBOX_FILES_DIR with the results workbook,
    the other events as JSON lines and a manifest. Its events point at it, so an event is in one batch at a time."""

    batch_id = models.UUIDField("批次编号", default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField("批次号", max_length=40, unique=True)
    business_date = models.DateField("业务日期")
    created_at = models.DateTimeField("生成时间")
    folder = models.CharField("目录", max_length=200)
    state = models.CharField("状态", max_length=10, choices=BatchState.choices, default=BatchState.AWAITING)
    events_count = models.PositiveIntegerField("事件数")
    result_rows = models.PositiveIntegerField("检查结果行数")
    other_count = models.PositiveIntegerField("其他事件数")
    xlsx_sha256 = models.CharField("工作簿 SHA-256", max_length=64)
    settled_at = models.DateTimeField("确认时间", null=True, blank=True)
    settled_by = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="确认人",
    )
    answer = models.TextField("省级平台答复（退回理由）", blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = verbose_name_plural = "推送文件批次"

    def __str__(self) -> str:
        return f"推送文件批次 {self.number}"


class OutboxEvent(models.Model):
    id = models.BigAutoField(primary_key=True)
    event_id = models.UUIDField("事件编号", default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField("事件类型", max_length=40)
    object_key = models.CharField("对象", max_length=120)
    version = models.PositiveIntegerField("对象版本")
    payload = models.JSONField("内容")
    created_at = models.DateTimeField("产生时间", db_index=True)
    state = models.CharField("状态", max_length=10, choices=OutboxState.choices, default=OutboxState.PENDING)
    attempts = models.PositiveIntegerField("推送次数", default=0)
    next_attempt_at = models.DateTimeField("下次推送时间")
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    last_error = models.CharField("最近一次错误", max_length=500, blank=True)
    answer_status = models.PositiveSmallIntegerField("省级平台应答状态码", null=True, blank=True)
    answer = models.TextField("省级平台应答", blank=True)
    batch = models.ForeignKey(
        OutboxBatch,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name="文件批次",
    )

    class Meta:
        ordering = ["id"]
        verbose_name = verbose_name_plural = "推送事件"
        constraints = [
            models.UniqueConstraint(fields=["object_key", "version"], name="uniq_outbox_object_version"),
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="outbox_due_idx"),
            models.Index(fields=["object_key", "state"], name="outbox_object_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.object_key} v{self.version}"
