"""verify_draw.py, the standard-library-only verifier the portal serves: DRAW-v1 and the three DRAW-v1.1 checks."""

from __future__ import annotations

import ast
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from shuangsuiji.draw import run_draw, write_certificate
from shuangsuiji.portal.verifier.views import SCRIPT_PATH
from tests.draw.helpers import REVEALS, copy_example, make_draw, object_id
from tests.portal import sealed


def run(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT_PATH), *map(str, args)], capture_output=True, text=True, timeout=60
    )


def recommit(folder: Path) -> None:
    """Commit the files as they now are: new hashes in params.json, its new hash as the certificate's commitment."""
    params = json.loads((folder / "params.json").read_text("utf-8"))
    for name in params["files"]:
        params["files"][name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    raw = (json.dumps(params, indent=1, ensure_ascii=False) + "\n").encode()
    (folder / "params.json").write_bytes(raw)
    result = json.loads((folder / "result.json").read_text("utf-8"))
    result["commitment"] = hashlib.sha256(raw).hexdigest()
    (folder / "result.json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", "utf-8")


# --- the script itself ----------------------------------------------------------------------------------------------


def test_it_imports_only_the_standard_library():
    tree = ast.parse(SCRIPT_PATH.read_text("utf-8"))
    modules = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    modules |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert modules - {"__future__"} <= sys.stdlib_module_names, modules
    assert "shuangsuiji" not in modules


def test_it_explains_its_usage_and_exits_2_on_bad_usage(tmp_path):
    done = run()
    assert done.returncode == 2 and "verify-proof" in done.stderr
    done = run(tmp_path / "nowhere")
    assert done.returncode == 2 and "nowhere" in done.stderr
    assert run("--help").returncode == 0


# --- DRAW-v1 --------------------------------------------------------------------------------------------------------


def test_it_passes_the_worked_example():
    done = run(Path(__file__).resolve().parents[1] / "draw" / "example")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "通过 / OK" in done.stdout
    assert "e26eb984b211203fc4b0c0876096e1333b5b9d906521d06e07f9ea8c0d54fb9b" in done.stdout


def test_it_passes_the_example_given_the_certificate_path_and_the_verify_word(tmp_path):
    folder = copy_example(tmp_path)
    certificate = tmp_path / "证书.json"
    (folder / "result.json").rename(certificate)
    done = run("verify", folder, certificate)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_changed_byte_in_candidates_fails_naming_the_file(tmp_path):
    folder = copy_example(tmp_path)
    data = bytearray((folder / "candidates.csv").read_bytes())
    data[5] ^= 1
    (folder / "candidates.csv").write_bytes(bytes(data))
    done = run(folder)
    assert done.returncode == 1
    assert "不通过" in done.stdout and "files.candidates.csv" in done.stdout


def test_a_changed_selected_object_in_the_certificate_fails_naming_its_place(tmp_path):
    folder = copy_example(tmp_path)
    result = json.loads((folder / "result.json").read_text("utf-8"))
    result["strata"]["A"]["selected"][1][0] = "92410481555979RE2H"  # the first reserve, promoted
    (folder / "result.json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", "utf-8")
    done = run(folder)
    assert done.returncode == 1 and "strata.A.selected[1]" in done.stdout


def test_a_crlf_file_fails_with_a_message_about_the_line_ends(tmp_path):
    folder = copy_example(tmp_path)
    path = folder / "inspectors.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    done = run(folder)
    assert done.returncode == 1 and "files.inspectors.csv" in done.stdout and "CR" in done.stdout
    recommit(folder)  # even when the CRLF file is the one committed, §0 refuses it
    done = run(folder)
    assert done.returncode == 1 and "files.inspectors.csv" in done.stdout and "CRLF" in done.stdout


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda data: b"\xef\xbb\xbf" + data, "BOM"),
        (lambda data: data[:-1], "LF"),
        (lambda data: data + data.splitlines(keepends=True)[-1], "重复"),
        (lambda data: data.replace(b"D276", b"d276"), "对象编号"),
        (lambda data: b"".join(sorted(data.splitlines(keepends=True), reverse=True)), "字节序"),
    ],
    ids=["bom", "no-final-lf", "repeated-line", "lowercase-id", "unsorted"],
)
def test_committed_files_that_break_the_format_rules_fail(tmp_path, change, why):
    folder = copy_example(tmp_path)
    path = folder / "candidates.csv"
    path.write_bytes(change(path.read_bytes()))
    recommit(folder)
    done = run(folder)
    assert done.returncode == 1 and "files.candidates.csv" in done.stdout and why in done.stdout


