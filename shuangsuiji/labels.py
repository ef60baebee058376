"""One table of the Chinese labels for the codes that people would otherwise read on a page (issue 15, item 3).

The codes stay what they are in the database, the DRAW-v1 files and the API (machines read them); pages show these
labels through the `label` template filter (shuangsuiji/web/templatetags/labels.py). Contexts keep their own
specialised tables (draws/labels.py for the public substitution reasons, draws/freezing.py for exclusion reasons);
this one covers what crosses contexts: audit actions, random sources, strata and the models an audit event names.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

# Audit actions (AuditEvent.action). tests/web/test_labels.py checks every action written by the code is here.
ACTIONS = {
    "account.inspector_create": "开通执法人员账号",
    "account.inspector_password_reissue": "重新发放执法人员一次性密码",
    "api_token.create": "创建接口令牌",
    "api_token.revoke": "吊销接口令牌",
    "api_token.limits": "设置接口令牌请求频率",
    "audit.purge": "清理过期审计记录",
    "auth.locked_out": "账号被锁定",
    "auth.login": "登录",
    "auth.login_failed": "登录失败",
    "auth.logout": "退出登录",
    "auth.password_change": "修改密码",
    "auth.totp_enrolled": "绑定动态口令",
    "auth.totp_failed": "动态口令错误",
    "auth.totp_locked": "动态口令错误过多被锁定",
    "auth.totp_ok": "动态口令验证通过",
    "auth.totp_refused_locked": "锁定期间拒绝动态口令",
    "auth.totp_reset": "重置动态口令",
    "auth.totp_unlock": "解除动态口令锁定",
    "auth.unlock": "解除账号锁定",
    "calendar.day_remove": "删除工作日历日期",
    "calendar.day_set": "设置工作日历日期",
    "calendar.deadlines_recompute": "按新日历重算期限",
    "calendar.notice_import": "导入放假通知",
    "calendar.year_declare": "确认全年工作日历",
    "caps.exemption_approve": "批准超过年度抽查上限",
    "caps.exemption_refuse": "不批准超过年度抽查上限",
    "caps.exemption_request": "申请超过年度抽查上限",
    "caps.yearly_cap_set": "设置全市年度抽查上限",
    "conflict.declare": "登记回避关系",
    "conflict.withdraw": "撤销回避关系",
    "demo.seed": "生成演示数据",
    "department.raise_problems": "设置发现问题的对象下一轮提高比例",
    "directory.export": "导出名录",
    "directory.import": "导入名录",
    "directory.sync_registration": "导入登记变更文件",
    "directory.sync_risk": "导入信用风险分类文件",
    "draw.fail": "抽取失败",
    "draw.firm_proof": "出具本户证明",
    "draw.freeze": "冻结名单",
    "draw.list_public": "检查期结束后自动公示抽取名单",
    "draw.perform": "抽取",
    "draw.read_sealed": "取得密封抽取的完整文件",
    "draw.redraw_freeze": "重新抽取：冻结名单",
    "draw.substitute_inspector": "替换检查人员",
    "draw.substitute_object": "替换检查对象",
    "inspector.create": "新增执法检查人员",
    "inspector.update": "修改执法检查人员",
    "item.create": "新增抽查事项",
    "item.update": "修改抽查事项",
    "licence.add": "登记许可证",
    "listing.decide": "决定名单列入",
    "listing.propose": "提出名单列入建议",
    "object.create": "新增检查对象",
    "object.list_abnormal": "列入经营异常名录",
    "object.update": "修改检查对象",
    "outbox.resend": "重新推送省级平台事件",
    "outbox.resend_rejected": "重新推送全部被拒收事件",
    "outbox.batch_uploaded": "确认推送文件批次已上传",
    "outbox.batch_returned": "登记推送文件批次被退回",
    "personal_data.reveal": "查看完整个人信息",
    "personal_data.rotate": "更换个人信息密钥",
    "plan.adjust": "调整计划",
    "plan.approve": "批准计划",
    "plan.batch_add": "添加计划批次",
    "plan.batch_remove": "删除计划批次",
    "plan.create": "制定计划",
    "plan.extra_batches_reason": "填写超过两批次的理由",
    "plan.item_add": "计划添加事项",
    "plan.item_remove": "计划移出事项",
    "plan.return": "退回计划",
    "plan.submit": "报送计划",
    "record.attach": "上传检查附件",
    "record.correct": "更正检查记录",
    "record.member_confirm": "执法人员确认本人到场",
    "record.create": "新建检查记录",
    "record.publish": "审核通过并公示",
    "record.return": "退回检查记录",
    "record.save_draft": "保存检查记录草稿",
    "record.submit": "提交审核",
    "visit.date": "登记联合检查日期",
    "visit.absence": "登记未参加联合检查",
    "visit.publish": "联合检查结果公示",
    "record.withhold": "审核通过（依法不公示）",
    "scheme.accept": "参加部门确认方案",
    "scheme.archive": "任务归档",
    "scheme.close": "结束任务",
    "scheme.create": "制定工作方案",
    "scheme.dossier_export": "导出任务档案",
    "scheme.publish": "公示工作方案",
    "supervision.set": "设置专项监管信息",
    "transfer.acknowledge": "接收移交",
    "transfer.close": "办结移交",
    "transfer.create": "移交后续处置",
    "tour.dismiss": "关闭首次登录指引",
}

# Random sources of a draw by name (the names the platform announces), then by kind for any other name.
SOURCES = {
    "server": "服务器密钥",
    "sealed": "密封分层密钥",
    "lottery": "彩票开奖号码",
    "witness": "监督人员现场掷骰",
}
SOURCE_KINDS = {
    "secret": "密钥",
    "numbers": "彩票开奖号码",
    "digits": "现场掷骰数字",
}
# What each public source's value looks like, with an example, for forms (issue 15, item 6).
SOURCE_FORMATS = {
    "numbers": "按开奖公告依次输入全部开奖号码，用逗号（，或 ,）、顿号或空格分隔，如：03,08,12,19,25,33",
    "digits": "监督人员当场掷出的点数依次连写，只含数字 0-9（可用空格分组），如：314159265358",
}

# Events sent to the provincial platform (shuangsuiji/outbox) and the objects they are about.
OUTBOX_EVENTS = {
    "plan.approved": "计划批准公示",
    "plan.adjusted": "计划调整公示",
    "scheme.published": "工作方案公示",
    "draw.performed": "抽取结果",
    "draw.failed": "抽取失败",
    "draw.substituted": "抽取后替换",
    "draw.list_published": "抽取名单公示（检查期结束后）",
    "result.published": "检查结果公示",
    "result.corrected": "检查结果更正",
    "result.withheld": "检查结果不予公示",
    "visit.published": "联合检查结果公示",
    "visit.corrected": "联合检查结果更正",
    "transfer.closed": "后续处置办结",
    "listing.decided": "列入经营异常名录决定",
}
OUTBOX_OBJECTS = {
    "plan": "年度抽查计划",
    "scheme": "抽查工作方案",
    "draw": "抽取",
    "result": "检查结果",
    "visit": "联合检查",
    "transfer": "后续处置移交",
    "listing": "名单列入建议",
}


def outbox_object_label(key: str) -> str:
    """An outbox object key (`draw:舞市监抽查…-1`, `result:12`) in words: the kind's label and its number."""
    kind, _, ident = key.partition(":")
    return f"{OUTBOX_OBJECTS.get(kind, kind)} {ident}".strip()


