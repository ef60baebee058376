"""Chinese labels for the draw's codes that people see.

Public substitution reasons (issue 17, item 9): the portal and the public files show only one of these labels; the
free text an operator adds is an internal note (pages with the right scope, the API for them, the audit trail). A
reason such as "孙之峰 休病假" names a person's circumstances and must never be published.
"""

OBJECT_REASONS = {
    "DEREGISTERED": "已注销",
    "REVOKED": "已吊销",
    "MOVED_OUT": "已迁出",
    "SUSPENDED": "停业歇业",
    "NOT_FOUND": "查无此户",
    "OTHER": "其他法定情形",
}

INSPECTOR_REASONS = {
    "RECUSAL": "回避",
    "ON_DUTY": "因公无法到岗",
    "UNAVAILABLE": "因故无法到岗",
    "CERT_INVALID": "执法证失效",
    "OTHER": "其他",
}

# The substitution kind → its public reason codes (keys are SubstitutionKind values).
SUBSTITUTION_REASONS = {"object": OBJECT_REASONS, "inspector": INSPECTOR_REASONS}

# What existing substitutions, made when the reason was free text, carry after the migration.
LEGACY_REASON = "OTHER"


def substitution_reason_label(kind: str, code: str) -> str:
    return SUBSTITUTION_REASONS.get(kind, {}).get(code, code)


# Field labels of the draw's inputs, for refusals (pages and API alike).
FIELD_LABELS = {
    "reason_code": "公开理由",
    "note": "内部说明",
    "lottery": "彩票名称",
    "period": "彩票期号",
    "draw_date": "开奖日期",
    "announced": "随机源公告",
    "thrown_by": "掷骰人",
}


def source_fact_text(fact: dict, thrower: str = "") -> str:
    """A public source's facts in words (issue 17, item 8): what puts it outside the operator's control."""
    if fact.get("kind") == "lottery":
        return f"{fact['lottery']} 第 {fact['period']} 期，{fact['draw_date']} 开奖（晚于冻结时间）"
    text = "监督人员现场掷骰"
    return f"{text}，掷骰人：{thrower}" if thrower else f"{text}（抽取时登记掷骰人）"
