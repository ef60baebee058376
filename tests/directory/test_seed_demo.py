"""seed_demo: a synthetic 舞钢市 that is reproducible, realistic in its proportions and valid by the import rules."""

import datetime
import hashlib
import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.codes.idcard import validate_id_number
from shuangsuiji.codes.phone import validate_phone
from shuangsuiji.codes.uscc import validate_uscc
from shuangsuiji.directory import demo_data
from shuangsuiji.directory.models import (
    CheckItem,
    CheckItemVersion,
    Conflict,
    InspectionObject,
    Inspector,
    ItemCategory,
    Licence,
    ObjectKind,
    RegStatus,
    Supervision,
)
from shuangsuiji.directory.rows import Lookups, validate_row
from shuangsuiji.directory.services import row_of

TODAY = datetime.date(2026, 3, 2)
N = 600


def seed(entities: int = N, seed: int = 7, **kw) -> None:
    call_command("seed_demo", entities=entities, seed=seed, today=TODAY, stdout=open("/dev/null", "w"), **kw)


def digest() -> str:
    h = hashlib.sha256()
    for row in InspectionObject.objects.order_by("code").values_list(
        "code", "name", "kind", "industry_code", "region__name", "risk_class__code", "reg_status", "legal_rep"
    ):
        h.update(repr(row).encode())
    for row in Inspector.objects.order_by("cert_no").values_list(
        "cert_no", "name", "id_number", "phone", "status", "cert_expires"
    ):
        h.update(repr(row).encode())
    for row in Supervision.objects.order_by("object__code", "department__code").values_list(
        "object__code", "department__code", "tags"
    ):
        h.update(repr(row).encode())
    for row in Licence.objects.order_by("department__code", "number").values_list("number", "object__code"):
        h.update(repr(row).encode())
    for row in CheckItem.objects.order_by("code").values_list("code", "name", "legal_basis"):
        h.update(repr(row).encode())
    return h.hexdigest()


def wipe() -> None:
    Conflict.objects.all().delete()
    Licence.objects.all().delete()
    Supervision.objects.all().delete()
    InspectionObject.objects.all().delete()
    Inspector.objects.all().delete()
    CheckItemVersion.objects.all().delete()
    CheckItem.objects.all().delete()


@pytest.fixture(autouse=True)
def no_demo_accounts(monkeypatch):
    # Hashing the demo accounts' passwords is slow; one test below covers them.
    monkeypatch.setattr("shuangsuiji.accounts.demo.ensure_demo_users", lambda: [])


@pytest.fixture
def seeded(db):
    seed()


def test_it_gives_the_same_data_for_the_same_seed(db):
    seed()
    first = digest()
    wipe()
    seed()
    assert digest() == first
    wipe()
    seed(seed=8)
    assert digest() != first


def test_it_does_not_depend_on_the_chunk_size(db):
    seed(chunk=1000)
    first = digest()
    wipe()
    seed(chunk=250_000)
    assert digest() == first


def test_it_creates_the_requested_number_of_objects(seeded):
    assert InspectionObject.objects.count() == N
    assert not InspectionObject.objects.filter(synthetic=False).exists()
    assert not Inspector.objects.filter(synthetic=False).exists()


def test_it_does_nothing_the_second_time_with_if_empty(seeded):
    before = digest()
    seed(if_empty=True)
    seed(entities=50, seed=99, if_empty=True)
    assert InspectionObject.objects.count() == N
    assert digest() == before
    assert AuditEvent.objects.filter(action="demo.seed").count() == 1


def test_it_creates_the_demo_accounts_in_demo_mode(db, settings, monkeypatch):
    from shuangsuiji.accounts import demo
    from shuangsuiji.accounts.models import User

    monkeypatch.undo()
    settings.DEMO_MODE = True
    seed(entities=60)
    assert User.objects.filter(username=demo.DEMO_USERS[-1][0]).exists()


def test_it_creates_no_demo_accounts_outside_demo_mode(db, settings, monkeypatch):
    from shuangsuiji.accounts.models import User

    monkeypatch.undo()
    settings.DEMO_MODE = False
    settings.AUDIT_HMAC_KEY = "test-only-key"  # production mode needs the audit chain's key
    settings.PERSONAL_DATA_KEY = "test-only-personal-data-key"  # … and the personal-data key
    seed(entities=60)
    assert not User.objects.exclude(username="system").exists()


