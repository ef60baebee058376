"""Named reads: deadlines, the credit archive and the public result search."""

from __future__ import annotations

import datetime
import hashlib
import json

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from shuangsuiji.directory.models import CheckItem, InspectionObject
from shuangsuiji.org.models import Department

from .calendar import REMINDER_DAYS, work_calendar
from .credit_mark import credit_mark
from .credit_mark import window_start as credit_window_start
from .models import (
    ABSENT_LABEL,
    InspectionRecord,
    ItemResult,
    ListingProposal,
    ProposalStatus,
    RecordStatus,
    Transfer,
    TransferStatus,
    Visit,
    VisitAbsence,
)

OPEN = [RecordStatus.SUBMITTED]


def due_soon(qs: QuerySet, today: datetime.date | None = None) -> QuerySet:
    """Submitted, unpublished records whose deadline is within REMINDER_DAYS working days (not yet overdue)."""
    today = today or timezone.localdate()
    horizon = work_calendar().deadline(today, REMINDER_DAYS).day
    return qs.filter(status__in=OPEN, deadline__gte=today, deadline__lte=horizon).order_by("deadline")


def overdue(qs: QuerySet, today: datetime.date | None = None) -> QuerySet:
    today = today or timezone.localdate()
    return qs.filter(status__in=OPEN, deadline__lt=today).order_by("deadline")


def drafts_overdue(qs: QuerySet, today: datetime.date | None = None) -> QuerySet:
    """Records of drawn objects still in draft after their task's inspection window closed (window_end < today).

    No publication deadline runs for a draft (it starts at the result date, fixed at submission), so without this a
    check never entered would never be late (issue 17, item 7; art. 20 拖延执行). Not a correction's draft (its
    original was concluded) and not the draft of an object since replaced. Label: models.draft_overdue_label."""
    today = today or timezone.localdate()
    return qs.filter(
        status=RecordStatus.DRAFT,
        corrects__isnull=True,
        selection__active=True,
        selection__draw__scheme__window_end__lt=today,
    ).order_by("selection__draw__scheme__window_end", "id")


def overdue_transfers(qs: QuerySet, today: datetime.date | None = None) -> QuerySet:
    today = today or timezone.localdate()
    return qs.exclude(status=TransferStatus.CLOSED).filter(due__lt=today).order_by("due")


def overdue_proposals(today: datetime.date | None = None) -> QuerySet:
    today = today or timezone.localdate()
    return ListingProposal.objects.filter(status=ProposalStatus.PROPOSED, due__lt=today)


def credit_archive(obj) -> dict:
    """诚信档案 of one object: every check, result, transfer and listing proposal (art. 15)."""
    records = (
        InspectionRecord.objects.filter(object=obj)
        .select_related("department", "selection__draw__scheme")
        .prefetch_related("item_results__item")
        .order_by("-inspection_date", "-id")
    )
    in_force = InspectionRecord.objects.filter(
        object=obj, status__in=[RecordStatus.PUBLISHED, RecordStatus.WITHHELD]
    ).annotate(problem=Exists(ItemResult.objects.filter(record=OuterRef("pk"), problem_found=True)))
    return {
        "mark": credit_mark(
            in_force.values_list("inspection_date", "problem"),
            timezone.localdate(),
            abnormal=obj.abnormal_list,
            dishonest=obj.dishonest_list,
        ),
        "records": records,
        "transfers": Transfer.objects.filter(record__object=obj).select_related(
            "to_department", "record__department"
        ),
        "proposals": ListingProposal.objects.filter(object=obj).select_related("department"),
        "selections": obj.selections.filter(draw__status="drawn").select_related("draw__scheme"),
    }


# A fragment as common as “有限责任” names ~49,000 of 1,000,000 entities; joining and sorting all their results took
# ~0.5 s a request (bench/bench_results_search.py). The search looks at this many matching entities with published
# results and no more, so that one anonymous request stays cheap; beyond, the page asks for a more complete name.
# 200 → 50 cut the mean time of 300 sampled 4-character fragments from 9.2 to 6.3 ms (p95 18.6 → 11.1 ms).
PUBLIC_MAX_OBJECTS = 50


def _is_uscc(query: str) -> bool:
    return query.isalnum() and query.isascii() and len(query) == 18


