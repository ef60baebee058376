"""Reading uploaded tables (.xlsx, .csv) as a stream of (row number, cells), fast and in bounded memory.

Officials fill the templates in Excel or WPS, or export CSV from other systems in UTF-8 or GB18030. Rows are numbered
as the user sees them in Excel (the header is row 1), so an error message can point at the cell to fix.

openpyxl is used to write workbooks, but its reader spends ~25 s on a 100,000-row sheet; this module parses the
sheet XML with expat (stdlib, C) instead, which reads the same sheet in ~6 s. It handles shared and inline strings,
rich text, formulas (cached values), booleans, errors and date-formatted numbers, which is all an Office Open XML
sheet can hold.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import hashlib
import io
import posixpath
import zipfile
from collections.abc import Iterator
from typing import IO, Any
from xml.etree import ElementTree
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel

Cell = Any  # str | int | float | bool | datetime.datetime | datetime.time | None
Row = tuple[int, list[Cell]]  # (row number as in Excel, cells)

_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
# Built-in date formats of Chinese-locale Excel/WPS that openpyxl's table does not list.
_CJK_DATE_FORMAT_IDS = set(range(27, 37)) | set(range(50, 59))
CHUNK = 1 << 16
# Limits that keep a hostile or broken upload from exhausting memory (issue 11): checked while streaming, before
# anything is kept. A template has fewer than 20 columns; Excel itself stops at 1,048,576 rows and 32,767 characters
# in a cell.
MAX_COLUMNS = 100
MAX_ROWS = 1_048_576
MAX_CELL_CHARS = 32_767
MAX_SHEET_XML_BYTES = 1536 * 1024 * 1024
MAX_SHARED_STRINGS_BYTES = 512 * 1024 * 1024


class TableError(Exception):
    """The file as a whole cannot be read (not a table, damaged, unsupported format). The message is for users."""


def file_digest(f: IO[bytes]) -> str:
    f.seek(0)
    h = hashlib.sha256()
    for chunk in iter(lambda: f.read(1 << 20), b""):
        h.update(chunk)
    f.seek(0)
    return h.hexdigest()


def is_xlsx(f: IO[bytes]) -> bool:
    f.seek(0)
    head = f.read(4)
    f.seek(0)
    return head == b"PK\x03\x04"


def read_rows(f: IO[bytes], filename: str) -> Iterator[Row]:
    """Rows of the first sheet (xlsx) or of the CSV file, including the header row 1. Blank rows may be yielded."""
    f.seek(0)
    head = f.read(8)
    f.seek(0)
    name = (filename or "").lower()
    if head.startswith(b"PK\x03\x04"):
        return _xlsx_rows(f)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise TableError("不支持旧版 Excel（.xls）文件，请在 Excel/WPS 中“另存为” .xlsx 后再上传")
    if name.endswith((".xlsx", ".xlsm")):
        raise TableError("文件不是有效的 .xlsx 工作簿（可能已损坏），请重新保存后再上传")
    return _csv_rows(f)


# --- CSV --------------------------------------------------------------------------------------------------------------


def detect_encoding(f: IO[bytes]) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes as UTF-8, else GB18030 (a superset of GBK/GB2312)."""
    f.seek(0)
    if f.read(3) == codecs.BOM_UTF8:
        f.seek(0)
        return "utf-8-sig"
    f.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        encoding = "utf-8"
    except UnicodeDecodeError:
        encoding = "gb18030"
    f.seek(0)
    return encoding


