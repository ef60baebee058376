"""Builders for registration-change and risk-class files (docs/用户手册.md “名录同步文件”)."""

from tests.directory.import_helpers import csv_bytes, xlsx_bytes

REGISTRATION_HEADER = ["统一社会信用代码", "名称", "住所", "登记状态", "变更日期", "变更类型"]
RISK_HEADER = ["统一社会信用代码", "信用风险分类", "评定日期"]


def reg_row(code, name="", address="", status="", day="2026-11-20", change="变更") -> list:
    return [code, name, address, status, day, change]


def registration_file(rows: list[list], fmt: str = "xlsx", encoding: str = "utf-8-sig") -> bytes:
    if fmt == "xlsx":
        return xlsx_bytes(REGISTRATION_HEADER, rows)
    return csv_bytes(REGISTRATION_HEADER, rows, encoding=encoding)


def risk_file(rows: list[list], fmt: str = "xlsx", encoding: str = "utf-8-sig") -> bytes:
    if fmt == "xlsx":
        return xlsx_bytes(RISK_HEADER, rows)
    return csv_bytes(RISK_HEADER, rows, encoding=encoding)