def public_objects(query: str) -> QuerySet:
    """Entities with published results whose name contains `query`, or whose USCC is `query` (two characters or more)."""
    query = (query or "").strip()
    if len(query) < 2:
        return InspectionObject.objects.none()
    if _is_uscc(query):
        qs = InspectionObject.objects.filter(code=query.upper())
    else:
        qs = InspectionObject.objects.filter(Q(name__contains=query) | Q(code=query.upper()))
    return qs.filter(Exists(InspectionRecord.objects.public().filter(object=OuterRef("pk")))).order_by()


def public_search(query: str) -> tuple[QuerySet, bool]:
    """Published results found by an entity's name or USCC, newest first, and whether more entities matched than the
    search looked at (PUBLIC_MAX_OBJECTS). The portal and the API show only public fields of these."""
    query = (query or "").strip()
    qs = (
        InspectionRecord.objects.public()
        .select_related("object", "department")
        .order_by("-inspection_date", "-id")
    )
    if len(query) < 2:
        return qs.none(), False
    if _is_uscc(query):
        return qs.filter(object__code=query.upper()), False
    # One read of the matching entities (the name index), then their results by entity: the page, its count and the
    # truncation flag do not search the names again.
    ids = list(public_objects(query).values_list("pk", flat=True)[: PUBLIC_MAX_OBJECTS + 1])
    return qs.filter(object_id__in=ids[:PUBLIC_MAX_OBJECTS]), len(ids) > PUBLIC_MAX_OBJECTS


def public_results(query: str) -> QuerySet:
    """Published results found by an entity's name or USCC, newest first (see public_search)."""
    return public_search(query)[0]


# The only fields a public answer is built from: no inspector, no risk class, no internal note.
PUBLIC_RECORD_FIELDS = (
    "id",
    "kind",
    "trigger",
    "inspection_date",
    "categories",
    "object__name",
    "object__code",
    "department__name",
)
PUBLIC_ITEM_FIELDS = ("record_id", "item__name", "checked", "problem_found", "disposal")
_MAX_OFFSET = 2**63 - 1  # past this, PostgreSQL's OFFSET overflows (found by fuzzing): such a page is empty


_GENERATION_KEY = "public-results:generation"


def public_results_changed() -> None:
    """Forget cached public answers: called when a result is published, withheld or superseded.

    The generation is bumped at once (this process stops serving the old answers) and again after the commit (so an
    answer cached by a concurrent request between the two holds the new result). With the default per-process cache
    other worker processes may serve an old answer for up to PUBLIC_SEARCH_CACHE_SECONDS; a shared cache (Redis)
    makes the change visible everywhere at once.
    """

    def bump() -> None:
        try:
            cache.incr(_GENERATION_KEY)
        except ValueError:
            cache.set(_GENERATION_KEY, 1, None)

    bump()
    transaction.on_commit(bump)


def public_result_page(query: str, page: int, page_size: int) -> dict:
    """One page of the public search as plain values: {count, truncated, rows}; each row has its item results.

    Shared by the portal page and the public API. Plain values rather than model instances: a public answer is
    built from PUBLIC_RECORD_FIELDS only, and skipping instances and prefetches halves its CPU cost. Answers are
    cached for PUBLIC_SEARCH_CACHE_SECONDS (anonymous, public data; see public_results_changed).
    """
    seconds = settings.PUBLIC_SEARCH_CACHE_SECONDS
    if seconds <= 0:
        return _public_result_page(query, page, page_size)
    generation = cache.get(_GENERATION_KEY, 0)
    digest = hashlib.sha256(query.strip().encode("utf-8")).hexdigest()[:32]
    key = f"public-results:{generation}:{PUBLIC_MAX_OBJECTS}:{page}:{page_size}:{digest}"
    data = cache.get(key)
    if data is None:
        data = _public_result_page(query, page, page_size)
        cache.set(key, data, seconds)
    return data