def _csv_rows(f: IO[bytes]) -> Iterator[Row]:
    encoding = detect_encoding(f)
    text = io.TextIOWrapper(f, encoding=encoding, errors="strict", newline="")
    try:
        try:
            sample = text.read(64 * 1024)
        except UnicodeDecodeError:
            # Neither UTF-8 nor GB18030 (e.g. UTF-16 as some tools write "Unicode text"): refuse, never a 500.
            raise TableError(
                "CSV 文件无法读取：编码不是 UTF-8 或 GB18030，请在 Excel/WPS 中另存为“CSV UTF-8”后再上传"
            ) from None
        text.seek(0)
        # Excel's own dialect (quotes doubled inside quoted fields); only the delimiter is taken from the header
        # line. csv.Sniffer guessed doublequote from the header alone and split "舞钢市""老王""烩面馆, 二店" wrongly.
        header = sample.split("\n", 1)[0]
        delimiter = max((",", "\t", ";"), key=header.count) if any(d in header for d in ",\t;") else ","
        dialect: Any = type("Upload", (csv.excel,), {"delimiter": delimiter})
        csv.field_size_limit(MAX_CELL_CHARS + 1)
        try:
            for number, cells in enumerate(csv.reader(text, dialect), start=1):
                if number > MAX_ROWS:
                    raise TableError(f"文件超过 {MAX_ROWS:,} 行（Excel 的行数上限），请分成几个文件上传")
                if len(cells) > MAX_COLUMNS:
                    raise TableError(
                        f"第 {number} 行有 {len(cells)} 列，超过模板允许的 {MAX_COLUMNS} 列，请删除多余的列后重新上传"
                    )
                yield number, cells
        except UnicodeDecodeError as e:
            raise TableError(f"CSV 文件无法读取：{e}") from None
        except csv.Error as e:
            if "field larger than field limit" in str(e):
                raise TableError(
                    f"有单元格超过 {MAX_CELL_CHARS:,} 个字符（Excel 单元格的上限），请检查文件"
                ) from None
            raise TableError(f"CSV 文件无法读取：{e}") from None
    finally:
        text.detach()


# --- xlsx -------------------------------------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _rels(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type suffix, absolute part name) for `part`."""
    folder, base = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", base + ".rels")
    if rels_name not in zf.namelist():
        return {}
    out = {}
    for rel in ElementTree.fromstring(zf.read(rels_name)):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            continue
        path = (
            target.lstrip("/")
            if target.startswith("/")
            else posixpath.normpath(posixpath.join(folder, target))
        )
        out[rel.get("Id", "")] = (rel.get("Type", "").rsplit("/", 1)[-1], path)
    return out


def _shared_strings(zf: zipfile.ZipFile, part: str | None) -> list[str]:
    if not part or part not in zf.namelist():
        return []
    if zf.getinfo(part).file_size > MAX_SHARED_STRINGS_BYTES:
        raise TableError(_too_big("共享字符串", MAX_SHARED_STRINGS_BYTES))
    strings: list[str] = []
    buf: list[str] = []
    state = {"in_t": False, "skip": 0, "chars": 0}

    def start(name: str, attrs: dict[str, str]) -> None:
        n = _local(name)
        if n == "si":
            buf.clear()
        elif n in ("rPh", "phoneticPr"):  # phonetic guides (furigana) are not part of the text
            state["skip"] += 1
        elif n == "t" and not state["skip"]:
            state["in_t"] = True

    def end(name: str) -> None:
        n = _local(name)
        if n == "t":
            state["in_t"] = False
        elif n in ("rPh", "phoneticPr"):
            state["skip"] -= 1
        elif n == "si":
            strings.append("".join(buf))
            state["chars"] = 0

    def data(d: str) -> None:
        if state["in_t"]:
            state["chars"] += len(d)
            if state["chars"] > MAX_CELL_CHARS:
                raise TableError(_cell_too_long())
            buf.append(d)

    p = expat.ParserCreate()
    p.buffer_text = True
    p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = start, end, data
    with zf.open(part) as src:
        read = 0
        for chunk in iter(lambda: src.read(CHUNK), b""):
            read += len(chunk)
            if read > MAX_SHARED_STRINGS_BYTES:  # the declared size may lie; count what is actually inflated
                raise TableError(_too_big("共享字符串", MAX_SHARED_STRINGS_BYTES))
            p.Parse(chunk, False)
        p.Parse(b"", True)
    return strings


def _too_big(what: str, limit: int) -> str:
    return f"工作簿的{what}解压后超过 {limit // (1024 * 1024)} MB，不像一份名录；请只保留模板中的列后重新保存上传"


def _cell_too_long() -> str:
    return f"有单元格超过 {MAX_CELL_CHARS:,} 个字符（Excel 单元格的上限），请检查文件"


