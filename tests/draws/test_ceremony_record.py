"""The certificate lists the witnesses (issue 16, item 3): ceremony.json beside result.json names who witnessed the
ceremony and who threw the dice, bound to the certificate by its hash and to the draw by its commitment(s) and seed,
with the fingerprint the witnesses signed on paper. Both verifiers (the package and the stdlib script) check it."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

import shuangsuiji.portal.verifier as verifier_package
from shuangsuiji import draw as engine
from shuangsuiji.directory.models import Conflict, InspectionObject, Inspector
from shuangsuiji.draws import services
from shuangsuiji.draws.models import DrawStatus
from tests.draws.helpers import ANNOUNCED, REVEALS, SOURCES, THROWN_BY, published_scheme

pytestmark = pytest.mark.today("2026-11-27")
SCRIPT = Path(verifier_package.__file__).with_name("verify_draw.py")
TWO_WITNESSES = [{"name": "周监督", "unit": "舞钢市司法局"}, {"name": "吴见证", "unit": "舞钢市纪委监委"}]


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


def script(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True, timeout=120
    )


def sealed_draw(alice):
    scheme = published_scheme(alice, entities=60, team_slots={"SCJG": 2})
    draw = services.draw_freeze(actor=alice, scheme=scheme, sources=SOURCES, announced=ANNOUNCED)
    return services.draw_perform(
        actor=alice, draw=draw, witnesses=TWO_WITNESSES, reveals=REVEALS, thrown_by=THROWN_BY
    )


def test_a_sealed_draws_ceremony_record_lists_the_witnesses_and_both_checks_confirm_it(alice):
    draw = sealed_draw(alice)
    assert draw.sealed
    full, public = services.draw_dir(draw), services.public_dir(draw)
    body = (public / engine.CEREMONY).read_bytes()
    assert (full / engine.CEREMONY).read_bytes() == body
    record = json.loads(body)
    assert record["witnesses"] == TWO_WITNESSES and record["dice_thrown_by"] == THROWN_BY
    assert record["fingerprint"] == services.fingerprint(draw)
    assert record["seed"] == draw.public_seed and record["commitment"] == draw.commitment
    # Nothing in it opens the seal: neither the draw seed nor the sealed value.
    assert draw.seed not in body.decode() and draw.sealed_secret not in body.decode()

    public_report = engine.verify_public(public)
    assert public_report.ok and any("仪式记录与公开证书一致" in x for x in public_report.checked)
    full_report = engine.verify_full(full, public)
    assert full_report.ok, full_report.message
    assert any(services.fingerprint(draw) in x for x in full_report.checked)
    for args in ((public,), (full, "--public", public), (full,)):
        done = script(*args)
        assert done.returncode == 0 and "到场监督人员 2 名" in done.stdout, done.stdout + done.stderr
    # The full folder on its own (an evidence pack, a witness's copy) checks against the full certificate.
    done = subprocess.run(
        [sys.executable, "-m", "shuangsuiji.draw", "verify", str(full)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and "仪式记录与完整证书一致" in done.stdout, done.stdout + done.stderr

    # The full check holds the record to the full certificate too (its hash and the seed group of the fingerprint).
    forged = {**record, "full_result_sha256": "0" * 64}
    (full / engine.CEREMONY).unlink()
    (public / engine.CEREMONY).write_text(json.dumps(forged, ensure_ascii=False), "utf-8")
    assert engine.verify_public(public).ok  # the public cannot see the full certificate
    bad = engine.verify_full(full, public)
    assert not bad.ok and bad.path == engine.CEREMONY
    assert script(full, "--public", public).returncode == 1


def test_the_ceremony_record_of_a_failed_draw_names_its_witnesses_and_is_public_at_once(client, alice):
    scheme = published_scheme(alice, inspectors=2)
    recused = Inspector.objects.filter(department=alice.department).first()
    for obj in InspectionObject.objects.all():
        Conflict.objects.create(inspector=recused, object=obj, reason="近亲属任职")
    draw = services.draw_freeze(actor=alice, scheme=scheme, sources=SOURCES, announced=ANNOUNCED)
    draw = services.draw_perform(
        actor=alice, draw=draw, witnesses=TWO_WITNESSES, reveals=REVEALS, thrown_by=THROWN_BY
    )
    assert draw.status == DrawStatus.FAILED
    r = client.get(f"/portal/draws/{draw.pk}/files/{engine.CEREMONY}")
    assert r.status_code == 200
    record = json.loads(b"".join(r.streaming_content))
    assert record["status"] == "failed" and record["failure"] == draw.failure
    assert record["witnesses"] == TWO_WITNESSES and record["result_sha256"] is None


def test_a_lost_ceremony_record_is_written_again_with_the_same_bytes(alice):
    draw = sealed_draw(alice)
    folder = services.draw_dir(draw)
    before = (folder / engine.CEREMONY).read_bytes()
    (folder / engine.CEREMONY).unlink()
    assert (services.draw_dir(draw) / engine.CEREMONY).read_bytes() == before


def test_no_ceremony_record_exists_before_the_ceremony(alice):
    scheme = published_scheme(alice, entities=60)
    draw = services.draw_freeze(actor=alice, scheme=scheme, sources=SOURCES, announced=ANNOUNCED)
    assert not (services.draw_dir(draw) / engine.CEREMONY).exists()
    assert engine.CEREMONY not in services.files_before_ceremony(
        services.public_file_names(draw), draw, certificate=True
    )
