"""Every figure counted again from the history's plain values, row by row, without the ORM or the selectors."""

from __future__ import annotations

import datetime
import statistics
from collections import Counter

from shuangsuiji.stats.filters import StatsFilter

from .history import CONCLUDED, EXECUTED, History


def _in(f: StatsFilter, day: datetime.date) -> bool:
    return f.start <= day <= f.end


def _obj_ok(h: History, f: StatsFilter, obj_pk: int) -> bool:
    o = h.objects[obj_pk]
    return (not f.region or o["region"] == f.region) and (not f.risk_class or o["risk"] == f.risk_class)


def _joint_ok(f: StatsFilter, joint: bool) -> bool:
    return f.joint is None or (f.joint == "joint") == joint


def _record_ok(h: History, f: StatsFilter, r: dict, dept: int | None) -> bool:
    joint = bool(r["scheme"] and h.schemes[r["scheme"]]["joint"])
    return (
        (dept is None or r["dept"] == dept)
        and (not f.item or f.item in r["problems"])
        and _obj_ok(h, f, r["obj"])
        and _joint_ok(f, joint)
    )


def _scheme_ok(f: StatsFilter, s: dict, dept: int | None, *, joint_filter: bool = True) -> bool:
    return (
        s["year"] == f.year
        and s["status"] != "draft"
        and s["start"].month in f.months
        and (dept is None or s["dept"] == dept)
        and (not f.item or f.item in s["items"])
        and (not joint_filter or _joint_ok(f, s["joint"]))
    )


def _rate(num: int, den: int) -> float | None:
    return num / den if den else None


def figures(h: History, f: StatsFilter, today: datetime.date, dept: int | None) -> dict:
    """The figures of one department (`dept`), or of the city (None)."""
    out = _figures(h, f, today, dept)
    del out["checked_thrice_rows"]
    return out


def checked_thrice_rows(h: History, f: StatsFilter, today: datetime.date, dept: int | None) -> int:
    """How many random checks the list behind “随机抽查 3 次及以上” shows: every one of those entities'."""
    return _figures(h, f, today, dept)["checked_thrice_rows"]


def _figures(h: History, f: StatsFilter, today: datetime.date, dept: int | None) -> dict:
    if f.department and dept is None:
        dept = f.department
    out: dict = {}
    out["tasks_planned"] = sum(
        1
        for b in h.batches
        if b["approved"]
        and b["year"] == f.year
        and b["month"] in f.months
        and (dept is None or b["dept"] == dept)
        and (not f.item or f.item in b["items"])
        and _joint_ok(f, b["joint"])
    )
    published = [pk for pk, s in h.schemes.items() if _scheme_ok(f, s, dept)]
    out["tasks_published"] = len(published)
    out["tasks_drawn"] = sum(1 for pk in published if h.schemes[pk]["drawn"])
    out["tasks_finished"] = sum(1 for pk in published if h.schemes[pk]["status"] == "closed")
    every = [pk for pk, s in h.schemes.items() if _scheme_ok(f, s, dept, joint_filter=False)]
    out["tasks_all_for_share"] = len(every)
    out["tasks_joint"] = sum(1 for pk in every if h.schemes[pk]["joint"])
    out["objects_drawn"] = sum(
        1 for s in h.selections if s["active"] and s["scheme"] in published and _obj_ok(h, f, s["obj"])
    )
    first = [r for r in h.records if r["first"] and _in(f, r["date"]) and _record_ok(h, f, r, dept)]
    finished = [r for r in first if r["status"] in EXECUTED]
    out["records_finished"] = len(finished)
    out["records_in_window"] = sum(
        1
        for r in finished
        if r["random"] and h.schemes[r["scheme"]]["start"] <= r["date"] <= h.schemes[r["scheme"]]["end"]
    )
    pub = [r for r in first if r["published"] and r["deadline"]]
    out["results_published"] = len(pub)
    out["published_on_time"] = sum(1 for r in pub if r["published"] <= r["deadline"])
    out["results_overdue"] = sum(1 for r in pub if r["published"] > r["deadline"]) + sum(
        1
        for r in first
        if r["status"] in ("draft", "submitted", "returned") and r["deadline"] and r["deadline"] < today
    )
    days = [(r["published"] - r["result_date"]).days for r in pub]
    out["median_days"] = float(statistics.median(days)) if days else None
    concluded = [
        r for r in h.records if r["status"] in CONCLUDED and _in(f, r["date"]) and _record_ok(h, f, r, dept)
    ]
    out["records_concluded"] = len(concluded)
    out["records_with_problems"] = sum(
        1 for r in concluded if (r["problems"].get(f.item) if f.item else any(r["problems"].values()))
    )
    randoms = [r for r in finished if r["random"]]
    out["random_checks"] = len(randoms)
    out["joint_checks"] = sum(1 for r in randoms if h.schemes[r["scheme"]]["joint"])
    entities = {pk for pk, o in h.objects.items() if o["market"] and o["active"] and _obj_ok(h, f, pk)}
    out["market_entities"] = len(entities)
    out["entities_checked"] = len({r["obj"] for r in finished if r["obj"] in entities})
    checks: dict[int, set] = {}
    for r in randoms:
        if r["obj"] in entities:
            checks.setdefault(r["obj"], set()).add(r["selection"])
    histogram = Counter(min(len(v), 3) for v in checks.values())
    out |= {"checked_once": histogram[1], "checked_twice": histogram[2], "checked_thrice": histogram[3]}
    # The rows behind “3 次及以上” (its list page): every random check of those entities.
    out["checked_thrice_rows"] = sum(1 for r in randoms if len(checks.get(r["obj"], ())) >= 3)
    transfers = [t for t in h.transfers if _in(f, t["sent"]) and _record_ok(h, f, t["record"], dept)]
    out["transfers_opened"] = len(transfers)
    out["transfers_closed"] = sum(1 for t in transfers if t["status"] == "closed")
    out["transfers_overdue"] = sum(
        1
        for t in transfers
        if (t["status"] != "closed" and t["due"] < today)
        or (t["status"] == "closed" and t["closed"] > t["due"])
    )
    # three years: the period's year and the two before, up to the period's end
    three = [
        r
        for r in h.records
        if r["first"]
        and r["status"] in EXECUTED
        and datetime.date(f.year - 2, 1, 1) <= r["date"] <= f.end
        and _record_ok(h, f, r, dept)
    ]
    out["entities_checked_3y"] = len({r["obj"] for r in three if r["obj"] in entities})
    triggered = [r for r in finished if not r["random"]]
    out["triggered_checks"] = len(triggered)
    for source, key in (
        ("投诉举报", "triggered_complaint"),
        ("转办交办", "triggered_referral"),
        ("数据监测", "triggered_monitoring"),
    ):
        out[key] = sum(1 for r in triggered if r["trigger"] == source)
    out["transfers_received"] = sum(
        1
        for t in h.transfers
        if t["to"] is not None
        and _in(f, t["sent"])
        and (dept is None or t["to"] == dept)
        and _record_ok(h, f, t["record"], None)
    )
    decided = [
        p
        for p in h.proposals
        if p["status"] in ("listed", "rejected")
        and _in(f, p["decided"])
        and (dept is None or p["dept"] == dept)
        and _record_ok(h, f, p["record"], None)
    ]
    out["listings_decided"] = len(decided)
    out["listings_listed"] = sum(1 for p in decided if p["status"] == "listed")
    out["coverage_3y"] = _rate(out["entities_checked_3y"], out["market_entities"])
    out["triggered_share"] = _rate(out["triggered_checks"], out["random_checks"] + out["triggered_checks"])
    out["on_time_rate"] = _rate(out["published_on_time"], out["results_published"])
    out["problem_rate"] = _rate(out["records_with_problems"], out["records_concluded"])
    out["joint_task_share"] = _rate(out["tasks_joint"], out["tasks_all_for_share"])
    out["joint_check_share"] = _rate(out["joint_checks"], out["random_checks"])
    out["coverage"] = _rate(out["entities_checked"], out["market_entities"])
    return out


