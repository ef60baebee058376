"""The draw's hash `H`: sha256 (hashlib) or sm3 (the `cryptography` package).

sm3 goes through `cryptography` rather than `hashlib.new("sm3")` because hashlib only has sm3 when the
system's OpenSSL was built with it, which varies between machines; `cryptography` ships its own OpenSSL
(docs/adr/0003-draw-v1.md). Both are wrapped behind `Hasher` so the engine never branches on the name.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Protocol

from cryptography.hazmat.primitives import hashes

from .errors import UnknownHashError

HASH_NAMES = ("sha256", "sm3")
DIGEST_SIZE = 32


class Hasher(Protocol):
    """An incremental hash, the subset of the hashlib interface the engine uses."""

    def update(self, data: bytes, /) -> None: ...

    def digest(self) -> bytes: ...

    def hexdigest(self) -> str: ...


class _Sm3:
    """hashlib-like face on cryptography's SM3, whose `finalize()` can be called only once."""

    __slots__ = ("_h",)

    def __init__(self, data: bytes = b"", _h: hashes.Hash | None = None) -> None:
        self._h = _h if _h is not None else hashes.Hash(hashes.SM3())
        if data:
            self._h.update(data)

    def update(self, data: bytes, /) -> None:
        self._h.update(data)

    def copy(self) -> _Sm3:
        return _Sm3(_h=self._h.copy())

    def digest(self) -> bytes:
        return self._h.copy().finalize()

    def hexdigest(self) -> str:
        return self.digest().hex()


def check_hash_name(name: object) -> str:
    if name not in HASH_NAMES:
        raise UnknownHashError(f'不支持的哈希算法 {name!r}：DRAW-v1 只允许 "sha256"（默认）或 "sm3"。')
    return str(name)


def new_hash(name: str, data: bytes = b"") -> Hasher:
    check_hash_name(name)
    if name == "sha256":
        return hashlib.sha256(data)
    return _Sm3(data)


def hex_hash(name: str, data: bytes) -> str:
    return new_hash(name, data).hexdigest()


def digests_with_prefix(name: str, prefix: bytes, suffixes: Iterable[bytes]) -> list[bytes]:
    """`[H(prefix + s) for s in suffixes]`, as fast as the library allows.

    This is the engine's hot loop (one call per candidate). For sha256 a plain comprehension measured
    faster than both a `map` chain (hashlib's constructor is slower through `map`) and copying a prehashed
    prefix; for sm3 each `Hash` object is costly to create, so copying a prehashed prefix wins.
    """
    if name == "sha256":
        sha256 = hashlib.sha256
        return [sha256(prefix + s).digest() for s in suffixes]
    check_hash_name(name)
    base = hashes.Hash(hashes.SM3())
    base.update(prefix)
    out = []
    for s in suffixes:
        h = base.copy()
        h.update(s)
        out.append(h.finalize())
    return out


def keys_with_prefix(name: str, prefix: bytes, suffixes: Iterable[bytes]) -> dict[bytes, bytes]:
    """{s: H(prefix + s) + s}: keys that order by (digest, s) as plain bytes, so `min` needs no tuples."""
    if name == "sha256":
        sha256 = hashlib.sha256
        return {s: sha256(prefix + s).digest() + s for s in suffixes}
    suffixes = list(suffixes)
    return {s: d + s for s, d in zip(suffixes, digests_with_prefix(name, prefix, suffixes), strict=True)}


def key_list(name: str, prefix: bytes, suffixes: Iterable[bytes]) -> list[bytes]:
    """[H(prefix + s) + s for s in suffixes]."""
    if name == "sha256":
        sha256 = hashlib.sha256
        return [sha256(prefix + s).digest() + s for s in suffixes]
    return list(keys_with_prefix(name, prefix, suffixes).values())


def smallest_key(name: str, prefix: bytes, suffixes: Iterable[bytes]) -> bytes:
    """min(H(prefix + s) + s): the suffix with the smallest digest, ties broken by the suffix itself."""
    if name == "sha256":
        sha256 = hashlib.sha256
        return min([sha256(prefix + s).digest() + s for s in suffixes])
    return min(keys_with_prefix(name, prefix, suffixes).values())


def keys_at_or_below(name: str, prefix: bytes, ids: list[bytes], threshold: bytes) -> list[bytes]:
    """`H(prefix + s) + s` for the IDs whose digest is <= threshold: the selection filter.

    Digests above the threshold are dropped as soon as they are computed, so memory stays hot and a
    ten-million-candidate stratum never holds more than a batch of them.
    """
    if name == "sha256":
        sha256 = hashlib.sha256
        return [d + s for s in ids if (d := sha256(prefix + s).digest()) <= threshold]
    return [d + s for s, d in zip(ids, digests_with_prefix(name, prefix, ids), strict=True) if d <= threshold]
