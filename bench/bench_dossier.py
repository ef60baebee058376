"""Issue 13 part 4 benchmark: peak resident memory of exporting a task dossier. Run: python bench/bench_dossier.py
[--records 10000] [--attachment-kb 32] [--keep DIR]

Goal: a dossier of 10,000 records with attachments exports with ≤ 300 MB resident (the ZIP is streamed, never whole
in memory).

1. A fresh SQLite database and media folder in a temporary directory (or --keep DIR), migrated; the named users of
   the tests; one finished task built through the services (freeze, ceremony, records, review); then --records
   published records with one PDF attachment of --attachment-kb random KB each, written with bulk_create (the same
   helper as the 2,000-record memory test, tests/planning/archive_helpers.add_bulk_records); the task is archived.
2. BASELINE: `manage.py export_dossier` of a task number that does not exist (Django, the apps and the database
   loaded; nothing exported), in a child process; its peak RSS is ru_maxrss of that child.
3. ZIP: `manage.py export_dossier TASK --out DIR --zip` in a child process: peak RSS, wall time, ZIP size.
4. FOLDER: the same unpacked (`--out DIR`), then `sha256sum -c SHA256SUMS` on it (the real binary).
Prints the figures and writes bench/out/bench_dossier.json. DEBUG is off (no query log), as in production.

Measured 2026-12-07 on the shared 2-core build machine (SQLite, 10,000 records × 32 KB + the 8 of the task):
ZIP 341 MB; baseline peak RSS 94.9 MB; ZIP export 127.8 MB (324 s, machine busy); unpacked 118.5 MB (171 s);
sha256sum -c passes. With 300 records: 103.7 MB. PostgreSQL not measured.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
GOAL_MB = 300.0


def child(cmd: list[str], env: dict[str, str]) -> tuple[subprocess.CompletedProcess, float, float]:
    """Run `cmd` under a fresh wrapper process whose only child it is, so the wrapper's RUSAGE_CHILDREN ru_maxrss is
    the command's own peak RSS. Returns (result, peak RSS MB, seconds)."""
    wrapper = [
        sys.executable,
        "-c",
        "import resource, subprocess, sys, json;"
        "r = subprocess.run(sys.argv[1:]);"
        "print(json.dumps({'rc': r.returncode, 'maxrss_kb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}),"
        " file=sys.stderr)",
        *cmd,
    ]
    started = time.perf_counter()
    out = subprocess.run(wrapper, cwd=ROOT, env=env, text=True, capture_output=True)
    elapsed = time.perf_counter() - started
    info = json.loads(out.stderr.strip().splitlines()[-1])
    return out, info["maxrss_kb"] / 1024, elapsed


def build(env: dict[str, str], records: int, attachment_kb: int) -> str:
    """Migrate and fill the database in this process; returns the task number."""
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuangsuiji.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    import datetime
    from zoneinfo import ZoneInfo

    import time_machine

    from shuangsuiji.accounts.models import Role
    from shuangsuiji.planning.archiving import task_archive
    from tests.conftest import make_user
    from tests.planning.archive_helpers import add_bulk_records, finished_task

    # The tests' task has a December 2026 window: build it on the tests' pinned day.
    with time_machine.travel(
        datetime.datetime(2026, 11, 27, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True
    ):
        alice = make_user("alice", Role.DEPT_ADMIN, "SCJG")
        amy = make_user("amy", Role.CLERK, "SCJG")
        rita = make_user("rita", Role.REVIEWER, "SCJG")
        scheme, _ = finished_task(alice, amy, rita)
        add_bulk_records(scheme, amy, records, attachment_kb * 1024, env["MEDIA_ROOT"])
        scheme = task_archive(actor=alice, scheme=scheme)
    return scheme.task_no


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=10_000)
    ap.add_argument("--attachment-kb", type=int, default=32)
    ap.add_argument("--keep", type=Path, help="work in this directory and keep it")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench_dossier_"))
    work.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DEBUG": "false",
        "DEMO_MODE": "true",  # development audit and personal-data keys: this is a throwaway database
        "SECRET_KEY": "bench-only",
        "SQLITE_PATH": str(work / "db.sqlite3"),
        "MEDIA_ROOT": str(work / "media"),
        "DATABASE_URL": "",
    }
    env.pop("DATABASE_URL")
    started = time.perf_counter()
    task_no = build(env, args.records, args.attachment_kb)
    print(
        f"built: 1 task, {args.records:,} extra records × {args.attachment_kb} KB in {time.perf_counter() - started:.0f} s"
    )
    manage = [sys.executable, "manage.py", "export_dossier"]
    _, base_mb, base_s = child([*manage, "无此任务", "--out", str(work / "none")], env)
    out, zip_mb, zip_s = child([*manage, task_no, "--out", str(work / "zip"), "--zip"], env)
    if out.returncode:
        sys.exit(out.stdout + out.stderr)
    (zipped,) = (work / "zip").iterdir()
    out, dir_mb, dir_s = child([*manage, task_no, "--out", str(work / "dir")], env)
    if out.returncode:
        sys.exit(out.stdout + out.stderr)
    check = subprocess.run(
        ["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=work / "dir", capture_output=True
    )
    figures = {
        "records": args.records,
        "attachment_kb": args.attachment_kb,
        "zip_bytes": zipped.stat().st_size,
        "baseline_peak_rss_mb": round(base_mb, 1),
        "zip_peak_rss_mb": round(zip_mb, 1),
        "zip_seconds": round(zip_s, 1),
        "folder_peak_rss_mb": round(dir_mb, 1),
        "folder_seconds": round(dir_s, 1),
        "sha256sum_ok": check.returncode == 0,
        "goal_mb": GOAL_MB,
        "baseline_seconds": round(base_s, 1),
    }
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    (ROOT / "bench" / "out").mkdir(exist_ok=True)
    (ROOT / "bench" / "out" / "bench_dossier.json").write_text(json.dumps(figures, indent=2) + "\n")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    ok = zip_mb <= GOAL_MB and dir_mb <= GOAL_MB and figures["sha256sum_ok"]
    print("达标" if ok else "未达标")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