# Strata that are not credit-risk classes; "ALL" is the merged stratum of a scheme whose classes share one ratio.
STRATA = {
    "RAISED": "提高比例层",
    "UNRATED": "未评定风险分类",
    "TRUSTED": "守信（包容审慎）",
    "ALL": "全部风险分类（比例相同，合为一层）",
}

# Models an audit event can name (AuditEvent.target_type is the model's label_lower).
MODELS = {
    "accounts.user": "用户",
    "accounts.apitoken": "接口令牌",
    "audit.auditevent": "审计事件",
    "caps.capexemption": "超过上限申请",
    "caps.yearlycapversion": "全市年度抽查上限",
    "credit.listingproposal": "名单列入建议",
    "directory.checkitem": "抽查事项",
    "directory.conflict": "回避关系",
    "directory.inspectionobject": "检查对象",
    "directory.inspector": "执法检查人员",
    "directory.licence": "许可证",
    "directory.supervision": "专项监管信息",
    "directory.syncbatch": "名录同步批次",
    "draws.draw": "抽取",
    "draws.substitution": "替换",
    "inspections.calendaryear": "工作日历年度",
    "inspections.calendarday": "工作日历日期",
    "inspections.inspectionrecord": "检查记录",
    "inspections.transfer": "后续处置移交",
    "outbox.outboxevent": "省级平台推送事件",
    "outbox.outboxbatch": "省级平台推送文件批次",
    "org.department": "部门",
    "planning.annualplan": "年度抽查计划",
    "planning.taskscheme": "抽查工作方案",
}

