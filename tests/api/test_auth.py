import io

import pytest
from django.core.management import CommandError, call_command
from django.middleware.csrf import _get_new_csrf_string

from shuangsuiji.accounts.models import ApiToken
from shuangsuiji.audit.models import AuditEvent
from tests import factories

from .conftest import ApiClient, token_for
from .test_openapi import CAP_OPERATIONS, EXPECTED_OPERATIONS, STATS_OPERATIONS


def concrete(path: str) -> str:
    return path.replace("{id}", "1").replace("{version}", "1")


@pytest.mark.parametrize(("method", "path"), sorted(EXPECTED_OPERATIONS | CAP_OPERATIONS | STATS_OPERATIONS))
def test_it_refuses_anonymous_calls_with_401(db, method, path):
    r = getattr(ApiClient(), method)(concrete(path), {})
    assert r.status_code == 401
    assert r.json() == {"detail": "未登录或令牌无效"}


def test_it_refuses_an_unknown_token(db):
    r = ApiClient(token="ssj_not-a-real-token").get("/objects")
    assert r.status_code == 401


def test_it_refuses_an_authorization_header_without_the_token_scheme(db, alice):
    key = token_for(alice)
    r = ApiClient().client.get("/api/v1/objects", headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 401


def test_it_accepts_a_token_and_acts_as_its_user(db, alice, bob):
    factories.inspector("SCJG")
    factories.inspector("WJW")
    r = ApiClient(token=token_for(bob)).get("/inspectors")
    assert r.status_code == 200
    assert {row["department_name"] for row in r.json()["results"]} == {"舞钢市卫生健康委员会"}


def test_it_records_when_a_token_was_last_used(db, alice):
    key = token_for(alice)
    ApiClient(token=key).get("/regions")
    assert ApiToken.objects.get().last_used_at is not None


def test_it_refuses_a_revoked_token(db, alice):
    key = token_for(alice)
    ApiToken.objects.update(revoked=True)
    assert ApiClient(token=key).get("/objects").status_code == 401


def test_it_refuses_the_token_of_a_deactivated_user(db, alice):
    key = token_for(alice)
    alice.is_active = False
    alice.save()
    assert ApiClient(token=key).get("/objects").status_code == 401


def test_it_enforces_csrf_on_session_writes(db, amy):
    obj = factories.entity()
    c = ApiClient(amy, enforce_csrf_checks=True)
    r = c.put(f"/objects/{obj.pk}/supervision", {"tags": ["食品"]})
    assert r.status_code == 403

    secret = _get_new_csrf_string()
    c.client.cookies["csrftoken"] = secret
    c.headers["X-CSRFToken"] = secret
    r = c.put(f"/objects/{obj.pk}/supervision", {"tags": ["食品"]})
    assert r.status_code == 200


def test_it_allows_session_reads_without_csrf(db, amy):
    assert ApiClient(amy, enforce_csrf_checks=True).get("/objects").status_code == 200


def test_it_needs_no_csrf_for_token_writes(db, amy):
    obj = factories.entity()
    c = ApiClient(token=token_for(amy), enforce_csrf_checks=True)
    r = c.put(f"/objects/{obj.pk}/supervision", {"tags": ["食品"]})
    assert r.status_code == 200


# --- the api_token command ----------------------------------------------------------------------------------------


def run(*args) -> str:
    out = io.StringIO()
    call_command("api_token", *args, stdout=out)
    return out.getvalue()


def test_the_command_creates_a_token_printed_once_and_stored_as_a_hash(db, alice):
    out = run("create", "--user", "alice", "--name", "省级平台对接")
    key = out.strip().splitlines()[-1]
    assert key.startswith("ssj_")
    token = ApiToken.objects.get()
    assert token.user == alice and token.name == "省级平台对接"
    assert token.key_hash == ApiToken.hash_key(key)
    assert key not in (token.prefix, token.key_hash, token.name)
    assert key.removeprefix("ssj_").startswith(token.prefix)
    assert ApiClient(token=key).get("/objects").status_code == 200


def test_the_command_audits_creation_without_the_key(db, alice):
    out = run("create", "--user", "alice", "--name", "省级平台对接")
    key = out.strip().splitlines()[-1]
    event = AuditEvent.objects.get(action="api_token.create")
    assert event.actor_name == "系统（命令行）"
    assert event.after["user"] == "alice"
    assert key not in str(event.after)
    assert ApiToken.objects.get().key_hash not in str(event.after)


def test_the_command_revokes_a_token_by_its_prefix_and_audits_it(db, alice):
    key = run("create", "--user", "alice", "--name", "省级平台").strip().splitlines()[-1]
    prefix = ApiToken.objects.get().prefix
    out = run("revoke", prefix)
    assert "已吊销" in out
    assert ApiToken.objects.get().revoked
    assert AuditEvent.objects.filter(action="api_token.revoke").count() == 1
    assert ApiClient(token=key).get("/objects").status_code == 401


def test_the_command_revokes_with_the_full_key_too(db, alice):
    key = run("create", "--user", "alice", "--name", "省级平台").strip().splitlines()[-1]
    run("revoke", key)
    assert ApiToken.objects.get().revoked


def test_the_command_lists_tokens_without_their_keys(db, alice):
    key = run("create", "--user", "alice", "--name", "省级平台").strip().splitlines()[-1]
    out = run("list")
    assert "省级平台" in out and "alice" in out
    assert key not in out


def test_the_command_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="没有用户"):
        run("create", "--user", "nobody", "--name", "x")
    assert not ApiToken.objects.exists()


