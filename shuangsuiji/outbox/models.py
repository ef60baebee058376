"""The transactional outbox: every public fact bound for the provincial platform, written in the transaction that
makes the fact (ADR 0020). The row's `id` is the change feed's cursor; `event_id` is the id the province sees."""

import uuid

from django.db import models


class OutboxState(models.TextChoices):
    PENDING = "pending", "待推送"
    DELIVERED = "delivered", "已送达"
    REJECTED = "rejected", "被省级平台拒收"
    FAILING = "failing", "推送失败、等待重试"


# States that hold an object's later events back (delivery in order per object).
UNDELIVERED = (OutboxState.PENDING, OutboxState.FAILING)


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
