"""A wheel of the pure draw package (shuangsuiji/draw/), built in memory so the portal can serve it.

No package index holds `shuangsuiji`, and intranet users reach none, so the portal serves the verifier itself. The
wheel holds only `shuangsuiji/draw/*.py` (no Django import, a ruff rule keeps it so) under a tiny `shuangsuiji`
package of its own, with the `shuangsuiji` console script. It is built with the standard library's zipfile with fixed
timestamps, permissions and order, so the same sources give the same bytes and the SHA-256 shown on the page stays
the same between restarts; it is built once per process.
"""

from __future__ import annotations

import base64
import hashlib
import io
import tomllib
import zipfile
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

DIST = "shuangsuiji_verify"
PACKAGE_DIR = Path(__file__).resolve().parents[2]  # shuangsuiji/
DRAW_DIR = PACKAGE_DIR / "draw"
PYPROJECT = PACKAGE_DIR.parent / "pyproject.toml"
# The oldest date a zip can hold; any fixed date would do, this one says "not a real time".
EPOCH = (1980, 1, 1, 0, 0, 0)
# shuangsuiji/draw/hashing.py imports `cryptography` when it loads (for sm3), so every command needs it. 35.0 is the
# first release with hashes.SM3.
REQUIRES = ["cryptography>=35"]

# Not the project's shuangsuiji/__init__.py: the wheel's package holds the draw engine and nothing else.
INIT = b'"""shuangsuiji_verify: the DRAW-v1 draw engine and the `shuangsuiji` command, without Django."""\n'

DESCRIPTION = """\
双随机、一公开抽取的独立核验程序（DRAW-v1）。由公示门户的“核验程序”页面提供，
只含抽取引擎 shuangsuiji.draw 与命令行 `shuangsuiji`，不含 Django，不需要数据库。

  shuangsuiji verify 下载目录

依赖 cryptography（hash 为 sm3 的抽取用它计算 SM3；加载时即导入，所有命令都需要）。
不能访问软件包索引时，请改用同一页面上只需 Python 标准库的 verify_draw.py。

The standalone DRAW-v1 verifier served by the portal's verifier page: the draw engine and the `shuangsuiji`
command, without Django or a database. It needs `cryptography` (imported at load, for sm3); without access to a
package index, use the portal's standard-library-only verify_draw.py instead.
"""


@dataclass(frozen=True)
class Wheel:
    filename: str
    content: bytes
    sha256: str


def project_version() -> str:
    """The project's version: pyproject.toml when the source tree is here, else the installed metadata."""
    try:
        return str(tomllib.loads(PYPROJECT.read_text("utf-8"))["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return metadata.version("shuangsuiji")


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")


def wheel_files(version: str) -> list[tuple[str, bytes]]:
    """(path in the wheel, bytes) in a fixed order, RECORD last as the wheel specification asks."""
    info = f"{DIST}-{version}.dist-info"
    metadata_text = "".join(
        [
            "Metadata-Version: 2.1\n",
            "Name: shuangsuiji-verify\n",
            f"Version: {version}\n",
            "Summary: DRAW-v1 抽取独立核验程序（双随机、一公开）/ standalone DRAW-v1 draw verifier, no Django\n",
            "License: Apache-2.0\n",
            "Requires-Python: >=3.11\n",
            *(f"Requires-Dist: {r}\n" for r in REQUIRES),
            "Description-Content-Type: text/plain; charset=UTF-8\n",
            "\n",
            DESCRIPTION,
        ]
    )
    files = [("shuangsuiji/__init__.py", INIT)]
    files += [(f"shuangsuiji/draw/{p.name}", p.read_bytes()) for p in sorted(DRAW_DIR.glob("*.py"))]
    files += [
        (f"{info}/METADATA", metadata_text.encode("utf-8")),
        (
            f"{info}/WHEEL",
            b"Wheel-Version: 1.0\nGenerator: shuangsuiji portal\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        ),
        (f"{info}/entry_points.txt", b"[console_scripts]\nshuangsuiji = shuangsuiji.draw.cli:main\n"),
        (f"{info}/top_level.txt", b"shuangsuiji\n"),
    ]
    record = "".join(f"{name},{_record_hash(data)},{len(data)}\n" for name, data in files)
    files.append((f"{info}/RECORD", (record + f"{info}/RECORD,,\n").encode("utf-8")))
    return files


def build_wheel(version: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in wheel_files(version):
            entry = zipfile.ZipInfo(name, date_time=EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3  # Unix, wherever it is built, so the permission bits below mean the same
            entry.external_attr = 0o100644 << 16
            archive.writestr(entry, data, compresslevel=9)
    return buffer.getvalue()


@cache
def wheel() -> Wheel:
    version = project_version()
    content = build_wheel(version)
    return Wheel(f"{DIST}-{version}-py3-none-any.whl", content, hashlib.sha256(content).hexdigest())
