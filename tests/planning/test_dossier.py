"""任务档案 (issue 13 part 4): the dossier of an archived task, streamed as a ZIP or written as a folder."""

import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.draws.services import draw_dir, public_dir, public_file_names
from shuangsuiji.planning import dossier
from shuangsuiji.planning.archiving import task_archive
from tests.api.conftest import ApiClient
from tests.conftest import login
from tests.planning.archive_helpers import PDF, finished_task

pytestmark = pytest.mark.today("2026-11-27")

SEALED_ONLY = {
    "params.json",
    "candidates.csv",
    "excluded.csv",
    "inspectors.csv",
    "recusals.csv",
    "result.json",
}


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def archived(alice, amy, rita):
    scheme, records = finished_task(alice, amy, rita)
    return task_archive(actor=alice, scheme=scheme), records


def download(client, user, scheme) -> bytes:
    login(client, user)
    r = client.post(f"/schemes/{scheme.pk}/dossier.zip")
    assert r.status_code == 200, r.status_code
    assert r["Content-Type"] == "application/zip"
    assert r.streaming, "the dossier is streamed, not built in memory"
    return b"".join(r.streaming_content)


def unpack(body: bytes, into: Path) -> Path:
    into.mkdir(parents=True)
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        z.extractall(into)
    return into


