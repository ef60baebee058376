"""两库一单 (art. 5): the object directory, the inspector directory and the check-item list."""

import datetime

from django.conf import settings
from django.db import models

from shuangsuiji.personal.fields import (
    BlindIndexField,
    EncryptedCharField,
    PersonalDataQuerySet,
    with_index_fields,
)


class RiskClass(models.Model):
    """A credit-risk class. The set is configurable (A–D by default, some provinces use A–E); never public."""

    code = models.CharField("代码", max_length=8, unique=True)
    name = models.CharField("名称", max_length=20)
    sort = models.PositiveIntegerField("排序", default=0)
    active = models.BooleanField("启用", default=True)

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = verbose_name_plural = "信用风险分类"

    def __str__(self) -> str:
        return f"{self.code}（{self.name}）"


class ObjectKind(models.TextChoices):
    ENTERPRISE = "enterprise", "企业"
    INDIVIDUAL = "individual", "个体工商户"
    COOPERATIVE = "cooperative", "农民专业合作社"
    PRODUCT = "product", "产品"
    PROJECT = "project", "项目"
    BEHAVIOUR = "behaviour", "行为"


MARKET_ENTITY_KINDS = {ObjectKind.ENTERPRISE, ObjectKind.INDIVIDUAL, ObjectKind.COOPERATIVE}


class RegStatus(models.TextChoices):
    ACTIVE = "存续", "存续"
    DEREGISTERED = "注销", "注销"
    REVOKED = "吊销", "吊销"
    CANCELLED = "撤销", "撤销"
    MOVED_OUT = "迁出", "迁出"


class InspectionObjectQuerySet(models.QuerySet):
    def market_entities(self) -> "InspectionObjectQuerySet":
        return self.filter(kind__in=MARKET_ENTITY_KINDS)

    def active(self) -> "InspectionObjectQuerySet":
        return self.filter(reg_status=RegStatus.ACTIVE)


