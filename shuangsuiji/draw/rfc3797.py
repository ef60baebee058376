"""RFC 3797's own selection (spec §10), for small lists and for cross-checks with other RFC 3797 tools.

MD5 is what RFC 3797 specifies; here it only has to spread a public key over positions, and reproducing the
RFC's published example byte for byte matters more than the hash's strength.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from .errors import SourceValueError
from .seed import canonical_numbers, make_key


def rfc3797_key(sources: str | Sequence[str]) -> str:
    """The key from numeric sources, given as a list or as one string "9319/2,5,12,8,10/9,18,26,34,41,45"."""
    parts = sources.split("/") if isinstance(sources, str) else list(sources)
    if not parts or any(not p.strip() for p in parts):
        raise SourceValueError(
            f'RFC 3797 来源 {sources!r} 不合规：应为用 / 分隔的若干组数字，例如 "9319/2,5,12,8,10"。'
        )
    return make_key([canonical_numbers(p, name=f"第 {i + 1} 组") for i, p in enumerate(parts)])


def rfc3797_digest(key: str, j: int) -> bytes:
    c = j.to_bytes(2, "big")
    return hashlib.md5(c + key.encode("ascii") + c, usedforsecurity=False).digest()


def rfc3797_select(items: Sequence[str], key: str, count: int) -> list[str]:
    """The first `count` picks from `items` (in their given order) by RFC 3797."""
    if count < 0 or count > len(items):
        raise SourceValueError(f"要选出 {count} 项，但列表只有 {len(items)} 项。")
    if count > 65536:
        raise SourceValueError("RFC 3797 的计数器只有 2 字节，最多选出 65536 项。")
    remaining = list(items)
    chosen = []
    for j in range(count):
        pick = int.from_bytes(rfc3797_digest(key, j), "big") % len(remaining)
        chosen.append(remaining.pop(pick))
    return chosen