def _public_result_page(query: str, page: int, page_size: int) -> dict:
    """The page in two statements of plain SQL: the matching entities, their published records with the total
    (a window count) and the number of entities found, then the page's item results.

    This is the platform's hottest anonymous read. The ORM version (`public_search` + values + count + items) spent
    3.4–4.5 ms of Python per request building four queries; the same answer is checked against it by
    tests/portal/test_result_search.py on both databases.
    """
    query = (query or "").strip()
    start = (page - 1) * page_size
    if len(query) < 2:
        return {"count": 0, "truncated": False, "rows": []}
    tables = {
        "rec": InspectionRecord._meta.db_table,
        "obj": InspectionObject._meta.db_table,
        "dept": Department._meta.db_table,
        "res": ItemResult._meta.db_table,
        "item": CheckItem._meta.db_table,
        "visit": Visit._meta.db_table,
    }
    if _is_uscc(query):
        matched = "SELECT o.id FROM {obj} o WHERE o.code = %s"
        params: list = [query.upper()]
        limit = None
    else:
        # Django's `contains`: the fragment is matched literally (% and _ escaped), on both databases.
        pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        matched = (
            "SELECT o.id FROM {obj} o WHERE (o.name LIKE %s ESCAPE '\\' OR o.code = %s) AND EXISTS "
            "(SELECT 1 FROM {rec} p LEFT JOIN {visit} pv ON pv.id = p.visit_id WHERE p.object_id = o.id "
            "AND p.status = %s AND (p.visit_id IS NULL OR pv.published_at IS NOT NULL)) LIMIT %s"
        )
        limit = PUBLIC_MAX_OBJECTS
        params = [pattern, query.upper(), RecordStatus.PUBLISHED, limit + 1]
    looked_at = "SELECT id FROM matched" + (" LIMIT %s" if limit is not None else "")
    sql = (
        f"WITH matched AS ({matched}) "
        "SELECT r.id, r.kind, r.trigger, r.inspection_date, r.categories, o.name, o.code, d.name, "
        "count(*) OVER (), (SELECT count(*) FROM matched), r.visit_id "
        "FROM {rec} r JOIN {obj} o ON o.id = r.object_id JOIN {dept} d ON d.id = r.department_id "
        f"WHERE r.status = %s AND r.object_id IN ({looked_at}) "
        # A joint visit is one entry, once published: its first published part stands for it (InspectionRecord
        # .objects.public() says the same through the ORM).
        "AND (r.visit_id IS NULL OR r.id = (SELECT min(q.id) FROM {rec} q JOIN {visit} v ON v.id = q.visit_id "
        "WHERE q.visit_id = r.visit_id AND q.status = %s AND v.published_at IS NOT NULL)) "
        "ORDER BY r.inspection_date DESC, r.id DESC LIMIT %s OFFSET %s"
    ).format(**tables)
    params += [
        RecordStatus.PUBLISHED,
        *([limit] if limit is not None else []),
        RecordStatus.PUBLISHED,
        page_size,
    ]
    in_range = start + page_size <= _MAX_OFFSET
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, start if in_range else 0])
        found = cursor.fetchall() if in_range else cursor.fetchmany(1)
        if found:
            count, n_matched = found[0][8], found[0][9]
        else:  # past the last page (or none at all): the totals from the first row of the result
            cursor.execute(sql, [*params, 0])
            first = cursor.fetchone()
            count, n_matched = (first[8], first[9]) if first else (0, 0)
        rows = [_public_row(row) for row in (found if in_range else [])]
        visits = {row[0]: row[10] for row in (found if in_range else []) if row[10] is not None}
        by_id: dict[int, list[dict]] = {row["id"]: [] for row in rows}
        if by_id:
            marks = ", ".join(["%s"] * len(by_id))
            cursor.execute(
                "SELECT x.record_id, i.name, x.checked, x.problem_found, x.disposal "
                "FROM {res} x JOIN {item} i ON i.id = x.item_id ".format(**tables)
                + f"WHERE x.record_id IN ({marks}) ORDER BY i.code, x.id",
                list(by_id),
            )
            for record_id, item, checked, problem_found, disposal in cursor.fetchall():
                by_id[record_id].append(
                    {
                        "item": item,
                        "checked": bool(checked),
                        "problem_found": bool(problem_found),
                        "disposal": disposal,
                    }
                )
    for row in rows:
        row["items"] = by_id[row["id"]]
    if visits:
        parts = visit_parts(list(visits.values()))
        for row in rows:
            if row["id"] in visits:
                _as_visit(row, parts[visits[row["id"]]])
    truncated = limit is not None and n_matched > limit
    return {"count": count, "truncated": truncated, "rows": rows}


