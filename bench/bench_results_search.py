"""Benchmark of the public result search on PostgreSQL (issue 5). Run: python bench/bench_results_search.py [options]

Goal: over 1,000,000 published inspection results, the public search (`/api/v1/public/results?q=` and the portal page
`/portal/results/?q=`) answers with p95 ≤ 100 ms at 20 concurrent clients (gunicorn, loopback).

1. A dedicated database (default ssj_bench_results) is created if missing, migrated, and given 1,000,000 objects by
   `manage.py seed_demo` (reused when it already has them).
2. 1,000,000 PUBLISHED records (random or triggered checks, a department, an inspection date, result categories) with
   1–2 item results each are written with COPY (`shuangsuiji.bulk.bulk_insert`); reused when already there.
3. Three times — BASELINE without the trigram index (inspections migrated back to the migration before
   0002_object_name_trigram_index), INDEXED (migrated forward) and CACHED (index, plus the public-answer cache of
   PUBLIC_SEARCH_CACHE_SECONDS=60; the first two run with the cache off) — it prints EXPLAIN ANALYZE of the queries of
   one search, starts gunicorn on 127.0.0.1, and loads each target with `wrk` (20 connections, bounded time) or, without
   wrk, a bounded Python thread pool over http.client. Queries: a sample of 1,000 USCCs, and 4-character name fragments
   of 1,000 sampled entities. Reports p50/p95/p99 and requests/s; writes bench/out/bench_results_search.json.

This is a script, not a test. Everything stays on loopback; gunicorn is stopped (its process group) at the end.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GOAL_P95_MS = 100.0
INDEX_MIGRATION = "0002_object_name_trigram_index"
BEFORE_INDEX = "0001_initial"
SAMPLE = 1000


def sh(cmd: list[str], env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess:
    out = subprocess.run(cmd, cwd=ROOT, env=env, text=True, capture_output=True)
    if check and out.returncode:
        sys.exit(f"{' '.join(cmd)} failed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}")
    return out


def manage(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return sh([sys.executable, "manage.py", *args], env, check=check)


# --- data ----------------------------------------------------------------------------------------------------------


def ensure_database(args, env: dict[str, str]) -> None:
    pg = ["-h", args.host, "-p", str(args.port), "-U", args.user]
    exists = sh(
        ["psql", *pg, "-Atc", f"SELECT 1 FROM pg_database WHERE datname = '{args.db}'", "postgres"], env
    )
    if exists.stdout.strip() != "1":
        print(f"creating database {args.db} …", flush=True)
        sh(["createdb", *pg, args.db], env)
    manage(env, "migrate", "-v0")
    count = sh(["psql", *pg, "-Atc", "SELECT count(*) FROM directory_inspectionobject", args.db], env)
    objects = int(count.stdout.strip() or 0)
    if objects >= args.records:
        print(f"reusing {args.db}: {objects:,} objects", flush=True)
        return
    if objects:
        sys.exit(f"{args.db} holds {objects:,} objects (< {args.records:,}); drop it and run again")
    print(f"seed_demo --entities {args.records:,} into {args.db} (a few minutes) …", flush=True)
    t = time.monotonic()
    # seed_demo's last step (demo accounts) is not needed here; the objects are committed before it.
    manage(env, "seed_demo", "--entities", str(args.records), check=False)
    print(f"  seeded in {time.monotonic() - t:.0f} s", flush=True)


CATEGORIES = [
    (0.70, ["未发现问题"], ["无需后续处置"], False),
    (0.10, ["发现问题经责令已改正"], ["责令改正并跟踪"], True),
    (0.08, ["未发现开展本次抽查涉及的经营活动"], ["无需后续处置"], False),
    (0.05, ["违反其他市场监管规定"], ["反馈日常监管部门依法处理"], True),
    (0.04, ["已关闭停业或正在组织清算"], ["无需后续处置"], False),
    (0.03, ["通过登记的住所（经营场所）无法联系"], ["反馈日常监管部门依法处理"], True),
]


def load_records(args) -> None:
    from django.db import connection

    from shuangsuiji.accounts.models import Role, User
    from shuangsuiji.bulk import bulk_insert
    from shuangsuiji.directory.models import CheckItem, InspectionObject
    from shuangsuiji.inspections.models import InspectionRecord, ItemResult
    from shuangsuiji.org.models import Department

    have = InspectionRecord.objects.published().count()
    if have >= args.records:
        print(f"reusing {have:,} published records", flush=True)
        return
    if InspectionRecord.objects.exists():
        sys.exit("the database holds some records but fewer than asked: drop it and run again")
    rng = random.Random(args.seed)
    t = time.monotonic()
    scjg = Department.objects.get(code="SCJG")
    user, _ = User.objects.get_or_create(
        username="bench_results", defaults={"role": Role.CLERK, "department": scjg, "full_name": "基准测试"}
    )
    departments = list(Department.objects.values_list("pk", flat=True))
    items = list(CheckItem.objects.values_list("pk", flat=True))
    object_ids = list(InspectionObject.objects.values_list("pk", flat=True))
    start = datetime.date(2024, 1, 1)
    span = (datetime.date(2026, 11, 20) - start).days
    now = datetime.datetime.now(datetime.UTC)
    edges, acc = [], 0.0
    for p, cats, meas, prob in CATEGORIES:
        acc += p
        edges.append((acc, json.dumps(cats, ensure_ascii=False), json.dumps(meas, ensure_ascii=False), prob))
    methods = json.dumps(["实地核查"], ensure_ascii=False)
    first_id = (InspectionRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    problem: list[bool] = []

    def records():
        for n in range(args.records):
            r = rng.random()
            _, c_json, m_json, prob = next((e for e in edges if r <= e[0]), edges[-1])
            problem.append(prob)
            day = start + datetime.timedelta(days=int(rng.random() * span))
            triggered = rng.random() < 0.15
            dept = scjg.pk if rng.random() < 0.6 else departments[int(rng.random() * len(departments))]
            yield (
                first_id + n,
                "triggered" if triggered else "random",
                object_ids[int(rng.random() * len(object_ids))],
                dept,
                rng.choice(["投诉举报", "转办交办", "数据监测"]) if triggered else "",
                f"TR-{n:07d}" if triggered else "",
                methods,
                day,
                True,
                "obtained",
                c_json,
                m_json,
                day,
                day + datetime.timedelta(days=28),
                "published",
                1,
                now,
                user.pk,
                now,
                now,
            )

    columns = (
        "id",
        "kind",
        "object_id",
        "department_id",
        "trigger",
        "trigger_ref",
        "methods",
        "inspection_date",
        "cert_shown",
        "signature",
        "categories",
        "measures",
        "result_date",
        "deadline",
        "status",
        "version",
        "published_at",
        "created_by_id",
        "created_at",
        "updated_at",
    )
    print(f"writing {args.records:,} published records with COPY …", flush=True)
    bulk_insert(InspectionRecord, columns, records())

    def results():
        for n, prob in enumerate(problem):
            chosen = rng.sample(items, 2 if rng.random() < 0.5 else 1)
            for k, item in enumerate(chosen):
                yield (first_id + n, item, True, prob and k == 0, "责令改正" if prob and k == 0 else "")

    print("writing their item results …", flush=True)
    bulk_insert(ItemResult, ("record_id", "item_id", "checked", "problem_found", "disposal"), results())
    with connection.cursor() as cur:
        cur.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM inspections_inspectionrecord))",
            [InspectionRecord._meta.db_table],
        )
        for table in (InspectionRecord._meta.db_table, ItemResult._meta.db_table):
            cur.execute(f"VACUUM ANALYZE {table}")
    print(
        f"  {InspectionRecord.objects.count():,} records, {ItemResult.objects.count():,} item results "
        f"in {time.monotonic() - t:.0f} s",
        flush=True,
    )


def sample_queries(args) -> dict[str, list[str]]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT min(id), max(id) FROM inspections_inspectionrecord")
        lo, hi = cur.fetchone()
        rng = random.Random(args.seed + 1)
        ids = [rng.randint(lo, hi) for _ in range(SAMPLE)]
        cur.execute(
            "SELECT o.code, o.name FROM inspections_inspectionrecord r JOIN directory_inspectionobject o"
            " ON o.id = r.object_id WHERE r.id = ANY(%s)",
            [ids],
        )
        rows = cur.fetchall()
    codes = [code for code, _ in rows]
    fragments = []
    for _, name in rows:
        body = name[3:] if name.startswith("舞钢市") else name
        i = rng.randrange(0, max(1, len(body) - 4))
        fragments.append(body[i : i + 4])
    return {"uscc": codes, "name": fragments}


# --- queries and plans ---------------------------------------------------------------------------------------------


def explain(q: str) -> list[dict]:
    """EXPLAIN ANALYZE of every query the API endpoint runs for `q` (count, page, item results)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shuangsuiji.api.records import public_page
    from shuangsuiji.api.schemas import Paging

    with CaptureQueriesContext(connection) as ctx:
        public_page(q, Paging())
    plans = []
    with connection.cursor() as cur:
        for query in ctx.captured_queries:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            plan = [row[0] for row in cur.fetchall()]
            plans.append({"sql": query["sql"][:300], "plan": plan})
    return plans


