"""docs/draw-v1.md is complete enough to implement a verifier: its own reference verifier agrees with the engine."""

import json
import re
import shutil
import subprocess

import pytest

from shuangsuiji.draw import recompute_priority, run_draw

from .helpers import EXAMPLE, REPO, REVEALS, make_draw, object_id

DOC = REPO / "docs" / "draw-v1.md"


def reference_verifier():
    text = DOC.read_text("utf-8")
    code = re.search(r"```python\n(# verify_draw_v1\.py.*?)```", text, re.S).group(1)
    namespace: dict = {"__name__": "reference"}
    exec(compile(code, "verify_draw_v1.py", "exec"), namespace)
    return namespace["recompute"]


def test_the_documented_reference_verifier_reproduces_the_example():
    result = json.loads((EXAMPLE / "result.json").read_text("utf-8"))
    assert reference_verifier()(EXAMPLE, result) == result


def test_the_documented_reference_verifier_agrees_on_a_draw_with_relaxations(tmp_path):
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
    assert certificate["relaxations"], "the case should exercise the cap relaxation"
    assert reference_verifier()(tmp_path, certificate) == certificate


def test_the_documented_shell_spot_checks_print_what_the_engine_computes():
    seed = "1af620f3967944b0093d1b0663047a593a02a9b943ae2090c68bdb93c74e4136"
    text = DOC.read_text("utf-8")
    sha = recompute_priority("sha256", seed, "92410481083016D276")
    sm3 = recompute_priority("sm3", seed, "92410481083016D276")
    assert sha.startswith("01773c1ead444fd7") and sha[:16] in text
    assert sm3[:16] in text


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="no sha256sum")
def test_the_shell_spot_check_really_works():
    seed = "1af620f3967944b0093d1b0663047a593a02a9b943ae2090c68bdb93c74e4136"
    out = subprocess.run(
        ["sh", "-c", f"printf '%s' \"{seed},92410481083016D276\" | sha256sum"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.split()[0] == recompute_priority("sha256", seed, "92410481083016D276")
