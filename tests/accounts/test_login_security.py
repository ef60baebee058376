"""Login hardening (等保 2.0 level 3): lockout, password policy and expiry, idle timeout, the admins' TOTP."""

import datetime
import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from shuangsuiji.accounts.models import User
from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.codes.totp import totp
from tests.conftest import PASSWORD, login

pytestmark = pytest.mark.usefixtures("db")


def post_login(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def test_a_good_login_gets_a_new_session_key_and_is_audited(client, alice):
    client.get("/login/")
    before = client.cookies.get("sessionid")
    response = post_login(client, "alice", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.cookies["sessionid"].value != (before.value if before else None)
    assert AuditEvent.objects.filter(action="auth.login", actor=alice).exists()


def test_five_failures_lock_the_account_for_thirty_minutes_and_are_audited(client, alice):
    for _ in range(5):
        post_login(client, "alice", "wrong-password")
    response = post_login(client, "alice", PASSWORD)
    assert response.status_code == 429 and "已锁定 30 分钟" in response.content.decode()
    assert AuditEvent.objects.filter(action="auth.login_failed").count() >= 5
    assert AuditEvent.objects.filter(action="auth.locked_out").exists()


def test_the_security_administrator_unlocks_an_account(client, alice, sergei):
    for _ in range(5):
        post_login(client, "alice", "wrong-password")
    login(client, sergei)
    assert client.post("/security/unlock/", {"username": "alice"}).status_code == 302
    client.logout()
    assert post_login(client, "alice", PASSWORD).status_code == 302
    assert AuditEvent.objects.filter(action="auth.unlock").exists()


@pytest.mark.parametrize("password", ["short1A", "alllowercase1", "ALLUPPER123", "NoDigitsHere"])
def test_weak_passwords_are_refused(alice, password):
    with pytest.raises(ValidationError):
        validate_password(password, alice)


def test_none_of_the_last_five_passwords_may_be_reused(alice):
    used = [f"Passw0rd!{n}" for n in range(6)]
    for p in used:
        alice.set_password(p)
        alice.save()
    with pytest.raises(ValidationError, match="最近 5 次"):
        validate_password(used[-1], alice)
    with pytest.raises(ValidationError, match="最近 5 次"):
        validate_password(used[2], alice)
    validate_password(used[0], alice)  # the sixth-last may come back


def test_an_expired_password_must_be_changed_first(client, alice):
    User.objects.filter(pk=alice.pk).update(password_changed_at=timezone.now() - datetime.timedelta(days=91))
    login(client, alice)
    response = client.get("/objects/")
    assert response.status_code == 302 and response["Location"] == "/password/change/"
    response = client.post(
        "/password/change/",
        {"old_password": PASSWORD, "new_password1": "N3w-Passw0rd", "new_password2": "N3w-Passw0rd"},
    )
    assert response.status_code == 302
    assert client.get("/objects/").status_code == 200


def test_thirty_idle_minutes_end_the_session(client, alice):
    login(client, alice)
    session = client.session
    session["last_seen"] = time.time() - 31 * 60
    session.save()
    response = client.get("/objects/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.get("/objects/").status_code == 302


def test_administrators_need_a_second_factor(client, sam):
    sam.totp_secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    sam.save()
    client.force_login(sam)
    assert client.get("/admin/")["Location"] == "/login/totp/"
    assert client.post("/login/totp/", {"code": "000000"}).status_code == 200
    assert client.post("/login/totp/", {"code": totp(sam.totp_secret)}).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_an_administrator_without_a_secret_enrols_one(client, audrey):
    client.force_login(audrey)
    page = client.get("/login/totp/").content.decode()
    assert "首次登录" in page
    secret = client.session["totp_pending"]
    client.post("/login/totp/", {"code": totp(secret)})
    audrey.refresh_from_db()
    assert audrey.totp_secret == secret
    assert AuditEvent.objects.filter(action="auth.totp_enrolled").exists()


def test_five_wrong_codes_sign_the_administrator_out(client, sam):
    sam.totp_secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    sam.save()
    client.force_login(sam)
    for _ in range(5):
        client.post("/login/totp/", {"code": "000000"})
    assert "_auth_user_id" not in client.session


def test_after_five_passwords_the_first_of_them_is_still_refused(alice):
    # Issue 11 (10): after Hist1 … Hist5, Hist1 was accepted again (the history held the current hash twice).
    for n in range(1, 6):
        alice.set_password(f"Hist{n}@pass")
        alice.save()
    for n in range(1, 6):
        with pytest.raises(ValidationError, match="最近 5 次"):
            validate_password(f"Hist{n}@pass", alice)


def test_a_password_with_the_username_or_too_short_is_refused_in_chinese(alice):
    with pytest.raises(ValidationError, match="密码不能包含用户名"):
        validate_password("Alice@2026x", alice)
    with pytest.raises(ValidationError) as caught:
        validate_password("Ab1!", alice)
    assert caught.value.messages[0] == "密码至少 8 个字符，实为 4 个"


def test_the_admin_site_changes_no_password_and_no_group_without_the_audit(client, sam):
    # Issue 11 (11): /admin/password_change/ changed the password with no audit event.
    from tests.conftest import login

    login(client, sam)
    r = client.get("/admin/password_change/")
    assert r.status_code == 302 and r["Location"] == "/password/change/"
    assert client.get("/admin/auth/group/").status_code == 404


def test_a_flood_of_failed_logins_for_unknown_names_writes_one_audit_event_a_minute(client, alice):
    # Issue 11 (14): 136 anonymous failures in 15 s wrote 136 audit events.
    for n in range(30):
        client.post("/login/", {"username": f"nobody{n}", "password": "x"})
    events = AuditEvent.objects.filter(action="auth.login_failed")
    assert events.count() == 1 and events.get().after["unknown_account"] is True
    # A real account's failures are each recorded (and django-axes locks it after five).
    client.post("/login/", {"username": "alice", "password": "wrong"})
    assert events.filter(after__username="alice").count() == 1
