"""Issue 16 benchmark: what the DRAW-v1.1 public projection adds to a draw. Run: python bench/bench_sealed.py [--n N]

Prints figures; not a test. On 1,000,000 candidates in 4 strata (ratios 2/5/20/60 %, ~5 % drawn overall) with teams:
  baseline  = writing the DRAW-v1 files (freeze) + running the draw, exactly what an open draw does;
  addition  = projecting the files (candidate IDs, counts, the salted Merkle tree) + projecting the certificate.
The platform's freeze also reads the directory from the database, which this leaves out, so the ratio printed here is an
upper bound of the share the projection adds to a real freeze + draw. Also printed: the public check and the full check.
Best of --repeat runs, wall and CPU time (the machine may be busy).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shuangsuiji import draw as engine  # noqa: E402

SERVER = "5f2c4e1a9b7d3c6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6a"
SEALED = "0123456789abcdef" * 4
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
RATIOS = {"SK3J9Q2ZA": "0.02", "S7TW1MXE4": "0.05", "SPB0R8YCD": "0.2", "S4NF6HUL2": "0.6"}
SHARES = [0.6, 0.25, 0.1, 0.05]


def codes(n: int, rng: random.Random) -> list[str]:
    out: set[str] = set()
    while len(out) < n:
        out.update("91" + "".join(rng.choices(ALPHABET, k=16)) for _ in range(n - len(out)))
    return sorted(out)


def timed(fn: Callable[[], object]) -> tuple[float, float, object]:
    w, c = time.perf_counter(), time.process_time()
    value = fn()
    return time.perf_counter() - w, time.process_time() - c, value


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    rng = random.Random(16)
    ids = codes(args.n, rng)
    strata = rng.choices(list(RATIOS), weights=SHARES, k=args.n)
    candidates = list(zip(strata, ids, strict=True))
    inspectors = [("SCJG", f"P{i:05d}") for i in range(400)]
    sources = [
        {"name": "server", "kind": "secret", "commitment": engine.secret_commitment(SERVER)},
        {"name": "lottery", "kind": "numbers"},
        {"name": "sealed", "kind": "secret", "commitment": engine.secret_commitment(SEALED)},
    ]
    reveals = {"server": SERVER, "lottery": "30,3,11,15,22,27", "sealed": SEALED}
    results: dict[str, list[tuple[float, float]]] = {}

    def note(name: str, t: tuple[float, float, object]) -> object:
        results.setdefault(name, []).append((t[0], t[1]))
        return t[2]

    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            full, public = Path(tmp) / "full", Path(tmp) / "public"
            note(
                "freeze: write DRAW-v1 files",
                timed(
                    lambda full=full: engine.write_draw_files(
                        full,
                        candidates=candidates,
                        inspectors=inspectors,
                        strata={c: {"ratio": r, "reserve": 5} for c, r in RATIOS.items()},
                        teams={"SCJG": 2},
                        sources=sources,
                        draw_id="舞市监抽查〔2026〕99号-1",
                        extra={"projection": "DRAW-v1.1"},
                    )
                ),
            )
            certificate = note("draw: run the draw", timed(lambda full=full: engine.run_draw(full, reveals)))
            engine.write_certificate(certificate, full / "result.json")  # type: ignore[arg-type]
            note(
                "projection: public files", timed(lambda f=full, p=public: engine.project_files(f, p, SEALED))
            )
            raw = (public / engine.PUBLIC_PARAMS).read_bytes()
            public_cert = note(
                "projection: public certificate",
                timed(lambda c=certificate, r=raw: engine.project_certificate(c, r)),  # type: ignore[arg-type]
            )
            engine.write_certificate(public_cert, public / engine.PUBLIC_RESULT)  # type: ignore[arg-type]
            report = note("check: public (anyone)", timed(lambda p=public: engine.verify_public(p)))
            assert report.ok, report  # type: ignore[attr-defined]
            report = note("check: full (witnesses)", timed(lambda f=full, p=public: engine.verify_full(f, p)))
            assert report.ok, report  # type: ignore[attr-defined]

    best = {name: min(runs) for name, runs in results.items()}
    print(
        f"DRAW-v1.1 on {args.n:,} candidates, {len(RATIOS)} strata, teams of 2 from 400 inspectors "
        f"(best of {args.repeat}; wall / cpu seconds)"
    )
    for name, (wall, cpu) in best.items():
        print(f"  {name:<34} {wall:7.2f} s  (cpu {cpu:6.2f} s)")
    base = best["freeze: write DRAW-v1 files"][0] + best["draw: run the draw"][0]
    extra = best["projection: public files"][0] + best["projection: public certificate"][0]
    print(f"  baseline freeze + draw (files only) {base:7.2f} s")
    print(
        f"  projection adds                     {extra:7.2f} s = {extra / base:.1%} of freeze + draw (upper bound)"
    )


if __name__ == "__main__":
    main()
