"""Replacing a selected object that cannot be inspected (spec §8): the first unused reserve of its stratum.

The reserves were ordered by the draw itself, so the replacement involves no new choice; the Django side
records who replaced what, why and when, and publishes it beside the certificate.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from .errors import ReservesExhaustedError


def next_reserve(certificate: Mapping[str, Any], stratum: str, used: Collection[str] = ()) -> str:
    """The first reserve of `stratum` not in `used` (reserves already brought in by earlier replacements)."""
    strata = certificate.get("strata", {})
    if stratum not in strata:
        raise ReservesExhaustedError(f"证书中没有分层 {stratum}。")
    for object_id, _priority in strata[stratum]["reserves"]:
        if object_id not in used:
            return str(object_id)
    raise ReservesExhaustedError(
        f"分层 {stratum} 的候补对象已全部用完（共 {len(strata[stratum]['reserves'])} 个）；"
        "如仍需替换，只能发起一次新的抽取（新的 draw_id 和承诺）。"
    )