# The hash a draw commits with (Draw.hash_name), by its published name.
HASHES = {"sha256": "SHA-256", "sm3": "SM3"}

TABLES = {
    "actions": ACTIONS,
    "sources": SOURCES,
    "kinds": SOURCE_KINDS,
    "strata": STRATA,
    "models": MODELS,
    "hashes": HASHES,
}


def label(code: Any, table: str) -> str:
    """The label of `code` in one of TABLES; a source not in SOURCES by name is named by its kind elsewhere."""
    text = str(code if code is not None else "")
    return TABLES[table].get(text, text)


def model_label(label_lower: str) -> str:
    """ "inspections.inspectionrecord" → "检查记录"; unknown models by their Django verbose name."""
    if label_lower in MODELS:
        return MODELS[label_lower]
    if not label_lower:
        return ""
    try:
        from django.apps import apps

        return str(apps.get_model(label_lower)._meta.verbose_name)
    except (LookupError, ValueError):
        return label_lower


def source_label(name: str, kind: str = "") -> str:
    return SOURCES.get(name) or SOURCE_KINDS.get(kind) or name


def stratum_label(code: str, risk_names: dict[str, str] | None = None) -> str:
    """A stratum key in words: "RAISED" → 提高比例层, "A" → 风险分类 A（低风险）, "A、B" → 风险分类 A、B."""
    if code in STRATA:
        return STRATA[code]
    parts = [p for p in code.split("、") if p]
    names = risk_names or {}
    words = [f"{p}（{names[p]}）" if p in names else p for p in parts]
    return "风险分类 " + "、".join(words) if words else code


_PUBLIC_STRATUM = re.compile(r"S(\d+)")


def public_stratum_label(code: str) -> str:
    """The public code of a draw's stratum ("S1") in words: 第 1 层."""
    found = _PUBLIC_STRATUM.fullmatch(code or "")
    return f"第 {found.group(1)} 层" if found else STRATA.get(code, code)


# ------------------------------------------------------------------------------------------------- percentages
# Ratios are stored and exchanged (API, DRAW-v1 files) as decimal fractions; people read and type percentages.


def percent_text(value: Any) -> str:
    """ "0.005" → "0.5%", Decimal("0.030000") → "3%"."""
    if value is None or value == "":
        return ""
    try:
        pct = Decimal(str(value)) * 100
    except InvalidOperation:
        return str(value)
    if not pct.is_finite():
        return str(value)
    return f"{format(pct.normalize(), 'f')}%"


def percent_input(value: Any) -> str:
    """What a form shows for a stored fraction: "0.030000" → "3" (the field says it is in %)."""
    text = percent_text(value)
    return text[:-1] if text.endswith("%") else text


class PercentInvalid(ValueError):
    pass


_FULL_WIDTH = str.maketrans("０１２３４５６７８９．％", "0123456789.%")


def fraction_from_percent(text: Any) -> str | None:
    """A typed percentage ("3%", "3", "0.5 %", "３％") → the stored fraction as a string ("0.03"); blank → None.

    Raises PercentInvalid (its message in Chinese) for anything else. The range (0, 100] is left to the services,
    which already check ratios against caps and refuse zero or more than one."""
    raw = str(text or "").translate(_FULL_WIDTH).strip().replace(" ", "")
    if not raw:
        return None
    number = raw[:-1] if raw.endswith("%") else raw
    if not re.fullmatch(r"\d{1,3}(\.\d{1,4})?", number):
        raise PercentInvalid(f"“{str(text)[:20]}”不是百分比：请填写百分数，如 3 或 3% 表示 3%，最多 4 位小数")
    return format((Decimal(number) / 100).normalize(), "f")


def numbers_meaning(canonical: str) -> str:
    """What the RFC 3797 form of lottery numbers says (issue 15, item 5): "3.8.12.19.25.33." → 03 08 12 19 25 33."""
    parts = [p for p in (canonical or "").split(".") if p]
    if not parts or not all(p.isascii() and p.isdigit() for p in parts):
        return ""
    width = 2 if all(len(p) <= 2 for p in parts) else 1
    return " ".join(p.zfill(width) for p in parts)


NUMBERS_NOTE = "规范写法（RFC 3797）：号码从小到大排列，去掉前导零，每个号码后加“.”"
