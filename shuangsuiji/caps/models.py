"""The city-wide yearly cap on checks of one object (art. 9) and the office's exemptions from it, object by object."""

from django.conf import settings
from django.db import models

# Art. 9: 在同一年度内对同一企业的抽查次数原则上不超过2次. In force until the office records another value.
DEFAULT_YEARLY_CAP = 2


class YearlyCapVersion(models.Model):
    """One value of the city-wide cap, kept forever: the latest is in force, the others are its public history."""

    version = models.PositiveIntegerField("版本", unique=True)
    value = models.PositiveSmallIntegerField("同一对象年度抽查次数上限")
    reason = models.CharField("调整理由", max_length=300)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField("调整时间", auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = verbose_name_plural = "全市年度抽查次数上限"

    def __str__(self) -> str:
        return f"v{self.version}: {self.value} 次"


class ExemptionStatus(models.TextChoices):
    PENDING = "pending", "待联席会议办公室核准"
    APPROVED = "approved", "已核准"
    REFUSED = "refused", "未予核准"


class CapExemptionQuerySet(models.QuerySet):
    def approved(self) -> "CapExemptionQuerySet":
        return self.filter(status=ExemptionStatus.APPROVED)

    def published(self) -> "CapExemptionQuerySet":
        # Approved exemptions are public (object, department, legal reason); requests and refusals are not.
        return self.approved()


class CapExemption(models.Model):
    """A department must check a named object more often than the cap allows in a year, for a legal reason; the
    office approves or refuses. Approved, the object may be a candidate of that department's schemes of that year (or
    of the one scheme named) beyond the cap."""

    object = models.ForeignKey(
        "directory.InspectionObject", on_delete=models.PROTECT, related_name="+", verbose_name="检查对象"
    )
    year = models.PositiveIntegerField("年度")
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name="申请部门"
    )
    scheme = models.ForeignKey(
        "planning.TaskScheme",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="工作方案（不填为本部门该年度的方案）",
    )
    reason = models.CharField("超过上限的法定理由", max_length=500)
    status = models.CharField(
        "状态", max_length=12, choices=ExemptionStatus.choices, default=ExemptionStatus.PENDING
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("核准时间", null=True, blank=True)
    decision_comment = models.CharField("联席会议办公室意见", max_length=300, blank=True)

    objects = CapExemptionQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = verbose_name_plural = "超过年度抽查次数上限的核准"

    def __str__(self) -> str:
        return f"{self.year} {self.object_id} {self.department_id}"
