import hashlib
import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.draws.services import draw_dir
from shuangsuiji.inspections import services
from tests import factories
from tests.accountability.conftest import COMPLETE, published
from tests.conftest import login

# The packs' tasks run in December 2026 (tests/draws/helpers.py): today is inside that year.
pytestmark = pytest.mark.today("2026-11-27")

PDF = b"%PDF-1.4 evidence of the inspection"


@pytest.fixture
def rec(amy, rita, selections):
    draft = services.record_create(actor=amy, selection=selections[0])
    services.attachment_add(
        actor=amy,
        rec=draft,
        kind="扫描件",
        upload=SimpleUploadedFile("检查记录表（签字）.pdf", PDF, content_type="application/pdf"),
    )
    done = services.record_submit(actor=amy, rec=draft, data=COMPLETE)
    return services.record_review(actor=rita, rec=done, approve=True)


def download(client, user, rec) -> bytes:
    login(client, user)
    r = client.get(f"/records/{rec.pk}/evidence.zip")
    assert r.status_code == 200, r.status_code
    assert r["Content-Type"] == "application/zip"
    return b"".join(r.streaming_content)


def extract(body: bytes, into: Path) -> Path:
    into.mkdir()
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        z.extractall(into)
    return into


def sha256sum_check(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["sha256sum", "-c", "MANIFEST.sha256"], cwd=folder, capture_output=True, text=True, check=False
    )


def test_the_pack_holds_every_part_and_its_manifest_checks_with_sha256sum(client, amy, rec, tmp_path):
    folder = extract(download(client, amy, rec), tmp_path / "pack")
    names = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
    expected = {
        "README.txt",
        "plan.json",
        "scheme.json",
        "commitment.txt",
        "team.json",
        "record.json",
        "publication.json",
        "audit.json",
        "MANIFEST.sha256",
    } | {
        f"draw/{n}"
        for n in ("params.json", "candidates.csv", "excluded.csv", "inspectors.csv", "recusals.csv")
    }
    assert expected | {"draw/result.json"} <= names
    manifest = (folder / "MANIFEST.sha256").read_text("utf-8").splitlines()
    assert all(re.fullmatch(r"[0-9a-f]{64}  \S+", line) for line in manifest)
    assert {line.split("  ", 1)[1] for line in manifest} == names - {"MANIFEST.sha256"}
    check = sha256sum_check(folder)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count(": OK") == len(manifest)


