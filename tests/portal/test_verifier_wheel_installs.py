"""The wheel the portal serves really installs with pip into a fresh virtual environment and verifies the example.

No network: `pip install --no-index --no-deps` of the served bytes. The wheel declares `cryptography` (the draw
package imports it for sm3); the fresh environment gets this one's cryptography, and nothing else, through a .pth
file, so Django stays out and the test shows the verifier runs without it. Takes a few seconds (venv + pip).
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from tests.draw.helpers import EXAMPLE

pytestmark = pytest.mark.django_db


def _only_cryptography(target: Path) -> Path:
    """A folder holding links to cryptography and what it imports, for the fresh environment's sys.path."""
    target.mkdir()
    for name in ("cryptography", "cffi", "_cffi_backend", "pycparser"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        source = Path(module.__file__)
        source = source.parent if source.name == "__init__.py" else source
        (target / source.name).symlink_to(source, target_is_directory=source.is_dir())
    return target


def test_the_served_wheel_installs_with_pip_and_verifies_the_example(client, tmp_path):
    page = client.get("/portal/verifier/").content.decode()
    url = next(
        part.split()[0] for part in page.split("pip install http://testserver")[1:] if part.startswith("/")
    )
    response = client.get(url)
    assert response.status_code == 200
    wheel = tmp_path / url.rsplit("/", 1)[1]
    wheel.write_bytes(response.content)

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=300)
    bin_dir = venv / ("Scripts" if sys.platform == "win32" else "bin")
    python = bin_dir / "python"
    installed = subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--no-index",
            "--no-deps",
            "--disable-pip-version-check",
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(site) / "only_cryptography.pth").write_text(str(_only_cryptography(tmp_path / "deps")) + "\n")

    done = subprocess.run(
        [str(bin_dir / "shuangsuiji"), "verify", str(EXAMPLE)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "通过" in done.stdout
    no_django = subprocess.run([str(python), "-c", "import django"], capture_output=True, cwd=tmp_path)
    assert no_django.returncode != 0, "the fresh environment must not see Django"