class InspectionObject(models.Model):
    """An object of the city-wide directory: a market entity (by its USCC) or a product/project/behaviour."""

    kind = models.CharField("类别", max_length=16, choices=ObjectKind.choices, db_index=True)
    # For market entities this is the 统一社会信用代码; for other objects the platform's own code. Both match the
    # DRAW-v1 object ID pattern ^[0-9A-Z]{1,64}$ so that every object can be drawn and verified.
    code = models.CharField("统一社会信用代码/对象编码", max_length=64, unique=True)
    name = models.CharField("名称", max_length=200, db_index=True)
    industry_code = models.CharField("行业代码", max_length=5, blank=True, db_index=True)
    region = models.ForeignKey(
        "org.Region",
        verbose_name="乡镇（街道）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    address = models.CharField("住所（经营场所）", max_length=300, blank=True)
    legal_rep = models.CharField("法定代表人（负责人、经营者）", max_length=100, blank=True)
    reg_status = models.CharField(
        "登记状态", max_length=4, choices=RegStatus.choices, default=RegStatus.ACTIVE, db_index=True
    )
    risk_class = models.ForeignKey(
        RiskClass,
        verbose_name="信用风险分类",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    abnormal_list = models.BooleanField("列入经营异常名录", default=False)
    dishonest_list = models.BooleanField("列入严重违法失信名单", default=False)
    complaints_12m = models.PositiveIntegerField("近12个月投诉举报数", default=0)
    synthetic = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = InspectionObjectQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = verbose_name_plural = "检查对象"
        indexes = [
            models.Index(fields=["region", "risk_class", "id"], name="obj_region_risk_idx"),
            models.Index(fields=["risk_class", "id"], name="obj_risk_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def is_market_entity(self) -> bool:
        return self.kind in MARKET_ENTITY_KINDS


class Supervision(models.Model):
    """A department's own supervision attributes of an object (专项库 tags); only that department edits them."""

    object = models.ForeignKey(InspectionObject, on_delete=models.CASCADE, related_name="supervisions")
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name="部门"
    )
    tags = models.JSONField("专项库标签", default=list, blank=True)
    note = models.CharField("备注", max_length=300, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "监管属性"
        constraints = [models.UniqueConstraint(fields=["object", "department"], name="uniq_supervision")]

    def __str__(self) -> str:
        return f"{self.department} 监管 {self.object.name}"


class Licence(models.Model):
    object = models.ForeignKey(InspectionObject, on_delete=models.CASCADE, related_name="licences")
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name="发证部门"
    )
    name = models.CharField("许可证名称", max_length=100)
    number = models.CharField("许可证编号", max_length=100)
    valid_from = models.DateField("有效期起", null=True, blank=True)
    valid_to = models.DateField("有效期至", null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = verbose_name_plural = "许可证"
        constraints = [models.UniqueConstraint(fields=["department", "number"], name="uniq_licence_number")]

    def __str__(self) -> str:
        return f"{self.name} {self.number}"


class InspectorStatus(models.TextChoices):
    ON_DUTY = "在岗", "在岗"
    ON_LEAVE = "休假", "休假"
    SECONDED = "借调", "借调"
    TRANSFERRED = "调离", "调离"


class InspectorQuerySet(PersonalDataQuerySet):
    def drawable(self, on: datetime.date) -> "InspectorQuerySet":
        return self.filter(status=InspectorStatus.ON_DUTY, cert_expires__gte=on)


class Inspector(models.Model):
    """A certified law-enforcement inspector (持《河南省行政执法证》)."""

    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="inspectors", verbose_name="所属部门"
    )
    # Stable platform code used as the DRAW-v1 inspector ID (never an ID-card number).
    code = models.CharField("人员编码", max_length=16, unique=True, null=True, blank=True)
    name = models.CharField("姓名", max_length=50)
    cert_no = models.CharField("执法证号", max_length=50, unique=True)
    cert_issued = models.DateField("发证日期", null=True, blank=True)
    cert_expires = models.DateField("有效期至")
    # Encrypted at rest with SM4; exact search goes through the keyed indexes below (shuangsuiji/personal/).
    id_number = EncryptedCharField("身份证号", blank=True)
    phone = EncryptedCharField("联系电话", blank=True)
    id_number_index = BlindIndexField("身份证号索引", source="id_number")
    phone_index = BlindIndexField("联系电话索引", source="phone")
    region = models.ForeignKey(
        "org.Region",
        verbose_name="工作区域",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    qualifications = models.JSONField("资格/专长", default=list, blank=True)
    is_expert = models.BooleanField("专家", default=False)
    status = models.CharField(
        "状态", max_length=4, choices=InspectorStatus.choices, default=InspectorStatus.ON_DUTY
    )
    synthetic = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = InspectorQuerySet.as_manager()

    class Meta:
        ordering = ["department__sort", "id"]
        verbose_name = verbose_name_plural = "执法检查人员"

    def __str__(self) -> str:
        return f"{self.name}（{self.cert_no}）"

    def save(self, *args, **kwargs) -> None:
        if kwargs.get("update_fields") is not None:  # an index is only recomputed when it is saved too
            kwargs["update_fields"] = with_index_fields(type(self), kwargs["update_fields"])
        super().save(*args, **kwargs)

    def not_drawable_reason(self, on: datetime.date) -> str:
        """Why this inspector cannot be drawn on `on`, or '' when drawable."""
        reasons = []
        if self.status != InspectorStatus.ON_DUTY:
            reasons.append(f"状态为{self.status}")
        if self.cert_expires < on:
            reasons.append(f"执法证已于 {self.cert_expires:%Y-%m-%d} 过期")
        return "；".join(reasons)


class Conflict(models.Model):
    """A declared conflict of interest (回避, 行政处罚法 art. 43) between an inspector and an object."""

    inspector = models.ForeignKey(Inspector, on_delete=models.CASCADE, related_name="conflicts")
    object = models.ForeignKey(InspectionObject, on_delete=models.CASCADE, related_name="conflicts")
    reason = models.CharField("回避理由", max_length=200)
    declared_at = models.DateTimeField("申报时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "利害关系回避"
        constraints = [models.UniqueConstraint(fields=["inspector", "object"], name="uniq_conflict")]

    def __str__(self) -> str:
        return f"{self.inspector.name} 回避 {self.object.name}"


class ItemCategory(models.TextChoices):
    KEY = "重点", "重点检查事项"
    GENERAL = "一般", "一般检查事项"


class ItemStatus(models.TextChoices):
    VALID = "有效", "有效"
    RETIRED = "停用", "停用"


METHOD_CHOICES = ["实地核查", "书面检查", "网络监测", "委托专业机构", "检验检测", "行政部门专业意见"]


class CheckItemQuerySet(models.QuerySet):
    def valid(self) -> "CheckItemQuerySet":
        return self.filter(status=ItemStatus.VALID)


class CheckItem(models.Model):
    """An entry of the 随机抽查事项清单. Every change is kept as a CheckItemVersion (dynamic management, art. 5)."""

    code = models.CharField("事项编码", max_length=32, unique=True)
    name = models.CharField("事项名称", max_length=200)
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="items", verbose_name="责任部门"
    )
    sub_items = models.TextField("检查子项", blank=True, help_text="每行一项")
    legal_basis = models.TextField("检查依据")
    content = models.TextField("检查内容", blank=True)
    object_scope = models.CharField("检查对象", max_length=200, blank=True)
    default_ratio = models.DecimalField("默认抽查比例", max_digits=7, decimal_places=6, null=True, blank=True)
    ratio_cap = models.DecimalField("比例上限", max_digits=7, decimal_places=6, null=True, blank=True)
    frequency = models.CharField("抽查频次", max_length=50, blank=True)
    methods = models.JSONField("检查方式", default=list)
    category = models.CharField("事项类别", max_length=2, choices=ItemCategory.choices)
    qualification = models.CharField("检查人员资格要求", max_length=100, blank=True)
    status = models.CharField("状态", max_length=2, choices=ItemStatus.choices, default=ItemStatus.VALID)
    version = models.PositiveIntegerField("版本", default=1)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = CheckItemQuerySet.as_manager()

    class Meta:
        ordering = ["department__sort", "code"]
        verbose_name = verbose_name_plural = "随机抽查事项"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CheckItemVersion(models.Model):
    item = models.ForeignKey(CheckItem, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField("版本")
    data = models.JSONField("内容")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_by_name = models.CharField("修改人", max_length=100)
    changed_at = models.DateTimeField("修改时间", auto_now_add=True)
    reason = models.CharField("修改理由", max_length=300)
    summary = models.CharField("变更内容", max_length=1000, blank=True)

    class Meta:
        ordering = ["item", "-version"]
        verbose_name = verbose_name_plural = "事项版本"
        constraints = [models.UniqueConstraint(fields=["item", "version"], name="uniq_item_version")]

    def __str__(self) -> str:
        return f"{self.item.code} v{self.version}"


class SyncKind(models.TextChoices):
    REGISTRATION = "registration", "登记变更文件"
    RISK = "risk", "信用风险分类文件"


class SyncBatch(models.Model):
    """One applied file of the registration authority or the province (directory/syncing.py): who, which file, counts."""

    kind = models.CharField("文件类型", max_length=16, choices=SyncKind.choices)
    filename = models.CharField("文件名", max_length=200)
    sha256 = models.CharField("文件摘要", max_length=64, db_index=True)
    counts = models.JSONField("数量", default=dict)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    applied_by_name = models.CharField("导入人", max_length=100)
    applied_at = models.DateTimeField("导入时间", auto_now_add=True)

    class Meta:
        ordering = ["-applied_at", "-id"]
        verbose_name = verbose_name_plural = "名录同步批次"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename}"


class RiskClassHistory(models.Model):
    """One change of an object's credit-risk class: the previous class is kept here. Never public."""

    object = models.ForeignKey(InspectionObject, on_delete=models.CASCADE, related_name="risk_history")
    previous = models.ForeignKey(
        RiskClass, verbose_name="原分类", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    risk_class = models.ForeignKey(
        RiskClass, verbose_name="新分类", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rated_on = models.DateField("评定日期")
    batch = models.ForeignKey(SyncBatch, on_delete=models.PROTECT, related_name="risk_changes")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        ordering = ["object", "-rated_on", "-id"]
        verbose_name = verbose_name_plural = "信用风险分类历史"

    def __str__(self) -> str:
        return f"{self.object_id}: {self.previous_id} → {self.risk_class_id} ({self.rated_on})"
