"""DRAW-v1.1 sealed strata: the public projection, the public, full and per-firm checks (docs/draw-v1.1-sealed.md)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji import draw as engine
from shuangsuiji.draw import sealed
from shuangsuiji.draw.cli import main

SERVER = "5f2c4e1a9b7d3c6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6a"
BLIND = "0123456789abcdef" * 4


def make_sealed_draw(
    root: Path, *, n: int = 60, blind: str = BLIND, seed_offset: int = 0, hash_name="sha256"
):
    """A sealed draw of n candidates in three strata (low, middle, high ratio), teams of two from two departments."""
    full, public = root / "full", root / "public"
    codes = ["SQ7K2M9XA", "S0B4ZT1PE", "SLL8W3C5N"]
    ratios = {codes[0]: "0.05", codes[1]: "0.2", codes[2]: "0.6"}
    candidates = [(codes[i % 3], f"9141{seed_offset + i:014d}") for i in range(n)]
    inspectors = [("SCJG", f"PSCJG{i:02d}") for i in range(6)] + [("WJW", f"PWJW{i:02d}") for i in range(4)]
    recusals = [("PSCJG00", candidates[0][1]), ("PWJW01", candidates[1][1])]
    sources = [
        {"name": "server", "kind": "secret", "commitment": engine.secret_commitment(SERVER, hash_name)},
        {"name": "lottery", "kind": "numbers"},
        {"name": "sealed", "kind": "secret", "commitment": engine.secret_commitment(blind, hash_name)},
    ]
    engine.write_draw_files(
        full,
        candidates=candidates,
        excluded=[("91410000000000099X".replace("X", "9"), "CAP_REACHED")],
        inspectors=inspectors,
        recusals=recusals,
        strata={c: {"ratio": r, "reserve": 1} for c, r in ratios.items()},
        teams={"SCJG": 2, "WJW": 1},
        sources=sources,
        draw_id=f"舞市监抽查〔2026〕{7 + seed_offset}号-1",
        hash_name=hash_name,
        extra={"task_no": "舞市监抽查〔2026〕7号", "projection": "DRAW-v1.1"},
    )
    public_commitment = engine.project_files(full, public, blind)
    certificate = engine.run_draw(full, {"server": SERVER, "lottery": "30,3,11,15,22,27", "sealed": blind})
    engine.write_certificate(certificate, full / "result.json")
    public_cert = engine.project_certificate(certificate, (public / sealed.PUBLIC_PARAMS).read_bytes())
    engine.write_certificate(public_cert, public / sealed.PUBLIC_RESULT)
    return full, public, public_commitment, certificate, public_cert


@pytest.fixture
def drawn(tmp_path):
    return make_sealed_draw(tmp_path)


def test_the_full_files_are_plain_draw_v1_and_verify_as_such(drawn):
    full, _, _, certificate, _ = drawn
    report = engine.verify(full)
    assert report.ok, report.message
    assert [s["name"] for s in certificate["sources"]] == ["server", "lottery", "sealed"]


def test_the_public_check_passes_and_says_what_it_cannot_check(drawn):
    _, public, commitment, _, public_cert = drawn
    report = engine.verify_public(public)
    assert report.ok, (report.path, report.message)
    assert public_cert["commitment"] == commitment
    assert any("stratum" in x for x in report.unchecked)


def test_the_public_files_name_no_stratum_ratio_priority_or_sealed_value(drawn):
    full, public, _, certificate, _ = drawn
    text = b"".join(p.read_bytes() for p in public.iterdir()).decode()
    params = json.loads((full / "params.json").read_text())
    for code in params["strata"]:
        assert f"{code}," not in text  # never next to an object
    for rule in params["strata"].values():
        assert f'"{rule["ratio"]}"' not in text
    for stratum in certificate["strata"].values():
        for _, priority in stratum["selected"] + stratum["reserves"]:
            assert priority not in text
    assert BLIND not in text and certificate["seed"] not in text
    public_ids = (public / "candidates-public.csv").read_text().splitlines()
    assert public_ids == sorted(
        o for _, o in (line.split(",") for line in (full / "candidates.csv").read_text().splitlines())
    )


def test_the_public_list_is_sorted_by_id_not_by_stratum_or_rank(drawn):
    _, _, _, _, public_cert = drawn
    assert public_cert["selected"] == sorted(public_cert["selected"])
    assert [t["object_id"] for t in public_cert["teams"]] == public_cert["selected"]
    assert isinstance(public_cert["relaxations"], int)


def test_the_full_check_proves_the_public_files_are_the_projection(drawn):
    full, public, *_ = drawn
    report = engine.verify_full(full, public)
    assert report.ok, (report.path, report.message)


def _tamper(path: Path, old: bytes, new: bytes) -> None:
    data = path.read_bytes()
    assert old in data
    path.write_bytes(data.replace(old, new, 1))


@pytest.mark.parametrize(
    "forgery, where",
    [
        ("drop_candidate", "files.candidates-public.csv"),
        ("foreign_selected", "selected"),
        ("seed", "seed"),
        ("params", "commitment"),
        ("team_member", "teams[0].members[0]"),
        ("secret", "sources[0].value"),
    ],
)
def test_a_forged_public_file_fails_the_public_check(drawn, forgery, where):
    _, public, _, _, public_cert = drawn
    result = public / sealed.PUBLIC_RESULT
    cert = json.loads(result.read_text())
    if forgery == "drop_candidate":
        lines = (public / "candidates-public.csv").read_text().splitlines()
        (public / "candidates-public.csv").write_text("\n".join(lines[1:]) + "\n")
    elif forgery == "foreign_selected":
        cert["selected"][0] = "99999999999999999Z"
        cert["selected"].sort()
    elif forgery == "seed":
        cert["seed"] = "0" * 64
    elif forgery == "params":
        _tamper(public / sealed.PUBLIC_PARAMS, b'"task_no"', b'"task_nr"')
    elif forgery == "team_member":
        cert["teams"][0]["members"][0][1] = "PNOBODY"
    elif forgery == "secret":
        cert["sources"][0]["value"] = "f" * 64
    if forgery not in ("drop_candidate", "params"):
        result.write_text(json.dumps(cert, ensure_ascii=False, indent=1) + "\n")
    report = engine.verify_public(public)
    assert not report.ok
    assert report.path == where, (report.path, report.message)


def test_a_public_folder_checked_against_someone_elses_full_files_fails(tmp_path, drawn):
    _, public, *_ = drawn
    other_full, *_ = make_sealed_draw(tmp_path / "other", seed_offset=1000)
    report = engine.verify_full(other_full, public)
    assert not report.ok and report.path.startswith("public."), report.message


def test_a_public_folder_whose_list_was_edited_after_the_draw_fails_the_full_check(drawn):
    full, public, *_ = drawn
    cert = json.loads((public / sealed.PUBLIC_RESULT).read_text())
    cert["relaxations"] += 1
    (public / sealed.PUBLIC_RESULT).write_text(json.dumps(cert, ensure_ascii=False, indent=1) + "\n")
    report = engine.verify_full(full, public)
    assert not report.ok and report.path == f"public.{sealed.PUBLIC_RESULT}"


def test_the_same_ids_in_different_strata_give_the_same_public_candidates_file(tmp_path):
    a = make_sealed_draw(tmp_path / "a")
    ids = (a[1] / "candidates-public.csv").read_bytes()
    rows = (a[0] / "candidates.csv").read_text().splitlines()
    # Move every object to the next stratum: the public list of candidates does not change by one byte.
    codes = sorted({r.split(",")[0] for r in rows})
    moved = [(codes[(codes.index(c) + 1) % 3], o) for c, o in (r.split(",") for r in rows)]
    full_b = tmp_path / "b"
    params = json.loads((a[0] / "params.json").read_text())
    engine.write_draw_files(
        full_b,
        candidates=moved,
        strata=params["strata"],
        sources=params["sources"],
        draw_id=params["draw_id"],
        extra={"projection": "DRAW-v1.1"},
    )
    engine.project_files(full_b, tmp_path / "b-public", BLIND)
    assert (tmp_path / "b-public" / "candidates-public.csv").read_bytes() == ids


def test_every_firm_can_prove_its_own_row_and_outcome(drawn):
    full, public, _, certificate, public_cert = drawn
    ids = (public / "candidates-public.csv").read_text().splitlines()
    for object_id in ids:
        proof = engine.firm_proof(full, public, BLIND, object_id, certificate)
        report = engine.verify_proof(proof, public)
        assert report.ok, (object_id, report.path, report.message)
        expected = (
            "selected"
            if object_id in public_cert["selected"]
            else ("reserve" if object_id in public_cert["reserves"] else "not_selected")
        )
        assert proof["outcome"] == expected


@pytest.mark.parametrize(
    "field, value", [("stratum", None), ("outcome", "selected"), ("path", None), ("salt", "0" * 64)]
)
def test_a_forged_proof_fails(drawn, field, value):
    full, public, _, certificate, public_cert = drawn
    loser = next(
        o
        for o in (public / "candidates-public.csv").read_text().splitlines()
        if o not in public_cert["selected"] and o not in public_cert["reserves"]
    )
    proof = engine.firm_proof(full, public, BLIND, loser, certificate)
    if field == "stratum":
        codes = sorted(json.loads((public / sealed.PUBLIC_PARAMS).read_text())["sealed"]["strata"])
        proof["stratum"] = next(c for c in codes if c != proof["stratum"])
    elif field == "path":
        proof["path"] = proof["path"][:-1]
    else:
        proof[field] = value
    assert not engine.verify_proof(proof, public).ok


@settings(max_examples=80, deadline=None)
@given(st.integers(min_value=1, max_value=600), st.data())
def test_every_leaf_of_a_merkle_tree_of_any_size_proves_to_the_root(n, data):
    leaves = [bytes([i % 256, i // 256]) * 16 for i in range(n)]
    root = sealed.merkle_root("sha256", leaves)
    index = data.draw(st.integers(min_value=0, max_value=n - 1))
    path = sealed.merkle_path("sha256", leaves, index)
    assert sealed.root_from_path("sha256", leaves[index], index, n, path) == root
    if n > 1:
        wrong = (index + 1) % n
        assert (
            sealed.root_from_path("sha256", leaves[index], wrong, n, path) != root
            or leaves[wrong] == leaves[index]
        )


def test_random_stratum_codes_are_distinct_valid_codes():
    codes = engine.random_stratum_codes(6)
    assert len(set(codes)) == 6 and all(len(c) == 9 and c[0] == "S" and c[1:].isalnum() for c in codes)
    assert engine.random_stratum_codes(6) != codes


def test_sm3_draws_project_and_verify_too(tmp_path):
    full, public, *_ = make_sealed_draw(tmp_path, hash_name="sm3", n=20)
    assert engine.verify_public(public).ok
    assert engine.verify_full(full, public).ok


def test_the_command_line_runs_all_three_checks(drawn, tmp_path, capsys):
    full, public, _, certificate, _ = drawn
    assert main(["verify", str(public)]) == 0
    out = capsys.readouterr().out
    assert "公开核验" in out and "未能核验" in out
    assert main(["verify", str(full), "--public", str(public)]) == 0
    assert "完整核验" in capsys.readouterr().out
    proof = engine.firm_proof(full, public, BLIND, certificate["teams"][0]["object_id"], certificate)
    (tmp_path / "proof.json").write_text(json.dumps(proof))
    assert main(["verify-proof", str(tmp_path / "proof.json"), str(public)]) == 0
    assert "selected" in capsys.readouterr().out
    broken = tmp_path / "broken"
    shutil.copytree(public, broken)
    _tamper(broken / "excluded.csv", b"CAP_REACHED", b"CAP_REACHEE")
    assert main(["verify", str(broken), "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["path"] == "files.excluded.csv"


def test_writing_and_projecting_in_one_go_gives_the_same_bytes_as_projecting_the_written_files(
    tmp_path, drawn
):
    full, public, commitment, *_ = drawn
    params = json.loads((full / "params.json").read_text())
    rows = [tuple(line.split(",")) for line in (full / "candidates.csv").read_text().split()]
    tables = {
        name: [tuple(line.split(",")) for line in (full / f"{name}.csv").read_text().split()]
        for name in ("excluded", "inspectors", "recusals")
    }
    extra = {
        k: v
        for k, v in params.items()
        if k not in ("spec", "hash", "draw_id", "files", "strata", "teams", "sources")
    }
    full_c, public_c = engine.write_sealed_files(
        tmp_path / "f",
        tmp_path / "p",
        BLIND,
        candidates=rows,
        strata=params["strata"],
        teams=params["teams"],
        sources=params["sources"],
        draw_id=params["draw_id"],
        extra=extra,
        **tables,
    )
    assert full_c == json.loads((public / sealed.PUBLIC_PARAMS).read_text())["sealed"]["commitment"]
    assert public_c == commitment
    for name in sealed.PUBLIC_FILES:
        assert (tmp_path / "p" / name).read_bytes() == (public / name).read_bytes(), name
