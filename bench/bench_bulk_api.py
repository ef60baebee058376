"""Benchmark of the bulk read of results (/api/v1/bulk/results, issue 13 part 3) on PostgreSQL.

Run: python bench/bench_bulk_api.py [--records 100000] [--limit 1000] [--db ssj_bench_bulk]

1. A dedicated database (default ssj_bench_bulk) is created if missing and migrated; it gets 5,000 objects, two check
   items and N published results (default 100,000) with one or two item results each, written with COPY
   (`shuangsuiji.bulk.bulk_insert`), all published inside one month; reused when already there.
2. BASELINE: one plain SELECT of the same rows (the record columns the payload needs, joined to object and department,
   plus their item results), fetched to the client with psycopg — what the data costs without the API.
3. API: a cursor walk over /api/v1/bulk/results for that month with `limit` rows per page, in process (Django's test
   client, a token with an unlimited-enough budget, so the counter row is written on every page as in production).
   Reports seconds, rows/s, pages, ms per page (p50/p95), and checks the walk saw every row exactly once.

This is a script, not a test. Writes bench/out/bench_bulk_api.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
MONTH = (datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--records", type=int, default=100_000)
    p.add_argument("--limit", type=int, default=1000)
    p.add_argument("--db", default="ssj_bench_bulk")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", default="5432")
    p.add_argument("--user", default="postgres")
    return p.parse_args()


def setup(args) -> None:
    pg = ["-h", args.host, "-p", args.port, "-U", args.user]
    exists = subprocess.run(
        ["psql", *pg, "-Atc", f"SELECT 1 FROM pg_database WHERE datname = '{args.db}'", "postgres"],
        capture_output=True,
        text=True,
    )
    if exists.stdout.strip() != "1":
        subprocess.run(["createdb", *pg, args.db], check=True)
    os.environ["DATABASE_URL"] = f"postgres://{args.user}@{args.host}:{args.port}/{args.db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuangsuiji.settings")
    os.environ["API_BULK_RATE_PER_MINUTE"] = "100000"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def load(args) -> None:
    import random

    from django.db import connection

    from shuangsuiji.accounts.models import Role, User
    from shuangsuiji.bulk import bulk_insert
    from shuangsuiji.directory.models import CheckItem, InspectionObject, RiskClass
    from shuangsuiji.inspections.models import InspectionRecord, ItemResult
    from shuangsuiji.org.models import Department, Region

    have = InspectionRecord.objects.published().count()
    if have >= args.records:
        print(f"reusing {have:,} published records", flush=True)
        return
    if have:
        sys.exit(f"{args.db} holds {have:,} records (< {args.records:,}): drop it and run again")
    rng = random.Random(13)
    scjg = Department.objects.get(code="SCJG")
    user, _ = User.objects.get_or_create(
        username="bench_bulk", defaults={"role": Role.OFFICE, "department": scjg, "full_name": "基准测试"}
    )
    region = Region.objects.order_by("pk").first()
    risk = RiskClass.objects.get(code="B")
    if not InspectionObject.objects.exists():
        InspectionObject.objects.bulk_create(
            InspectionObject(
                kind="enterprise",
                code=f"91410481MA{n:07d}X",
                name=f"舞钢市基准商贸有限公司{n}",
                region=region,
                risk_class=risk,
                legal_rep="王五",
            )
            for n in range(5000)
        )
    items = [
        CheckItem.objects.get_or_create(
            code=f"BENCH-{k}",
            defaults={
                "name": f"基准检查事项{k}",
                "department": scjg,
                "legal_basis": "《企业信息公示暂行条例》第十四条",
                "methods": ["书面检查"],
                "category": "一般",
                "default_ratio": "0.05",
                "ratio_cap": "0.1",
            },
        )[0].pk
        for k in (1, 2)
    ]
    objects = list(InspectionObject.objects.values_list("pk", flat=True))
    departments = list(Department.objects.values_list("pk", flat=True))
    start = datetime.datetime(2026, 10, 1, 1, tzinfo=datetime.UTC)
    first = (InspectionRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    cats = json.dumps(["未发现问题"], ensure_ascii=False)
    meas = json.dumps(["无需后续处置"], ensure_ascii=False)
    methods = json.dumps(["实地核查"], ensure_ascii=False)

    def records():
        for n in range(args.records):
            at = start + datetime.timedelta(seconds=int(rng.random() * 29 * 86400))
            day = at.date()
            yield (
                first + n,
                "random",
                objects[int(rng.random() * len(objects))],
                departments[int(rng.random() * len(departments))],
                methods,
                day,
                True,
                "obtained",
                cats,
                meas,
                "published",
                1,
                at,
                user.pk,
                at,
                at,
            )

    columns = (
        "id",
        "kind",
        "object_id",
        "department_id",
        "methods",
        "inspection_date",
        "cert_shown",
        "signature",
        "categories",
        "measures",
        "status",
        "version",
        "published_at",
        "created_by_id",
        "created_at",
        "updated_at",
    )
    t = time.monotonic()
    bulk_insert(InspectionRecord, columns, records())
    bulk_insert(
        ItemResult,
        ("record_id", "item_id", "checked", "problem_found", "disposal"),
        (
            (first + n, item, True, False, "")
            for n in range(args.records)
            for item in (items if n % 2 else items[:1])
        ),
    )
    with connection.cursor() as cur:
        cur.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM inspections_inspectionrecord))",
            [InspectionRecord._meta.db_table],
        )
        for table in (
            InspectionRecord._meta.db_table,
            ItemResult._meta.db_table,
            "directory_inspectionobject",
        ):
            cur.execute(f"VACUUM ANALYZE {table}")
    print(f"loaded {args.records:,} records in {time.monotonic() - t:.1f} s", flush=True)


BASELINE_SQL = """
SELECT r.id, r.version, o.name, o.code, d.name, r.kind, r.trigger, r.inspection_date, r.categories, r.published_at
FROM inspections_inspectionrecord r
JOIN directory_inspectionobject o ON o.id = r.object_id
JOIN org_department d ON d.id = r.department_id
WHERE r.status = 'published' AND r.visit_id IS NULL AND r.published_at >= %s AND r.published_at < %s
ORDER BY r.id
"""
BASELINE_ITEMS_SQL = """
SELECT ir.record_id, i.name, ir.checked, ir.problem_found
FROM inspections_itemresult ir JOIN directory_checkitem i ON i.id = ir.item_id
JOIN inspections_inspectionrecord r ON r.id = ir.record_id
WHERE r.status = 'published' AND r.published_at >= %s AND r.published_at < %s
ORDER BY ir.record_id, i.code, ir.id
"""


def baseline() -> dict:
    from zoneinfo import ZoneInfo

    from django.db import connection

    bj = ZoneInfo("Asia/Shanghai")
    lo = datetime.datetime.combine(MONTH[0], datetime.time(), bj)
    hi = datetime.datetime.combine(MONTH[1] + datetime.timedelta(days=1), datetime.time(), bj)
    t = time.monotonic()
    with connection.cursor() as cur:
        cur.execute(BASELINE_SQL, [lo, hi])
        rows = cur.fetchall()
        cur.execute(BASELINE_ITEMS_SQL, [lo, hi])
        items = cur.fetchall()
    seconds = time.monotonic() - t
    return {"rows": len(rows), "item_rows": len(items), "seconds": round(seconds, 3)}


def walk(args) -> dict:
    from django.test import Client

    from shuangsuiji.accounts.models import ApiToken, User

    user = User.objects.get(username="bench_bulk")
    key = ApiToken.new_key()
    ApiToken.objects.create(
        user=user,
        name="基准测试",
        prefix=key[4:12],
        key_hash=ApiToken.hash_key(key),
        bulk_rate_per_minute=100000,
    )
    client = Client(headers={"Authorization": f"Token {key}"})
    cursor, seen, page_ms = "", [], []
    t = time.monotonic()
    while True:
        p = time.monotonic()
        answer = client.get(
            "/api/v1/bulk/results",
            {"from": MONTH[0].isoformat(), "to": MONTH[1].isoformat(), "cursor": cursor, "limit": args.limit},
        )
        page_ms.append((time.monotonic() - p) * 1000)
        if answer.status_code != 200:
            sys.exit(f"page after {cursor!r}: {answer.status_code} {answer.content[:300]!r}")
        body = answer.json()
        seen += [int(i["cursor"]) for i in body["items"]]
        cursor = body["next_cursor"]
        if not body["has_more"]:
            break
    seconds = time.monotonic() - t
    page_ms.sort()
    return {
        "rows": len(seen),
        "unique": len(set(seen)),
        "in_order": seen == sorted(seen),
        "pages": len(page_ms),
        "seconds": round(seconds, 3),
        "rows_per_second": round(len(seen) / seconds),
        "page_ms_p50": round(statistics.median(page_ms), 1),
        "page_ms_p95": round(page_ms[int(0.95 * (len(page_ms) - 1))], 1),
    }


def main() -> None:
    args = parse()
    setup(args)
    load(args)
    base = baseline()
    print(f"BASELINE plain SELECT: {base}", flush=True)
    api = walk(args)
    print(f"API cursor walk (limit {args.limit}): {api}", flush=True)
    ok = api["rows"] == api["unique"] == base["rows"] and api["in_order"]
    result = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "records": args.records,
        "limit": args.limit,
        "baseline": base,
        "api": api,
        "every_row_once": ok,
        "api_over_baseline": round(api["seconds"] / max(base["seconds"], 1e-9), 1),
    }
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "bench_bulk_api.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if not ok:
        sys.exit("the walk did not see every row exactly once")


if __name__ == "__main__":
    main()
