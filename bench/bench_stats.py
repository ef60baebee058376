"""Benchmark of the statistics pages on PostgreSQL (issue 12). Run: python bench/bench_stats.py [options]

Goal: over 1,000,000 published inspection results and 40,000 objects, every /stats/ page (and the API summary) answers
with p95 ≤ 500 ms at 5 concurrent users.

1. A dedicated database (default ssj_bench_stats) is created if missing, migrated, given 40,000 objects by
   `manage.py seed_demo` and one walked-through task by `demo_workflow` (reused when already there).
2. 1,000,000 PUBLISHED records over three years (85 % random checks attached to the task's selections, 15 % non-random
   checks with their source), 1–2 item results each, a transfer for each result that hands a problem on and a listing
   proposal for each unreachable entity — all written by INSERT … SELECT generate_series in the database, not by the
   ORM row by row; reused when already there.
3. `manage.py refresh_stats` fills the summary tables the pages read (ADR 0022); its duration is printed.
4. 5 users request every statistics target in turn, `--rounds` times each, signed in as the joint office or a
   department's reviewer; the same 5 users then run the BASELINE — one plain
   `SELECT department_id, count(*) … GROUP BY department_id` over the year's records — the same number of times.
   Prints p50/p95/max per target and writes bench/out/bench_stats.json (bench_stats-inprocess.json for --server
   inprocess). Two lists a figure leads to ("list: …") are measured too and printed outside the goal.

`--server gunicorn` (the default) measures what a user sees: the platform served as docs/deploy.md serves it, by
gunicorn with 2 × CPUs + 1 sync workers on a local port, each user a thread sending HTTP requests with its own signed-in
session cookie; the portal's answer cache is off (PUBLIC_STATS_CACHE_SECONDS=0), so every request computes.
`--server inprocess` is the earlier method: 5 threads, each with its own Django test Client, in this one Python process
— their Python time (templates, the xlsx) is serialised by the GIL, so its figures are an upper bound.
This is a script, not a test.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GOAL_P95_MS = 500.0


def sh(cmd: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    out = subprocess.run(cmd, cwd=ROOT, env=env, text=True, capture_output=True)
    if out.returncode:
        sys.exit(f"{' '.join(cmd)} failed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}")
    return out


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return sh([sys.executable, "manage.py", *args], env)


def psql(args, sql: str, db: str | None = None) -> str:
    pg = ["psql", "-h", args.host, "-p", str(args.port), "-U", args.user, "-Atc", sql, db or args.db]
    return sh(pg, dict(os.environ)).stdout.strip()


def ensure_database(args, env: dict[str, str]) -> None:
    if psql(args, f"SELECT 1 FROM pg_database WHERE datname = '{args.db}'", "postgres") != "1":
        print(f"creating database {args.db} …", flush=True)
        sh(["createdb", "-h", args.host, "-p", str(args.port), "-U", args.user, args.db], env)
    manage(env, "migrate", "-v0")
    objects = int(psql(args, "SELECT count(*) FROM directory_inspectionobject") or 0)
    if objects < args.objects:
        t = time.monotonic()
        print(f"seeding {args.objects:,} objects …", flush=True)
        manage(env, "seed_demo", "--entities", str(args.objects))
        print(f"  seeded in {time.monotonic() - t:.0f} s", flush=True)
    manage(env, "demo_accounts")
    manage(env, "demo_workflow")


# category, measure, a problem found, hands the problem on (transfer), leads to a listing proposal
CATEGORIES = [
    (0.70, "未发现问题", "无需后续处置", False, False, False),
    (0.10, "发现问题经责令已改正", "责令改正并跟踪", True, False, False),
    (0.08, "未发现开展本次抽查涉及的经营活动", "无需后续处置", False, False, False),
    (0.05, "违反其他市场监管规定", "反馈日常监管部门依法处理", True, True, False),
    (0.04, "已关闭停业或正在组织清算", "无需后续处置", False, False, False),
    (0.03, "通过登记的住所（经营场所）无法联系", "反馈日常监管部门依法处理", True, True, True),
]


def load_records(args) -> None:
    """The records, their item results, transfers and listing proposals, generated inside PostgreSQL."""
    from django.db import connection, transaction

    from shuangsuiji.inspections.models import InspectionRecord

    have = InspectionRecord.objects.published().count()
    if have >= args.records:
        print(f"reusing {have:,} published records", flush=True)
        return
    if have > 10:
        sys.exit("the database holds some generated records but fewer than asked: drop it and run again")
    t = time.monotonic()
    case = []
    acc = 0.0
    for p, cat, meas, prob, transfer, listing in CATEGORIES:
        acc += p
        case.append((acc, cat, meas, prob, transfer, listing))

    def pick(column: int) -> str:
        whens = " ".join(f"WHEN s.rc <= {c[0]:.4f} THEN {sql_literal(c[column])}" for c in case[:-1])
        return f"CASE {whens} ELSE {sql_literal(case[-1][column])} END"

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT coalesce(max(id), 0) FROM inspections_inspectionrecord")
        base = cur.fetchone()[0]
        cur.execute("SELECT min(id), max(id) FROM directory_inspectionobject")
        lo, hi = cur.fetchone()
        cur.execute("SELECT array_agg(id ORDER BY id) FROM org_department")
        departments = cur.fetchone()[0]
        cur.execute("SELECT array_agg(id ORDER BY id) FROM draws_selection WHERE active")
        selections = cur.fetchone()[0]
        cur.execute("SELECT array_agg(id ORDER BY id) FROM directory_checkitem")
        items = cur.fetchone()[0]
        cur.execute("SELECT id FROM accounts_user WHERE username = 'scjg_clerk'")
        clerk = cur.fetchone()[0]
        cur.execute("SELECT setseed(%s)", [args.seed / 10_000])
        print(f"writing {args.records:,} published records (INSERT … SELECT generate_series) …", flush=True)
        cur.execute(
            f"""
            INSERT INTO inspections_inspectionrecord (
                id, kind, trigger, trigger_ref, methods, inspection_date, outside_window_reason, cert_shown,
                signature, signature_reason, witness, agency, agency_report, categories, measures, measure_note,
                note, result_date, deadline, status, version, correction_reason, withhold_reason,
                withhold_requested, review_comment, published_at, created_at, updated_at, created_by_id,
                department_id, object_id, selection_id, deadline_note, late_result_reason)
            SELECT %(base)s + s.g,
                   CASE WHEN s.rk < 0.15 THEN 'triggered' ELSE 'random' END,
                   CASE WHEN s.rk >= 0.15 THEN ''
                        WHEN s.rk < 0.07 THEN '投诉举报' WHEN s.rk < 0.11 THEN '转办交办' ELSE '数据监测' END,
                   CASE WHEN s.rk < 0.15 THEN 'TR-' || s.g ELSE '' END,
                   '["实地核查"]'::jsonb, s.day, '', true, 'obtained', '', '', '', '',
                   jsonb_build_array({pick(1)}), jsonb_build_array({pick(2)}), '', '',
                   s.day, s.day + 28, 'published', 1, '', '', false, '',
                   ((s.day + (3 + floor(s.rp * 36))::int)::timestamp + time '02:00') AT TIME ZONE 'UTC',
                   now(), now(), %(clerk)s,
                   CASE WHEN s.rd < 0.6 THEN (%(departments)s::bigint[])[1]
                        ELSE (%(departments)s::bigint[])[1 + floor(s.rd2 * array_length(%(departments)s, 1))::int] END,
                   %(lo)s + floor(s.ro * (%(hi)s - %(lo)s + 1))::int,
                   CASE WHEN s.rk < 0.15 THEN NULL
                        ELSE (%(selections)s::bigint[])[1 + floor(s.rs * array_length(%(selections)s, 1))::int] END,
                   '', ''
            FROM (
                SELECT g, random() AS rk, random() AS rc, random() AS rp, random() AS rd, random() AS rd2,
                       random() AS ro, random() AS rs,
                       date '2024-01-01' + floor(random() * (date %(until)s - date '2024-01-01'))::int AS day
                FROM generate_series(1, %(n)s) AS g
            ) AS s
            """,
            {
                "base": base,
                "clerk": clerk,
                "departments": departments,
                "selections": selections,
                "lo": lo,
                "hi": hi,
                "n": args.records,
                "until": args.until,
            },
        )
        problems = [sql_literal(c[1]) for c in case if c[3]]
        transfers = [sql_literal(c[1]) for c in case if c[4]]
        listings = [sql_literal(c[1]) for c in case if c[5]]
        print("writing item results …", flush=True)
        cur.execute(
            f"""
            INSERT INTO inspections_itemresult (record_id, item_id, checked, problem_found, disposal)
            SELECT r.id, (%(items)s::bigint[])[1 + ((r.id * 7 + k) %% array_length(%(items)s, 1))::int], true,
                   k = 0 AND r.categories->>0 IN ({", ".join(problems)}), ''
            FROM inspections_inspectionrecord r CROSS JOIN generate_series(0, 1) AS k
            WHERE r.id > %(base)s AND (k = 0 OR r.id %% 2 = 0)
            """,
            {"items": items, "base": base},
        )
        print("writing transfers and listing proposals …", flush=True)
        cur.execute(
            f"""
            INSERT INTO inspections_transfer (
                record_id, kind, to_department_id, to_agency, basis, content, sent_at, sent_by_id, due, due_days,
                due_note, receipt_no, status, acknowledged_at, closed_at, outcome)
            SELECT r.id, 'department', (%(departments)s::bigint[])[1 + (r.id %% array_length(%(departments)s, 1))::int], '',
                   '属地管理', '移交', r.published_at, %(clerk)s, r.inspection_date + 42, 10, '', '',
                   CASE r.id %% 3 WHEN 0 THEN 'sent' WHEN 1 THEN 'acknowledged' ELSE 'closed' END,
                   CASE WHEN r.id %% 3 > 0 THEN r.published_at + interval '2 days' END,
                   CASE WHEN r.id %% 3 = 2 THEN r.published_at + ((r.id %% 60) || ' days')::interval END, ''
            FROM inspections_inspectionrecord r
            WHERE r.id > %(base)s AND r.categories->>0 IN ({", ".join(transfers)})
            """,
            {"departments": departments, "clerk": clerk, "base": base},
        )
        cur.execute(
            f"""
            INSERT INTO inspections_listingproposal (
                object_id, record_id, reason, department_id, due, due_note, status, decided_at, decision_note,
                created_at)
            SELECT r.object_id, r.id, r.categories->>0, (%(departments)s::bigint[])[1], r.inspection_date + 40, '',
                   CASE r.id %% 3 WHEN 0 THEN 'proposed' WHEN 1 THEN 'listed' ELSE 'rejected' END,
                   CASE WHEN r.id %% 3 > 0 THEN r.published_at + interval '10 days' END, '', r.published_at
            FROM inspections_inspectionrecord r
            WHERE r.id > %(base)s AND r.categories->>0 IN ({", ".join(listings)})
            """,
            {"departments": departments, "base": base},
        )
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('inspections_inspectionrecord', 'id'), "
            "(SELECT max(id) FROM inspections_inspectionrecord))"
        )
    with connection.cursor() as cur:
        for table in (
            "inspections_inspectionrecord",
            "inspections_itemresult",
            "inspections_transfer",
            "inspections_listingproposal",
            "directory_inspectionobject",
        ):
            cur.execute(f"VACUUM ANALYZE {table}")
    print(f"  written in {time.monotonic() - t:.0f} s", flush=True)


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# --- load ------------------------------------------------------------------------------------------------------------


def targets(year: int) -> dict[str, tuple[str, str]]:
    """name: (user, path). The office sees every department and the city; a reviewer sees the own department."""
    from shuangsuiji.directory.models import RiskClass
    from shuangsuiji.org.models import Region

    region = Region.objects.order_by("sort", "id").first()
    risk = RiskClass.objects.order_by("sort", "id").first()
    from shuangsuiji.stats import urls as stats_urls

    names = {p.name for p in stats_urls.urlpatterns}
    out = {
        "stats year (office)": ("office", f"/stats/?year={year}"),
        "stats half (office)": ("office", f"/stats/?year={year}&half=1"),
        "stats region+risk (office)": (
            "office",
            f"/stats/?year={year}&region={region.pk}&risk_class={risk.pk}",
        ),
        "stats joint (office)": ("office", f"/stats/?year={year}&joint=joint"),
        "stats year (SCJG reviewer)": ("scjg_reviewer", f"/stats/?year={year}"),
        "stats xlsx (office)": ("office", f"/stats/stats.xlsx?year={year}"),
        "api summary (office)": ("office", f"/api/v1/stats/summary?year={year}"),
        "portal stats (anonymous)": ("", f"/portal/stats/?year={year}"),
    }
    if "stats_report" in names:
        out["report (office)"] = ("office", f"/stats/report/?year={year}")
    # An item filter (ADR 0022, sixth pass): the item with the most results of the year, the heaviest one to ask for.
    item = most_used_item(year)
    if item is not None:
        out["stats item (office)"] = ("office", f"/stats/?year={year}&item={item}")
        out["api item (office)"] = ("office", f"/api/v1/stats/summary?year={year}&item={item}")
        out["report item (office)"] = ("office", f"/stats/report/?year={year}&item={item}")
        out["xlsx item (office)"] = ("office", f"/stats/stats.xlsx?year={year}&item={item}")
        # The narrowest cells: an item with a region and a risk class (distinct entities per item and division).
        out["stats item+region+risk (office)"] = (
            "office",
            f"/stats/?year={year}&item={item}&region={region.pk}&risk_class={risk.pk}",
        )
    # Where a figure leads (the list of its rows, issue 12 item 1): measured and printed, not part of the goal, which
    # names the statistics pages. Their first page is a paginated list whose count runs over the rows themselves.
    out[LIST + "records behind a figure"] = ("office", f"/records/?year={year}&stat=records_finished")
    out[LIST + "transfers behind a figure"] = ("office", f"/transfers/?year={year}&stat=transfers_opened")
    return out


LIST = "list: "


def most_used_item(year: int) -> int | None:
    from django.db.models import Count

    from shuangsuiji.inspections.models import ItemResult

    row = (
        ItemResult.objects.filter(record__inspection_date__year=year)
        .order_by()
        .values_list("item")
        .annotate(n=Count("pk"))
        .order_by("-n", "item")
        .first()
    )
    return row[0] if row else None


BASELINE_SQL = (
    "SELECT department_id, count(*) FROM inspections_inspectionrecord "
    "WHERE inspection_date BETWEEN %s AND %s GROUP BY department_id"
)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else float("nan")


def run(users: int, rounds: int, work) -> list[float]:
    """`users` threads each call work(k) `rounds` times; the latencies in ms."""
    from django.db import connection

    latencies: list[float] = []
    lock = threading.Lock()
    errors: list[str] = []

    def user(k: int) -> None:
        state = {}
        mine = []
        try:
            for n in range(rounds):
                t = time.perf_counter()
                work(k, n, state)
                mine.append((time.perf_counter() - t) * 1000)
        except Exception as exc:  # reported below; the bench stops
            errors.append(repr(exc))
        finally:
            connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=user, args=(k,)) for k in range(users)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if errors:
        sys.exit("a request failed: " + errors[0])
    return latencies


@contextlib.contextmanager
def gunicorn(env: dict[str, str], port: int):
    """The platform served by gunicorn as in production (docs/deploy.md), until the block ends."""
    workers = 2 * (os.cpu_count() or 1) + 1
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "300",
            "--log-level",
            "warning",
            "shuangsuiji.wsgi",
        ],
        cwd=ROOT,
        env=env | {"PUBLIC_STATS_CACHE_SECONDS": "0"},
    )
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/portal/", timeout=5).read()
                break
            except OSError:
                time.sleep(0.5)
        else:
            sys.exit("gunicorn did not answer")
        print(f"gunicorn: {workers} workers on 127.0.0.1:{port}", flush=True)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(30)


def measure(args, base_url: str | None) -> dict:
    """`base_url`: the gunicorn server to send HTTP requests to, or None for test Clients in this process."""
    import datetime

    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from shuangsuiji.accounts.models import User

    year = args.year
    results: dict = {}
    cookies: dict[str, str] = {}

    def session_cookie(user_name: str) -> str:
        """A signed-in session (force_login writes it to the database, which every gunicorn worker reads)."""
        if user_name not in cookies:
            client = Client()
            client.force_login(User.objects.get(username=user_name))
            cookies[user_name] = f"sessionid={client.cookies['sessionid'].value}"
        return cookies[user_name]

    def http(user_name: str, path: str):
        headers = {"Cookie": session_cookie(user_name)} if user_name else {}

        def work(k: int, n: int, state: dict) -> None:
            request = urllib.request.Request(base_url + path, headers=headers)
            with urllib.request.urlopen(request, timeout=300) as r:
                r.read()
                if r.status != 200 or r.url != base_url + path:  # a redirect to the login page is a failure
                    raise RuntimeError(f"{path} answered {r.status} at {r.url}")

        return work

    def page(user_name: str, path: str):
        if base_url:
            return http(user_name, path)

        def work(k: int, n: int, state: dict) -> None:
            if "client" not in state:
                state["client"] = Client()
                if user_name:
                    state["client"].force_login(User.objects.get(username=user_name))
            if user_name == "":
                cache.clear()  # the portal's 10-minute cache would hide the query time
            r = state["client"].get(path)
            if r.status_code != 200:
                raise RuntimeError(f"{path} answered {r.status_code}")

        return work

    def baseline(k: int, n: int, state: dict) -> None:
        with connection.cursor() as cur:
            cur.execute(BASELINE_SQL, [datetime.date(year, 1, 1), datetime.date(year, 12, 31)])
            cur.fetchall()

    only = [o for o in args.only.split(",") if o]
    plan = {
        name: page(u, p) for name, (u, p) in targets(year).items() if not only or any(o in name for o in only)
    }
    plan["BASELINE COUNT(*) GROUP BY"] = baseline
    for name, work in plan.items():
        work(0, 0, {})  # warm-up: imports, the first connection
        if base_url:
            # Every gunicorn worker imports the code, compiles the templates and connects on its first requests:
            # a server that has been up for a while has done so, so the measured requests come after a warm-up round.
            run(args.users, 4, work)
        t = time.perf_counter()
        lat = run(args.users, args.rounds, work)
        elapsed = time.perf_counter() - t
        r = {
            "requests": len(lat),
            "rps": len(lat) / elapsed,
            "p50_ms": statistics.median(lat),
            "p95_ms": pct(lat, 0.95),
            "max_ms": max(lat),
        }
        results[name] = r
        flag = "ok" if r["p95_ms"] <= GOAL_P95_MS else "MISSED"
        if name.startswith(LIST):
            flag = "list, outside the goal"
        print(
            f"  {name:30} {r['requests']:4} req  p50 {r['p50_ms']:8.1f} ms  p95 {r['p95_ms']:8.1f} ms  "
            f"max {r['max_ms']:8.1f} ms  [{flag}]",
            flush=True,
        )
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--objects", type=int, default=40_000)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--until", default="2026-12-01", help="the last inspection day generated (ISO)")
    ap.add_argument("--year", type=int, default=2026, help="the year the pages are asked for")
    ap.add_argument("--db", default="ssj_bench_stats")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=5432)
    ap.add_argument("--user", default="postgres")
    ap.add_argument("--users", type=int, default=5, help="concurrent users (threads)")
    # 10 rounds × 5 users: p95 over 50 requests (at 6 rounds it was the second slowest of 30, at 2 the slowest of 10).
    ap.add_argument("--rounds", type=int, default=10, help="requests per user and target")
    ap.add_argument(
        "--only",
        default="",
        help="measure only the targets whose name contains this, or one of these comma-separated (and the baseline)",
    )
    ap.add_argument(
        "--no-refresh",
        action="store_true",
        help="read the summary tables of the last refresh (do not time one)",
    )
    ap.add_argument(
        "--server",
        choices=["gunicorn", "inprocess"],
        default="gunicorn",
        help="gunicorn: HTTP to the platform served as in production; inprocess: test Clients in this process",
    )
    ap.add_argument("--http-port", dest="http_port", type=int, default=8765, help="gunicorn's local port")
    args = ap.parse_args()

    url = f"postgres://{args.user}@{args.host}:{args.port}/{args.db}"
    env = os.environ | {
        "DATABASE_URL": url,
        "DEBUG": "False",
        "SECRET_KEY": "bench-only-" + "x" * 40,
        "ALLOWED_HOSTS": "testserver,127.0.0.1",
        # As `make run`: demo mode keeps the development keys; plain HTTP (the test client).
        "DEMO_MODE": "true",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
    }
    ensure_database(args, env)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuangsuiji.settings")
    import django

    django.setup()
    load_records(args)
    # The pages read the summary tables (ADR 0022): refresh them as cron would, and time it. The load average is
    # printed with the figures: the machine is shared.
    refresh_s = None
    if not args.no_refresh:
        t = time.monotonic()
        refreshed = manage(env, "refresh_stats").stdout.strip()
        refresh_s = time.monotonic() - t
        print(f"refresh_stats: {refresh_s:.1f} s (command, with start-up) — {refreshed}", flush=True)
    print(f"load average before measuring: {os.getloadavg()}", flush=True)
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM inspections_inspectionrecord WHERE inspection_date BETWEEN %s AND %s",
            [f"{args.year}-01-01", f"{args.year}-12-31"],
        )
        in_year = cur.fetchone()[0]
    print(
        f"\n{args.users} users × {args.rounds} requests per target; {in_year:,} records in {args.year} "
        f"(goal p95 ≤ {GOAL_P95_MS:.0f} ms), {os.cpu_count()} CPUs, server: {args.server}",
        flush=True,
    )
    if args.server == "gunicorn":
        with gunicorn(env | {"ALLOWED_HOSTS": "127.0.0.1"}, args.http_port) as base_url:
            results = measure(args, base_url)
    else:
        results = measure(args, None)
    out_dir = ROOT / "bench" / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    name = "bench_stats.json" if args.server == "gunicorn" else "bench_stats-inprocess.json"
    (out_dir / name).write_text(
        json.dumps(
            {
                "records": args.records,
                "objects": args.objects,
                "users": args.users,
                "server": args.server,
                "rounds": args.rounds,
                "year": args.year,
                "records_in_year": in_year,
                "cpus": os.cpu_count(),
                "goal_p95_ms": GOAL_P95_MS,
                "refresh_seconds": refresh_s,
                "load_average_after": os.getloadavg(),
                "results": results,
            },
            ensure_ascii=False,
            indent=1,
        )
    )
    print(f"load average after measuring: {os.getloadavg()}", flush=True)
    base = results["BASELINE COUNT(*) GROUP BY"]["p95_ms"]
    print(f"\n{'target':30} {'p95 ms':>9} {'× baseline':>11}")
    for name, r in results.items():
        print(f"{name:30} {r['p95_ms']:9.1f} {r['p95_ms'] / base if base else float('nan'):11.1f}")


if __name__ == "__main__":
    main()
