"""manage.py import_directory: exit statuses, printed row errors, --dry-run, --valid-rows-only, --template."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.directory.models import InspectionObject, Inspector
from tests import factories
from tests.directory.import_helpers import csv_bytes, entity_row, headers, inspector_row, xlsx_bytes

pytestmark = pytest.mark.django_db


def command(*args) -> tuple[str, int]:
    out = io.StringIO()
    try:
        call_command("import_directory", *map(str, args), stdout=out, stderr=io.StringIO())
    except CommandError as e:
        return out.getvalue() + str(e), e.returncode
    return out.getvalue(), 0


def test_it_imports_a_file_as_the_system_user(tmp_path):
    path = tmp_path / "e.xlsx"
    path.write_bytes(xlsx_bytes(headers("entities"), [entity_row(factories.uscc()) for _ in range(2)]))
    out, status = command("entities", path)
    assert status == 0 and "新增 2" in out
    assert InspectionObject.objects.count() == 2
    assert AuditEvent.objects.get(action="directory.import").actor.username == "system"


def test_it_prints_row_errors_and_exits_1_writing_nothing(tmp_path):
    path = tmp_path / "e.csv"
    path.write_bytes(
        csv_bytes(headers("entities"), [entity_row(factories.uscc()), entity_row("91410481MA00000O0X")])
    )
    out, status = command("entities", path)
    assert status == 1
    assert "第3行 [统一社会信用代码/对象编码]" in out and "未写入任何数据" in out
    assert InspectionObject.objects.count() == 0


def test_valid_rows_only_imports_the_rest_and_exits_0(tmp_path):
    path = tmp_path / "e.csv"
    path.write_bytes(csv_bytes(headers("entities"), [entity_row(factories.uscc()), entity_row("bad")]))
    out, status = command("entities", path, "--valid-rows-only")
    assert status == 0 and "第3行" in out and InspectionObject.objects.count() == 1


def test_a_dry_run_writes_nothing(tmp_path):
    path = tmp_path / "i.xlsx"
    path.write_bytes(xlsx_bytes(headers("inspectors"), [inspector_row("41048100041")]))
    out, status = command("inspectors", path, "--dry-run")
    assert status == 0 and "将新增 1" in out and "未写入" in out
    assert not Inspector.objects.exists() and not AuditEvent.objects.exists()


def test_a_dry_run_with_invalid_rows_exits_1(tmp_path):
    path = tmp_path / "i.xlsx"
    path.write_bytes(xlsx_bytes(headers("inspectors"), [inspector_row("41048100042", 状态="出差")]))
    out, status = command("inspectors", path, "--dry-run")
    assert status == 1 and "第2行 [状态]" in out


def test_it_imports_as_a_named_user_with_that_users_rules(tmp_path, bob):
    path = tmp_path / "i.xlsx"
    path.write_bytes(xlsx_bytes(headers("inspectors"), [inspector_row("41048100043", "SCJG")]))
    out, status = command("inspectors", path, "--user", "bob")
    assert status == 1 and "只能导入本部门的人员" in out


def test_an_unreadable_file_exits_2(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    out, status = command("entities", path)
    assert status == 2 and ".xls" in out
    assert command("entities", tmp_path / "missing.xlsx")[1] == 2


def test_it_writes_the_blank_template(tmp_path):
    path = tmp_path / "模板.xlsx"
    out, status = command("items", "--template", path)
    assert status == 0
    wb = load_workbook(path)
    assert list(next(wb.worksheets[0].iter_rows(values_only=True))) == headers("items")
    assert wb.worksheets[0].max_row == 1  # headers only: no example row to import by mistake