def _public_row(row: tuple) -> dict:
    record_id, kind, trigger, date, categories, name, code, department = row[:8]
    if isinstance(date, str):  # SQLite hands dates back as text
        date = datetime.date.fromisoformat(date)
    if isinstance(categories, str):  # JSON arrives as text on both databases outside the ORM
        categories = json.loads(categories)
    return {
        "id": record_id,
        "kind": kind,
        "trigger": trigger,
        "inspection_date": date,
        "categories": categories,
        "object__name": name,
        "object__code": code,
        "department__name": department,
    }


def visit_parts(visit_ids: list[int]) -> dict[int, list[dict]]:
    """The public parts of published joint visits: each department's published part (its results and item results)
    and each department recorded as 未参加, in the departments' order. Public fields only."""
    parts: dict[int, list[dict]] = {v: [] for v in visit_ids}
    records = list(
        InspectionRecord.objects.filter(
            visit_id__in=visit_ids, visit__published_at__isnull=False, status=RecordStatus.PUBLISHED
        )
        .order_by("department__sort", "department_id", "id")
        .values("id", "visit_id", "department__name", "categories")
    )
    items: dict[int, list[dict]] = {r["id"]: [] for r in records}
    for record_id, name, checked, problem_found, disposal in (
        ItemResult.objects.filter(record_id__in=list(items))
        .order_by("item__code", "id")
        .values_list("record_id", "item__name", "checked", "problem_found", "disposal")
    ):
        items[record_id].append(
            {"item": name, "checked": checked, "problem_found": problem_found, "disposal": disposal}
        )
    for r in records:
        parts[r["visit_id"]].append(
            {
                "department": r["department__name"],
                "attended": True,
                "reported": True,
                "results": list(r["categories"]),
                "items": items[r["id"]],
            }
        )
    for visit_id, name in (
        VisitAbsence.objects.filter(visit_id__in=visit_ids, visit__published_at__isnull=False)
        .order_by("department__sort", "department_id")
        .values_list("visit_id", "department__name")
    ):
        parts[visit_id].append(
            {"department": name, "attended": False, "reported": True, "results": [], "items": []}
        )
    # A visit published at its deadline while a department had not finished (services.visits_publish_due): that
    # department shows as 尚未报送 rather than silently missing.
    named = {v: {p["department"] for p in ps} for v, ps in parts.items()}
    for visit_id, codes in Visit.objects.filter(pk__in=visit_ids, published_at__isnull=False).values_list(
        "pk", "selection__draw__scheme__team_slots"
    ):
        for department in Department.objects.filter(code__in=sorted(codes or {})).order_by("sort", "id"):
            if department.name not in named[visit_id]:
                parts[visit_id].append(
                    {
                        "department": department.name,
                        "attended": False,
                        "reported": False,
                        "results": [],
                        "items": [],
                    }
                )
    return parts


def _as_visit(row: dict, parts: list[dict]) -> None:
    """A joint visit's entry: every attending department, their results and items together, and the parts."""
    attended = [p for p in parts if p["attended"]]
    row["department__name"] = "、".join(p["department"] for p in attended)
    row["categories"] = list(dict.fromkeys(c for p in attended for c in p["results"]))
    row["items"] = [i for p in attended for i in p["items"]]
    row["parts"] = parts