def test_it_refuses_a_directory_that_is_not_empty(seeded):
    with pytest.raises(CommandError, match="已有"):
        seed()


def test_it_writes_one_audit_event_with_the_counts(seeded):
    event = AuditEvent.objects.get(action="demo.seed")
    assert event.actor.username == "system"
    assert event.after["objects"] == N
    assert event.after["inspectors"] == Inspector.objects.count()
    assert event.after["items"] == CheckItem.objects.count()


def test_every_market_entity_has_a_valid_unique_uscc_of_its_kind(seeded):
    digit = {ObjectKind.ENTERPRISE: "1", ObjectKind.INDIVIDUAL: "2", ObjectKind.COOPERATIVE: "3"}
    codes = list(InspectionObject.objects.values_list("code", "kind"))
    assert len({c for c, _ in codes}) == len(codes)
    entities = [(c, k) for c, k in codes if k in digit]
    assert entities
    for code, kind in entities:
        assert validate_uscc(code) == code
        assert code[:2] == "9" + digit[kind] and code[2:8] == "410481"


def test_other_objects_have_draw_compatible_codes(seeded):
    others = InspectionObject.objects.exclude(
        kind__in=[ObjectKind.ENTERPRISE, ObjectKind.INDIVIDUAL, ObjectKind.COOPERATIVE]
    )
    assert others.count() >= 3
    assert {o.kind for o in others} == {ObjectKind.PRODUCT, ObjectKind.PROJECT, ObjectKind.BEHAVIOUR}
    for o in others:
        assert re.fullmatch(r"[0-9A-Z]{1,64}", o.code)


def test_every_object_inspector_and_item_passes_the_import_rules(seeded):
    lookups = Lookups.load()
    for kind, qs in (
        ("entities", InspectionObject.objects.all()),
        ("inspectors", Inspector.objects.all()),
        ("items", CheckItem.objects.all()),
    ):
        for obj in qs:
            _, errors = validate_row(kind, row_of(kind, obj), lookups)
            assert errors == [], (kind, obj, errors)


def test_inspectors_have_valid_id_numbers_and_phones(seeded):
    inspectors = list(Inspector.objects.all())
    assert 280 <= len(inspectors) <= 330
    for ins in inspectors:
        assert validate_id_number(ins.id_number) == ins.id_number
        assert validate_phone(ins.phone) == ins.phone
        assert ins.cert_issued < ins.cert_expires
        assert ins.code and ins.code.startswith("I")
    per_dept = Counter(ins.department.code for ins in inspectors)
    assert per_dept.most_common(1)[0][0] == "SCJG"


def test_some_inspectors_cannot_be_drawn_and_the_list_says_why(seeded):
    total = Inspector.objects.count()
    drawable = Inspector.objects.drawable(TODAY).count()
    assert 0.7 * total < drawable < 0.95 * total
    reasons = [i.not_drawable_reason(TODAY) for i in Inspector.objects.all()]
    assert any("过期" in r for r in reasons)
    assert any("状态为" in r for r in reasons)


def test_inspector_qualifications_match_their_departments_items(seeded):
    needed = {}
    for item in CheckItem.objects.select_related("department"):
        needed.setdefault(item.department.code, set()).add(item.qualification)
    for ins in Inspector.objects.select_related("department"):
        assert set(ins.qualifications) <= needed.get(ins.department.code, set()) | {"综合执法"}


def test_a_few_conflicts_are_declared(seeded):
    assert 1 <= Conflict.objects.count() <= 12


def test_items_carry_the_real_names_and_a_first_version(seeded):
    names = set(CheckItem.objects.values_list("name", flat=True))
    for name in ("企业公示信息抽查", "食品经营者监督检查", "公共场所卫生检查", "危险化学品企业安全生产检查"):
        assert name in names
    assert CheckItem.objects.get(name="公共场所卫生检查").department.code == "WJW"
    for item in CheckItem.objects.all():
        version = item.versions.get()
        assert (version.version, version.reason) == (1, demo_data.VERSION_REASON)
        assert version.data["name"] == item.name
        assert item.legal_basis
        if item.category == ItemCategory.GENERAL:
            assert item.ratio_cap is not None and item.default_ratio <= item.ratio_cap
        else:
            assert item.ratio_cap is None


