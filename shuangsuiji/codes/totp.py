"""TOTP (RFC 6238, HMAC-SHA1, 30-second steps, 6 digits): the second factor of the three administrator roles.

Twenty lines of the standard rather than a dependency; tested against RFC 6238's own vectors.
"""

import base64
import hashlib
import hmac
import secrets
import struct
import time

STEP = 30
DIGITS = 6


def new_secret() -> str:
    """A base32 secret (160 bits) to enter into an authenticator app."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii")


def _hotp(key: bytes, counter: int, digits: int = DIGITS) -> str:
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % (10**digits)
    return str(code).zfill(digits)


def totp(secret: str, at: float | None = None, digits: int = DIGITS) -> str:
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    return _hotp(key, int((time.time() if at is None else at) // STEP), digits)


def verify_totp(secret: str, code: str, at: float | None = None, window: int = 1) -> bool:
    """True when `code` matches the current step or one step either side (clock drift)."""
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit() or len(code) != DIGITS:
        return False
    now = time.time() if at is None else at
    return any(hmac.compare_digest(totp(secret, now + d * STEP), code) for d in range(-window, window + 1))


def provisioning_uri(secret: str, account: str, issuer: str = "shuangsuiji") -> str:
    from urllib.parse import quote

    return f"otpauth://totp/{quote(issuer)}:{quote(account)}?secret={secret}&issuer={quote(issuer)}"
