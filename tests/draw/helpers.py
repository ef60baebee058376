"""Shared paths and small builders for the draw tests (no Django, no database)."""

from __future__ import annotations

import shutil
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent / "example"
# CI copies shared/ beside the clone; the copy above is what the tests use, this one is cross-checked.
SHARED_EXAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "specs" / "draw-v1-example"


def example_reveals() -> dict[str, str]:
    lines = (EXAMPLE / "reveals.txt").read_text("utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line)


def copy_example(target: Path) -> Path:
    folder = target / "draw"
    shutil.copytree(EXAMPLE, folder)
    for f in folder.iterdir():
        f.chmod(0o644)
    return folder
