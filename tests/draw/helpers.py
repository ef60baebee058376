"""Shared paths and small builders for the draw tests (no Django, no database)."""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from shuangsuiji.draw import secret_commitment, write_draw_files

EXAMPLE = Path(__file__).resolve().parent / "example"
# CI copies shared/ beside the clone; the tests use the copy above and only cross-check this one.
SHARED_EXAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "specs" / "draw-v1-example"
REPO = Path(__file__).resolve().parents[2]

SECRET = "5f2c4e1a9b7d3c6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6a"
REVEALS = {"server": SECRET, "lottery": "30,3,11,15,22,27", "witness": "314159265358"}


def example_reveals() -> dict[str, str]:
    lines = (EXAMPLE / "reveals.txt").read_text("utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line)


def copy_example(target: Path) -> Path:
    folder = target / "draw"
    shutil.copytree(EXAMPLE, folder)
    for f in folder.iterdir():
        f.chmod(0o644)
    return folder


def sources(hash_name: str = "sha256") -> list[dict[str, str]]:
    return [
        {"name": "server", "kind": "secret", "commitment": secret_commitment(SECRET, hash_name)},
        {"name": "lottery", "kind": "numbers"},
        {"name": "witness", "kind": "digits"},
    ]


def object_id(n: int) -> str:
    return f"91410481{n:010d}"


def make_draw(
    folder: Path,
    *,
    candidates: Iterable[tuple[str, str]],
    strata: Mapping[str, Mapping[str, Any]],
    inspectors: Iterable[tuple[str, str]] = (),
    recusals: Iterable[tuple[str, str]] = (),
    excluded: Iterable[tuple[str, str]] = (),
    teams: Mapping[str, int] | None = None,
    hash_name: str = "sha256",
) -> str:
    return write_draw_files(
        folder,
        candidates=candidates,
        excluded=excluded,
        inspectors=inspectors,
        recusals=recusals,
        strata=strata,
        teams=teams,
        sources=sources(hash_name),
        draw_id="测试〔2026〕1号",
        hash_name=hash_name,
        extra={"announced": "lottery = 双色球第2026137期红球"},
    )
