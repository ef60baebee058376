"""Summary tables of the statistics (ADR 0022): pre-aggregated counts rebuilt by `manage.py refresh_stats`.

Derived data only: every row can be recomputed from the inspection records, so the tables hold plain integer ids (no
foreign keys that would cascade or lock the departments, objects and items they count). The grain is the filters the
pages combine — year, month or half, department, the object's region and risk class (as they are at refresh time),
joint or own — so that any filter of /stats/ is a sum over a few thousand rows. Each table also holds
roll-ups (`level`): the same cells summed over every region, every risk class or both, so that a page which neither
filters nor groups by them reads a few hundred rows instead of tens of thousands (ADR 0022, fifth pass). A filter on
a check item reads the Item* tables: the same cells with the item as one more dimension (ADR 0022, sixth pass).

Risk classes are stored here because the internal pages filter by them; the portal reads only department totals
(public.py) and never a risk-class column.
"""

from __future__ import annotations

from django.db import models

# Bits of `level`: the row is the sum over every region (REGION) / every risk class (RISK); its region_id /
# risk_class_id is then NULL and means nothing. Level 0 is the detail the roll-ups are summed from.
REGION = 1
RISK = 2
LEVELS = (REGION, RISK, REGION | RISK)


class Dims(models.Model):
    """The filter dimensions shared by the cells."""

    generation = models.IntegerField()  # Refresh.pk: a page reads one refresh's rows only
    level = models.SmallIntegerField(default=0)  # 0 the detail, or REGION | RISK: summed over those
    year = models.SmallIntegerField()
    department_id = models.BigIntegerField()
    region_id = models.BigIntegerField(null=True)
    risk_class_id = models.BigIntegerField(null=True)
    joint = models.BooleanField()  # the record's task is a joint one (selectors.joint_scheme_ids)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.year} 部门 {self.department_id}（第 {self.generation} 次刷新）"


class RecordMeasures(Dims):
    """The record figures (selectors._record_conditions, every version of the records) of one month's cell."""

    month = models.SmallIntegerField()
    records_finished = models.IntegerField(default=0)
    records_in_window = models.IntegerField(default=0)
    results_published = models.IntegerField(default=0)
    published_on_time = models.IntegerField(default=0)
    published_late = models.IntegerField(default=0)  # the today-independent half of results_overdue
    records_concluded = models.IntegerField(default=0)
    records_with_problems = models.IntegerField(default=0)
    random_checks = models.IntegerField(default=0)
    joint_checks = models.IntegerField(default=0)
    triggered_checks = models.IntegerField(default=0)
    triggered_complaint = models.IntegerField(default=0)
    triggered_referral = models.IntegerField(default=0)
    triggered_monitoring = models.IntegerField(default=0)

    class Meta:
        abstract = True


class RecordCell(RecordMeasures):
    """The record figures of one month's cell."""

    class Meta:
        indexes = [
            models.Index(
                fields=["generation", "level", "year", "region_id", "risk_class_id", "month"],
                name="stats_recordcell_level_idx",
            )
        ]


class IndustryMeasures(Dims):
    """Finished, concluded and with-problem records per GB/T 4754 section (门类) of the object, per half-year."""

    half = models.SmallIntegerField()
    industry_code = models.CharField(
        max_length=20
    )  # the section letter of the object's code, or breakdowns.UNSET
    records_finished = models.IntegerField(default=0)
    records_concluded = models.IntegerField(default=0)
    records_with_problems = models.IntegerField(default=0)

    class Meta:
        abstract = True


class IndustryCell(IndustryMeasures):
    class Meta:
        indexes = [
            models.Index(
                fields=["generation", "level", "year", "region_id", "risk_class_id", "half"],
                name="stats_industrycell_level_idx",
            )
        ]


class DaysMeasures(Dims):
    """How many published first versions took `days` calendar days from the result to publication (the median)."""

    half = models.SmallIntegerField()
    days = models.DurationField()  # whole days (a date difference)
    n = models.IntegerField(default=0)

    class Meta:
        abstract = True


class DaysCell(DaysMeasures):
    class Meta:
        indexes = [
            models.Index(
                fields=["generation", "level", "year", "region_id", "risk_class_id", "half"],
                name="stats_dayscell_level_idx",
            )
        ]


class ItemCell(Dims):
    """Checked item results of the results in force, and those finding a problem, per item
    (selectors.problems_by_item)."""

    half = models.SmallIntegerField()
    item_id = models.BigIntegerField()
    checked = models.IntegerField(default=0)
    problems = models.IntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(
                fields=["generation", "level", "year", "region_id", "risk_class_id", "half"],
                name="stats_itemcell_level_idx",
            )
        ]


class TransferMeasures(Dims):
    """Transfers sent in a half-year, by the sending record's department (side "sent") or by the receiving department
    (side "received"), narrowed like the records by the record's object and task."""

    half = models.SmallIntegerField()
    side = models.CharField(max_length=8)
    opened = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    closed_late = models.IntegerField(default=0)
    open_overdue = models.IntegerField(default=0)  # not closed and due before the refresh's day (Refresh.day)

    class Meta:
        abstract = True


