"""Small builders for valid records (correct check characters), written straight to the ORM for test setup."""

import datetime
import itertools

from django.utils import timezone

from shuangsuiji.codes.idcard import id_check_char
from shuangsuiji.codes.uscc import uscc_check_char
from shuangsuiji.directory.models import CheckItem, InspectionObject, Inspector, ObjectKind, RiskClass
from shuangsuiji.org.models import Department, Region

_seq = itertools.count(1)


def uscc(kind_digit: str = "1", n: int | None = None) -> str:
    n = next(_seq) if n is None else n
    body = f"9{kind_digit}410481{n:09d}"[:17]
    return body + uscc_check_char(body)


def id_number(birth: str = "19900101", n: int = 123) -> str:
    body = f"410481{birth}{n:03d}"
    return body + id_check_char(body)


def entity(name: str | None = None, **kw) -> InspectionObject:
    n = next(_seq)
    defaults = {
        "kind": ObjectKind.ENTERPRISE,
        "code": uscc("1", n),
        "name": name or f"舞钢市测试商贸有限公司{n}",
        "region": Region.objects.get(name="寺坡街道"),
        "risk_class": RiskClass.objects.get(code="B"),
        "industry_code": "F5212",
        "address": f"舞钢市寺坡街道测试路{n}号",
        "legal_rep": "王五",
    }
    defaults.update(kw)
    return InspectionObject.objects.create(**defaults)


def inspector(dept_code: str = "SCJG", name: str | None = None, **kw) -> Inspector:
    n = next(_seq)
    # A certificate valid for years around the business date, whatever year the suite runs in.
    this_year = timezone.localdate().year
    defaults = {
        "department": Department.objects.get(code=dept_code),
        "name": name or f"检查员{n}",
        "cert_no": f"41048{n:06d}",
        "cert_issued": datetime.date(2020, 1, 1),
        "cert_expires": datetime.date(this_year + 4, 12, 31),
        "id_number": id_number(n=n % 1000),
        "phone": f"138{n:08d}"[:11],
        "qualifications": ["食品"],
    }
    defaults.update(kw)
    ins = Inspector.objects.create(**defaults)
    ins.code = f"I{ins.pk:07d}"
    ins.save(update_fields=["code"])
    return ins


def item(dept_code: str = "SCJG", **kw) -> CheckItem:
    n = next(_seq)
    defaults = {
        "code": f"{dept_code}-{n:03d}",
        "name": "企业公示信息抽查",
        "department": Department.objects.get(code=dept_code),
        "legal_basis": "《企业信息公示暂行条例》第十四条",
        "methods": ["书面检查"],
        "category": "一般",
        "default_ratio": "0.05",
        "ratio_cap": "0.1",
    }
    defaults.update(kw)
    return CheckItem.objects.create(**defaults)
