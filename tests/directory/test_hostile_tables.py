"""Issue 11 (4, 6, 8): hostile or broken uploads get a Chinese message, in bounded memory, and write nothing."""

import io
import resource
import zipfile

import pytest

from shuangsuiji.directory import tables
from shuangsuiji.directory.models import InspectionObject
from shuangsuiji.directory.tables import TableError, read_rows
from tests.conftest import login

WORKBOOK = (
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
ROOT_RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
BOOK_RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)


def xlsx(rows_xml: str, shared: list[str] = ()) -> bytes:
    """A minimal hand-made workbook: exactly the XML given, as a hostile client could send it."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", BOOK_RELS)
        z.writestr(
            "xl/sharedStrings.xml",
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            + "".join(f"<si><t>{s}</t></si>" for s in shared)
            + "</sst>",
        )
        z.writestr(
            "xl/worksheets/sheet1.xml",
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            + rows_xml
            + "</sheetData></worksheet>",
        )
    return buf.getvalue()


def rows_of(data: bytes, name: str = "x.xlsx") -> list:
    return list(read_rows(io.BytesIO(data), name))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_a_cell_far_to_the_right_is_refused_before_any_row_is_padded():
    before = peak_rss_mb()
    data = xlsx('<row r="2"><c r="ZZZZZZ2" t="inlineStr"><is><t>x</t></is></c></row>')
    assert len(data) < 2000
    with pytest.raises(TableError, match="第 2 行在第 321272406 列有内容，超过模板允许的 100 列"):
        rows_of(data)
    assert peak_rss_mb() - before < 50  # it used to pad the row to 321 million cells (+7.3 GB)


def test_a_cell_longer_than_excel_allows_is_refused_while_streaming():
    with pytest.raises(TableError, match="超过 32,767 个字符"):
        rows_of(xlsx('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', shared=["长" * 40_000]))
    with pytest.raises(TableError, match="超过 32,767 个字符"):
        rows_of(xlsx('<row r="1"><c r="A1" t="inlineStr"><is><t>' + "x" * 40_000 + "</t></is></c></row>"))


def test_a_sheet_beyond_excels_last_row_is_refused():
    with pytest.raises(TableError, match="超过 1,048,576 行"):
        rows_of(xlsx('<row r="1048577"><c r="A1048577"><v>1</v></c></row>'))


def test_a_sheet_that_inflates_beyond_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(tables, "MAX_SHEET_XML_BYTES", 1024 * 1024)
    row = '<row><c t="inlineStr"><is><t>' + "a" * 1000 + "</t></is></c></row>"
    data = xlsx(row * 3000)  # ~3 MB of XML that compresses to a few KB
    assert len(data) < 100_000
    with pytest.raises(TableError, match="解压后超过 1 MB"):
        rows_of(data)


@pytest.mark.parametrize(
    "cell",
    [
        '<c r="A1" t="s"><v>7</v></c>',  # no such shared string
        '<c r="A1"><v>abc</v></c>',  # not a number
        '<c r="A1" s="abc"><v>1</v></c>',  # not a style index
        '<c r="abc" t="inlineStr"><is><t>x</t></is></c>',  # a reference without a row
        '<c r="123"><v>1</v></c>',  # a reference without a column
    ],
)
def test_a_damaged_cell_gives_a_message_not_a_crash(cell):
    try:
        rows = rows_of(xlsx(f'<row r="1">{cell}</row>', shared=["a"]))
    except TableError as e:
        assert "第 1 行" in str(e) or "列" in str(e)
    else:
        assert rows[0][0] == 1


NAME = '舞钢市"老王"烩面馆, 二店'


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_csv_in_excels_dialect_keeps_quotes_commas_and_line_breaks(encoding, delimiter):
    quoted = '"舞钢市""老王""烩面馆, 二店"'
    text = delimiter.join(["名称", "地址", "备注"]) + "\r\n"
    text += delimiter.join([quoted, '"寺坡街道\n测试路1号"', "无"]) + "\r\n"
    rows = rows_of(text.encode(encoding), "名录.csv")
    assert rows == [(1, ["名称", "地址", "备注"]), (2, [NAME, "寺坡街道\n测试路1号", "无"])]


def test_a_csv_wider_than_the_template_or_with_a_huge_field_is_refused():
    with pytest.raises(TableError, match="第 1 行有 150 列，超过模板允许的 100 列"):
        rows_of(",".join(["a"] * 150).encode(), "x.csv")
    with pytest.raises(TableError, match="超过 32,767 个字符"):
        rows_of(("名称\r\n" + "x" * 40_000 + "\r\n").encode(), "x.csv")


def test_the_import_page_shows_the_limit_and_writes_nothing(client, alice):
    login(client, alice)
    f = io.BytesIO(xlsx('<row r="2"><c r="ZZZZZZ2" t="inlineStr"><is><t>x</t></is></c></row>'))
    f.name = "名录.xlsx"
    r = client.post("/import/", {"kind": "entities", "file": f})
    assert r.status_code == 400
    assert "超过模板允许的 100 列" in r.content.decode()
    assert not InspectionObject.objects.exists()


def test_a_csv_in_neither_utf8_nor_gb18030_is_refused_and_the_import_page_answers_400(client, alice):
    utf16 = "统一社会信用代码/对象编码,名称\r\n".encode("utf-16")
    with pytest.raises(TableError, match="编码不是 UTF-8 或 GB18030"):
        rows_of(utf16, "名录.csv")
    login(client, alice)
    f = io.BytesIO(utf16)
    f.name = "名录.csv"
    r = client.post("/import/", {"kind": "entities", "file": f})
    assert r.status_code == 400
    assert "另存为“CSV UTF-8”" in r.content.decode()
