from django.db import models


class Region(models.Model):
    """A township-level division (乡镇/街道) of the city."""

    KIND_CHOICES = [("街道", "街道"), ("镇", "镇"), ("乡", "乡")]
    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=50, unique=True)
    kind = models.CharField("类型", max_length=4, choices=KIND_CHOICES)
    sort = models.PositiveIntegerField("排序", default=0)

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = verbose_name_plural = "乡镇（街道）"

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A department of the market-supervision field (市场监管领域有关部门)."""

    code = models.CharField("部门代码", max_length=32, unique=True, help_text="字母数字，如 SCJG")
    name = models.CharField("部门名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=20, help_text="用于文号，如 舞市监")
    # The registering department maintains the city-wide base data of market entities (art. 4: 市场监管局 leads).
    maintains_entity_registry = models.BooleanField("维护市场主体登记信息", default=False)
    is_lead = models.BooleanField("联席会议办公室所在部门", default=False)
    active = models.BooleanField("启用", default=True)
    sort = models.PositiveIntegerField("排序", default=0)
    # Issue 12 item 4: objects with a problem in the department's published results of the last 12 months go to the
    # raised stratum of its next schemes. Copied onto each new scheme (TaskScheme.raise_problems); switched by the
    # department's administrator (planning.services.department_set_raise_problems, audited).
    raise_problems = models.BooleanField("发现问题的对象下一轮提高比例", default=True)

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = verbose_name_plural = "部门"

    def __str__(self) -> str:
        return self.name
