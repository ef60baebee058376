"""Named users per role and department (healthchecks' hc/test.py style).

alice  — 市场监管局 (SCJG) 部门管理员, may see personal data
amy    — 市场监管局 录入员
rita   — 市场监管局 审核员
bob    — 卫健委 (WJW) 部门管理员
olivia — 联席会议办公室 (sees every department)
sam    — 系统管理员
audrey — 审计管理员 (the only reader of the audit trail)
sergei — 安全管理员
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.org.models import Department, Region

PASSWORD = "Test@pass123"

# Property tests check invariants, not speed (speed is measured in bench/): no per-example deadline and no "too slow"
# health check, which fail at random when CI runs the PostgreSQL and SQLite suites side by side on two cores.
hypothesis_settings.register_profile(
    "shuangsuiji", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("shuangsuiji")


def pytest_configure(config):
    """Cheap Argon2id in tests (tests/hashers.py): the production cost made password hashing the suite's largest cost."""
    from django.conf import settings
    from django.contrib.auth.hashers import get_hashers, get_hashers_by_algorithm

    others = [h for h in settings.PASSWORD_HASHERS if not h.endswith(".Argon2PasswordHasher")]
    settings.PASSWORD_HASHERS = ["tests.hashers.CheapArgon2PasswordHasher", *others]
    get_hashers.cache_clear()
    get_hashers_by_algorithm.cache_clear()


def make_user(username: str, role: str, dept_code: str | None, **extra) -> User:
    dept = Department.objects.get(code=dept_code) if dept_code else None
    user = User.objects.create_user(
        username=username, password=PASSWORD, role=role, department=dept, full_name=username.title(), **extra
    )
    return user


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: a cached public answer must not outlive the database it came from."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _pinned_today(request):
    """``@pytest.mark.today("2026-11-27")``: the test runs on that Beijing date (10:00, the clock ticking).

    For tests whose explicit dates (a 2026 task window, a 2026 plan) only make sense on a given day; every other
    test runs on the real date, so a far-date CI run (faketime) still finds code that breaks on another day.
    Autouse, so it starts before the named users are made: they are made on the pinned day too.
    """
    marker = request.node.get_closest_marker("today")
    if marker is None:
        yield
        return
    day = datetime.date.fromisoformat(marker.args[0])
    moment = datetime.datetime(day.year, day.month, day.day, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=True):
        yield


@pytest.fixture
def scjg(db):
    return Department.objects.get(code="SCJG")


@pytest.fixture
def wjw(db):
    return Department.objects.get(code="WJW")


@pytest.fixture
def region(db):
    return Region.objects.get(name="寺坡街道")


@pytest.fixture
def alice(db):
    return make_user("alice", Role.DEPT_ADMIN, "SCJG", can_view_personal_data=True)


@pytest.fixture
def amy(db):
    return make_user("amy", Role.CLERK, "SCJG")


@pytest.fixture
def rita(db):
    return make_user("rita", Role.REVIEWER, "SCJG")


@pytest.fixture
def bob(db):
    return make_user("bob", Role.DEPT_ADMIN, "WJW")


@pytest.fixture
def olivia(db):
    return make_user("olivia", Role.OFFICE, "SCJG")


@pytest.fixture
def audrey(db):
    return make_user("audrey", Role.AUDITOR, None)


@pytest.fixture
def sergei(db):
    return make_user("sergei", Role.SECURITY_ADMIN, None)


@pytest.fixture
def sam(db):
    return make_user("sam", Role.SYSADMIN, None, is_staff=True)


def login(client, user) -> None:
    """Sign in; an administrator is also marked as having passed the second factor (tested in tests/accounts)."""
    client.force_login(user)
    from shuangsuiji.accounts.models import ADMIN_ROLES

    if user.role in ADMIN_ROLES:
        session = client.session
        session["otp_ok"] = True
        session.save()


@pytest.fixture
def reference_data(transactional_db):
    """Re-seed departments, regions and risk classes: transactional tests flush what the data migrations wrote."""
    import importlib

    from django.apps import apps

    importlib.import_module("shuangsuiji.org.migrations.0002_seed_wugang_regions_and_departments").seed(
        apps, None
    )
    importlib.import_module("shuangsuiji.directory.migrations.0002_seed_default_risk_classes").seed(
        apps, None
    )


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    # Row-lock behaviour only exists on PostgreSQL; CI runs these there (see tests/draws/test_concurrency.py).
    kept = [i for i in items if "postgres_only" not in i.keywords]
    deselected = [i for i in items if "postgres_only" in i.keywords]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Mark the PostgreSQL test database as disposable: transactional tests empty it with TRUNCATE, which the
    audit table otherwise refuses (audit/migrations/0003)."""
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute(
                    f"ALTER DATABASE {connection.settings_dict['NAME']} SET ssj.allow_truncate = 'on'"
                )
                cur.execute("SET ssj.allow_truncate = 'on'")
    yield
