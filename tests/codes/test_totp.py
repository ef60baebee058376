import base64

from shuangsuiji.codes.totp import _hotp, new_secret, totp, verify_totp

RFC_KEY = base64.b32encode(b"12345678901234567890").decode()


def test_it_reproduces_rfc_6238s_sha1_vectors():
    # RFC 6238 Appendix B, 8 digits, SHA-1.
    for t, expected in [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
    ]:
        assert totp(RFC_KEY, at=t, digits=8) == expected


def test_it_reproduces_rfc_4226s_hotp_vectors():
    expected = ["755224", "287082", "359152", "969429", "338314"]
    assert [_hotp(b"12345678901234567890", i) for i in range(5)] == expected


def test_it_accepts_one_step_of_clock_drift_and_nothing_more():
    secret = new_secret()
    code = totp(secret, at=1_000_000)
    assert verify_totp(secret, code, at=1_000_000 + 30)
    assert not verify_totp(secret, code, at=1_000_000 + 95)
    assert not verify_totp(secret, "12345", at=1_000_000)
    assert not verify_totp(secret, "abcdef", at=1_000_000)


def test_the_matching_step_names_the_time_step_of_the_code() -> None:
    from shuangsuiji.codes.totp import matching_step

    secret = new_secret()
    at = 1_000_000.0
    assert matching_step(secret, totp(secret, at), at=at) == int(at // 30)
    assert matching_step(secret, totp(secret, at - 30), at=at) == int(at // 30) - 1
    assert matching_step(secret, totp(secret, at + 30), at=at) == int(at // 30) + 1
    assert matching_step(secret, totp(secret, at - 60), at=at) is None
    assert matching_step(secret, "12a456", at=at) is None
