"""Production settings pass Django's deployment checks, and production never gets default accounts."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from shuangsuiji.accounts.models import User

ROOT = Path(__file__).resolve().parents[2]


def accounts_that_can_sign_in() -> list[str]:
    # The `system` actor of management commands has no usable password: it is not an account.
    return [u.username for u in User.objects.all() if u.has_usable_password()]


def production_env(**extra) -> dict:
    # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests' fixture for Playwright; a deployment never has it.
    dropped = ("DATABASE_URL", "SQLITE_PATH", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        DEBUG="False",
        DEMO_MODE="False",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="ssj.example.gov.cn",
        AUDIT_HMAC_KEY=secrets.token_hex(32),
        PERSONAL_DATA_KEY=secrets.token_hex(32),
        DJANGO_SETTINGS_MODULE="shuangsuiji.settings",
    )
    env.update(extra)
    return env


def manage(*args, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_deploy_check_is_clean_with_production_settings(tmp_path):
    # An empty database: the calendar warning (W010, from 1 November) depends on the date and the data, not on
    # the deployment settings checked here; it has its own tests (tests/inspections/test_year_proof.py).
    env = production_env(SQLITE_PATH=str(tmp_path / "empty.sqlite3"))
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deploy_check_is_clean_behind_a_tls_terminating_proxy(tmp_path):
    env = production_env(
        SECURE_PROXY_SSL_HEADER="true",
        SECURE_SSL_REDIRECT="true",
        SQLITE_PATH=str(tmp_path / "empty.sqlite3"),
    )
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["SECRET_KEY"]
    result = manage("check", env=env)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_the_deploy_check_fails_without_the_personal_data_key():
    env = production_env()
    del env["PERSONAL_DATA_KEY"]
    result = manage("check", "--deploy", env=env)
    assert result.returncode != 0 and "PERSONAL_DATA_KEY" in result.stderr + result.stdout


def test_demo_accounts_are_not_created_outside_demo_mode(db, settings):
    settings.DEMO_MODE = False
    call_command("demo_accounts")
    assert not User.objects.exists()


def test_ensure_demo_users_refuses_outside_demo_mode(db, settings):
    from shuangsuiji.accounts.demo import ensure_demo_users

    settings.DEMO_MODE = False
    with pytest.raises(RuntimeError):
        ensure_demo_users()
    assert not User.objects.exists()


def test_seed_demo_creates_no_accounts_outside_demo_mode(db, settings):
    settings.DEMO_MODE = False
    settings.AUDIT_HMAC_KEY = "test-audit-key"
    settings.PERSONAL_DATA_KEY = "test-personal-data-key"
    call_command("seed_demo", entities=20, seed=1)
    assert accounts_that_can_sign_in() == []


def test_migrations_create_no_accounts(db):
    # A fresh production database holds no account at all: the first administrator is made with createsuperuser.
    assert not User.objects.exists()


def production_without_demo_mode(tmp_path, **extra) -> dict:
    """DEBUG off and DEMO_MODE left unset, as an operator who forgets it would start the platform."""
    env = production_env(SQLITE_PATH=str(tmp_path / "empty.sqlite3"), **extra)
    del env["DEMO_MODE"]
    return env


@pytest.mark.parametrize(
    ("drop", "dev", "code"),
    [
        ("AUDIT_HMAC_KEY", None, "shuangsuiji.E002"),
        ("PERSONAL_DATA_KEY", None, "shuangsuiji.E001"),
        (None, ("AUDIT_HMAC_KEY", "dev-only-audit-key-change-me"), "shuangsuiji.E002"),
        (None, ("PERSONAL_DATA_KEY", "dev-only-personal-data-key-change-me"), "shuangsuiji.E001"),
    ],
)
def test_production_without_a_real_key_fails_the_check_and_refuses_to_serve(tmp_path, drop, dev, code):
    env = production_without_demo_mode(tmp_path)
    if drop:
        del env[drop]
    if dev:
        env[dev[0]] = dev[1]
    result = manage("check", env=env)
    assert result.returncode != 0 and code in result.stderr
    served = subprocess.run(
        [sys.executable, "-c", "import shuangsuiji.wsgi"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert served.returncode != 0 and "ImproperlyConfigured" in served.stderr and code in served.stderr


def test_production_with_its_keys_serves(tmp_path):
    env = production_without_demo_mode(tmp_path)
    served = subprocess.run(
        [
            sys.executable,
            "-c",
            "import shuangsuiji.wsgi; from django.conf import settings; print(settings.DEMO_MODE)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert served.returncode == 0, served.stderr
    assert served.stdout.strip() == "False"  # DEMO_MODE follows DEBUG


def test_the_audit_chain_refuses_the_development_key_outside_development(settings):
    from shuangsuiji.audit.chain import DEV_KEY, chain_key

    settings.DEBUG, settings.DEMO_MODE, settings.AUDIT_HMAC_KEY = False, False, DEV_KEY
    with pytest.raises(RuntimeError, match="不得使用开发密钥"):
        chain_key()
    settings.AUDIT_HMAC_KEY = ""
    with pytest.raises(RuntimeError, match="AUDIT_HMAC_KEY"):
        chain_key()


@pytest.mark.postgres_only
def test_the_check_warns_when_the_app_connects_as_a_postgresql_superuser(db, capsys):
    # CI connects as the superuser `postgres`; docs/deploy.md gives production its own non-superuser role.
    call_command("check")
    out = capsys.readouterr()
    assert "shuangsuiji.W011" in out.out + out.err