class TransferCell(TransferMeasures):
    class Meta:
        indexes = [
            models.Index(
                fields=["generation", "level", "year", "region_id", "risk_class_id", "side"],
                name="stats_transfercell_level_idx",
            )
        ]


class ListingMeasures(Dims):
    """Listing proposals decided in a half-year, by the deciding department."""

    half = models.SmallIntegerField()
    decided = models.IntegerField(default=0)
    listed = models.IntegerField(default=0)

    class Meta:
        abstract = True


class ListingCell(ListingMeasures):
    class Meta:
        indexes = [
            models.Index(
                fields=["generation", "level", "year", "region_id", "risk_class_id"],
                name="stats_listingcell_level_idx",
            )
        ]


# --- the item dimension (ADR 0022, sixth pass) ----------------------------------------------------------------------
# The same cells for a filter on a check item: one row per (cell, item) summed over the records that have a result for
# the item (selectors._records_narrowed; uniq_record_item makes a record count once per item), "with problems" being
# that item's result. A record with results for two items is in two items' cells, so these never add up over items:
# a reader always names one item.


class ItemRecordCell(RecordMeasures):
    item_id = models.BigIntegerField()

    class Meta:
        indexes = [
            models.Index(
                fields=["generation", "item_id", "level", "year", "month"], name="stats_itemrecord_level_idx"
            )
        ]


class ItemIndustryCell(IndustryMeasures):
    item_id = models.BigIntegerField()

    class Meta:
        indexes = [
            models.Index(
                fields=["generation", "item_id", "level", "year", "half"], name="stats_itemindustry_level_idx"
            )
        ]


class ItemDaysCell(DaysMeasures):
    item_id = models.BigIntegerField()

    class Meta:
        indexes = [
            models.Index(
                fields=["generation", "item_id", "level", "year", "half"], name="stats_itemdays_level_idx"
            )
        ]


class ItemTransferCell(TransferMeasures):
    item_id = models.BigIntegerField()

    class Meta:
        indexes = [
            models.Index(
                fields=["generation", "item_id", "level", "year", "side"], name="stats_itemtransfer_level_idx"
            )
        ]


class ItemListingCell(ListingMeasures):
    item_id = models.BigIntegerField()

    class Meta:
        indexes = [
            models.Index(
                fields=["generation", "item_id", "level", "year"], name="stats_itemlisting_level_idx"
            )
        ]


class PopulationCell(models.Model):
    """Market entities in business (the coverage denominator) per region and risk class, at refresh time."""

    generation = models.IntegerField()
    region_id = models.BigIntegerField(null=True)
    risk_class_id = models.BigIntegerField(null=True)
    n = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"PopulationCell {self.region_id}/{self.risk_class_id}（第 {self.generation} 次刷新）"


class EntityMeasures(models.Model):
    """Distinct market entities, which do not add up across periods, departments or joint/own: counted per
    (year, period, department or the city, mode) for each (region, risk class) — an object is in exactly one of
    those, so sums over regions and risk classes stay exact."""

    generation = models.IntegerField()
    level = models.SmallIntegerField(default=0)  # as Dims.level
    year = models.SmallIntegerField()
    period = models.SmallIntegerField()  # 0 the whole year, 1 or 2 the half
    department_id = models.BigIntegerField(
        null=True
    )  # None: the city (an entity checked by several departments once)
    mode = models.CharField(max_length=5)  # "all", "joint" or "own" (the joint filter)
    region_id = models.BigIntegerField(null=True)
    risk_class_id = models.BigIntegerField(null=True)
    covered = models.IntegerField(default=0)  # checked at least once in the period
    covered_3y = models.IntegerField(default=0)  # in the three years ending with the period
    checked_once = models.IntegerField(default=0)  # random checks in the period: 1, 2, 3 or more
    checked_twice = models.IntegerField(default=0)
    checked_thrice = models.IntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.year}/{self.period} {self.mode}（第 {self.generation} 次刷新）"


class EntityCell(EntityMeasures):
    class Meta:
        indexes = [
            models.Index(
                fields=["generation", "level", "year", "period", "mode", "region_id", "risk_class_id"],
                name="stats_entitycell_level_idx",
            )
        ]


class ItemEntityCell(EntityMeasures):
    """The distinct market entities among the records with a result for the item (see the item cells above)."""

    item_id = models.BigIntegerField()

    class Meta:
        indexes = [
            models.Index(
                fields=["generation", "item_id", "level", "year", "period", "mode"],
                name="stats_itementity_level_idx",
            )
        ]


class Refresh(models.Model):
    """A completed refresh; its pk is the generation of the cells it wrote. The refresh keeps the previous
    generation's rows (and deletes older ones) so that a page which started reading the previous one finishes on
    it."""

    finished_at = models.DateTimeField()
    day = models.DateField()  # the Beijing date the refresh started: "today" of its today-dependent counts
    seconds = models.FloatField()
    records = models.IntegerField()  # finished records counted

    def __str__(self) -> str:
        return f"统计汇总第 {self.pk} 次刷新（{self.finished_at:%Y-%m-%d %H:%M}）"