def test_the_draw_folder_holds_the_published_bytes_and_verifies(client, amy, rec, tmp_path):
    folder = extract(download(client, amy, rec), tmp_path / "pack")
    source = draw_dir(rec.selection.draw)
    for name in (
        "params.json",
        "candidates.csv",
        "excluded.csv",
        "inspectors.csv",
        "recusals.csv",
        "result.json",
    ):
        assert (folder / "draw" / name).read_bytes() == (source / name).read_bytes()
    run = subprocess.run(
        [sys.executable, "-m", "shuangsuiji.draw", "verify", str(folder / "draw")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0 and "通过" in run.stdout, run.stdout + run.stderr
    commitment = (folder / "commitment.txt").read_text("utf-8")
    assert rec.selection.draw.commitment in commitment


def test_a_tampered_file_fails_the_manifest_check(client, amy, rec, tmp_path):
    folder = extract(download(client, amy, rec), tmp_path / "pack")
    record = folder / "record.json"
    record.write_text(record.read_text("utf-8").replace("未发现问题", "发现问题经责令已改正"), "utf-8")
    check = sha256sum_check(folder)
    assert check.returncode != 0
    assert "record.json: FAILED" in check.stdout


def test_a_tampered_draw_file_fails_both_checks(client, amy, rec, tmp_path):
    folder = extract(download(client, amy, rec), tmp_path / "pack")
    candidates = folder / "draw" / "candidates.csv"
    lines = candidates.read_text("utf-8").splitlines(keepends=True)
    candidates.write_text("".join(lines[:-1]), "utf-8")  # one candidate dropped
    assert sha256sum_check(folder).returncode != 0
    run = subprocess.run(
        [sys.executable, "-m", "shuangsuiji.draw", "verify", str(folder / "draw")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1 and "不通过" in run.stdout


def test_record_team_publication_and_attachments_are_in_the_pack(client, amy, rita, rec, tmp_path):
    folder = extract(download(client, amy, rec), tmp_path / "pack")
    record = json.loads((folder / "record.json").read_text("utf-8"))
    assert record["id"] == rec.pk and record["categories"] == ["未发现问题"]
    [att] = record["attachments"]
    assert att["original_name"] == "检查记录表（签字）.pdf"
    assert att["sha256"] == hashlib.sha256(PDF).hexdigest() and att["sha256_matches"] is True
    assert (folder / att["path"]).read_bytes() == PDF
    team = json.loads((folder / "team.json").read_text("utf-8"))
    drawn = rec.selection.team.filter(active=True).select_related("inspector")
    assert {m["cert_no"] for m in team["members"]} == {m.inspector.cert_no for m in drawn}
    assert {m["name"] for m in team["members"]} == {m.inspector.name for m in drawn}
    assert all(m["department"] == "舞钢市市场监督管理局" for m in team["members"])
    publication = json.loads((folder / "publication.json").read_text("utf-8"))
    assert publication["deadline"] == rec.deadline.isoformat()
    assert publication["reviewer"] == rita.display_name and publication["on_time"] is True
    assert publication["published_at"].startswith(timezone.localtime(rec.published_at).date().isoformat())
    scheme = json.loads((folder / "scheme.json").read_text("utf-8"))
    assert scheme["task_no"] == rec.selection.draw.scheme.task_no
    plan = json.loads((folder / "plan.json").read_text("utf-8"))
    assert "计划外方案" in plan["note"]


def test_a_substitution_appears_in_the_team(client, alice, amy, rita, selections, tmp_path):
    from shuangsuiji.draws import services as draws

    member = selections[0].team.filter(active=True).first()
    new = draws.member_substitute(actor=alice, member=member, reason_code="UNAVAILABLE", note="病假")
    rec = published(amy, rita, selections[0])
    folder = extract(download(client, amy, rec), tmp_path / "pack")
    team = json.loads((folder / "team.json").read_text("utf-8"))
    [sub] = team["substitutions"]
    assert sub["reason"] == "因故无法到岗" and sub["old_cert_no"] == member.inspector.cert_no
    # The pack is for the lead department's own staff: its internal note is in it.
    assert sub["reason_code"] == "UNAVAILABLE" and sub["note"] == "病假"
    assert sub["new_cert_no"] == new.inspector.cert_no


def test_the_audit_events_of_record_draw_and_scheme_are_in_the_pack_with_their_chain(
    client, amy, rec, tmp_path
):
    folder = extract(download(client, amy, rec), tmp_path / "pack")
    events = json.loads((folder / "audit.json").read_text("utf-8"))["events"]
    actions = {e["action"] for e in events}
    assert {"record.create", "record.attach", "record.submit", "record.publish"} <= actions
    assert {"draw.freeze", "draw.perform", "scheme.create", "scheme.publish"} <= actions
    draw, scheme = rec.selection.draw, rec.selection.draw.scheme
    expected = AuditEvent.objects.filter(
        target_type__in=["inspections.inspectionrecord", "draws.draw", "planning.taskscheme"],
        target_id__in=[str(rec.pk), str(draw.pk), str(scheme.pk)],
    )
    expected = [
        e.pk
        for e in expected
        if (e.target_type, e.target_id)
        in {
            ("inspections.inspectionrecord", str(rec.pk)),
            ("draws.draw", str(draw.pk)),
            ("planning.taskscheme", str(scheme.pk)),
        }
    ]
    assert set(expected) <= {e["id"] for e in events}
    for e in events:
        stored = AuditEvent.objects.get(pk=e["id"])
        assert (e["seq"], e["prev_mac"], e["mac"]) == (stored.seq, stored.prev_mac, stored.mac)
        assert e["mac_ok"] is True
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(seqs)


def test_downloading_the_pack_writes_no_audit_event(client, amy, rec):
    login(client, amy)
    before = AuditEvent.objects.count()
    assert client.get(f"/records/{rec.pk}/evidence.zip").status_code == 200
    assert AuditEvent.objects.count() == before


def test_the_pack_holds_no_id_numbers_or_phones(client, amy, rec, tmp_path):
    body = download(client, amy, rec)
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        text = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    for m in rec.selection.team.select_related("inspector"):
        assert m.inspector.id_number not in text
        assert m.inspector.phone not in text


def test_another_departments_pack_is_not_found(client, bob, rec):
    login(client, bob)
    assert client.get(f"/records/{rec.pk}/evidence.zip").status_code == 404


def test_the_office_downloads_any_departments_pack(client, olivia, rec):
    assert download(client, olivia, rec)[:2] == b"PK"


def test_anonymous_visitors_get_no_pack(client, rec):
    assert client.get(f"/records/{rec.pk}/evidence.zip").status_code == 302


def test_a_triggered_check_has_no_draw_folder_and_says_why(client, amy, rita, tmp_path):
    ins = [factories.inspector("SCJG") for _ in range(2)]
    rec = services.record_create(
        actor=amy,
        obj=factories.entity(),
        trigger="投诉举报",
        trigger_ref="12315-2026-001",
        data={"member_ids": [i.pk for i in ins]},
    )
    rec = services.record_submit(actor=amy, rec=rec, data=COMPLETE)
    rec = services.record_review(actor=rita, rec=rec, approve=True)
    folder = extract(download(client, amy, rec), tmp_path / "pack")
    assert not (folder / "draw").exists() and not (folder / "commitment.txt").exists()
    assert "非随机检查" in (folder / "README.txt").read_text("utf-8")
    assert "没有抽取文件夹" in json.loads((folder / "scheme.json").read_text("utf-8"))["note"]
    team = json.loads((folder / "team.json").read_text("utf-8"))
    assert {p["cert_no"] for p in team["present"]} == {i.cert_no for i in ins}
    check = sha256sum_check(folder)
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_scheme_from_a_plan_brings_the_approved_plan_version(client, alice, amy, rita, olivia, tmp_path):
    from shuangsuiji.planning import services as planning
    from tests.inspections.helpers import drawn_selection

    item = factories.item("SCJG", category="重点", ratio_cap=None, name="特种设备使用单位检查")
    plan = planning.plan_create(actor=alice, kind="department", year=2026, title="2026年度抽查计划")
    planning.plan_item_add(actor=alice, plan=plan, item=item, ratio="0.2")
    batch = planning.plan_batch_add(actor=alice, plan=plan, name="第一批", month=11)
    planning.plan_submit(actor=alice, plan=plan)
    planning.plan_approve(actor=olivia, plan=plan, comment="同意")
    selection = drawn_selection(alice, items=[item], batch_id=batch.pk, adhoc_reason="")
    rec = published(amy, rita, selection)
    folder = extract(download(client, amy, rec), tmp_path / "pack")
    data = json.loads((folder / "plan.json").read_text("utf-8"))
    assert data["title"] == "2026年度抽查计划" and data["version"] == 1
    assert data["approved_by"] == olivia.display_name and data["batch"].startswith("第1批")
    assert data["data"] == plan.versions.get().data
    actions = {e["action"] for e in json.loads((folder / "audit.json").read_text("utf-8"))["events"]}
    assert {"plan.create", "plan.approve"} <= actions


def test_a_participating_department_sees_its_own_members_and_misses_its_own_records(
    client, alice, bob, wjw, tmp_path
):
    import datetime

    from shuangsuiji.accountability import selectors
    from tests.inspections.helpers import drawn_selection

    for _ in range(3):
        factories.inspector("WJW")
    selection = drawn_selection(alice, team_slots={"SCJG": 2, "WJW": 1})
    after_window = selection.draw.scheme.window_end + datetime.timedelta(days=1)
    assert selection in selectors.objects_not_inspected(wjw, 2026, after_window)
    mine = selection.team.get(department=wjw, active=True)
    rec = services.record_create(actor=bob, selection=selection, data={"member_ids": [mine.inspector_id]})
    rec = services.record_submit(actor=bob, rec=rec, data=COMPLETE | {"methods": ["书面检查"]})
    assert selection not in selectors.objects_not_inspected(wjw, 2026, after_window)
    folder = extract(download(client, bob, rec), tmp_path / "pack")
    team = json.loads((folder / "team.json").read_text("utf-8"))
    assert [m["cert_no"] for m in team["members"]] == [mine.inspector.cert_no]
    assert sha256sum_check(folder).returncode == 0
