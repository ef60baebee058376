"""Revealed source values, the key and the seed (spec §3).

The canonical forms exist so that two people typing the same lottery result differently ("30,3,11" and
"3, 11, 30") get the same key, exactly as in RFC 3797.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping

from .errors import SecretMismatchError, SourceMissingError, SourceValueError
from .hashing import hex_hash
from .params import Params, Source

_SECRET_RE = re.compile("[0-9a-f]{64,}")
_NUMBERS_SPLIT_RE = re.compile(r"[\s,.;/]+")
_DIGITS_RE = re.compile("[0-9]+")


def make_secret() -> str:
    """A fresh server secret: 32 bytes from the OS CSPRNG as 64 hex digits. Keep it until the ceremony."""
    return secrets.token_hex(32)


def secret_commitment(secret: str, hash_name: str = "sha256") -> str:
    """What goes into params.json for a `secret` source: hex(H(ASCII(secret)))."""
    return hex_hash(hash_name, canonical_secret(secret, name="secret").encode("ascii"))


def canonical_secret(value: str, *, name: str) -> str:
    secret = value.strip().lower()
    if not _SECRET_RE.fullmatch(secret):
        raise SourceValueError(
            f"来源 {name} 的秘密值必须是至少 64 位的十六进制数字（由 make_secret 生成），而不是 {value!r}。"
        )
    return secret


def canonical_numbers(value: str, *, name: str) -> str:
    """Lottery balls in RFC 3797 form: sorted ascending, no leading zeros, each followed by "."."""
    parts = [p for p in _NUMBERS_SPLIT_RE.split(value.strip()) if p]
    if not parts or not all(_DIGITS_RE.fullmatch(p) for p in parts):
        raise SourceValueError(
            f'来源 {name} 的开奖号码 {value!r} 不合规：应为用逗号分隔的非负整数，例如 "30,3,11,15,22,27"。'
        )
    return "".join(f"{n}." for n in sorted(int(p) for p in parts))


def canonical_digits(value: str, *, name: str) -> str:
    digits = value.strip()
    if not _DIGITS_RE.fullmatch(digits):
        raise SourceValueError(
            f'来源 {name} 的数字串 {value!r} 不合规：只能由 0-9 组成（例如现场掷骰的结果 "314159"）。'
        )
    return digits


def canonical_value(source: Source, value: str, hash_name: str) -> str:
    """The canonical form of one revealed value; a secret must also match its commitment."""
    if not isinstance(value, str):
        raise SourceValueError(f"来源 {source.name} 的值必须是字符串，而不是 {value!r}。")
    if source.kind == "secret":
        secret = canonical_secret(value, name=source.name)
        actual = hex_hash(hash_name, secret.encode("ascii"))
        if actual != source.commitment:
            raise SecretMismatchError(
                f"来源 {source.name} 揭示的秘密值与抽取前公布的承诺不符：H(秘密值) = {actual}，"
                f"承诺为 {source.commitment}。请核对是否用了另一次抽取的秘密值；秘密值不能更换。"
            )
        return secret
    if source.kind == "numbers":
        return canonical_numbers(value, name=source.name)
    return canonical_digits(value, name=source.name)


def make_key(values: list[str]) -> str:
    return "".join(v + "/" for v in values)


def make_seed(hash_name: str, commitment: str, key: str) -> str:
    return hex_hash(hash_name, f"DRAW-v1|{commitment}|{key}".encode("ascii"))


def derive_seed(params: Params, reveals: Mapping[str, str]) -> tuple[list[dict[str, str]], str, str]:
    """(certificate sources, key, seed) from the revealed values, by source name."""
    known = {s.name for s in params.sources}
    unknown = sorted(set(reveals) - known)
    if unknown:
        raise SourceValueError(
            f"揭示了未在 params.json 中公布的来源 {'、'.join(unknown)}；已公布的来源：{'、'.join(s.name for s in params.sources)}。"
        )
    out: list[dict[str, str]] = []
    for source in params.sources:
        if source.name not in reveals:
            raise SourceMissingError(
                f"缺少来源 {source.name}（{source.kind}）的揭示值；请用 --reveal {source.name}=值 提供。"
            )
        value = canonical_value(source, reveals[source.name], params.hash_name)
        out.append({"name": source.name, "kind": source.kind, "value": value})
    key = make_key([s["value"] for s in out])
    return out, key, make_seed(params.hash_name, params.commitment, key)
