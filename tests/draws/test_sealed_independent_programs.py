"""Two independent programs agree on real sealed draws: the platform's engine made the files, the portal's stdlib-only
verify_draw.py (written apart from it) checks them — public check, full check and a firm's proof (issue 16)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

import shuangsuiji.portal.verifier as verifier_package
from shuangsuiji import draw as engine
from shuangsuiji.draws import services
from tests.draws.helpers import ANNOUNCED, REVEALS, SOURCES, THROWN_BY, WITNESSES, published_scheme

pytestmark = pytest.mark.today("2026-11-27")
SCRIPT = Path(verifier_package.__file__).with_name("verify_draw.py")


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


def run(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("hash_name", ["sha256", "sm3"])
def test_the_standalone_script_verifies_a_sealed_draw_made_by_the_platform(alice, tmp_path, hash_name):
    scheme = published_scheme(alice, entities=60, team_slots={"SCJG": 2})
    draw = services.draw_freeze(
        actor=alice, scheme=scheme, sources=SOURCES, announced=ANNOUNCED, hash_name=hash_name
    )
    draw = services.draw_perform(
        actor=alice, draw=draw, witnesses=WITNESSES, reveals=REVEALS, thrown_by=THROWN_BY
    )
    assert draw.sealed
    full, public = services.draw_dir(draw), services.public_dir(draw)
    done = run(public)
    if done.returncode == 2 and "sm3" in (done.stdout + done.stderr).lower():
        pytest.skip("this Python's OpenSSL has no SM3; the script says so and stops")
    assert done.returncode == 0, done.stdout + done.stderr
    done = run(full, "--public", public)
    assert done.returncode == 0, done.stdout + done.stderr
    certificate = json.loads(draw.certificate_json)
    for object_id in (
        certificate["teams"][0]["object_id"],
        *(line for line in (public / engine.PUBLIC_CANDIDATES).read_text().split()[:3]),
    ):
        proof = engine.firm_proof(full, public, draw.sealed_secret, object_id, certificate)
        path = tmp_path / f"{object_id}.json"
        path.write_text(json.dumps(proof))
        done = run("verify-proof", path, public)
        assert done.returncode == 0, done.stdout + done.stderr


def test_the_standalone_script_refuses_a_public_list_edited_after_the_draw(alice, tmp_path):
    scheme = published_scheme(alice, entities=60)
    draw = services.draw_freeze(actor=alice, scheme=scheme, sources=SOURCES, announced=ANNOUNCED)
    draw = services.draw_perform(
        actor=alice, draw=draw, witnesses=WITNESSES, reveals=REVEALS, thrown_by=THROWN_BY
    )
    public = services.public_dir(draw)
    result = json.loads((public / engine.PUBLIC_RESULT).read_text())
    candidates = (public / engine.PUBLIC_CANDIDATES).read_text().split()
    outsider = next(o for o in candidates if o not in result["selected"] and o not in result["reserves"])
    result["selected"] = sorted([*result["selected"][1:], outsider])
    (public / engine.PUBLIC_RESULT).write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
    assert run(public).returncode == 1
    assert run(services.draw_dir(draw), "--public", public).returncode == 1
    assert not engine.verify_full(services.draw_dir(draw), public).ok


def test_the_lead_department_issues_a_firm_its_proof_and_the_firm_checks_it(client, alice, amy, tmp_path):
    scheme = published_scheme(alice, entities=40)
    draw = services.draw_freeze(actor=alice, scheme=scheme, sources=SOURCES, announced=ANNOUNCED)
    draw = services.draw_perform(
        actor=alice, draw=draw, witnesses=WITNESSES, reveals=REVEALS, thrown_by=THROWN_BY
    )
    firm = (services.public_dir(draw) / engine.PUBLIC_CANDIDATES).read_text().split()[5]
    client.force_login(amy)  # a clerk holds no draw.read_sealed: the draw is not found for a proof
    assert client.get(f"/draws/{draw.pk}/proof/", {"object": firm}).status_code == 404
    client.force_login(alice)
    assert "firm-proof" in client.get(f"/draws/{draw.pk}/").content.decode()
    r = client.get(f"/draws/{draw.pk}/proof/", {"object": firm})
    assert r.status_code == 200 and r["Content-Disposition"] == f"attachment; filename=proof-{firm}.json"
    (tmp_path / "proof.json").write_bytes(r.content)
    done = run("verify-proof", tmp_path / "proof.json", services.public_dir(draw))
    assert done.returncode == 0, done.stdout + done.stderr
    assert engine.verify_proof(json.loads(r.content), services.public_dir(draw)).ok
    from shuangsuiji.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="draw.firm_proof", actor=alice).count() == 1
    r = client.get(f"/draws/{draw.pk}/proof/", {"object": "NOTACANDIDATE1"}, follow=True)
    assert "不是本次抽取的候选对象" in r.content.decode()
