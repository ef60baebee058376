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


def matching_step(secret: str, code: str, at: float | None = None, window: int = 1) -> int | None:
    """The time step (counter) whose code `code` is, within one step either side of now (clock drift), or None.

    The caller remembers the last step it accepted and refuses any step not after it, so a code is never replayed.
    """
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit() or len(code) != DIGITS:
        return None
    now = time.time() if at is None else at
    found = None
    for d in range(-window, window + 1):
        # Compare every candidate (no early exit), so the time taken does not tell which step matched.
        if hmac.compare_digest(totp(secret, now + d * STEP), code):
            found = int((now + d * STEP) // STEP)
    return found


def verify_totp(secret: str, code: str, at: float | None = None, window: int = 1) -> bool:
    """True when `code` matches the current step or one step either side (clock drift)."""
    return matching_step(secret, code, at, window) is not None


def provisioning_uri(secret: str, account: str, issuer: str = "shuangsuiji") -> str:
    from urllib.parse import quote

    return f"otpauth://totp/{quote(issuer)}:{quote(account)}?secret={secret}&issuer={quote(issuer)}"
