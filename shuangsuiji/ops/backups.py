"""Backup and restore of the database (and the media files beside it), for `make backup` / `make restore`.

SQLite: the online backup API copies a consistent snapshot while the site runs, and copies it back on restore.
PostgreSQL: `pg_dump -Fc` and `pg_restore --clean --if-exists --single-transaction`, so a failed restore changes
nothing. The audit chain's key (AUDIT_HMAC_KEY) is deliberately not in a backup: keep it in the secret store, or the
restored chain cannot be verified.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone


class BackupError(Exception):
    pass


def default_path(alias: str = "default") -> Path:
    vendor = connections[alias].vendor
    stamp = timezone.localtime().strftime("%Y%m%dT%H%M%S")
    suffix = "sqlite3" if vendor == "sqlite" else "dump"
    folder = Path(os.environ.get("BACKUP_DIR", settings.BASE_DIR / "var" / "backups"))
    return folder / f"shuangsuiji-{stamp}.{suffix}"


def media_archive(path: Path) -> Path:
    return path.with_name(path.name + ".media.tar")


def backup(path: Path, *, alias: str = "default", media: bool = True) -> list[Path]:
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = connections[alias]
    if connection.vendor == "sqlite":
        _sqlite_backup(connection, path)
    elif connection.vendor == "postgresql":
        _run(["pg_dump", "--format=custom", "--file", str(path), _dbname(connection)], connection)
    else:
        raise BackupError(f"不支持的数据库：{connection.vendor}")
    written = [path]
    media_root = Path(settings.MEDIA_ROOT)
    if media and media_root.is_dir() and any(media_root.iterdir()):
        with tarfile.open(media_archive(path), "w") as tar:
            tar.add(media_root, arcname=".")
        written.append(media_archive(path))
    return written


def restore(path: Path, *, alias: str = "default", media: bool = True) -> list[Path]:
    if not path.is_file():
        raise BackupError(f"备份文件不存在：{path}")
    connection = connections[alias]
    if connection.vendor == "sqlite":
        _sqlite_restore(connection, path)
    elif connection.vendor == "postgresql":
        connection.close()
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--single-transaction",
                "--no-owner",
                "--dbname",
                _dbname(connection),
                str(path),
            ],
            connection,
        )
    else:
        raise BackupError(f"不支持的数据库：{connection.vendor}")
    restored = [path]
    archive = media_archive(path)
    if media and archive.is_file():
        media_root = Path(settings.MEDIA_ROOT)
        media_root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive) as tar:
            tar.extractall(media_root, filter="data")
        restored.append(archive)
    return restored


def _sqlite_backup(connection, path: Path) -> None:
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
        (result,) = target.execute("PRAGMA integrity_check").fetchone()
        if result != "ok":
            raise BackupError(f"备份文件校验未通过：{result}")
    finally:
        target.close()


def _sqlite_restore(connection, path: Path) -> None:
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        (result,) = source.execute("PRAGMA integrity_check").fetchone()
        if result != "ok":
            raise BackupError(f"备份文件已损坏：{result}")
        connection.ensure_connection()
        # The backup API replaces every page of the live database in one step, under its write lock.
        source.backup(connection.connection)
    except sqlite3.DatabaseError as e:
        raise BackupError(f"不是有效的 SQLite 备份文件：{e}") from e
    finally:
        source.close()


def _dbname(connection) -> str:
    return connection.settings_dict["NAME"]


def _run(command: list[str], connection) -> None:
    s = connection.settings_dict
    env = os.environ.copy()
    for var, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if s.get(key):
            env[var] = str(s[key])
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} 失败（退出码 {result.returncode}）：{result.stderr.strip()}")
