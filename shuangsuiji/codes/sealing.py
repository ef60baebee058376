"""SM4-GCM encryption of personal numbers at rest, and their keyed ("blind") index for exact lookup.

Pure: no Django. The Django side (`shuangsuiji/personal/`) reads the keys from the environment and wraps this in
model fields.

- One master secret per deployment (PERSONAL_DATA_KEY). HKDF-SM3 derives from it a 128-bit SM4 key and a separate
  256-bit index key, so that the index key leaking would not expose the ciphertexts and vice versa.
- Each value is sealed with a fresh 96-bit nonce and bound (as GCM associated data) to its column, so a ciphertext
  copied into another column, or edited, fails to open instead of showing a wrong value.
- A token names the key it was sealed with (an 8-hex fingerprint of the master secret), so keys can be rotated: old
  keys stay readable until a re-encryption has moved every row to the current one.
- The index is HMAC-SM3(index key, column | normalised value): equal numbers give equal indexes, nobody without the
  key can compute one, and the same number in two columns does not match.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .errors import PersonalDataError

SCHEME = "sm4gcm"
NONCE_SIZE = 12
TAG_SIZE = 16
MIN_SECRET_BYTES = 16


def _hmac_sm3(key: bytes, data: bytes) -> bytes:
    h = hmac.HMAC(key, hashes.SM3())
    h.update(data)
    return h.finalize()


def _derive(secret: bytes, length: int, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SM3(), length=length, salt=None, info=info).derive(secret)


def normalise(value: str) -> str:
    """The form a number is indexed in: no spaces or hyphens, upper case (a trailing x of an ID number is X)."""
    return "".join(ch for ch in value if ch not in " -\t").upper()


@dataclass(frozen=True)
class SealKey:
    """The keys derived from one master secret."""

    kid: str
    sm4: bytes
    index: bytes

    @classmethod
    def from_secret(cls, secret: str | bytes) -> SealKey:
        raw = secret.encode("utf-8") if isinstance(secret, str) else secret
        if len(raw) < MIN_SECRET_BYTES:
            raise PersonalDataError(
                f"个人信息加密密钥太短：至少需要 {MIN_SECRET_BYTES} 个字节（建议 32 字节随机值）。"
            )
        return cls(
            kid=_hmac_sm3(raw, b"shuangsuiji key id")[:4].hex(),
            sm4=_derive(raw, 16, b"shuangsuiji personal data sm4-gcm v1"),
            index=_derive(raw, 32, b"shuangsuiji personal data index v1"),
        )


class Sealer:
    """Seals and opens values with the current key; opens values sealed with any of the old keys too."""

    def __init__(self, current: SealKey, old: Sequence[SealKey] = ()) -> None:
        self.current = current
        self._keys = {k.kid: k for k in (*old, current)}

    def seal(self, plaintext: str, context: str) -> str:
        """`sm4gcm$<kid>$<base64url(nonce | ciphertext | tag)>`; the empty string stays empty (nothing to hide)."""
        if plaintext == "":
            return ""
        nonce = os.urandom(NONCE_SIZE)
        enc = Cipher(algorithms.SM4(self.current.sm4), modes.GCM(nonce)).encryptor()
        enc.authenticate_additional_data(context.encode("utf-8"))
        body = enc.update(plaintext.encode("utf-8")) + enc.finalize()
        token = base64.urlsafe_b64encode(nonce + body + enc.tag).decode("ascii").rstrip("=")
        return f"{SCHEME}${self.current.kid}${token}"

    def open(self, token: str, context: str) -> str:
        if token == "":
            return ""
        parts = token.split("$")
        if len(parts) != 3 or parts[0] != SCHEME:
            raise PersonalDataError(f"{context}：数据库中的值不是 SM4 密文（可能未加密或已被改动）。")
        key = self._keys.get(parts[1])
        if key is None:
            raise PersonalDataError(
                f"{context}：密文使用的密钥 {parts[1]} 不在当前配置中（PERSONAL_DATA_KEY / PERSONAL_DATA_OLD_KEYS）。"
            )
        try:
            raw = base64.urlsafe_b64decode(parts[2] + "=" * (-len(parts[2]) % 4))
        except ValueError:
            raise PersonalDataError(f"{context}：密文已损坏。") from None
        if len(raw) < NONCE_SIZE + TAG_SIZE:
            raise PersonalDataError(f"{context}：密文已损坏。")
        nonce, body, tag = raw[:NONCE_SIZE], raw[NONCE_SIZE:-TAG_SIZE], raw[-TAG_SIZE:]
        dec = Cipher(algorithms.SM4(key.sm4), modes.GCM(nonce, tag)).decryptor()
        dec.authenticate_additional_data(context.encode("utf-8"))
        try:
            return (dec.update(body) + dec.finalize()).decode("utf-8")
        except (InvalidTag, UnicodeDecodeError):
            raise PersonalDataError(f"{context}：密文校验失败（被改动，或属于其他字段）。") from None

    def is_current(self, token: str) -> bool:
        return token == "" or token.startswith(f"{SCHEME}${self.current.kid}$")

    def index(self, value: str, context: str) -> str:
        """The keyed index of a number (64 hex characters); the empty string for an empty value."""
        value = normalise(value)
        if value == "":
            return ""
        return _hmac_sm3(self.current.index, f"{context}|{value}".encode()).hex()
