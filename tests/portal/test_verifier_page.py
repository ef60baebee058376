"""/portal/verifier/: the page and its two downloads, through HTTP, for the anonymous public."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest

from shuangsuiji.portal.verifier import wheel as wheel_module
from shuangsuiji.portal.verifier.views import SCRIPT_PATH

pytestmark = pytest.mark.django_db

WHEEL = wheel_module.wheel()
WHEEL_URL = f"/portal/verifier/{WHEEL.filename}"
SCRIPT_URL = "/portal/verifier/verify_draw.py"


def test_it_shows_both_downloads_with_the_sha256_of_the_served_bytes(client):
    page = client.get("/portal/verifier/").content.decode()
    wheel_bytes = client.get(WHEEL_URL).content
    script_bytes = client.get(SCRIPT_URL).content
    assert hashlib.sha256(wheel_bytes).hexdigest() in page
    assert hashlib.sha256(script_bytes).hexdigest() in page
    assert f'href="{WHEEL_URL}"' in page and f'href="{SCRIPT_URL}"' in page


def test_it_gives_the_pip_command_with_the_absolute_url_of_this_portal(client, settings):
    settings.ALLOWED_HOSTS = ["portal.wugang.example"]
    page = client.get("/portal/verifier/", HTTP_HOST="portal.wugang.example").content.decode()
    assert f"pip install http://portal.wugang.example{WHEEL_URL}" in page
    assert "shuangsuiji verify 下载目录" in page
    assert "pip install shuangsuiji " not in page


def test_it_explains_the_three_checks_with_their_commands(client):
    page = client.get("/portal/verifier/").content.decode()
    assert 'lang="zh-CN"' in page and "核验程序" in page
    for heading in ("公开核验", "企业核验", "完整核验"):
        assert heading in page
    assert "python3 verify_draw.py 下载目录" in page and "py verify_draw.py 下载目录" in page
    assert "verify_draw.py verify-proof 证明文件.json 公开文件目录" in page
    assert "verify_draw.py 完整文件目录 --public 公开文件目录" in page


def test_it_loads_nothing_from_outside_the_portal(client):
    page = client.get("/portal/verifier/").content.decode()
    assert "https://" not in page and "//cdn" not in page and "<script" not in page


def test_the_script_downloads_as_the_file_in_the_repository(client):
    r = client.get(SCRIPT_URL)
    assert r.status_code == 200
    assert r["Content-Type"] == "text/x-python; charset=utf-8"
    assert r["Content-Disposition"] == "attachment; filename=verify_draw.py"
    assert r.content == SCRIPT_PATH.read_bytes()


def test_the_wheel_downloads_under_its_wheel_filename(client):
    r = client.get(WHEEL_URL)
    assert r.status_code == 200
    assert r["Content-Type"] == "application/zip"
    assert r["Content-Disposition"] == f"attachment; filename={WHEEL.filename}"
    assert WHEEL.filename == f"shuangsuiji_verify-{wheel_module.project_version()}-py3-none-any.whl"


def test_another_wheel_name_is_not_found(client):
    assert client.get("/portal/verifier/shuangsuiji_verify-9.9.9-py3-none-any.whl").status_code == 404
    assert client.get("/portal/verifier/settings.py").status_code == 404


def test_the_verifier_urls_refuse_anything_but_get(client):
    for url in ("/portal/verifier/", WHEEL_URL, SCRIPT_URL):
        assert client.post(url).status_code == 405, url


def test_the_portal_links_to_the_verifier_page_instead_of_an_index_package(client):
    page = client.get("/portal/").content.decode()
    assert page.count('href="/portal/verifier/"') >= 2  # the header and the "how to verify" card
    assert "pip install shuangsuiji" not in page


# --- the wheel ------------------------------------------------------------------------------------------------------


def test_the_same_sources_give_the_same_wheel_bytes():
    version = wheel_module.project_version()
    assert wheel_module.build_wheel(version) == wheel_module.build_wheel(version) == WHEEL.content


def test_the_wheel_holds_the_draw_package_and_honest_metadata_without_django():
    archive = zipfile.ZipFile(io.BytesIO(WHEEL.content))
    names = archive.namelist()
    info = f"shuangsuiji_verify-{wheel_module.project_version()}.dist-info"
    draw_sources = sorted(p.name for p in wheel_module.DRAW_DIR.glob("*.py"))
    assert names[0] == "shuangsuiji/__init__.py" and names[-1] == f"{info}/RECORD"
    assert sorted(
        n.removeprefix("shuangsuiji/draw/") for n in names if n.startswith("shuangsuiji/draw/")
    ) == (draw_sources)
    for name in names:
        if name.endswith(".py"):
            text = archive.read(name).decode()
            assert "import django" not in text and "from django" not in text, name
    assert archive.read("shuangsuiji/__init__.py") == wheel_module.INIT
    metadata = archive.read(f"{info}/METADATA").decode()
    assert "Requires-Dist: cryptography" in metadata  # draw/hashing.py imports it when it loads
    assert not [
        line for line in metadata.splitlines() if line.startswith("Requires-Dist:") and "jango" in line
    ]
    assert "shuangsuiji = shuangsuiji.draw.cli:main" in archive.read(f"{info}/entry_points.txt").decode()
    assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in archive.infolist())


def test_the_wheel_record_lists_every_file_with_its_hash():
    archive = zipfile.ZipFile(io.BytesIO(WHEEL.content))
    record_name = archive.namelist()[-1]
    rows = [line.split(",") for line in archive.read(record_name).decode().splitlines()]
    assert [name for name, *_ in rows] == archive.namelist()
    for name, digest, size in rows[:-1]:
        data = archive.read(name)
        assert digest == wheel_module._record_hash(data) and int(size) == len(data), name
    assert rows[-1] == [record_name, "", ""]