def test_the_command_refuses_an_unknown_prefix(db):
    with pytest.raises(CommandError, match="没有前缀"):
        run("revoke", "abcdefgh")


def test_the_command_refuses_a_blank_name(db, alice):
    with pytest.raises(CommandError, match="用途"):
        run("create", "--user", "alice", "--name", "  ")


@pytest.mark.parametrize("who", ["sam", "audrey", "sergei"])
def test_the_command_refuses_a_token_for_an_administrator_who_must_use_a_second_factor(db, request, who):
    request.getfixturevalue(who)
    with pytest.raises(CommandError, match="动态口令"):
        run("create", "--user", who, "--name", "绕过动态口令")
    assert not ApiToken.objects.exists()


def test_a_token_issued_to_an_administrator_before_the_rule_is_refused(db, audrey):
    key = ApiToken.new_key()
    ApiToken.objects.create(user=audrey, name="旧令牌", prefix=key[4:12], key_hash=ApiToken.hash_key(key))
    assert ApiClient(token=key).get("/regions").status_code == 401


# --- issue 11 (12): tokens end, carry only their scope, and stop with the account -------------------------------------


def test_a_token_ends_after_its_days(db, alice):
    import datetime

    import time_machine
    from django.utils import timezone

    key = run("create", "--user", "alice", "--name", "省级平台对接", "--days", "30").strip().splitlines()[-1]
    token = ApiToken.objects.get()
    assert (token.expires_at - timezone.now()).days in (29, 30)
    assert ApiClient(token=key).get("/objects").status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
        assert ApiClient(token=key).get("/objects").status_code == 401


def test_a_read_only_token_cannot_write(db, alice):
    key = run("create", "--user", "alice", "--name", "只读", "--read-only").strip().splitlines()[-1]
    assert ApiToken.objects.get().scope == ["GET /api/v1/"]
    c = ApiClient(token=key)
    assert c.get("/objects").status_code == 200
    r = c.post("/objects", {"name": "舞钢市某店", "code": "x"})
    assert r.status_code == 403 and "该令牌不能调用 POST /api/v1/objects" in r.json()["detail"]


def test_a_token_for_named_operations_calls_only_those(db, alice):
    key = (
        run("create", "--user", "alice", "--name", "事项", "--allow", "GET /api/v1/items")
        .strip()
        .splitlines()[-1]
    )
    c = ApiClient(token=key)
    assert c.get("/items").status_code == 200
    assert c.get("/objects").status_code == 403


def test_a_token_stops_while_its_account_is_locked_or_its_password_expired(db, client, alice):
    import datetime

    from django.utils import timezone

    from shuangsuiji.accounts.models import User

    key = token_for(alice)
    for _ in range(5):
        client.post("/login/", {"username": "alice", "password": "wrong"})
    assert ApiClient(token=key).get("/objects").status_code == 401
    from axes.utils import reset

    reset(username="alice")
    assert ApiClient(token=key).get("/objects").status_code == 200
    User.objects.filter(pk=alice.pk).update(password_changed_at=timezone.now() - datetime.timedelta(days=91))
    assert ApiClient(token=key).get("/objects").status_code == 401


def test_the_security_administrator_sees_every_token_with_its_state_and_scope(db, client, alice, sergei):
    from tests.conftest import login

    run("create", "--user", "alice", "--name", "省级平台对接", "--read-only")
    login(client, sergei)
    page = client.get("/security/").content.decode()
    assert "省级平台对接" in page and "有效至" in page and "GET /api/v1/" in page
