"""Which strata a draw uses, and whether its public files must be sealed (DRAW-v1.1, docs/draw-v1.1-sealed.md).

A scheme sets a rule per credit-risk class (and a raised-ratio stratum, art. 9). The class is internal supervision
information (domain.md §3), so a draw whose strata tell classes apart — different rules per class, or a raised stratum
fed by complaint counts — is sealed: the public sees the projection only. Where every class has the same ratio the
classes are merged into one stratum and nothing confidential is left to hide: the draw stays plain DRAW-v1, as public
as before.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from shuangsuiji.planning.models import RAISED_STRATUM, TRUSTED_STRATUM, TaskScheme

MERGED = "ALL"


@dataclass(frozen=True)
class StrataPlan:
    sealed: bool
    reason: str  # why sealed, or why not, in Chinese for the pages
    groups: dict[str, str]  # scheme stratum (class code or RAISED) → draw stratum key
    rules: dict[str, dict[str, Any]]  # draw stratum key → rule

    def label(self, key: str) -> str:
        """For internal pages: the classes behind a draw stratum."""
        return "、".join(sorted(c for c, k in self.groups.items() if k == key)) or key


def plan_for(
    strata: dict[str, dict[str, Any]], raise_complaints: int | None, raise_problems: bool = False
) -> StrataPlan:
    """Complaint counts are internal, so a raised stratum fed by them seals the draw. Problems found in the
    department's *published* results (issue 12 item 4) are public facts — the portal shows each published result —
    so, like the two lists, they leave the draw plain; only results the public can read feed that rule
    (inspections.selectors.published_results: a joint visit's part only once the visit is published).

    A 守信 stratum (包容审慎, ADR 0028) always seals: the mark reads every result in force, withheld ones (不予公示)
    included, and complaint counts — membership would disclose facts the public may not see."""
    ordinary = {c: r for c, r in strata.items() if c not in (RAISED_STRATUM, TRUSTED_STRATUM)}
    raised = strata.get(RAISED_STRATUM)
    reasons = []
    distinct = {json.dumps(r, sort_keys=True) for r in ordinary.values()}
    if len(ordinary) > 1 and (len(distinct) > 1 or any("count" in r for r in ordinary.values())):
        reasons.append("各风险分类的抽查比例或数量不同")
    if raised is not None and raise_complaints:
        reasons.append("提高比例层依据投诉举报次数")
    if TRUSTED_STRATUM in strata:
        reasons.append("守信（包容审慎）层依据含不予公示结果在内的检查记录")
    if reasons:
        return StrataPlan(
            sealed=True,
            reason="；".join(reasons)
            + "：分层依据不公开的信息，公众只看到不含分层的名单（DRAW-v1.1 密封分层）",
            groups={c: c for c in strata},
            rules=dict(strata),
        )
    groups = {c: MERGED for c in ordinary}
    rules: dict[str, dict[str, Any]] = {MERGED: next(iter(ordinary.values()))} if ordinary else {}
    if raised is not None:
        groups[RAISED_STRATUM] = RAISED_STRATUM
        rules[RAISED_STRATUM] = raised
    why = "各风险分类比例相同，合并为一层" if len(ordinary) > 1 else "只有一个普通分层"
    if raised is not None:
        why += "；提高比例层只依据公开的经营异常名录、严重违法失信名单" + (
            "、本部门近12个月已公示结果中发现问题的对象" if raise_problems else ""
        )
    return StrataPlan(
        sealed=False,
        reason=why + "：分层不涉及不公开的信息，抽取文件全部公开（DRAW-v1）",
        groups=groups,
        rules=rules,
    )


def scheme_plan(scheme: TaskScheme) -> StrataPlan:
    raised = RAISED_STRATUM in scheme.strata
    return plan_for(
        scheme.strata, scheme.raise_complaints if raised else None, raised and scheme.raise_problems
    )