def breakdown(h: History, f: StatsFilter, today: datetime.date, key: str) -> dict:
    """{group: (finished, concluded, problems[, entities, covered])} for the breakdown `key`, counted from the rows
    (groups: a region's pk, a risk class's pk or None, an industry section letter or "未填写", an inspector's pk)."""
    dept = f.department
    first = [r for r in h.records if r["first"] and _in(f, r["date"]) and _record_ok(h, f, r, dept)]
    finished = [r for r in first if r["status"] in EXECUTED]
    concluded = [
        r for r in h.records if r["status"] in CONCLUDED and _in(f, r["date"]) and _record_ok(h, f, r, dept)
    ]

    def problem(r) -> bool:
        return bool(r["problems"].get(f.item) if f.item else any(r["problems"].values()))

    if key == "inspector":
        out: Counter = Counter()
        for r in finished:
            for ins in r["members"]:
                out[ins] += 1
        return dict(out)
    group = {
        "region": lambda o: o["region"],
        "risk": lambda o: o["risk"],
        "industry": lambda o: SECTION_OF.get(o["industry"], "未填写"),
    }[key]
    out2: dict = {}

    def add(g, i: int, n: int = 1) -> None:
        out2.setdefault(g, [0, 0, 0, 0, 0])[i] += n

    for r in finished:
        add(group(h.objects[r["obj"]]), 0)
    for r in concluded:
        add(group(h.objects[r["obj"]]), 1)
        if problem(r):
            add(group(h.objects[r["obj"]]), 2)
    if key == "region":
        entities = {pk for pk, o in h.objects.items() if o["market"] and o["active"] and _obj_ok(h, f, pk)}
        for pk in entities:
            add(h.objects[pk]["region"], 3)
        for pk in {r["obj"] for r in finished if r["obj"] in entities}:
            add(h.objects[pk]["region"], 4)
        return {g: tuple(v) for g, v in out2.items()}
    return {g: tuple(v[:3]) for g, v in out2.items()}


# the sections of the history's industry codes, written out by hand (GB/T 4754-2017: 13 制造业, 52 零售业, 62 餐饮业,
# 01 农业)
SECTION_OF = {"C1310": "C", "F5212": "F", "5212": "F", "H6210": "H", "A0111": "A"}