def _date_styles(zf: zipfile.ZipFile, part: str | None) -> set[int]:
    """Indexes of cell formats (the `s` attribute of a cell) that display a number as a date or time."""
    if not part or part not in zf.namelist():
        return set()
    root = ElementTree.fromstring(zf.read(part))
    custom = {}
    for el in root.iter(f"{{{_MAIN_NS}}}numFmt"):
        custom[int(el.get("numFmtId", "0"))] = el.get("formatCode", "")
    xfs = root.find(f"{{{_MAIN_NS}}}cellXfs")
    out = set()
    for i, xf in enumerate(xfs if xfs is not None else []):
        fmt_id = int(xf.get("numFmtId", "0"))
        code = custom.get(fmt_id, BUILTIN_FORMATS.get(fmt_id))
        if fmt_id in _CJK_DATE_FORMAT_IDS or (code and is_date_format(code)):
            out.add(i)
    return out


def _first_sheet(zf: zipfile.ZipFile) -> tuple[str, str | None, str | None, bool]:
    """(sheet part, shared strings part, styles part, uses the 1904 date system)."""
    try:
        root_rels = _rels(zf, "")
        book = next((p for t, p in root_rels.values() if t == "officeDocument"), "xl/workbook.xml")
        wb = ElementTree.fromstring(zf.read(book))
    except (KeyError, ElementTree.ParseError):
        raise TableError("文件不是有效的 .xlsx 工作簿（缺少 workbook.xml）") from None
    rels = _rels(zf, book)
    pr = wb.find(f"{{{_MAIN_NS}}}workbookPr")
    date1904 = pr is not None and pr.get("date1904", "0") in ("1", "true")
    sheets = wb.find(f"{{{_MAIN_NS}}}sheets")
    if sheets is None or len(sheets) == 0:
        raise TableError("工作簿中没有工作表")
    rid = sheets[0].get(f"{{{_REL_NS}}}id", "")
    if rid not in rels:
        raise TableError("工作簿结构不完整，找不到第一个工作表")
    shared = next((p for t, p in rels.values() if t == "sharedStrings"), None)
    styles = next((p for t, p in rels.values() if t == "styles"), None)
    return rels[rid][1], shared, styles, date1904


def _col_index(ref: str) -> int:
    n = 0
    for ch in ref:
        o = ord(ch)
        if 65 <= o <= 90:
            n = n * 26 + o - 64
        elif 97 <= o <= 122:
            n = n * 26 + o - 96
        else:
            break
    return n - 1


def _row_number(ref: str) -> int:
    digits = "".join(ch for ch in ref if "0" <= ch <= "9")
    return int(digits) if digits else 0


