"""The files downloaded from the portal verify with the standalone command, with no Django and no database."""

import json
import subprocess
import sys

import pytest

from shuangsuiji.draws.services import fingerprint
from tests.portal.helpers import drawn

FILES = ["params.json", "candidates.csv", "excluded.csv", "inspectors.csv", "recusals.csv", "result.json"]
FILES += ["ceremony.json"]  # who witnessed the draw, bound to the certificate
SEALED = ["params-public.json", "candidates-public.csv", "excluded.csv", "inspectors.csv", "recusals.csv"]
SEALED += ["result-public.json", "ceremony.json"]
ONE_RATIO = {"A": {"ratio": "0.1", "reserve": 2}, "D": {"ratio": "0.1", "reserve": 2}}


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_files_downloaded_from_the_portal_verify_with_the_standalone_command(client, alice, tmp_path):
    scheme, draw = drawn(alice, strata=ONE_RATIO)
    page = client.get(f"/portal/tasks/{scheme.pk}/").content.decode()
    download = tmp_path / "下载"
    download.mkdir()
    for name in FILES:
        url = f"/portal/draws/{draw.pk}/files/{name}"
        assert url in page
        r = client.get(url)
        assert r.status_code == 200, name
        assert r["Content-Disposition"] == f"attachment; filename={name}"
        (download / name).write_bytes(b"".join(r.streaming_content))
    done = subprocess.run(
        [sys.executable, "-m", "shuangsuiji.draw", "verify", str(download)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "通过" in done.stdout
    assert "仪式记录与证书一致" in done.stdout and "到场监督人员 1 名" in done.stdout
    assert (
        draw.commitment
        in subprocess.run(
            [sys.executable, "-m", "shuangsuiji.draw", "commit", str(download)],
            capture_output=True,
            text=True,
        ).stdout
    )


def test_a_sealed_draws_public_files_pass_the_public_check_from_the_command_line(client, alice, tmp_path):
    scheme, draw = drawn(alice)
    page = client.get(f"/portal/tasks/{scheme.pk}/").content.decode()
    download = tmp_path / "公开"
    download.mkdir()
    for name in SEALED:
        url = f"/portal/draws/{draw.pk}/files/{name}"
        assert url in page
        (download / name).write_bytes(b"".join(client.get(url).streaming_content))
    done = subprocess.run(
        [sys.executable, "-m", "shuangsuiji.draw", "verify", str(download)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "公开核验" in done.stdout and "通过" in done.stdout and "未能核验" in done.stdout
    assert "仪式记录与公开证书一致" in done.stdout
    lines = (download / "candidates-public.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (download / "candidates-public.csv").write_text("".join(lines[1:]), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "shuangsuiji.draw", "verify", str(download)], capture_output=True, text=True
    )
    assert done.returncode == 1 and "不通过" in done.stdout


def test_a_tampered_download_does_not_verify(client, alice, tmp_path):
    _, draw = drawn(alice, strata=ONE_RATIO)
    download = tmp_path / "dl"
    download.mkdir()
    for name in FILES:
        r = client.get(f"/portal/draws/{draw.pk}/files/{name}")
        (download / name).write_bytes(b"".join(r.streaming_content))
    lines = (download / "candidates.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (download / "candidates.csv").write_text("".join(lines[1:]), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "shuangsuiji.draw", "verify", str(download)], capture_output=True, text=True
    )
    assert done.returncode == 1 and "不通过" in done.stdout


def test_a_ceremony_record_naming_other_witnesses_or_another_certificate_does_not_verify(
    client, alice, tmp_path
):
    """ceremony.json is bound to the certificate: a witness list copied from another draw, or edited, fails."""
    _, draw = drawn(alice, strata=ONE_RATIO)
    download = tmp_path / "dl"
    download.mkdir()
    for name in FILES:
        (download / name).write_bytes(
            b"".join(client.get(f"/portal/draws/{draw.pk}/files/{name}").streaming_content)
        )
    record = json.loads((download / "ceremony.json").read_text("utf-8"))
    assert record["witnesses"] == [{"name": w.name, "unit": w.unit} for w in draw.witnesses.all()]
    assert record["fingerprint"] == fingerprint(draw) and record["commitment"] == draw.commitment

    def verify_with(**change):
        (download / "ceremony.json").write_text(json.dumps({**record, **change}, ensure_ascii=False), "utf-8")
        return subprocess.run(
            [sys.executable, "-m", "shuangsuiji.draw", "verify", str(download)],
            capture_output=True,
            text=True,
        )

    for change in (
        {"result_sha256": "0" * 64},
        {"seed": "f" * 64},
        {"fingerprint": "0000 0000 0000 0000 / 0000 0000 0000 0000"},
        {"witnesses": []},
        {"dice_thrown_by": {"witness": "不在场的人"}},
        {"commitment": "a" * 64},
    ):
        done = verify_with(**change)
        assert done.returncode == 1 and "ceremony.json" in done.stdout, change
    assert verify_with().returncode == 0