def files_in(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def sha256sum_check(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=folder, capture_output=True, text=True, check=False
    )


def shuangsuiji_verify(*args: str) -> subprocess.CompletedProcess:
    """The `shuangsuiji` command (shuangsuiji/draw/cli.py), installed next to this Python."""
    cli = Path(sys.executable).parent / "shuangsuiji"
    command = [str(cli)] if cli.exists() else [sys.executable, "-m", "shuangsuiji.draw"]
    return subprocess.run([*command, "verify", *args], capture_output=True, text=True, check=False)


def test_the_unpacked_dossier_passes_sha256sum_and_shuangsuiji_verify(client, alice, archived, tmp_path):
    scheme, records = archived
    folder = unpack(download(client, alice, scheme), tmp_path / "dossier")
    names = files_in(folder)
    expected = {
        "plan.json",
        "scheme.json",
        "draws.json",
        "witnesses.json",
        "register.xlsx",
        "publications.json",
        "transfers.json",
        "audit.json",
        "index.html",
        "SHA256SUMS",
        "draw/ceremony.json",
    } | {f"draw/{n}" for n in SEALED_ONLY}
    assert expected <= names, expected - names
    for rec in records:
        assert f"records/{rec.pk}/record.json" in names
        att = rec.attachments.get()
        assert (folder / f"records/{rec.pk}/attachments/{att.pk}.pdf").read_bytes().startswith(PDF)
    sums = (folder / "SHA256SUMS").read_text("utf-8").splitlines()
    assert all(re.fullmatch(r"[0-9a-f]{64}  \S+", line) for line in sums)
    listed = [line.split("  ", 1)[1] for line in sums]
    assert listed == sorted(listed) and set(listed) == names - {"SHA256SUMS"}
    check = sha256sum_check(folder)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count(": OK") == len(sums)
    # The draw folder is the task's DRAW-v1 folder: the CLI recomputes it, full and against its public projection.
    run = shuangsuiji_verify(str(folder / "draw"))
    assert run.returncode == 0 and "通过" in run.stdout, run.stdout + run.stderr
    run = shuangsuiji_verify(str(folder / "draw"), "--public", str(folder / "draw" / "public"))
    assert run.returncode == 0, run.stdout + run.stderr
    draw = scheme.draws.get()
    assert (folder / "draw/result.json").read_bytes() == (draw_dir(draw) / "result.json").read_bytes()


def test_the_index_lists_every_document_with_its_hash_and_prints_on_a4(client, alice, archived, tmp_path):
    scheme, _ = archived
    folder = unpack(download(client, alice, scheme), tmp_path / "dossier")
    index = (folder / "index.html").read_text("utf-8")
    assert "@page { size: A4" in index and scheme.archive_no in index and scheme.task_no in index
    sums = dict(
        reversed(line.split("  ", 1)) for line in (folder / "SHA256SUMS").read_text("utf-8").splitlines()
    )
    for path, digest in sums.items():
        if path != "index.html":
            assert path in index and digest in index, path
    assert "http://" not in index and "https://" not in index  # nothing fetched from outside


def test_the_records_carry_their_review_trail_and_publication(client, alice, archived, tmp_path):
    scheme, records = archived
    folder = unpack(download(client, alice, scheme), tmp_path / "dossier")
    data = json.loads((folder / f"records/{records[0].pk}/record.json").read_text("utf-8"))
    actions = [e["action"] for e in data["review_trail"]]
    assert actions[:2] == ["record.create", "record.attach"] and "record.publish" in actions
    assert data["publication"]["published_at"] and data["attachments"][0]["sha256"]
    pubs = json.loads((folder / "publications.json").read_text("utf-8"))["records"]
    assert [p["record"] for p in pubs] == sorted(r.pk for r in records)
    audit = json.loads((folder / "audit.json").read_text("utf-8"))["events"]
    seqs = [e["seq"] for e in audit]
    assert seqs == sorted(seqs)
    assert {"scheme.create", "scheme.publish", "draw.freeze", "scheme.archive"} <= {
        e["action"] for e in audit
    }
    witnesses = json.loads((folder / "witnesses.json").read_text("utf-8"))
    assert witnesses["draws"][0]["witnesses"] == [{"name": "周监督", "unit": "舞钢市司法局"}]


def test_a_reviewer_without_read_sealed_gets_only_the_public_projection(client, rita, archived, tmp_path):
    scheme, _ = archived
    draw = scheme.draws.get()
    assert draw.sealed, "the test task stratifies on risk classes: a sealed draw"
    folder = unpack(download(client, rita, scheme), tmp_path / "dossier")
    names = files_in(folder)
    assert not any(n.startswith("draw/public/") for n in names)
    public = public_dir(draw)
    assert {n for n in names if n.startswith("draw/")} == {f"draw/{n}" for n in public_file_names(draw)}
    for name in public_file_names(draw):
        assert (folder / "draw" / name).read_bytes() == (public / name).read_bytes(), name
    assert not {"draw/params.json", "draw/candidates.csv", "draw/result.json"} & names
    # The draw seed and the sealed secret tie objects to strata: neither is in any file.
    assert draw.seed and draw.sealed_secret
    for path in names:
        body = (folder / path).read_bytes()
        assert draw.seed.encode() not in body and draw.sealed_secret.encode() not in body, path
    check = sha256sum_check(folder)
    assert check.returncode == 0, check.stdout + check.stderr
    run = shuangsuiji_verify(str(folder / "draw"))
    assert run.returncode == 0 and "通过" in run.stdout, run.stdout + run.stderr
    # Only the holders' exports read the sealed files; each export is audited.
    assert AuditEvent.objects.filter(action="draw.read_sealed").count() == 0
    assert AuditEvent.objects.filter(action="scheme.dossier_export", actor=rita).count() == 1


def test_a_holder_export_is_audited_with_the_sealed_files_it_took(client, alice, archived):
    scheme, _ = archived
    download(client, alice, scheme)
    assert AuditEvent.objects.filter(action="draw.read_sealed", actor=alice).count() == 1
    event = AuditEvent.objects.get(action="scheme.dossier_export", actor=alice)
    assert event.after["full_draw_files"] is True and event.after["archive_no"] == scheme.archive_no


def test_the_dossier_is_refused_before_archiving_and_to_the_system_administrators(
    client, alice, amy, rita, sam, sergei
):
    scheme, _ = finished_task(alice, amy, rita)
    login(client, alice)
    r = client.post(f"/schemes/{scheme.pk}/dossier.zip", follow=True)
    assert r.status_code == 200 and "任务归档后才能导出档案" in r.content.decode()
    task_archive(actor=alice, scheme=scheme)
    for admin in (sam, sergei):
        login(client, admin)
        assert client.post(f"/schemes/{scheme.pk}/dossier.zip").status_code in (403, 404)
    login(client, alice)
    assert client.get(f"/schemes/{scheme.pk}/dossier.zip").status_code == 405


def test_the_api_streams_the_same_dossier(alice, archived, tmp_path):
    scheme, _ = archived
    r = ApiClient(alice).post(f"/schemes/{scheme.pk}/dossier.zip")
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    folder = unpack(b"".join(r.streaming_content), tmp_path / "api")
    assert sha256sum_check(folder).returncode == 0


def test_export_dossier_writes_an_unpacked_folder_that_checks(archived, tmp_path):
    scheme, records = archived
    out = tmp_path / "out"
    call_command("export_dossier", scheme.task_no, "--out", str(out), stdout=io.StringIO())
    check = sha256sum_check(out)
    assert check.returncode == 0, check.stdout + check.stderr
    assert f"records/{records[0].pk}/record.json" in files_in(out)
    run = shuangsuiji_verify(str(out / "draw"))
    assert run.returncode == 0, run.stdout + run.stderr
    with pytest.raises(CommandError):  # the folder is not empty any more
        call_command("export_dossier", scheme.task_no, "--out", str(out), stdout=io.StringIO())
    call_command(
        "export_dossier", scheme.archive_no, "--out", str(tmp_path / "z"), "--zip", stdout=io.StringIO()
    )
    (zipped,) = (tmp_path / "z").iterdir()
    unpacked = unpack(zipped.read_bytes(), tmp_path / "unzipped")
    assert files_in(unpacked) == files_in(out)
    assert (unpacked / "SHA256SUMS").read_bytes().count(b"\n") == (out / "SHA256SUMS").read_bytes().count(
        b"\n"
    )


def test_the_entries_come_in_a_fixed_order(alice, archived):
    scheme, _ = archived
    plan = dossier.dossier_export(actor=alice, scheme=scheme)
    first = [n for n in zipfile.ZipFile(io.BytesIO(b"".join(dossier.stream_zip(plan)))).namelist()]
    second = [n for n in zipfile.ZipFile(io.BytesIO(b"".join(dossier.stream_zip(plan)))).namelist()]
    assert (
        first == second
        and first[-2:] == ["index.html", "SHA256SUMS"]
        and first[:2] == ["plan.json", "scheme.json"]
    )


def test_exporting_2000_records_with_attachments_streams_in_bounded_memory(alice, amy, rita, settings):
    """2,000 records with a 32 KB attachment each (64 MB of attachments, ~65 MB of ZIP): the exporter's peak Python
    allocation while streaming stays a fraction of the ZIP (tracemalloc; the figure is printed with -s). Measured
    on SQLite: 4.7 MiB for 200 records, 10.3 MiB for 2,000 — what grows is the list of written files (for index.html
    and SHA256SUMS) and zipfile's central directory, some 3 KB a record; bench/bench_dossier.py measures RSS."""
    import time
    import tracemalloc

    from tests.planning.archive_helpers import add_bulk_records

    scheme, _ = finished_task(alice, amy, rita)
    attachments = add_bulk_records(scheme, amy, 2000, 32 * 1024, settings.MEDIA_ROOT)
    scheme = task_archive(actor=alice, scheme=scheme)
    plan = dossier.dossier_export(actor=alice, scheme=scheme)
    tracemalloc.start()
    started = time.perf_counter()
    total = largest = 0
    for chunk in dossier.stream_zip(plan):
        total += len(chunk)
        largest = max(largest, len(chunk))
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"\ndossier: {total / 2**20:.1f} MiB ZIP ({attachments / 2**20:.1f} MiB attachments, 2,000+ records) "
        f"in {elapsed:.1f} s; peak traced allocation {peak / 2**20:.1f} MiB; largest chunk {largest / 2**10:.0f} KiB"
    )
    assert total > attachments
    assert peak < 16 * 2**20, peak
    assert largest < 2 * 2**20
