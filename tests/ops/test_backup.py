"""`backup` then `restore` brings back the database as it was, and the audit chain still verifies.

Each test runs the real commands in a subprocess against its own database: a SQLite file in tmp_path, or a scratch
PostgreSQL database that the test creates and drops.
"""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AUDIT_KEY = "backup-test-audit-key"

WRITE_EVENTS = """
from django.db import transaction
from shuangsuiji.audit.services import record
with transaction.atomic():
    for n in range({n}):
        record(actor=None, action="backup.test", target_type="test", target_id=str(n), reason="{label}")
"""
COUNT_EVENTS = "from shuangsuiji.audit.models import AuditEvent; print(AuditEvent.objects.count())"


class Site:
    """One installation: its environment (database, media, audit key) and its manage.py."""

    def __init__(self, env: dict):
        self.env = env

    def manage(self, *args, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if check:
            assert result.returncode == 0, result.stdout + result.stderr
        return result

    def write_events(self, n: int, label: str) -> None:
        self.manage("shell", "-c", WRITE_EVENTS.format(n=n, label=label))

    def events(self) -> int:
        return int(self.manage("shell", "-c", COUNT_EVENTS).stdout.split()[-1])


def site_env(tmp_path: Path, **db) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH")}
    env.update(
        MEDIA_ROOT=str(tmp_path / "media"), AUDIT_HMAC_KEY=AUDIT_KEY, BACKUP_DIR=str(tmp_path / "backups")
    )
    env.update(db)
    return env


def walk(site: Site, backup: Path, media: Path) -> None:
    site.manage("migrate", "--noinput")
    site.write_events(3, "before the backup")
    media.mkdir(parents=True, exist_ok=True)
    (media / "draw.json").write_text("原始抽取文件", encoding="utf-8")
    out = site.manage("backup", "--output", str(backup)).stdout
    assert str(backup) in out and backup.is_file()

    # Life goes on after the backup: more events, a damaged file.
    site.write_events(2, "after the backup")
    (media / "draw.json").write_text("损坏", encoding="utf-8")
    assert site.events() == 5

    restored = site.manage("restore", "--yes", str(backup))
    assert "审计链校验通过" in restored.stdout
    assert site.events() == 3
    assert (media / "draw.json").read_text(encoding="utf-8") == "原始抽取文件"
    verified = site.manage("verify_audit")
    assert "通过" in verified.stdout

    # The restored site goes on writing a consistent chain.
    site.write_events(1, "after the restore")
    assert site.manage("verify_audit", check=False).returncode == 0


def test_a_sqlite_backup_restores_with_an_intact_audit_chain(tmp_path):
    db = tmp_path / "db.sqlite3"
    site = Site(site_env(tmp_path, SQLITE_PATH=str(db)))
    walk(site, tmp_path / "backups" / "b.sqlite3", tmp_path / "media")


def test_restoring_a_tampered_sqlite_backup_reports_the_broken_event(tmp_path):
    db = tmp_path / "db.sqlite3"
    site = Site(site_env(tmp_path, SQLITE_PATH=str(db)))
    site.manage("migrate", "--noinput")
    site.write_events(3, "original")
    backup = tmp_path / "b.sqlite3"
    site.manage("backup", "--output", str(backup), "--no-media")
    with sqlite3.connect(backup) as con:
        con.execute("UPDATE audit_auditevent SET reason = 'edited' WHERE seq = 2")
    result = site.manage("restore", "--yes", str(backup), check=False)
    assert result.returncode == 1 and "第 2 号事件" in result.stderr


def test_restore_refuses_a_missing_file_and_changes_nothing(tmp_path):
    site = Site(site_env(tmp_path, SQLITE_PATH=str(tmp_path / "db.sqlite3")))
    site.manage("migrate", "--noinput")
    site.write_events(1, "kept")
    result = site.manage("restore", "--yes", str(tmp_path / "nope.sqlite3"), check=False)
    assert result.returncode != 0 and "备份文件不存在" in result.stderr
    assert site.events() == 1


@pytest.mark.postgres_only
def test_a_postgresql_backup_restores_with_an_intact_audit_chain(tmp_path, settings):
    import psycopg

    s = settings.DATABASES["default"]
    name = "ssj_restore_test"
    admin = dict(
        host=s["HOST"] or None, port=s["PORT"] or None, user=s["USER"] or None, password=s["PASSWORD"] or None
    )
    url = f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"

    def scratch(sql: str) -> None:
        with psycopg.connect(dbname="postgres", autocommit=True, **admin) as con:
            con.execute(sql)

    scratch(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    scratch(f"CREATE DATABASE {name}")
    try:
        site = Site(site_env(tmp_path, DATABASE_URL=url, DB_CONN_MAX_AGE="0"))
        walk(site, tmp_path / "backups" / "b.dump", tmp_path / "media")
        # The restored database still refuses to change its audit rows (the trigger came back with the dump).
        with psycopg.connect(dbname=name, **admin) as con:
            with pytest.raises(psycopg.errors.RaiseException):
                con.execute("UPDATE audit_auditevent SET reason = 'edited'")
    finally:
        scratch(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
