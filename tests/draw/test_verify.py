"""Verification (spec §7): round trips, and the first difference named as a path."""

import json

import pytest

from shuangsuiji.draw import commitment_of, run_draw, verify, write_certificate
from shuangsuiji.draw.certificate import first_difference

from .helpers import REVEALS, copy_example, make_draw, object_id


@pytest.mark.parametrize("hash_name", ["sha256", "sm3"])
def test_it_round_trips_commit_draw_verify(tmp_path, hash_name):
    rows = [("A" if n % 4 else "B", object_id(n)) for n in range(200)]
    staff = [("SCJG", f"I{n:03d}") for n in range(6)] + [("WJW", f"J{n:03d}") for n in range(3)]
    commitment = make_draw(
        tmp_path,
        candidates=rows,
        strata={
            "A": {"ratio": "0.05", "reserve": 3},
            "B": {"count": 4, "reserve": 2},
            "C": {"count": 1, "reserve": 1},
        },
        inspectors=staff,
        recusals=[("I000", object_id(1)), ("J001", object_id(2))],
        teams={"SCJG": 2, "WJW": 1},
        hash_name=hash_name,
    )
    assert commitment_of(tmp_path) == commitment
    certificate = run_draw(tmp_path, REVEALS)
    assert certificate["hash"] == hash_name and certificate["commitment"] == commitment
    assert certificate["strata"]["A"]["k"] == 8 and certificate["strata"]["B"]["k"] == 4
    assert certificate["strata"]["C"] == {"N": 0, "k": 0, "selected": [], "reserves": []}
    assert len(certificate["teams"]) == 12
    write_certificate(certificate, tmp_path / "result.json")
    report = verify(tmp_path)
    assert report.ok, report.message


def test_sha256_and_sm3_draws_differ(tmp_path):
    for name in ("sha256", "sm3"):
        make_draw(
            tmp_path / name,
            candidates=[("A", object_id(n)) for n in range(50)],
            strata={"A": {"count": 5, "reserve": 0}},
            hash_name=name,
        )
    a, b = run_draw(tmp_path / "sha256", REVEALS), run_draw(tmp_path / "sm3", REVEALS)
    assert a["seed"] != b["seed"] and a["strata"] != b["strata"]


def tamper(folder, edit):
    data = json.loads((folder / "result.json").read_text("utf-8"))
    edit(data)
    (folder / "result.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return verify(folder)


@pytest.mark.parametrize(
    ("edit", "path"),
    [
        (
            lambda c: c["strata"]["A"]["selected"].__setitem__(2, c["strata"]["A"]["reserves"][0]),
            "strata.A.selected[2]",
        ),
        (lambda c: c["strata"]["D"].__setitem__("k", 3), "strata.D.k"),
        (lambda c: c["strata"]["D"]["reserves"].pop(), "strata.D.reserves[0]"),
        (lambda c: c["teams"][3]["members"].reverse(), "teams[3].members[0]"),
        (lambda c: c.__setitem__("seed", "0" * 64), "seed"),
        (lambda c: c.__setitem__("draw_id", "另一次"), "draw_id"),
        (
            lambda c: c["relaxations"].append({"object": "X", "department": "WJW", "slot": 1, "rule": "cap"}),
            "relaxations",
        ),
        (lambda c: c["sources"][1].__setitem__("value", "3.11.15.22.27.31."), "key"),
        (lambda c: c["sources"][0].__setitem__("value", "1" * 64), "sources[0].value"),
        (lambda c: c["sources"][1].__setitem__("value", "3,11,15,22,27,30"), "sources[1].value"),
        (lambda c: c.__setitem__("note", "extra"), "note"),
        (lambda c: c["strata"]["A"].__setitem__("N", 12.0), "strata.A.N"),
        (lambda c: c.__setitem__("teams", None), "teams"),
    ],
)
def test_it_names_the_first_difference_in_a_tampered_certificate(tmp_path, edit, path):
    report = tamper(copy_example(tmp_path), edit)
    assert not report.ok
    assert report.path == path
    assert report.message


def test_it_names_a_tampered_file(tmp_path):
    folder = copy_example(tmp_path)
    path = folder / "recusals.csv"
    path.write_bytes(path.read_bytes()[:-1] + b"\r\n")
    report = verify(folder)
    assert (report.ok, report.path) == (False, "files.recusals.csv")


def test_it_names_tampered_params_as_the_commitment(tmp_path):
    folder = copy_example(tmp_path)
    path = folder / "params.json"
    path.write_bytes(path.read_bytes().replace(b'"reserve": 2', b'"reserve": 3'))
    report = verify(folder)
    assert (report.ok, report.path) == (False, "commitment")


def test_it_reports_a_missing_or_broken_certificate(tmp_path):
    folder = copy_example(tmp_path)
    (folder / "result.json").write_text("{", "utf-8")
    assert verify(folder).path == "result.json"
    (folder / "result.json").unlink()
    assert verify(folder).path == "result.json"


def test_it_verifies_a_certificate_kept_elsewhere(tmp_path):
    folder = copy_example(tmp_path)
    (folder / "result.json").rename(tmp_path / "cert.json")
    assert verify(folder, tmp_path / "cert.json").ok


def test_first_difference_compares_values_not_types_loosely():
    assert first_difference({"a": [1, 2]}, {"a": [1, 2]}) is None
    assert first_difference({"a": 1}, {"a": True}) == ("a", 1, True)
    assert first_difference({"a": [{"b": 1}]}, {"a": [{"b": 1}, {"b": 2}]}) == ("a[1]", None, {"b": 2})
