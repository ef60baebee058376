"""Benchmark of the directory import (issue 2). Run: python bench/bench_import.py [--rows-xlsx N] [--rows-csv N]

Goals: a 100,000-row entity xlsx in ≤ 60 s, a 1,000,000-row entity CSV in ≤ 120 s, peak memory ≤ 1 GB.

It creates (or recreates) a dedicated PostgreSQL database, migrates it, writes the two files with valid USCCs, and
runs `manage.py import_directory entities FILE` in a child process for each, so the wall time is the whole command
(start-up, reading, validation, writing, commit) and the peak RSS (RUSAGE_CHILDREN) is that process's alone.
Each import is run a second time too: re-importing the same file is all upserts that change nothing.
Prints figures; these are not tests.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuangsuiji.settings")
import django  # noqa: E402

django.setup()  # for the column list only; the imports themselves run in child processes

from shuangsuiji.codes.uscc import uscc_check_char  # noqa: E402
from shuangsuiji.directory.rows import COLUMNS  # noqa: E402

HEADERS = [c.header for c in COLUMNS["entities"]]
REGIONS = [
    "寺坡街道",
    "垭口街道",
    "院岭街道",
    "朱兰街道",
    "矿建街道",
    "枣林镇",
    "尚店镇",
    "八台镇",
    "尹集镇",
    "武功乡",
]
KINDS = [("1", "企业", "有限公司"), ("2", "个体工商户", "商店"), ("3", "农民专业合作社", "种植专业合作社")]
INDUSTRIES = ["F5212", "H6210", "C1391", "A0111", "E4851", "O8011"]


def rows(n: int, seed: int, start: int = 0):
    rng = random.Random(seed)
    for i in range(start, start + n):
        digit, kind, suffix = KINDS[0 if i % 20 < 7 else 1 if i % 20 < 19 else 2]
        body = f"9{digit}410481{i:09d}"
        yield [
            body + uscc_check_char(body),
            f"舞钢市{rng.choice(REGIONS)}测试{i}{suffix}",
            kind,
            rng.choice(INDUSTRIES),
            rng.choice(REGIONS),
            f"舞钢市{rng.choice(REGIONS)}测试路{i % 997}号",
            rng.choice(["王五", "张三", "李四", "赵六"]),
            "存续",
            rng.choices("ABCD", (30, 55, 12, 3))[0],
            "是" if rng.random() < 0.03 else "否",
            "否",
            rng.choice([0, 0, 0, 1, 2]),
        ]


def write_xlsx(path: Path, n: int, start: int) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("检查对象名录库")
    ws.append(HEADERS)
    for row in rows(n, 1, start):
        ws.append(row)
    wb.save(path)


def write_csv(path: Path, n: int, start: int) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADERS)
        w.writerows(rows(n, 2, start))


def psql(admin_url: str, sql: str) -> None:
    subprocess.run(["psql", admin_url, "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True)


def measure_one(path: str) -> None:
    """Child mode: run one import as a grandchild, so that RUSAGE_CHILDREN is that import's alone."""
    t = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "manage.py", "import_directory", "entities", path],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    wall = time.monotonic() - t
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = {
        "rc": proc.returncode,
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,  # the Python process only; PostgreSQL's own work is not in it
        "peak": usage.ru_maxrss / 1024,  # KiB on Linux
        "out": proc.stdout.strip().splitlines()[-3:],
        "err": proc.stderr[-2000:],
    }
    print(json.dumps(result))


def run_import(env: dict, path: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--one", str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    if r["rc"] != 0:
        print("\n".join(r["out"]), r["err"])
        raise SystemExit(f"import failed with exit status {r['rc']}")
    r["summary"] = next((line for line in r["out"] if "共" in line), "")
    return r


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows-xlsx", type=int, default=100_000)
    ap.add_argument("--rows-csv", type=int, default=1_000_000)
    ap.add_argument("--db", default="ssj_bench_import")
    ap.add_argument("--server", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    ap.add_argument("--files", default=os.path.join(tempfile.gettempdir(), "ssj-bench-import"), help="reused")
    ap.add_argument("--one", metavar="FILE", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        measure_one(args.one)
        return

    admin = f"{args.server}/postgres"
    psql(admin, f'DROP DATABASE IF EXISTS "{args.db}"')
    psql(admin, f'CREATE DATABASE "{args.db}"')
    env = dict(os.environ, DATABASE_URL=f"{args.server}/{args.db}", DEBUG="False", SECRET_KEY="bench")
    env.setdefault("AUDIT_HMAC_KEY", "bench-only-key")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)

    files = Path(args.files)
    files.mkdir(parents=True, exist_ok=True)
    xlsx = files / f"entities-{args.rows_xlsx}.xlsx"
    big = files / f"entities-{args.rows_csv}.csv"
    t = time.monotonic()
    if not xlsx.exists():
        write_xlsx(xlsx, args.rows_xlsx, 0)
    if not big.exists():
        write_csv(big, args.rows_csv, args.rows_xlsx)  # codes distinct from the xlsx: 1M new objects
    print(
        f"files ready in {time.monotonic() - t:.0f} s: xlsx {xlsx.stat().st_size / 1e6:.1f} MB, "
        f"csv {big.stat().st_size / 1e6:.1f} MB; load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs",
        flush=True,
    )
    figures = []
    for label, path, goal in (
        (f"{args.rows_xlsx:,}-row xlsx, new", xlsx, 60),
        (f"{args.rows_xlsx:,}-row xlsx, again (all unchanged)", xlsx, 60),
        (f"{args.rows_csv:,}-row CSV, new", big, 120),
        (f"{args.rows_csv:,}-row CSV, again (all unchanged)", big, 120),
    ):
        r = run_import(env, path)
        figures.append((label, r["wall"], r["peak"], goal))
        print(
            f"{label:45s} wall {r['wall']:6.1f} s (goal ≤ {goal} s)  python CPU {r['cpu']:6.1f} s  "
            f"peak RSS {r['peak']:5.0f} MiB  load {os.getloadavg()[0]:4.1f}  | {r['summary']}",
            flush=True,
        )
    ok = all(w <= g for _, w, _, g in figures) and max(p for *_, p, _ in figures) <= 1024
    print("all goals met" if ok else "SOME GOALS MISSED", flush=True)


if __name__ == "__main__":
    main()
