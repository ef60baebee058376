"""The `shuangsuiji` command, as a journalist or auditor would use it."""

import json
import os
import subprocess
import sys

import pytest

from shuangsuiji.draw.cli import main

from .helpers import EXAMPLE, REPO, SECRET, copy_example
from .test_hashing_and_rfc3797 import NAMES, RFC_ORDER


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_it_verifies_the_example_and_says_so(capsys):
    code, out, _ = run(capsys, "verify", EXAMPLE)
    assert code == 0
    assert "通过" in out and "OK" in out


def test_it_exits_1_naming_the_first_difference(capsys, tmp_path):
    folder = copy_example(tmp_path)
    data = json.loads((folder / "result.json").read_text("utf-8"))
    data["strata"]["A"]["selected"][2][0] = "92410481555979RE2H"
    (folder / "result.json").write_text(json.dumps(data), "utf-8")
    code, out, _ = run(capsys, "verify", folder)
    assert code == 1
    assert "strata.A.selected[2]" in out
    code, out, _ = run(capsys, "verify", folder, "--json")
    assert code == 1
    assert json.loads(out)["path"] == "strata.A.selected[2]"


def test_it_prints_the_commitment(capsys):
    code, out, _ = run(capsys, "commit", EXAMPLE)
    assert code == 0 and "e26eb984b211203fc4b0c0876096e1333b5b9d906521d06e07f9ea8c0d54fb9b" in out
    code, out, _ = run(capsys, "commit", EXAMPLE, "--json")
    assert json.loads(out) == {
        "commitment": "e26eb984b211203fc4b0c0876096e1333b5b9d906521d06e07f9ea8c0d54fb9b"
    }


def test_it_draws_and_writes_the_certificate(capsys, tmp_path):
    folder = copy_example(tmp_path)
    (folder / "result.json").unlink()
    code, out, _ = run(
        capsys,
        "draw",
        folder,
        "--reveal",
        f"server={SECRET}",
        "--reveal",
        "lottery=30,3,11,15,22,27",
        "--reveal",
        "witness=314159265358",
    )
    assert code == 0
    assert "1af620f3" in out and "分层 A" in out
    assert (folder / "result.json").read_bytes() == (EXAMPLE / "result.json").read_bytes()


def test_it_draws_from_a_reveals_file_to_another_path_with_json_output(capsys, tmp_path):
    code, out, _ = run(
        capsys, "draw", EXAMPLE, "--reveals", EXAMPLE / "reveals.txt", "--out", tmp_path / "r.json", "--json"
    )
    assert code == 0
    summary = json.loads(out)
    assert summary["seed"].startswith("1af620f3")
    assert summary["strata"]["A"]["selected"] == [
        "92410481083016D276",
        "92410481749118D5QB",
        "92410481246281J9H1",
    ]
    assert (tmp_path / "r.json").read_bytes() == (EXAMPLE / "result.json").read_bytes()


def test_it_exits_2_with_the_error_message_on_bad_input(capsys, tmp_path):
    code, _, err = run(
        capsys, "draw", EXAMPLE, "--reveal", "server=" + "0" * 64, "--out", tmp_path / "r.json"
    )
    assert code == 2
    assert "错误" in err and "server" in err
    code, out, _ = run(
        capsys, "draw", EXAMPLE, "--reveal", "lottery=1", "--out", tmp_path / "r.json", "--json"
    )
    assert code == 2 and json.loads(out)["error"] == "SourceMissingError"
    code, _, err = run(capsys, "draw", EXAMPLE, "--reveal", "nonsense", "--out", tmp_path / "r.json")
    assert code == 2 and "名称=值" in err


def test_it_exits_2_on_bad_usage_and_on_a_missing_folder(capsys, tmp_path):
    assert run(capsys, "frobnicate")[0] == 2
    assert run(capsys, "verify")[0] == 2
    code, _, err = run(capsys, "verify", tmp_path / "nope")
    assert code == 2 and "找不到" in err


def test_its_help_explains_the_procedure_in_chinese(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for word in ("承诺", "揭示", "验证", "commit", "draw", "verify", "rfc3797"):
        assert word in out


def test_it_selects_by_rfc3797(capsys, tmp_path):
    names = tmp_path / "names.txt"
    names.write_text("\n".join(NAMES) + "\n", "utf-8")
    code, out, _ = run(
        capsys, "rfc3797", "--sources", "9319/2,5,12,8,10/9,18,26,34,41,45", "--count", 16, names, "--json"
    )
    assert code == 0 and json.loads(out) == RFC_ORDER
    code, out, _ = run(
        capsys, "rfc3797", "--sources", "9319/2,5,12,8,10/9,18,26,34,41,45", "--count", 2, names
    )
    assert "1. Lee" in out and "2. Doc" in out and "9319./2.5.8.10.12./9.18.26.34.41.45./" in out
    code, _, err = run(capsys, "rfc3797", "--sources", "9319", "--count", 99, names)
    assert code == 2 and "25" in err


def test_it_runs_as_a_module_without_django(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(REPO)
    done = subprocess.run(
        [sys.executable, "-m", "shuangsuiji.draw", "verify", str(EXAMPLE)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "通过" in done.stdout


def test_the_engine_imports_no_django():
    code = "import sys, shuangsuiji.draw, shuangsuiji.draw.cli; print(sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'ninja')))"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert done.stdout.strip() == "[]", done.stderr


@pytest.mark.parametrize("command", ["commit", "draw", "verify", "rfc3797"])
def test_every_subcommand_accepts_json(capsys, command):
    code, out, _ = run(capsys, command, "--help")
    assert code == 0 and "--json" in out
