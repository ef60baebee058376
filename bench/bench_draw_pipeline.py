"""Issue 4 benchmark: freeze + draw + teams over a 1,000,000-object directory on PostgreSQL, about 5 % selected,
against the unverifiable baseline `INSERT … SELECT … ORDER BY random() LIMIT k` over the same filter, same database,
same run. Run: python bench/bench_draw_pipeline.py [--entities N] [--reuse]

It (re)creates the database `ssj_bench_draw`, migrates it and seeds it with `manage.py seed_demo --entities N`
(skipped with --reuse when the database already holds N objects), then, in this process with Django set up on that
database, publishes an undirected scheme with strata A/B/C/D at 2/5/20/60 % (a sealed draw, DRAW-v1.1) and 2 inspectors
of 市场监管局 per object, and times each step, including the share the public projection adds (issue 16). Prints figures (and writes bench/out/bench_draw_pipeline.json); not a test.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import io
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DB = "ssj_bench_draw"
RATIOS = {"A": "0.02", "B": "0.05", "C": "0.2", "D": "0.6"}
URL = f"postgres://postgres@127.0.0.1:5432/{DB}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entities", type=int, default=1_000_000)
    ap.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    ap.add_argument("--profile", action="store_true", help="print a cProfile of freeze and draw")
    args = ap.parse_args()
    env = dict(os.environ, DATABASE_URL=URL, DEBUG="False", SECRET_KEY="bench", DEMO_MODE="True")
    py = sys.executable

    def sh(*cmd: str) -> None:
        subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True, text=True)

    t0 = time.perf_counter()
    if not args.reuse:
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DB], check=True)
        sh(py, "manage.py", "migrate", "--noinput")
        sh(py, "manage.py", "seed_demo", "--entities", str(args.entities), "--seed", "7")
    seed_s = time.perf_counter() - t0

    os.environ.update(env)
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="ssj-bench-draw-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "shuangsuiji.settings"
    import django

    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from shuangsuiji import draw as engine
    from shuangsuiji.accounts.models import Role, User
    from shuangsuiji.directory.models import CheckItem, InspectionObject
    from shuangsuiji.draws import services as draws
    from shuangsuiji.draws.models import Selection, TeamMember
    from shuangsuiji.org.models import Department
    from shuangsuiji.planning import services as planning

    scjg = Department.objects.get(code="SCJG")
    actor, _ = User.objects.get_or_create(
        username="bench_admin", defaults={"role": Role.DEPT_ADMIN, "department": scjg}
    )
    item = CheckItem.objects.filter(department=scjg, category="重点").first()
    n_objects = InspectionObject.objects.count()
    year = timezone.localdate().year + 1
    scheme = planning.scheme_create(
        actor=actor,
        data={
            "name": f"基准测试 {time.time():.0f}",
            "adhoc_reason": "benchmark",
            # Differentiated ratios (art. 8, 9): the draw is sealed (DRAW-v1.1), so the projection is part of the run.
            "strata": {c: {"ratio": r, "reserve": 5} for c, r in RATIOS.items()},
            "item_ids": [item.pk],
            "methods": ["实地核查"],
            "window_start": f"{year}-03-01",
            "window_end": f"{year}-03-31",
            "team_slots": {"SCJG": 2},
            # No yearly_cap: a scheme can no longer raise the city-wide cap (issue 17, item 2). Repeated runs in one
            # database exclude firms drawn twice next year (CAP_REACHED), a few per run at a 5% ratio.
            "same_item_days": 0,
        },
    )
    scheme = planning.scheme_publish(actor=actor, scheme=scheme)
    draw_date = (datetime.datetime.now(datetime.UTC).date() + datetime.timedelta(days=3)).isoformat()
    lottery = {"lottery": "福利彩票双色球", "period": "2099001", "draw_date": draw_date}
    sources = [{"name": "lottery", "kind": "numbers", **lottery}, {"name": "witness", "kind": "digits"}]

    # Time spent in the DRAW-v1.1 projection, inside freeze and draw: what sealing adds to them.
    # The freeze projects inside engine.write_sealed_files (sealed._project); the ceremony calls project_certificate.
    from shuangsuiji.draw import sealed as sealed_module

    spent = {"projection": 0.0}
    for module, name in ((sealed_module, "_project"), (engine, "project_certificate")):
        original = getattr(module, name)

        def wrapped(*a, _original=original, **kw):
            started = time.perf_counter()
            try:
                return _original(*a, **kw)
            finally:
                spent["projection"] += time.perf_counter() - started

        setattr(module, name, wrapped)

    prof = cProfile.Profile() if args.profile else None
    t = time.perf_counter()
    if prof:
        prof.enable()
    draw = draws.draw_freeze(actor=actor, scheme=scheme, sources=sources, announced="bench 2099001")
    freeze_s = time.perf_counter() - t
    t = time.perf_counter()
    draw = draws.draw_perform(
        actor=actor,
        draw=draw,
        witnesses=[{"name": "监督", "unit": "司法局"}],
        reveals={"lottery": "1,2,3,4,5,6", "witness": "123456"},
        thrown_by={"witness": "监督"},
    )
    perform_s = time.perf_counter() - t
    if prof:
        prof.disable()
    ours_s = freeze_s + perform_s
    k = Selection.objects.filter(draw=draw, role="selected").count()
    members = TeamMember.objects.filter(selection__draw=draw).count()
    verify_t = time.perf_counter()
    ok = engine.verify(draws.draw_dir(draw)).ok
    verify_s = time.perf_counter() - verify_t
    public_t = time.perf_counter()
    public_ok = engine.verify_public(draws.public_dir(draw)).ok
    public_verify_s = time.perf_counter() - public_t

    # The baseline: one unverifiable statement over the same filter (active objects in the drawn strata).
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("CREATE TEMP TABLE bench_pick (object_id bigint) ON COMMIT DROP")
        t = time.perf_counter()
        cur.execute(
            """INSERT INTO bench_pick (object_id)
               SELECT o.id FROM directory_inspectionobject o JOIN directory_riskclass r ON r.id = o.risk_class_id
               WHERE o.reg_status = '存续' AND r.code IN ('A','B','C','D')
               ORDER BY random() LIMIT %s""",
            [k],
        )
        baseline_s = time.perf_counter() - t

    figures = {
        "objects": n_objects,
        "candidates": draw.candidates_count,
        "excluded": draw.excluded_count,
        "selected": k,
        "team_members": members,
        "seed_s": round(seed_s, 1),
        "freeze_s": round(freeze_s, 2),
        "draw_and_teams_s": round(perform_s, 2),
        "ours_total_s": round(ours_s, 2),
        "baseline_order_by_random_s": round(baseline_s, 2),
        "ratio": round(ours_s / baseline_s, 2),
        "verify_s": round(verify_s, 2),
        "verified": ok,
        "sealed": draw.sealed,
        "projection_s": round(spent["projection"], 2),
        "projection_share_of_freeze_and_draw_without_it": round(
            spent["projection"] / (ours_s - spent["projection"]), 3
        ),
        "public_verify_s": round(public_verify_s, 2),
        "public_verified": public_ok,
    }
    print(json.dumps(figures, ensure_ascii=False, indent=1))
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "bench_draw_pipeline.json").write_text(json.dumps(figures, ensure_ascii=False, indent=1))
    if prof:
        s = io.StringIO()
        pstats.Stats(prof, stream=s).sort_stats("cumulative").print_stats(25)
        print(s.getvalue())


if __name__ == "__main__":
    main()