def test_a_wrong_secret_fails_at_the_source(tmp_path):
    folder = copy_example(tmp_path)
    result = json.loads((folder / "result.json").read_text("utf-8"))
    result["sources"][0]["value"] = "0" * 64
    (folder / "result.json").write_text(json.dumps(result), "utf-8")
    done = run(folder)
    assert done.returncode == 1 and "sources[0].value" in done.stdout


def test_it_agrees_with_the_engine_on_a_draw_with_counts_and_relaxations(tmp_path):
    objects = [object_id(n) for n in range(40)]
    make_draw(
        tmp_path,
        candidates=[("A" if n % 3 else "B", o) for n, o in enumerate(objects)],
        strata={"A": {"ratio": "0.5", "reserve": 2}, "B": {"count": 5, "reserve": 1}},
        inspectors=[("SCJG", f"I{n}") for n in range(4)] + [("WJW", "J1"), ("WJW", "J2")],
        recusals=[("J1", o) for o in objects[:30]],
        teams={"SCJG": 2, "WJW": 1},
    )
    certificate = run_draw(tmp_path, REVEALS)
    assert certificate["relaxations"]
    write_certificate(certificate, tmp_path / "result.json")
    assert run(tmp_path).returncode == 0
    certificate["relaxations"] = certificate["relaxations"][1:]
    write_certificate(certificate, tmp_path / "result.json")
    done = run(tmp_path)
    assert done.returncode == 1 and "relaxations" in done.stdout


def _sm3_draw(folder: Path) -> None:
    make_draw(folder, candidates=[("A", object_id(n)) for n in range(9)], strata={"A": {"count": 3, "reserve": 1}}, hash_name="sm3")  # fmt: skip
    write_certificate(run_draw(folder, REVEALS), folder / "result.json")


