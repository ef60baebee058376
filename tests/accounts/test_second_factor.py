"""Issue 11 (2, 3): the administrators' second factor cannot be guessed, replayed or used to leave the site."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from shuangsuiji.accounts.models import User
from shuangsuiji.audit.models import AuditEvent
from shuangsuiji.codes.totp import totp
from tests.concurrency import run_concurrently
from tests.conftest import PASSWORD

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def wrong(secret: str = SECRET) -> str:
    """A code that is not the current one (nor either neighbour)."""
    now = timezone.now().timestamp()
    taken = {totp(secret, now + d * 30) for d in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in taken)


@pytest.fixture
def sam_enrolled(sam):
    sam.totp_secret = SECRET
    sam.save()
    return sam


def password_login(client, user, next_url: str = "") -> None:
    r = client.post(
        "/login/" + (f"?next={next_url}" if next_url else ""),
        {"username": user.username, "password": PASSWORD},
    )
    assert r.status_code == 302, r.content.decode()[:500]


def test_signing_in_again_does_not_give_fresh_guesses(client, sam_enrolled):
    password_login(client, sam_enrolled)
    for _ in range(3):
        assert "动态口令不正确" in client.post("/login/totp/", {"code": wrong()}).content.decode()
    client.post("/logout/")
    password_login(client, sam_enrolled)
    client.post("/login/totp/", {"code": wrong()})
    r = client.post("/login/totp/", {"code": wrong()}, follow=True)
    assert "已锁定并退出登录" in r.content.decode()
    sam_enrolled.refresh_from_db()
    assert sam_enrolled.totp_locked_at is not None and sam_enrolled.totp_failures == 5
    # Locked: even the right code no longer signs in.
    password_login(client, sam_enrolled)
    r = client.post("/login/totp/", {"code": totp(SECRET)}, follow=True)
    assert "已锁定" in r.content.decode() and not client.session.get("otp_ok")
    assert AuditEvent.objects.filter(action="auth.totp_locked").count() == 1
    assert AuditEvent.objects.filter(action="auth.totp_refused_locked").count() == 1


def test_a_code_is_accepted_once(client, sam_enrolled):
    password_login(client, sam_enrolled)
    code = totp(SECRET)
    assert client.post("/login/totp/", {"code": code}).status_code == 302
    client.post("/logout/")
    password_login(client, sam_enrolled)
    r = client.post("/login/totp/", {"code": code})
    assert r.status_code == 200 and "该动态口令已经使用过" in r.content.decode()
    assert not client.session.get("otp_ok")


def test_failures_older_than_thirty_minutes_no_longer_count(client, sam_enrolled):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        password_login(client, sam_enrolled)
        for _ in range(4):
            client.post("/login/totp/", {"code": wrong()})
    with time_machine.travel(start + datetime.timedelta(minutes=31), tick=False):
        client = Client()  # the old session has idled out
        password_login(client, sam_enrolled)
        client.post("/login/totp/", {"code": wrong()})
        sam_enrolled.refresh_from_db()
        assert sam_enrolled.totp_failures == 1 and sam_enrolled.totp_locked_at is None
        assert client.post("/login/totp/", {"code": totp(SECRET)}).status_code == 302


def test_the_security_administrator_unlocks_a_locked_second_factor_but_not_their_own(
    client, sam_enrolled, sergei
):
    User.objects.filter(pk=sam_enrolled.pk).update(totp_locked_at=timezone.now(), totp_failures=5)
    sergei.totp_locked_at = timezone.now()
    sergei.save()
    from tests.conftest import login

    login(client, sergei)
    assert "已锁定" in client.get("/security/").content.decode()
    assert client.post(f"/security/users/{sergei.pk}/unlock-totp/").status_code == 403
    assert client.post(f"/security/users/{sergei.pk}/reset-totp/").status_code == 403
    assert client.post(f"/security/users/{sam_enrolled.pk}/unlock-totp/").status_code == 302
    sam_enrolled.refresh_from_db()
    assert sam_enrolled.totp_locked_at is None and sam_enrolled.totp_failures == 0
    event = AuditEvent.objects.get(action="auth.totp_unlock")
    assert event.actor_id == sergei.pk and event.target_id == str(sam_enrolled.pk)
    other = Client()
    password_login(other, sam_enrolled)
    assert other.post("/login/totp/", {"code": totp(SECRET)}).status_code == 302


@pytest.mark.parametrize(
    "target", ["https://evil.example/x", "//evil.example/x", "/\\evil.example", "https:/evil.example"]
)
def test_the_second_factor_never_sends_anyone_off_the_site(client, sam_enrolled, target):
    password_login(client, sam_enrolled)
    r = client.post(f"/login/totp/?next={target}", {"code": totp(SECRET)})
    assert r.status_code == 302 and r["Location"] == "/"


def test_the_second_factor_follows_a_next_on_the_site(client, sam_enrolled):
    password_login(client, sam_enrolled)
    r = client.post("/login/totp/?next=/calendar/", {"code": totp(SECRET)})
    assert r["Location"] == "/calendar/"


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_guesses_in_one_session_are_each_counted_and_stop_at_five(reference_data):
    sam = User.objects.create_user(username="sam", password=PASSWORD, role="sysadmin", totp_secret=SECRET)
    client = Client()
    password_login(client, sam)
    cookie = client.cookies["sessionid"].value
    bad = wrong()

    def guess():
        c = Client()
        c.cookies["sessionid"] = cookie
        return c.post("/login/totp/", {"code": bad}).status_code

    run_concurrently(20, guess)
    sam.refresh_from_db()
    assert sam.totp_locked_at is not None and sam.totp_failures == 5
    assert AuditEvent.objects.filter(action="auth.totp_failed").count() == 5
