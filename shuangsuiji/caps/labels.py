"""Chinese labels of the fields of the cap and its exemptions (errors carry these keys)."""

FIELD_LABELS = {
    "value": "全市年度抽查次数上限",
    "reason": "理由",
    "object_id": "检查对象",
    "year": "年度",
    "scheme_id": "工作方案",
    "exemption_reason": "超过上限的法定理由",
    "comment": "联席会议办公室意见",
    "status": "状态",
}
