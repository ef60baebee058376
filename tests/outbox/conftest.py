"""The reliability tests' world: a scratch installation (its own database, migrated once per session and cloned per
test) that `deliver_outbox` runs against in subprocesses, and the stand-in provincial endpoint (province.py)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
KEY = "province-test-key"

SEED = """
import datetime
from django.utils import timezone
from shuangsuiji.outbox.models import OutboxEvent
now = timezone.now() - datetime.timedelta(seconds=1)
rows = [
    OutboxEvent(type="result.published", object_key=f"test:{{k}}", version=v, payload={{"n": v, "名称": "测试"}},
                created_at=now, next_attempt_at=now)
    for v in range(1, {versions} + 1) for k in range({objects})
]
OutboxEvent.objects.bulk_create(rows, batch_size=1000)
print(len(rows))
"""
STATE = """
import json
from shuangsuiji.outbox.models import OutboxEvent
rows = list(OutboxEvent.objects.order_by("id").values("event_id", "object_key", "version", "state", "attempts",
                                                         "last_error", "answer_status", "answer"))
print(json.dumps(rows, default=str, ensure_ascii=False))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _is_postgres() -> bool:
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def _pg_admin():
    import psycopg
    from django.conf import settings

    s = settings.DATABASES["default"]
    admin = dict(
        host=s["HOST"] or None, port=s["PORT"] or None, user=s["USER"] or None, password=s["PASSWORD"] or None
    )

    def run(sql: str) -> None:
        with psycopg.connect(dbname="postgres", autocommit=True, **admin) as con:
            con.execute(sql)

    url = f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/"
    return run, url


def _base_env(tmp: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH")}
    env.update(MEDIA_ROOT=str(tmp / "media"), DB_CONN_MAX_AGE="0")
    return env


def _manage(env: dict, *args, timeout: float = 600) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory):
    """A migrated database to clone: a SQLite file, or a PostgreSQL database used as TEMPLATE."""
    tmp = tmp_path_factory.mktemp("outbox-template")
    env = _base_env(tmp)
    if _is_postgres():
        run, url = _pg_admin()
        name = f"{os.environ.get('DB_TEST_NAME', 'test_shuangsuiji')}_outbox_tpl"
        run(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        run(f"CREATE DATABASE {name}")
        _manage(env | {"DATABASE_URL": url + name}, "migrate", "--noinput")
        yield ("postgres", name)
        run(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    else:
        path = tmp / "template.sqlite3"
        _manage(env | {"SQLITE_PATH": str(path)}, "migrate", "--noinput")
        yield ("sqlite", path)


class Site:
    """One installation for one test: its database, its environment for `manage.py`."""

    def __init__(self, env: dict):
        self.env = env
        self.postgres = "DATABASE_URL" in env

    def manage(self, *args, timeout: float = 600) -> subprocess.CompletedProcess:
        return _manage(self.env, *args, timeout=timeout)

    def deliver(self, *args, timeout: float = 600) -> str:
        return self.manage("deliver_outbox", *args, timeout=timeout).stdout

    def start_delivery(self, *args) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "manage.py", "deliver_outbox", *args],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def seed(self, objects: int, versions: int) -> int:
        script = SEED.format(objects=objects, versions=versions)
        return int(self.manage("shell", "-c", script).stdout.split()[-1])

    def events(self) -> list[dict]:
        return json.loads(self.manage("shell", "-c", STATE).stdout.strip().splitlines()[-1])


@pytest.fixture
def province(tmp_path):
    p = Province(tmp_path)
    yield p
    p.stop()


@pytest.fixture
def site(migrated_template, tmp_path, province):
    kind, template = migrated_template
    env = _base_env(tmp_path) | {
        "PROVINCE_CONNECTOR": "http",
        "PROVINCE_ENDPOINT": f"http://127.0.0.1:{province.port}/ssj/events",
        "PROVINCE_KEY": KEY,
        "PROVINCE_CONNECT_TIMEOUT": "2",
        "PROVINCE_READ_TIMEOUT": "1",
        "OUTBOX_RETRY_BASE_SECONDS": "0",
        "OUTBOX_LOCK_FILE": str(tmp_path / "deliver.lock"),
    }
    if kind == "postgres":
        run, url = _pg_admin()
        name = f"{template}_{os.getpid()}"
        run(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        run(f"CREATE DATABASE {name} TEMPLATE {template}")
        yield Site(env | {"DATABASE_URL": url + name})
        run(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    else:
        path = tmp_path / "db.sqlite3"
        shutil.copy(template, path)
        yield Site(env | {"SQLITE_PATH": str(path)})


class Province:
    """The stand-in endpoint process: start, stop (down), switch its answers, read what it received."""

    def __init__(self, tmp: Path):
        self.port = free_port()
        self.record = tmp / "received.jsonl"
        self.mode_file = tmp / "mode"
        self.mode_file.write_text("ok")
        self.process: subprocess.Popen | None = None

    def start(self, mode: str = "ok") -> None:
        self.set_mode(mode)
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).with_name("province.py")),
                str(self.port),
                str(self.record),
                str(self.mode_file),
                KEY,
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout.readline().strip() == "ready"

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None

    def set_mode(self, mode: str) -> None:
        self.mode_file.write_text(mode)

    def received(self) -> list[dict]:
        if not self.record.exists():
            return []
        return [json.loads(line) for line in self.record.read_text(encoding="utf-8").splitlines() if line]

    def accepted(self) -> list[dict]:
        return [r for r in self.received() if r["status"] == 200]


def assert_all_delivered_once_in_order(site: Site, province: Province, total: int) -> None:
    """Every event delivered (state) and accepted by the endpoint; in order per object by first acceptance; every
    request signed. The endpoint may have seen an id twice (a retry after a kill): the Idempotency-Key is the same."""
    events = site.events()
    assert len(events) == total
    states = defaultdict(int)
    for e in events:
        states[e["state"]] += 1
    assert dict(states) == {"delivered": total}
    received = province.received()
    assert all(r["signature_ok"] and r["id"] == r["body_id"] for r in received)
    first: dict[str, dict] = {}
    for r in province.accepted():
        first.setdefault(r["id"], r)
    # Taken exactly once by id: a repeat (a retry, a resend after a restore) is recognised as one by the endpoint.
    taken = [r["id"] for r in province.accepted() if not r["duplicate"]]
    assert len(taken) == len(set(taken)), "an event was taken twice"
    assert set(first) == {e["event_id"] for e in events}
    versions: dict[str, list[int]] = defaultdict(list)
    for r in first.values():  # dicts keep insertion order: the order of first acceptance
        versions[r["object"]].append(r["version"])
    for obj, seen in versions.items():
        assert seen == sorted(seen) == list(range(1, len(seen) + 1)), (obj, seen)


def wait_until(predicate, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("timed out")
