"""Run the benchmarks in bench/ one after the other (``make bench``). Figures, not tests.

Each script runs in its own process (they set up their own databases and Django settings); a missing script is
skipped, a failing one is reported and the others still run. Extra arguments are not passed on: run a script
directly to change its options.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ["bench_draw.py", "bench_import.py", "bench_directory.py"]


def main() -> int:
    failed = []
    # The known scripts first, in this order, then any other bench_*.py added since.
    others = sorted(p.name for p in HERE.glob("bench_*.py") if p.name not in SCRIPTS)
    for name in SCRIPTS + others:
        path = HERE / name
        if not path.exists():
            print(f"== {name}: not present, skipped", flush=True)
            continue
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        rc = subprocess.call([sys.executable, str(path)], cwd=HERE.parent)
        print(
            f"== {name}: {'ok' if rc == 0 else f'FAILED (exit {rc})'} in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
        if rc:
            failed.append(name)
    if failed:
        print("failed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
