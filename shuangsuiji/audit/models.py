from django.conf import settings
from django.db import models


class AuditEventQuerySet(models.QuerySet):
    def for_target(self, obj: models.Model) -> "AuditEventQuerySet":
        return self.filter(target_type=obj._meta.label_lower, target_id=str(obj.pk))


class AuditEvent(models.Model):
    """One business action: who, when, what, before/after, from where.

    Written only by `shuangsuiji.audit.record`, always inside the transaction of the service that acts, so an action
    and its audit event commit or roll back together. Tamper-evidence (HMAC chain) is added by the security issue.
    """

    at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="操作人",
    )
    actor_name = models.CharField("操作人姓名", max_length=100, blank=True)
    department = models.ForeignKey(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="操作人部门",
    )
    action = models.CharField("操作", max_length=64, db_index=True)
    target_type = models.CharField("对象类型", max_length=64, blank=True, db_index=True)
    target_id = models.CharField("对象编号", max_length=64, blank=True, db_index=True)
    target_repr = models.CharField("对象", max_length=200, blank=True)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    reason = models.CharField("理由", max_length=500, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    # Tamper evidence: seq numbers the chain without gaps; mac = HMAC-SM3(key, prev_mac | canonical content).
    seq = models.PositiveBigIntegerField("链序号", unique=True, null=True)
    prev_mac = models.CharField("前一事件校验值", max_length=64, blank=True)
    mac = models.CharField("校验值", max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = verbose_name_plural = "审计事件"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action} {self.target_repr}"


class AuditChainHead(models.Model):
    """The single row that serialises appends to the chain and remembers its end (so truncation is detected).

    `anchor_*` is where verification starts: the genesis, or the last event purged (events older than 6 months may
    be purged; the anchor keeps the chain verifiable from the first remaining event).
    """

    last_seq = models.PositiveBigIntegerField(default=0)
    last_mac = models.CharField(max_length=64, default="")
    anchor_seq = models.PositiveBigIntegerField(default=0)
    anchor_mac = models.CharField(max_length=64, default="")
    head_mac = models.CharField(max_length=64, default="", help_text="HMAC over the head's own fields")

    class Meta:
        verbose_name = verbose_name_plural = "审计链头"

    def __str__(self) -> str:
        return f"audit chain @ {self.last_seq}"