def visit_summary(visit: Visit) -> dict:
    """A joint visit as the officials of its departments see it: its day, whether it is public, and per participating
    department its part's state, 未参加 with the reason, or no record yet (nothing silently missing)."""
    scheme = visit.selection.draw.scheme
    departments = {d.code: d for d in Department.objects.filter(code__in=scheme.team_slots)}
    current = {
        r.department_id: r
        for r in InspectionRecord.objects.filter(visit=visit)
        .exclude(status=RecordStatus.SUPERSEDED)
        .order_by("version", "id")
    }
    absences = {a.department_id: a for a in visit.absences.all()}
    parts = []
    for code in scheme.participant_codes:
        dept = departments.get(code)
        if dept is None:
            continue
        absence, rec = absences.get(dept.pk), current.get(dept.pk)
        if absence is not None:
            state, label, reason = "absent", ABSENT_LABEL, absence.reason
        elif rec is not None:
            state, reason = rec.status, ""
            label = rec.get_status_display()
            if rec.status == RecordStatus.PUBLISHED and visit.published_at is None:
                label = "已审核，待各部门完成后一并公示"
        else:
            state, label, reason = "missing", "尚未建立记录", ""
        parts.append(
            {
                "department": dept.name,
                "department_code": code,
                "state": state,
                "label": label,
                "reason": reason,
                "record_id": rec.pk if rec is not None and absence is None else None,
            }
        )
    return {"visit_date": visit.visit_date, "published_at": visit.published_at, "parts": parts}


def published_results(department_id: int) -> QuerySet:
    """A department's records whose result the public can read: published, and for a joint visit's part only once the
    visit itself is published (until then the part is not on the portal)."""
    return InspectionRecord.objects.filter(department_id=department_id, status=RecordStatus.PUBLISHED).filter(
        Q(visit__isnull=True) | Q(visit__published_at__isnull=False)
    )


def with_problem(qs: QuerySet) -> QuerySet:
    return qs.filter(Exists(ItemResult.objects.filter(record=OuterRef("pk"), problem_found=True)))


def objects_with_problems(department_id: int, since: datetime.datetime) -> set[int]:
    """Objects with a problem found in the department's published results since `since` (issue 12 item 4: they go
    to the raised stratum of the department's next round, while the department keeps that rule on)."""
    qs = with_problem(published_results(department_id).filter(published_at__gte=since))
    return set(qs.values_list("object_id", flat=True).distinct())


def trust_counts(today: datetime.date) -> dict[int, tuple[int, int]]:
    """Per object, (results in force, of which with a problem) within the 守信 window before `today`: any department,
    published or withheld — what credit_mark reads, for every object at once (the freeze of a scheme with a 守信
    stratum, ADR 0028). Counted in the database: one row per object checked, not per result."""
    problem = Exists(ItemResult.objects.filter(record=OuterRef("pk"), problem_found=True))
    rows = (
        InspectionRecord.objects.filter(
            status__in=[RecordStatus.PUBLISHED, RecordStatus.WITHHELD],
            inspection_date__gt=credit_window_start(today),
            inspection_date__lte=today,
        )
        .order_by()
        .values("object_id")
        .annotate(n=Count("pk"), k=Count("pk", filter=problem))
        .values_list("object_id", "n", "k")
    )
    return {object_id: (n, k) for object_id, n, k in rows.iterator(chunk_size=20000)}


def map_url(address: str) -> str:
    """A map search for an address, as plain text the inspector may open on the phone (no map SDK on our pages)."""
    from urllib.parse import quote

    return f"https://uri.amap.com/search?keyword={quote(address)}" if address else ""


def map_text(address: str) -> str:
    """The same link as the inspector reads it (the address unencoded)."""
    return f"https://uri.amap.com/search?keyword={address}" if address else ""


def my_visits(user) -> list[dict]:
    """执法人员: the visits the inspector is drawn for, each with its window, address, map link, the own department's
    current record (if any) and the team. Ordered by the end of the window."""
    from shuangsuiji.accounts import scoping

    selections = list(
        scoping.visit_selections_for(user)
        .select_related("object__region")
        .order_by("draw__scheme__window_end", "draw_id", "id")
    )
    records = {
        r.selection_id: r
        for r in scoping.records_for(user)
        .filter(selection__in=[s.pk for s in selections])
        .exclude(status=RecordStatus.SUPERSEDED)
        .order_by("version")
    }
    visits = []
    for s in selections:
        scheme = s.draw.scheme
        team = [m for m in s.team.select_related("inspector", "department").order_by("order") if m.active]
        address = s.object.address or ""
        visits.append(
            {
                "selection": s,
                "object": s.object,
                "scheme": scheme,
                "window": (scheme.window_start, scheme.window_end),
                "address": address,
                "map_url": map_url(address),
                "map_text": map_text(address),
                "record": records.get(s.pk),
                "team": scoping.team_members_visible(user, scheme, team),
            }
        )
    return visits
