"""Benchmarks of the DRAW-v1 engine (issue 3). Run: python bench/bench_draw.py [--big] [--sm3]

Prints figures; these are not tests. Each figure is printed beside a baseline measured in the same run,
because the machines this runs on differ a lot:
  (a) engine on 1,000,000 candidates in 5 strata (~5 % selected) vs a bare hashlib loop over the same IDs;
  (b) --big: 10,000,000 candidates, time and peak memory (run in a child process so the figure is the draw's own);
  (c) teams for 50,000 selected objects, 2,000 inspectors in 10 departments, 20,000 recusals, 2 slots;
  (d) writing and hashing the files for 1,000,000 candidates.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shuangsuiji.draw import run_draw, secret_commitment, write_draw_files  # noqa: E402
from shuangsuiji.draw.files import CANDIDATES, EXCLUDED, INSPECTORS, RECUSALS  # noqa: E402
from shuangsuiji.draw.hashing import digests_with_prefix, new_hash  # noqa: E402
from shuangsuiji.draw.params import params_bytes  # noqa: E402
from shuangsuiji.draw.teams import assign_teams  # noqa: E402

SECRET = "5f2c4e1a9b7d3c6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6a"
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
STRATA = {f"S{i}": {"ratio": "0.05", "reserve": 10} for i in range(5)}


def credit_codes(n: int, rng: random.Random) -> list[str]:
    """n distinct 18-character IDs shaped like 统一社会信用代码."""
    out: set[str] = set()
    while len(out) < n:
        out.update("91" + "".join(rng.choices(ALPHABET, k=16)) for _ in range(n - len(out)))
    return list(out)


def best_of(repeat: int, fn) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def sources(hash_name: str) -> list[dict[str, str]]:
    return [
        {"name": "server", "kind": "secret", "commitment": secret_commitment(SECRET, hash_name)},
        {"name": "lottery", "kind": "numbers"},
    ]


REVEALS = {"server": SECRET, "lottery": "30,3,11,15,22,27"}


def bench_engine(tmp: Path, hash_name: str, repeat: int) -> None:
    rng = random.Random(1)
    ids = credit_codes(1_000_000, rng)
    rows = [(f"S{i % 5}", o) for i, o in enumerate(ids)]
    folder = tmp / f"a-{hash_name}"
    t = time.perf_counter()
    write_draw_files(
        folder,
        candidates=rows,
        strata=STRATA,
        sources=sources(hash_name),
        draw_id="bench",
        hash_name=hash_name,
    )
    write_time = time.perf_counter() - t
    del rows
    seed_prefix = ("0" * 64 + ",").encode()
    bids = [o.encode() for o in ids]

    if hash_name == "sha256":

        def bare() -> None:
            sha256 = hashlib.sha256
            for o in bids:
                sha256(seed_prefix + o).digest()

    else:

        def bare() -> None:
            digests_with_prefix("sm3", seed_prefix, bids)

    certificate: dict[str, object] = {}

    def engine() -> None:
        certificate.update(run_draw(folder, REVEALS))

    # Alternate the two so that a noisy neighbour slows both alike.
    t_bare = min(best_of(1, bare) for _ in range(repeat))
    t_engine = min(best_of(1, engine) for _ in range(repeat))
    t_bare = min(t_bare, best_of(1, bare))
    selected = sum(s["k"] for s in certificate["strata"].values())  # type: ignore[attr-defined]
    label = "hashlib loop" if hash_name == "sha256" else "sm3 prefix-copy loop (floor)"
    print(f"(a) engine, 1,000,000 candidates, 5 strata, {selected} selected, {hash_name}:")
    print(f"      engine {t_engine:.3f} s   baseline {label} {t_bare:.3f} s   ratio {t_engine / t_bare:.2f}")
    print(f"(d) write + hash files, 1,000,000 candidates, {hash_name}: {write_time:.3f} s (unsorted input)")


def write_big(folder: Path, n: int) -> None:
    """10M candidates straight to disk, sorted by construction (the writer would need them all in memory)."""
    folder.mkdir(parents=True)
    h = new_hash("sha256")
    per = n // 5
    with (folder / CANDIDATES).open("wb") as f:
        for s in range(5):
            for start in range(0, per, 100_000):
                chunk = "".join(
                    f"S{s},91{s}{i:015d}\n" for i in range(start, min(per, start + 100_000))
                ).encode()
                h.update(chunk)
                f.write(chunk)
    empty = hashlib.sha256(b"").hexdigest()
    for name in (EXCLUDED, INSPECTORS, RECUSALS):
        (folder / name).write_bytes(b"")
    params = {
        "spec": "DRAW-v1",
        "hash": "sha256",
        "draw_id": "bench-big",
        "files": {CANDIDATES: h.hexdigest(), EXCLUDED: empty, INSPECTORS: empty, RECUSALS: empty},
        "strata": STRATA,
        "teams": None,
        "sources": sources("sha256"),
    }
    (folder / "params.json").write_bytes(params_bytes(params))


def child_draw(folder: Path) -> None:
    t = time.perf_counter()
    certificate = run_draw(folder, REVEALS)
    elapsed = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    selected = sum(s["k"] for s in certificate["strata"].values())
    print(json.dumps({"seconds": elapsed, "peak_mib": peak, "selected": selected}))


def bench_big(tmp: Path) -> None:
    folder = tmp / "big"
    t = time.perf_counter()
    write_big(folder, 10_000_000)
    gen = time.perf_counter() - t
    size = (folder / CANDIDATES).stat().st_size / 1e6
    out = subprocess.run(
        [sys.executable, __file__, "--child-draw", str(folder)], check=True, capture_output=True, text=True
    ).stdout
    figures = json.loads(out)
    base = subprocess.run(
        [
            sys.executable,
            "-c",
            "import resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    print(
        f"(b) engine, 10,000,000 candidates ({size:.0f} MB file, generated in {gen:.1f} s), {figures['selected']} selected:"
    )
    print(
        f"      {figures['seconds']:.2f} s, peak RSS {figures['peak_mib']:.0f} MiB (a bare python process: {float(base):.0f} MiB)"
    )


def bench_teams() -> None:
    rng = random.Random(3)
    objects = credit_codes(50_000, rng)
    inspectors = [(f"D{d}", f"I{d}{i:04d}") for d in range(10) for i in range(200)]
    recusals = list({(rng.choice(inspectors)[1], rng.choice(objects)) for _ in range(20_000)})
    seed = hashlib.sha256(b"bench").hexdigest()
    for label, teams in (
        ("one department, 2 slots", {"D0": 2}),
        ("two departments, 1 slot each", {"D0": 1, "D1": 1}),
    ):
        result: list[object] = []

        def run(teams: dict[str, int] = teams) -> None:
            result[:] = assign_teams(
                hash_name="sha256",
                seed=seed,
                objects=objects,
                inspectors=inspectors,
                recusals=recusals,
                teams=teams,
            )

        t = best_of(2, run)
        print(
            f"(c) teams, 50,000 objects, 2,000 inspectors in 10 departments, {len(recusals)} recusals, {label}: {t:.2f} s"
        )
    bids = [f"{seed},assign,{o},I00001".encode() for o in objects] * 100
    sha256 = hashlib.sha256
    t = time.perf_counter()
    for m in bids:
        sha256(m).digest()
    print(
        f"      baseline: 5,000,000 bare hashlib calls (≈ the hashes 2 slots need) {time.perf_counter() - t:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--big", action="store_true", help="also run (b), 10,000,000 candidates (a few minutes)"
    )
    parser.add_argument("--sm3", action="store_true", help="also run (a) and (d) with sm3")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child-draw", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_draw:
        child_draw(args.child_draw)
        return
    print(f"python {sys.version.split()[0]} on {sys.platform}")
    with tempfile.TemporaryDirectory(prefix="bench-draw-") as tmp:
        bench_engine(Path(tmp), "sha256", args.repeat)
        if args.sm3:
            bench_engine(Path(tmp), "sm3", 1)
        bench_teams()
        if args.big:
            bench_big(Path(tmp))


if __name__ == "__main__":
    main()