@pytest.mark.skipif("sm3" not in hashlib.algorithms_available, reason="this OpenSSL has no SM3")
def test_it_verifies_an_sm3_draw_through_hashlib(tmp_path):
    _sm3_draw(tmp_path)
    done = run(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_without_sm3_in_openssl_it_says_so_in_both_languages_and_exits_2(tmp_path):
    _sm3_draw(tmp_path)
    no_sm3 = (
        "import hashlib, runpy, sys\n"
        "new = hashlib.new\n"
        "def fake(name, *a, **k):\n"
        "    if name == 'sm3': raise ValueError('unsupported hash type sm3')\n"
        "    return new(name, *a, **k)\n"
        "hashlib.new = fake\n"
        f"sys.argv = ['verify_draw.py', {str(tmp_path)!r}]\n"
        f"runpy.run_path({str(SCRIPT_PATH)!r}, run_name='__main__')\n"
    )
    done = subprocess.run([sys.executable, "-c", no_sm3], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "不支持 SM3" in done.stderr and "has no SM3" in done.stderr


# --- DRAW-v1.1 ------------------------------------------------------------------------------------------------------


@pytest.fixture
def sealed_draw(tmp_path):
    full, public = tmp_path / "full", tmp_path / "public"
    sealed.full_draw(full)
    sealed.public_draw(full, public)
    return full, public


def _edit(path: Path, change) -> None:
    data = json.loads(path.read_text("utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", "utf-8")


def test_the_full_files_of_a_sealed_draw_pass_as_a_draw_v1(sealed_draw):
    full, _ = sealed_draw
    assert run(full).returncode == 0


def test_the_public_check_passes_and_says_what_it_could_not_check(sealed_draw):
    _, public = sealed_draw
    done = run(public)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "公开核验" in done.stdout and "public check" in done.stdout
    assert "已核对 / checked" in done.stdout
    assert "未能核对 / not checked" in done.stdout and "分层" in done.stdout and "stratum" in done.stdout
    c_pub = hashlib.sha256((public / "params-public.json").read_bytes()).hexdigest()
    assert c_pub in done.stdout


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (
            lambda r: r.update(selected=[*r["selected"][:-1], "91410481599528YKLN"]),
            "selected",
        ),  # an excluded one
        (lambda r: r.update(reserves=r["reserves"][1:]), "reserves"),
        (lambda r: r.update(selected=r["selected"][::-1]), "selected"),
        (lambda r: r["teams"][0]["members"].pop(), "teams[0].members"),
        (lambda r: r["teams"][0]["members"].__setitem__(0, ["SCJG", "I0099"]), "teams[0].members[0]"),
        (lambda r: r.update(teams=r["teams"][::-1]), "teams"),
        (lambda r: r.update(relaxations=-1), "relaxations"),
        (lambda r: r.update(seed="0" * 64), "seed"),
        (lambda r: r.update(sealed_commitment="0" * 64), "sealed_commitment"),
    ],
    ids=[
        "not-a-candidate",
        "reserve-count",
        "unsorted",
        "slot-missing",
        "not-eligible",
        "team-order",
        "relaxations",
        "seed",
        "sealed-commitment",
    ],  # fmt: skip
)
def test_the_public_check_fails_on_a_tampered_public_certificate(sealed_draw, change, path):
    _, public = sealed_draw
    _edit(public / "result-public.json", change)
    done = run(public)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"first difference at {path}\n" in done.stdout


def test_the_public_check_refuses_a_team_member_recused_from_the_object(sealed_draw):
    _, public = sealed_draw
    recused = "91410481147104LJM5"  # selected, and I0012 of SCJG is recused from it (recusals.csv)

    def put_recused(r):
        team = next(t for t in r["teams"] if t["object_id"] == recused)
        assert ["SCJG", "I0012"] not in team["members"]
        team["members"][0] = ["SCJG", "I0012"]

    _edit(public / "result-public.json", put_recused)
    done = run(public)
    assert done.returncode == 1 and "回避" in done.stdout


def test_the_full_check_passes_when_the_public_files_are_the_projection(sealed_draw):
    full, public = sealed_draw
    done = run(full, "--public", public)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "投影" in done.stdout and "projection" in done.stdout


def test_the_full_check_fails_when_a_public_file_is_not_the_projection(sealed_draw):
    full, public = sealed_draw
    _edit(public / "params-public.json", lambda p: p["sealed"]["strata"]["S0B3N8R1T"].update(k=3))
    done = run(full, "--public", public)
    assert done.returncode == 1 and "sealed.strata.S0B3N8R1T.k" in done.stdout
    sealed.public_draw(full, public.parent / "again")
    (public.parent / "again" / "candidates-public.csv").write_bytes(b"")
    done = run(full, "--public", public.parent / "again")
    assert done.returncode == 1 and "public.candidates-public.csv" in done.stdout


def test_the_full_check_refuses_full_files_without_the_projection_key(tmp_path):
    folder = copy_example(tmp_path)
    (tmp_path / "public").mkdir()
    done = run(folder, "--public", tmp_path / "public")
    assert done.returncode == 1 and "projection" in done.stdout


def _proof_run(full: Path, public: Path, object_id: str, change=None) -> subprocess.CompletedProcess[str]:
    proof = sealed.proof(full, public, object_id)
    if change:
        change(proof)
    path = public.parent / "proof.json"
    path.write_text(json.dumps(proof), "utf-8")
    return run("verify-proof", path, public)


def _pick(public: Path, which: str) -> tuple[str, str]:
    """An object of the sealed draw and the outcome the script should report for it."""
    ids = (public / "candidates-public.csv").read_text().split()
    result = json.loads((public / "result-public.json").read_text("utf-8"))
    unselected = [o for o in ids if o not in result["selected"] and o not in result["reserves"]]
    picked = {"first": ids[0], "last": ids[-1], "reserve": result["reserves"][0], "other": unselected[0]}[
        which
    ]
    outcome = "抽中" if picked in result["selected"] else "候补" if picked in result["reserves"] else "未抽中"
    return picked, outcome


# 18 candidates: the last leaf is carried up unchanged on the odd levels (9, 5 and 3 nodes) and has a short path.
@pytest.mark.parametrize("which", ["first", "last", "reserve", "other"])
def test_a_firm_verifies_its_own_proof(sealed_draw, which):
    full, public = sealed_draw
    object_id, outcome = _pick(public, which)
    done = _proof_run(full, public, object_id)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "企业核验" in done.stdout and f"结果：{outcome}" in done.stdout
    assert sealed.CODES["A" if object_id.startswith("924") else "D"] in done.stdout


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda p: p.update(stratum=sealed.CODES["A"]), "path"),  # the first leaf is of D: another leaf
        (lambda p: p.update(leaves=17), "leaves"),
        (lambda p: p.update(index=3), "index"),
        (lambda p: p["path"].pop(), "path"),
        (lambda p: p.update(outcome="reserve"), "outcome"),
        (lambda p: p.update(commitment="0" * 64), "commitment"),
    ],
    ids=["stratum", "leaves", "index", "short-path", "outcome", "commitment"],
)
def test_a_tampered_proof_fails(sealed_draw, change, path):
    full, public = sealed_draw
    done = _proof_run(full, public, _pick(public, "first")[0], change)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"first difference at {path}\n" in done.stdout
