"""Result categories and follow-up measures of 市场监管领域随机抽查情况记录表 (domain.md §3), with their rules."""

NO_PROBLEM = "未发现问题"
PENDING = "发现问题待后续处理"
PENDING_SUBKINDS = [
    "未按规定公示应当公示的信息",
    "公示信息隐瞒真实情况、弄虚作假",
    "通过登记的住所（经营场所）无法联系",
    "违反其他市场监管规定",
    "违反其他部门相关规定",
]
CORRECTED = "发现问题经责令已改正"
NO_ACTIVITY = "未发现开展本次抽查涉及的经营活动"
CLOSED = "已关闭停业或正在组织清算"
UNCOOPERATIVE = "不配合检查情节严重"
DEREGISTERED, REVOKED, CANCELLED, MOVED_OUT = "已注销", "被吊销", "被撤销", "已迁出"

# Leaf categories: the only ones a record stores and the public sees (a PENDING result is stored by its sub-kinds).
LEAF_CATEGORIES = [
    NO_PROBLEM,
    *PENDING_SUBKINDS,
    CORRECTED,
    NO_ACTIVITY,
    CLOSED,
    UNCOOPERATIVE,
    DEREGISTERED,
    REVOKED,
    CANCELLED,
    MOVED_OUT,
]
TERMINAL = {DEREGISTERED, REVOKED, CANCELLED, MOVED_OUT, CLOSED}
PROBLEM_CATEGORIES = set(PENDING_SUBKINDS) | {CORRECTED, UNCOOPERATIVE}
# These two trigger a proposal to list the entity in the 经营异常名录 (decision due within 10 working days).
LISTING_TRIGGERS = {"通过登记的住所（经营场所）无法联系", "公示信息隐瞒真实情况、弄虚作假"}

MEASURES = [
    "无需后续处置",
    "反馈日常监管部门依法处理",
    "责令改正并跟踪",
    "移送办案机构",
    "抄告相关部门",
    "移送公安机关",
    "其他（说明）",
]
NO_MEASURE = "无需后续处置"
# Measures that hand the problem on (art. 14), with the transfer kinds (Transfer.kind values) that carry each out: a
# result with one of them is submitted together with its transfer (issue 15, item 9).
TRANSFER_MEASURES = {
    "反馈日常监管部门依法处理": {"department", "case_unit"},
    "抄告相关部门": {"department", "case_unit"},
    "移送办案机构": {"case_unit"},
    "移送公安机关": {"police"},
}


def measures_without_transfer(measures: list[str], kinds: set[str]) -> list[str]:
    """The measures of `measures` that no transfer of `kinds` carries out."""
    return [m for m in measures if m in TRANSFER_MEASURES and not TRANSFER_MEASURES[m] & kinds]


TRIGGERS = ["投诉举报", "转办交办", "数据监测"]


def check_categories(categories: list[str], measures: list[str], measure_note: str = "") -> list[str]:
    """The rules of the form, as Chinese messages; an empty list means the combination is valid."""
    errors = []
    unknown = [c for c in categories if c not in LEAF_CATEGORIES]
    if unknown:
        errors.append(f"未知的检查结果：{'、'.join(unknown)}")
    if not categories:
        errors.append("请选择检查结果")
    if NO_PROBLEM in categories and len(categories) > 1:
        errors.append("“未发现问题”不能与其他检查结果同时选择")
    terminal = [c for c in categories if c in TERMINAL]
    if len(terminal) > 1:
        errors.append(f"{'、'.join(terminal)} 互相排斥，只能选择一项")
    if terminal and any(c in PROBLEM_CATEGORIES or c == NO_ACTIVITY for c in categories):
        errors.append(f"对象“{terminal[0]}”时不能再选择发现问题类结果")
    unknown_m = [m for m in measures if m not in MEASURES]
    if unknown_m:
        errors.append(f"未知的后续处置措施：{'、'.join(unknown_m)}")
    if any(c in PROBLEM_CATEGORIES for c in categories) and (not measures or measures == [NO_MEASURE]):
        errors.append("发现问题的，必须选择后续处置措施")
    if NO_MEASURE in measures and len(measures) > 1:
        errors.append("“无需后续处置”不能与其他措施同时选择")
    if "其他（说明）" in measures and not measure_note.strip():
        errors.append("选择“其他（说明）”时请写明具体措施")
    return errors