def index_present() -> bool:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'directory_object_name_trgm_idx'")
        return cur.fetchone() is not None


# --- load ----------------------------------------------------------------------------------------------------------


class Server:
    def __init__(self, args, env: dict[str, str], log: Path):
        self.args, self.env, self.log = args, env, log
        self.proc: subprocess.Popen | None = None

    def __enter__(self):
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.proc = subprocess.Popen(
            [
                gunicorn,
                "shuangsuiji.wsgi",
                "-w",
                str(self.args.workers),
                "-b",
                f"127.0.0.1:{self.args.http_port}",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _ = get(self.args.http_port, "/api/v1/public/results?q=" + quote("测试"))
                if status == 200:
                    return self
            except OSError:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.5)
        self.__exit__()
        sys.exit(f"gunicorn did not answer; see {self.log}")

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


WRK_SCRIPT = """
local paths = {%s}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("offset", counter * 7919)
end
function init(args)
  n = offset or 0
end
function request()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
function done(summary, latency, requests)
  io.write(string.format(
    'WRKJSON {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p95_us": %%d, "p99_us": %%d, "max_us": %%d, ' ..
    '"errors_status": %%d, "errors_connect": %%d, "errors_read": %%d, "errors_timeout": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, summary.errors.status, summary.errors.connect, summary.errors.read, summary.errors.timeout))
end
"""


def run_wrk(args, paths: list[str]) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_SCRIPT % ", ".join(json.dumps(p) for p in paths))
        script = f.name
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t",
                str(min(4, args.connections)),
                "-c",
                str(args.connections),
                "-d",
                f"{args.duration}s",
                "--timeout",
                "10s",
                "-s",
                script,
                f"http://127.0.0.1:{args.http_port}",
            ],
            capture_output=True,
            text=True,
            timeout=args.duration + 60,
        )
    finally:
        os.unlink(script)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("WRKJSON ")), None)
    if line is None:
        sys.exit(f"wrk failed:\n{out.stdout}\n{out.stderr}")
    raw = json.loads(line.removeprefix("WRKJSON "))
    seconds = raw["duration_us"] / 1e6
    return {
        "tool": "wrk",
        "requests": raw["requests"],
        "rps": raw["requests"] / seconds,
        "p50_ms": raw["p50_us"] / 1000,
        "p95_ms": raw["p95_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "errors": raw["errors_status"] + raw["errors_connect"] + raw["errors_read"] + raw["errors_timeout"],
    }


def run_threads(args, paths: list[str]) -> dict:
    """Fallback without wrk: `connections` threads, each with a keep-alive connection, for `duration` seconds or
    at most 200,000 requests in all."""
    stop_at = time.monotonic() + args.duration
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]
    budget = [200_000]

    def client(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", args.http_port, timeout=10)
        n = k * 7919
        mine: list[float] = []
        while time.monotonic() < stop_at:
            with lock:
                if budget[0] <= 0:
                    break
                budget[0] -= 1
            n += 1
            t = time.perf_counter()
            try:
                conn.request("GET", paths[n % len(paths)])
                r = conn.getresponse()
                r.read()
                ok = r.status == 200
            except OSError:
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", args.http_port, timeout=10)
            mine.append(time.perf_counter() - t)
            if not ok:
                with lock:
                    errors[0] += 1
        conn.close()
        with lock:
            latencies.extend(mine)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(args.connections)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.monotonic() - started
    latencies.sort()

    def pct(p: float) -> float:
        return (
            latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000 if latencies else float("nan")
        )

    return {
        "tool": "python-threads",
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "max_ms": latencies[-1] * 1000 if latencies else float("nan"),
        "errors": errors[0],
    }


def targets(args, queries: dict[str, list[str]]) -> dict[str, list[str]]:
    out = {
        "api uscc": [f"/api/v1/public/results?q={quote(q)}" for q in queries["uscc"]],
        "api name": [f"/api/v1/public/results?q={quote(q)}" for q in queries["name"]],
    }
    status, _ = get(args.http_port, "/portal/results/?q=" + quote(queries["name"][0]))
    if status == 200:
        out["portal uscc"] = [f"/portal/results/?q={quote(q)}" for q in queries["uscc"]]
        out["portal name"] = [f"/portal/results/?q={quote(q)}" for q in queries["name"]]
    else:
        print(f"  /portal/results/ answered {status}: not measured", flush=True)
    return out


def measure(args, env: dict[str, str], queries: dict[str, list[str]], phase: str, log: Path) -> dict:
    from django.db import connection

    connection.close()
    results = {}
    runner = run_wrk if shutil.which("wrk") and not args.python_client else run_threads
    with Server(args, env, log):
        for name, paths in targets(args, queries).items():
            for p in paths[:50]:  # warm-up: caches, connections, each worker's imports
                get(args.http_port, p)
            r = runner(args, paths)
            results[name] = r
            flag = "ok" if r["p95_ms"] <= GOAL_P95_MS else "MISSED"
            print(
                f"  {phase:9} {name:12} {r['requests']:7,} req  {r['rps']:7.1f} req/s  p50 {r['p50_ms']:6.1f} ms  "
                f"p95 {r['p95_ms']:6.1f} ms  p99 {r['p99_ms']:6.1f} ms  errors {r['errors']}  [{flag}]",
                flush=True,
            )
    return results


# Each phase on the same data and queries: without the trigram index, with it, and with it plus the public-answer
# cache (PUBLIC_SEARCH_CACHE_SECONDS=60, one per-process cache per gunicorn worker, 1,000 distinct queries cycled).
PHASES = {
    "baseline": "no trigram index, no answer cache",
    "indexed": "trigram index, no answer cache",
    "cached": "trigram index, answers cached 60 s per worker",
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--db", default="ssj_bench_results")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=5432)
    ap.add_argument("--user", default="postgres")
    ap.add_argument("--http-port", type=int, default=8799)
    ap.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    ap.add_argument("--connections", type=int, default=20, help="concurrent clients")
    ap.add_argument("--duration", type=int, default=30, help="seconds per target")
    ap.add_argument(
        "--python-client", action="store_true", help="use the thread-pool client even if wrk exists"
    )
    ap.add_argument("--only", choices=PHASES, help="run one phase only")
    args = ap.parse_args()

    url = f"postgres://{args.user}@{args.host}:{args.port}/{args.db}"
    env = os.environ | {
        "DATABASE_URL": url,
        "DEBUG": "False",
        "SECRET_KEY": "bench-only-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        # Plain HTTP on loopback, as behind a reverse proxy that terminates TLS.
        "SECURE_SSL_REDIRECT": "false",
        "DB_CONN_MAX_AGE": "600",
    }
    ensure_database(args, env)
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS")})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuangsuiji.settings")
    import django

    django.setup()
    load_records(args)
    queries = sample_queries(args)
    out_dir = ROOT / "bench" / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    log = out_dir / "bench_results_search.gunicorn.log"
    report: dict = {
        "records": args.records,
        "connections": args.connections,
        "workers": args.workers,
        "duration_s": args.duration,
        "cpus": os.cpu_count(),
        "goal_p95_ms": GOAL_P95_MS,
        "phases": {},
    }
    phases = [args.only] if args.only else list(PHASES)
    from django.db import connection

    for phase in phases:
        connection.close()
        if phase == "baseline":
            manage(env, "migrate", "inspections", BEFORE_INDEX, "-v0")
        else:
            manage(env, "migrate", "-v0")
        with connection.cursor() as cur:
            cur.execute("ANALYZE directory_inspectionobject")
        print(f"\n{phase.upper()} (trigram index present: {index_present()}; {PHASES[phase]})", flush=True)
        plans = {"uscc": explain(queries["uscc"][0]), "name": explain(queries["name"][0])}
        for kind, qplans in plans.items():
            total = sum(
                float(ln.split("Execution Time:")[1].split("ms")[0])
                for p in qplans
                for ln in p["plan"]
                if "Execution Time" in ln
            )
            print(
                f"  EXPLAIN ANALYZE {kind} q={queries[kind][0]!r}: {len(qplans)} queries, {total:.1f} ms",
                flush=True,
            )
            for p in qplans[:2]:
                print("    " + p["sql"][:160])
                for ln in p["plan"][:14]:
                    print("      " + ln)
        cache_seconds = "60" if phase == "cached" else "0"
        report["phases"][phase] = {
            "index": index_present(),
            "cache_seconds": int(cache_seconds),
            "plans": plans,
            "load": measure(args, env | {"PUBLIC_SEARCH_CACHE_SECONDS": cache_seconds}, queries, phase, log),
        }
    (out_dir / "bench_results_search.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))
    print("\nsummary (p95 goal ≤ 100 ms):")
    for phase, data in report["phases"].items():
        for name, r in data["load"].items():
            print(
                f"  {phase:9} {name:12} p50 {r['p50_ms']:6.1f}  p95 {r['p95_ms']:6.1f}  p99 {r['p99_ms']:6.1f} ms  {r['rps']:7.1f} req/s"
            )


if __name__ == "__main__":
    main()