def test_supervision_tags_and_licences_go_to_the_right_departments(seeded):
    tags = Counter()
    for sup in Supervision.objects.select_related("department"):
        for tag in sup.tags:
            tags[(sup.department.code, tag)] += 1
    assert tags[("SCJG", "食品经营")] > 0
    assert any(dept == "WJW" and tag == "公共场所" for dept, tag in tags)
    food = Licence.objects.filter(name="食品经营许可证")
    assert food.exists()
    for lic in food:
        assert re.fullmatch(r"JY[12]410481\d{7,}", lic.number)
        assert lic.department.code == "SCJG" and lic.valid_from < lic.valid_to


def test_the_proportions_are_roughly_right(db):
    seed(entities=3000)
    objs = InspectionObject.objects.all()
    kinds = Counter(objs.values_list("kind", flat=True))
    entities = kinds[ObjectKind.ENTERPRISE] + kinds[ObjectKind.INDIVIDUAL] + kinds[ObjectKind.COOPERATIVE]
    assert 0.55 < kinds[ObjectKind.INDIVIDUAL] / entities < 0.65
    assert 0.30 < kinds[ObjectKind.ENTERPRISE] / entities < 0.40
    assert 0.03 < kinds[ObjectKind.COOPERATIVE] / entities < 0.07
    risk = Counter(objs.exclude(risk_class=None).values_list("risk_class__code", flat=True))
    total = sum(risk.values())
    assert 0.26 < risk["A"] / total < 0.34
    assert 0.50 < risk["B"] / total < 0.60
    assert 0.09 < risk["C"] / total < 0.15
    assert 0.015 < risk["D"] / total < 0.05
    assert 0.01 < objs.filter(abnormal_list=True).count() / total < 0.08
    assert objs.filter(dishonest_list=True).count() < 0.01 * total
    assert not objs.filter(dishonest_list=True).exclude(risk_class__code="D").exists()
    inactive = objs.exclude(reg_status=RegStatus.ACTIVE).count()
    assert 0.01 < inactive / total < 0.06
    assert objs.filter(complaints_12m=0).count() > 0.8 * total


def test_industries_fit_their_regions():
    # Generator only (no database): large enough for the shares to be stable.
    regions = {name: i for i, name in enumerate(demo_data.REGION_WEIGHTS)}
    depts = {code: i for i, code in enumerate(demo_data.INSPECTORS_PER_DEPT)}
    gen = demo_data.ObjectGenerator(
        seed=1,
        total=20_000,
        regions=regions,
        risk={"A": 1, "B": 2, "C": 3, "D": 4},
        depts=depts,
        today=TODAY,
        now=datetime.datetime(2026, 3, 2, tzinfo=datetime.UTC),
    )
    by_region: dict[int, Counter] = {}
    for objs, _, _ in gen.chunks(1, 5000):
        for row in objs:
            if row[4]:
                by_region.setdefault(row[5], Counter())[row[4][:3]] += 1

    def share(region: str, prefixes: tuple[str, ...]) -> float:
        c = by_region[regions[region]]
        return sum(v for k, v in c.items() if k.startswith(prefixes)) / sum(c.values())

    steel = ("C31", "B08", "B10")
    assert share("矿建街道", steel) > 3 * share("寺坡街道", steel)
    assert share("铁山乡", ("B08", "B10")) > 5 * share("垭口街道", ("B08", "B10"))
    tourism = ("H61", "N78", "L72")
    assert share("杨庄乡", tourism) > 2 * share("院岭街道", tourism)
    assert share("尚店镇", ("A0",)) > 5 * share("寺坡街道", ("A0",))
    for region in regions:
        assert share(region, ("F52",)) > 0.05  # retail everywhere


def test_codes_come_from_a_bijection_of_the_index():
    factory = demo_data.USCCFactory(seed=3)
    codes = {factory.make("2", i, old_style=False) for i in range(30_000)}
    codes |= {factory.make("1", i, old_style=True) for i in range(30_000)}
    assert len(codes) == 60_000
    for code in list(codes)[:2000]:
        assert validate_uscc(code) == code
    assert factory.make("1", 5, False) != demo_data.USCCFactory(seed=4).make("1", 5, False)