def _xlsx_rows(f: IO[bytes]) -> Iterator[Row]:
    try:
        zf = zipfile.ZipFile(f)
        sheet, shared_part, styles_part, date1904 = _first_sheet(zf)
        shared = _shared_strings(zf, shared_part)
        date_styles = _date_styles(zf, styles_part)
    except (zipfile.BadZipFile, ElementTree.ParseError, expat.ExpatError) as e:
        raise TableError(f"文件不是有效的 .xlsx 工作簿：{e}") from None
    epoch = MAC_EPOCH if date1904 else WINDOWS_EPOCH

    ready: list[Row] = []
    st: dict[str, Any] = {
        "row": 0,
        "cells": None,
        "t": None,
        "s": 0,
        "col": -1,
        "cap": False,
        "skip": 0,
        "chars": 0,
    }
    buf: list[str] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        if ":" in name:
            name = name.rsplit(":", 1)[1]
        if name == "c":
            cells = st["cells"]
            ref = attrs.get("r")
            col = _col_index(ref) if ref else -1
            st["col"] = col if col >= 0 else len(cells)
            if st["col"] >= MAX_COLUMNS:
                raise TableError(
                    f"第 {st['row']} 行在第 {st['col'] + 1} 列有内容，超过模板允许的 {MAX_COLUMNS} 列；"
                    "请删除多余的列后重新上传"
                )
            st["t"] = attrs.get("t", "n")
            s = attrs.get("s")
            st["s"] = int(s) if s and s.isascii() and s.isdecimal() else 0
            st["chars"] = 0
            buf.clear()
        elif name == "v" or (name == "t" and not st["skip"]):
            st["cap"] = True
        elif name == "rPh":
            st["skip"] += 1
        elif name == "row":
            ref = attrs.get("r")
            st["row"] = int(ref) if ref and ref.isascii() and ref.isdecimal() else st["row"] + 1
            if st["row"] > MAX_ROWS:
                raise TableError(f"工作表超过 {MAX_ROWS:,} 行（Excel 的行数上限），请分成几个文件上传")
            st["cells"] = []

    def end(name: str) -> None:
        if ":" in name:
            name = name.rsplit(":", 1)[1]
        if name == "c":
            text = "".join(buf)
            t = st["t"]
            value: Cell
            try:
                if t == "s":
                    value = shared[int(text)] if text else None
                elif t in ("inlineStr", "str", "e"):
                    value = text
                elif t == "b":
                    value = text in ("1", "true")
                elif t == "d":
                    value = _iso_datetime(text)
                elif text == "":
                    value = None
                else:
                    value = float(text) if ("." in text or "E" in text or "e" in text) else int(text)
                    if st["s"] in date_styles:
                        try:
                            value = from_excel(value, epoch)
                        except (OverflowError, ValueError):
                            pass
            except (ValueError, IndexError):
                raise TableError(
                    f"第 {st['row']} 行第 {st['col'] + 1} 列的内容无法读取（文件可能已损坏），请在 Excel/WPS 中重新保存后上传"
                ) from None
            cells = st["cells"]
            col = st["col"]
            if col >= len(cells):
                cells.extend([None] * (col - len(cells)))
                cells.append(value)
            else:
                cells[col] = value
        elif name in ("v", "t"):
            st["cap"] = False
        elif name == "rPh":
            st["skip"] -= 1
        elif name == "row":
            ready.append((st["row"], st["cells"]))
            st["cells"] = None

    def data(d: str) -> None:
        if st["cap"]:
            st["chars"] += len(d)
            if st["chars"] > MAX_CELL_CHARS:
                raise TableError(_cell_too_long())
            buf.append(d)

    p = expat.ParserCreate()
    p.buffer_text = True
    p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = start, end, data
    try:
        if zf.getinfo(sheet).file_size > MAX_SHEET_XML_BYTES:
            raise TableError(_too_big("工作表", MAX_SHEET_XML_BYTES))
        with zf.open(sheet) as src:
            read = 0
            for chunk in iter(lambda: src.read(CHUNK), b""):
                read += len(chunk)
                if read > MAX_SHEET_XML_BYTES:
                    raise TableError(_too_big("工作表", MAX_SHEET_XML_BYTES))
                p.Parse(chunk, False)
                if ready:
                    yield from ready
                    ready.clear()
            p.Parse(b"", True)
            yield from ready
    except (expat.ExpatError, zipfile.BadZipFile, KeyError) as e:
        raise TableError(f"工作表内容无法读取：{e}") from None


def _iso_datetime(text: str) -> Cell:
    try:
        return datetime.datetime.fromisoformat(text.rstrip("Z"))
    except ValueError:
        return text


# --- cells to the text validate_row reads -----------------------------------------------------------------------------


def cell_text(value: Cell) -> Any:
    """Normalise a cell for `validate_row`: numbers typed into text columns become their digits, dates stay dates.

    Excel stores a number typed into a cell as a float: an ID number or phone typed as a number comes back as
    13812341234.0, a USCC or ID number of 18 digits even as 9.14104810000001e+17 (Excel keeps only 15 digits, so
    its check character then fails and the user is told to type it as text).
    """
    if value is None or isinstance(value, str | bool | datetime.date):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return f"{value:.0f}"
        return repr(value)
    if isinstance(value, datetime.time):
        return value.isoformat()
    return str(value)


def is_blank(cells: list[Cell]) -> bool:
    for c in cells:  # a plain loop: stops at the first filled cell, usually the first one
        if c is not None and (c.__class__ is not str or c.strip()):
            return False
    return True
