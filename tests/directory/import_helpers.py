"""Builders for upload files: the template's headers plus rows, as xlsx or CSV bytes."""

import csv
import io

from openpyxl import Workbook

from shuangsuiji.directory.rows import COLUMNS


def headers(kind: str) -> list[str]:
    return [c.header for c in COLUMNS[kind]]


def xlsx_bytes(header: list[str], rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(header: list[str], rows: list[list], encoding: str = "utf-8-sig") -> bytes:
    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode(encoding)


def entity_row(code: str, name: str = "舞钢市测试商贸有限公司", **kw) -> list:
    values = {
        "统一社会信用代码/对象编码": code,
        "名称": name,
        "类别": "企业",
        "行业代码": "F5212",
        "乡镇（街道）": "寺坡街道",
        "住所（经营场所）": "舞钢市寺坡街道测试路1号",
        "法定代表人（负责人、经营者）": "王五",
        "登记状态": "存续",
        "信用风险分类": "B",
        "列入经营异常名录": "否",
        "列入严重违法失信名单": "否",
        "近12个月投诉举报数": "0",
    }
    values.update(kw)
    return [values[h] for h in headers("entities")]


def inspector_row(cert_no: str, department: str = "SCJG", **kw) -> list:
    values = {
        "所属部门": department,
        "姓名": "李四",
        "执法证号": cert_no,
        "发证日期": "2022-01-01",
        "有效期至": "2030-12-31",
        "身份证号": "11010519491231002X",
        "联系电话": "13812341234",
        "工作区域": "寺坡街道",
        "资格/专长": "食品;特种设备",
        "专家": "否",
        "状态": "在岗",
    }
    values.update(kw)
    return [values[h] for h in headers("inspectors")]


def item_row(code: str, department: str = "SCJG", **kw) -> list:
    values = {
        "事项编码": code,
        "事项名称": "企业公示信息抽查",
        "责任部门": department,
        "检查子项": "年度报告公示信息",
        "检查依据": "《企业信息公示暂行条例》第十四条",
        "检查内容": "企业年度报告公示信息情况",
        "检查对象": "辖区内企业",
        "默认抽查比例": "0.05",
        "比例上限": "0.1",
        "抽查频次": "每年1次",
        "检查方式": "书面检查",
        "事项类别": "一般",
        "检查人员资格要求": "",
        "状态": "有效",
    }
    values.update(kw)
    return [values[h] for h in headers("items")]
