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

    This is the engine's hot loop (one call per candidate). Both hashes copy a state that has already
    absorbed the prefix: the seed prefix is 65 bytes, so the copy skips one of the two compression blocks
    and the `prefix + s` concatenation. On Python 3.11 this measured 20 % faster than a bare
    `sha256(prefix + s).digest()` loop (bench/bench_draw.py prints that baseline).
    """
    if name == "sha256":
        copy = hashlib.sha256(prefix).copy
        out = []
        for s in suffixes:
            h = copy()
            h.update(s)
            out.append(h.digest())
        return out
    check_hash_name(name)
    base = hashes.Hash(hashes.SM3())
    base.update(prefix)
    out = []
    for s in suffixes:
        h2 = base.copy()
        h2.update(s)
        out.append(h2.finalize())
    return out


def keys_with_prefix(name: str, prefix: bytes, suffixes: Iterable[bytes]) -> dict[bytes, bytes]:
    """{s: H(prefix + s) + s}: keys that order by (digest, s) as plain bytes, so `min` needs no tuples."""
    suffixes = list(suffixes)
    return {s: d + s for s, d in zip(suffixes, digests_with_prefix(name, prefix, suffixes), strict=True)}


def key_list(name: str, prefix: bytes, suffixes: Iterable[bytes]) -> list[bytes]:
    """[H(prefix + s) + s for s in suffixes]."""
    if name == "sha256":
        copy = hashlib.sha256(prefix).copy
        out = []
        for s in suffixes:
            h = copy()
            h.update(s)
            out.append(h.digest() + s)
        return out
    return list(keys_with_prefix(name, prefix, suffixes).values())


def smallest_key(name: str, prefix: bytes, suffixes: Iterable[bytes]) -> bytes:
    """min(H(prefix + s) + s): the suffix with the smallest digest, ties broken by the suffix itself."""
    return min(key_list(name, prefix, suffixes))


def keys_at_or_below(name: str, prefix: bytes, ids: list[bytes], threshold: bytes) -> list[bytes]:
    """`H(prefix + s) + s` for the IDs whose digest is <= threshold: the selection filter.

    Digests above the threshold are dropped as soon as they are computed, so memory stays hot and a
    ten-million-candidate stratum never holds more than a batch of them. A plain loop, not a comprehension:
    a walrus inside a comprehension makes its target a cell variable, which measured 30 % slower.
    """
    out: list[bytes] = []
    if name == "sha256":
        copy = hashlib.sha256(prefix).copy
        for s in ids:
            h = copy()
            h.update(s)
            d = h.digest()
            if d <= threshold:
                out.append(d + s)
        return out
    for s, d in zip(ids, digests_with_prefix(name, prefix, ids), strict=True):
        if d <= threshold:
            out.append(d + s)
    return out
