"""A DRAW-v1.1 sealed draw made by hand from the worked example, for the standalone verifier's tests.

The full files come from the platform's DRAW-v1 engine (shuangsuiji.draw), whose output any DRAW-v1 verifier must
reproduce; the public files and the proofs are written here straight from docs/draw-v1.1-sealed.md §3–§6, apart
from both the engine and verify_draw.py, so that the script is checked against a third reading of the spec.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from shuangsuiji.draw import run_draw, secret_commitment, write_certificate, write_draw_files
from tests.draw.helpers import EXAMPLE, example_reveals

# §2: stratum codes are S + 8 random characters; these stand for the example's A and D.
CODES = {"A": "S7K2M9Q4X", "D": "S0B3N8R1T"}
SEALED = "0c" * 32
PUBLIC_FILES = ("candidates-public.csv", "excluded.csv", "inspectors.csv", "recusals.csv")


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def dumps(value: Any) -> bytes:
    return (json.dumps(value, indent=1, ensure_ascii=False) + "\n").encode()


def _rows(name: str) -> list[tuple[str, str]]:
    return [tuple(line.split(",")) for line in (EXAMPLE / name).read_text().splitlines()]  # type: ignore[misc]


def full_draw(folder: Path) -> dict[str, Any]:
    """The example as a sealed draw: opaque stratum codes, a last secret source named `sealed`, `projection`."""
    params = json.loads((EXAMPLE / "params.json").read_text("utf-8"))
    write_draw_files(
        folder,
        candidates=[(CODES[s], o) for s, o in _rows("candidates.csv")],
        excluded=_rows("excluded.csv"),
        inspectors=_rows("inspectors.csv"),
        recusals=_rows("recusals.csv"),
        strata={CODES[code]: rule for code, rule in params["strata"].items()},
        teams=params["teams"],
        sources=[
            *params["sources"],
            {"name": "sealed", "kind": "secret", "commitment": secret_commitment(SEALED)},
        ],
        draw_id=params["draw_id"],
        extra={"announced": params["announced"], "projection": "DRAW-v1.1"},
    )
    certificate = run_draw(folder, {**example_reveals(), "sealed": SEALED})
    write_certificate(certificate, folder / "result.json")
    return certificate


def leaves(full: Path) -> list[tuple[str, bytes]]:
    """§3.1: (object_id, leaf) in the order of candidates-public.csv."""
    rows = sorted(((o, s) for s, o in _full_rows(full)), key=lambda r: r[0].encode())
    out = []
    stream = salt_stream(len(rows))
    for i, (o, stratum) in enumerate(rows):
        out.append((o, sha(b"\x00" + stream[32 * i : 32 * i + 32] + f"{stratum},{o}".encode())))
    return out


def salt_stream(n: int) -> bytes:
    return hashlib.shake_256(f"DRAW-v1.1|salt|{SEALED}".encode()).digest(32 * n)


def _full_rows(full: Path) -> list[tuple[str, str]]:
    return [tuple(line.split(",")) for line in (full / "candidates.csv").read_text().splitlines()]  # type: ignore[misc]


def levels(nodes: list[bytes]) -> list[list[bytes]]:
    out = [nodes]
    while len(out[-1]) > 1:
        level = out[-1]
        groups = [level[i : i + 16] for i in range(0, len(level), 16)]
        out.append([g[0] if len(g) == 1 else sha(b"\x01" + b"".join(g)) for g in groups])
    return out


def public_draw(full: Path, public: Path) -> None:
    """§3 and §5: the public folder of the full draw."""
    public.mkdir()
    params = json.loads((full / "params.json").read_text("utf-8"))
    cert = json.loads((full / "result.json").read_text("utf-8"))
    ids = [o for o, _ in leaves(full)]
    (public / "candidates-public.csv").write_bytes("".join(f"{o}\n" for o in ids).encode())
    for name in PUBLIC_FILES[1:]:
        (public / name).write_bytes((full / name).read_bytes())
    strata = cert["strata"]
    public_params = {
        "spec": "DRAW-v1.1",
        "hash": "sha256",
        "draw_id": params["draw_id"],
        "files": {name: sha((public / name).read_bytes()).hex() for name in PUBLIC_FILES},
        "sealed": {
            "commitment": cert["commitment"],
            "merkle_root": levels([leaf for _, leaf in leaves(full)])[-1][0].hex(),
            "strata": {
                c: {"N": s["N"], "k": s["k"], "reserves": len(s["reserves"])} for c, s in strata.items()
            },
        },
        "teams": params["teams"],
        "sources": [s for s in params["sources"] if s["name"] != "sealed"],
        "announced": params["announced"],
    }
    raw = dumps(public_params)
    (public / "params-public.json").write_bytes(raw)
    c_pub = sha(raw).hex()
    sources = [s for s in cert["sources"] if s["name"] != "sealed"]
    key = "".join(s["value"] + "/" for s in sources)
    result = {
        "spec": "DRAW-v1.1",
        "draw_id": params["draw_id"],
        "hash": "sha256",
        "commitment": c_pub,
        "sealed_commitment": cert["commitment"],
        "sources": sources,
        "key": key,
        "seed": sha(f"DRAW-v1.1|{c_pub}|{key}".encode()).hex(),
        "selected": sorted(o for s in strata.values() for o, _ in s["selected"]),
        "reserves": sorted(o for s in strata.values() for o, _ in s["reserves"]),
        "teams": sorted(cert["teams"], key=lambda t: t["object_id"]),
        "relaxations": len(cert["relaxations"]),
    }
    (public / "result-public.json").write_bytes(dumps(result))


def proof(full: Path, public: Path, object_id: str) -> dict[str, Any]:
    """§6: the per-firm proof, with `leaves` (the number of candidates) that the path's shape depends on."""
    rows = leaves(full)
    index = [o for o, _ in rows].index(object_id)
    stratum = dict((o, s) for s, o in _full_rows(full))[object_id]
    path, i = [], index
    for level in levels([leaf for _, leaf in rows])[:-1]:
        start = i - i % 16
        group = level[start : start + 16]
        if len(group) > 1:
            path.append([x.hex() for j, x in enumerate(group) if start + j != i])
        i //= 16
    result = json.loads((public / "result-public.json").read_text("utf-8"))
    outcome = (
        "selected"
        if object_id in result["selected"]
        else "reserve"
        if object_id in result["reserves"]
        else "not_selected"
    )
    return {
        "spec": "DRAW-v1.1-proof",
        "draw_id": result["draw_id"],
        "commitment": result["commitment"],
        "object_id": object_id,
        "stratum": stratum,
        "salt": salt_stream(len(rows))[32 * index : 32 * index + 32].hex(),
        "index": index,
        "leaves": len(rows),
        "path": path,
        "outcome": outcome,
    }
