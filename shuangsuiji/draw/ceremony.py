"""The ceremony record, `ceremony.json`: who witnessed a draw, and which certificate they witnessed.

result.json stays exactly DRAW-v1 (independent programs reproduce it byte for byte), so the witnesses are listed in a
companion file beside it, bound to it by the SHA-256 of the certificate's bytes and to the draw by its commitment(s)
and seed. The `fingerprint` is what the witnesses signed on the paper record at the ceremony: the first 16 hex digits
of each commitment and of the draw seed. A check here confirms that the file agrees with the certificate and that
the fingerprint is the one those values give, so a paper record signed at the ceremony can be matched to the files
published later. Whether the people listed were really there is for the paper record and its signatures to show.

A sealed draw (DRAW-v1.1) publishes the same file in its public folder and its full folder. Its fingerprint groups
are the public commitment, the full commitment and the draw seed (the full one); the public check confirms the two
commitment groups, the full check all three.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .errors import DrawError

CEREMONY = "ceremony.json"
CEREMONY_SPEC = "DRAW-ceremony-1"
STATUSES = ("drawn", "failed")
_HEX_RE = re.compile("[0-9a-f]{64}")
_KEYS = {
    "spec",
    "draw",
    "task",
    "status",
    "drawn_at",
    "commitment",
    "full_commitment",
    "seed",
    "result_file",
    "result_sha256",
    "full_result_sha256",
    "fingerprint",
    "witnesses",
    "dice_thrown_by",
    "failure",
}

CEREMONY_UNCHECKED = [
    "监督人员是否确实到场：请核对纸质抽取记录上的签字和指纹 / whether the witnesses were really there: "
    "see their signatures and the fingerprint on the paper record"
]


class CeremonyError(DrawError):
    """ceremony.json does not agree with the draw's files."""


def fingerprint(commitment: str, full_commitment: str | None, seed: str | None) -> str:
    """The first 16 hex digits of the commitment(s) and, once drawn, of the draw seed, in groups of four."""

    def groups(value: str) -> str:
        return " ".join(value[i : i + 4] for i in range(0, 16, 4)).upper()

    parts = [groups(commitment)]
    if full_commitment:
        parts.append(groups(full_commitment))
    if seed:
        parts.append(groups(seed))
    return " / ".join(parts)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def ceremony_record(
    *,
    draw: int,
    task: str,
    status: str,
    drawn_at: str,
    commitment: str,
    full_commitment: str | None,
    seed: str | None,
    draw_seed: str | None,
    result_file: str | None,
    result_body: bytes | None,
    full_result_body: bytes | None,
    witnesses: Sequence[Mapping[str, str]],
    dice_thrown_by: Mapping[str, str],
    failure: str = "",
) -> dict[str, Any]:
    """The record's content. `seed` is the seed the reader's certificate shows (the public seed of a sealed draw),
    `draw_seed` the DRAW-v1 seed the fingerprint groups (the same value for an open draw)."""
    if status not in STATUSES:
        raise CeremonyError(f"仪式状态须为 {STATUSES} 之一。")
    return {
        "spec": CEREMONY_SPEC,
        "draw": draw,
        "task": task,
        "status": status,
        "drawn_at": drawn_at,
        "commitment": commitment,
        "full_commitment": full_commitment,
        "seed": seed,
        "result_file": result_file,
        "result_sha256": sha256_hex(result_body) if result_body is not None else None,
        "full_result_sha256": sha256_hex(full_result_body) if full_result_body is not None else None,
        "fingerprint": fingerprint(commitment, full_commitment, draw_seed),
        "witnesses": [{"name": w["name"], "unit": w["unit"]} for w in witnesses],
        "dice_thrown_by": dict(sorted(dice_thrown_by.items())),
        "failure": failure or None,
    }


def ceremony_bytes(record: Mapping[str, Any]) -> bytes:
    return (json.dumps(record, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def load_ceremony(path: Path) -> dict[str, Any]:
    """Parse and shape-check ceremony.json; CeremonyError names the first problem."""
    try:
        record = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CeremonyError(f"{CEREMONY} 不是有效的 UTF-8 JSON：{e}") from None
    if not isinstance(record, dict) or set(record) != _KEYS:
        raise CeremonyError(f"{CEREMONY} 的字段应恰为 {sorted(_KEYS)}。")
    if record["spec"] != CEREMONY_SPEC or record["status"] not in STATUSES:
        raise CeremonyError(f"{CEREMONY} 的 spec 应为 {CEREMONY_SPEC}，status 应为 drawn 或 failed。")
    for key in ("commitment", "full_commitment", "seed", "result_sha256", "full_result_sha256"):
        value = record[key]
        if value is not None and not (isinstance(value, str) and _HEX_RE.fullmatch(value)):
            raise CeremonyError(f"{CEREMONY} 的 {key} 应为 64 位小写十六进制或 null。")
    if record["commitment"] is None:
        raise CeremonyError(f"{CEREMONY} 缺少 commitment。")
    witnesses = record["witnesses"]
    if (
        not isinstance(witnesses, list)
        or not witnesses
        or not all(
            isinstance(w, dict)
            and set(w) == {"name", "unit"}
            and all(isinstance(v, str) and v.strip() for v in w.values())
            for w in witnesses
        )
    ):
        raise CeremonyError(f"{CEREMONY} 的 witnesses 应为至少一名监督人员的姓名和单位。")
    names = {w["name"] for w in witnesses}
    thrown = record["dice_thrown_by"]
    if not isinstance(thrown, dict) or not all(isinstance(v, str) and v in names for v in thrown.values()):
        raise CeremonyError(f"{CEREMONY} 的 dice_thrown_by 中的掷骰人须是登记的监督人员之一。")
    if not isinstance(record["fingerprint"], str):
        raise CeremonyError(f"{CEREMONY} 的 fingerprint 应为字符串。")
    return record


def check_ceremony(
    directory: Path,
    *,
    commitment: str,
    result_path: Path | None,
    certificate: Mapping[str, Any] | None,
    full_certificate: Mapping[str, Any] | None = None,
    full_result_body: bytes | None = None,
) -> str:
    """Check `directory/ceremony.json` against the folder's own commitment and certificate; returns the line to print.

    `commitment` is the hash of the folder's params file (params.json or params-public.json); `result_path` and
    `certificate` the folder's certificate and its parsed content (None when the draw failed or it is not there). For a sealed draw's full
    check, `full_certificate` and `full_result_body` confirm the full commitment, the draw seed and the full hash."""
    record = load_ceremony(directory / CEREMONY)
    if record["full_commitment"] is not None and record["full_commitment"] == commitment:
        return _check_full_folder(record, result_path, certificate)
    if record["commitment"] != commitment:
        raise CeremonyError(
            f"{CEREMONY} 的 commitment 与本文件夹的参数文件不一致：不是同一次抽取的仪式记录。"
        )
    witnesses = len(record["witnesses"])
    if record["status"] == "failed":
        if certificate is not None:
            raise CeremonyError(f"{CEREMONY} 记录抽取失败，但文件夹中有证书。")
        return (
            f"仪式记录：抽取失败（{record['failure']}），到场监督人员 {witnesses} 名；承诺值一致 / ceremony record: "
            f"the draw failed, {witnesses} witness(es); the commitment matches"
        )
    if certificate is None or result_path is None:
        raise CeremonyError(f"{CEREMONY} 记录抽取完成，但文件夹中没有证书 {record['result_file']}。")
    if record["result_sha256"] != sha256_hex(result_path.read_bytes()):
        raise CeremonyError(
            f"{CEREMONY} 的 result_sha256 不是 {result_path.name} 的哈希：见证的不是这份证书。"
        )
    if record["seed"] != certificate.get("seed"):
        raise CeremonyError(f"{CEREMONY} 的 seed 与证书的种子不一致。")
    sealed_commitment = certificate.get("sealed_commitment")
    if record["full_commitment"] != sealed_commitment:
        raise CeremonyError(f"{CEREMONY} 的 full_commitment 与证书不一致。")
    draw_seed = record["seed"]
    if sealed_commitment is not None:
        if (
            full_certificate is None
        ):  # the public check cannot know the draw seed: compare the commitment groups
            expected = fingerprint(commitment, sealed_commitment, None)
            if not record["fingerprint"].startswith(expected + " / "):
                raise CeremonyError(f"{CEREMONY} 的指纹与承诺值不符。")
            return (
                f"仪式记录与公开证书一致：结果文件哈希、承诺值、公开种子、指纹的承诺值部分；到场监督人员 {witnesses} 名 / "
                f"the ceremony record matches the public certificate (hash, commitments, public seed, the "
                f"fingerprint's commitment groups); {witnesses} witness(es)"
            )
        if full_result_body is None or record["full_result_sha256"] != sha256_hex(full_result_body):
            raise CeremonyError(f"{CEREMONY} 的 full_result_sha256 不是完整 result.json 的哈希。")
        draw_seed = full_certificate.get("seed")
    elif record["full_result_sha256"] is not None:
        raise CeremonyError(f"{CEREMONY}：非密封抽取不应有 full_result_sha256。")
    if record["fingerprint"] != fingerprint(commitment, sealed_commitment, draw_seed):
        raise CeremonyError(
            f"{CEREMONY} 的指纹不是承诺值和种子给出的指纹：与纸质记录上签字的指纹核对时会不一致。"
        )
    return (
        f"仪式记录与证书一致：结果文件哈希、承诺值、种子、指纹 {record['fingerprint']}；到场监督人员 {witnesses} 名 / "
        f"the ceremony record matches the certificate (hash, commitments, seed, fingerprint); {witnesses} witness(es)"
    )


def _check_full_folder(
    record: Mapping[str, Any], result_path: Path | None, certificate: Mapping[str, Any] | None
) -> str:
    """A sealed draw's full folder on its own (an evidence pack, the files a witness took): the record names the full
    commitment; the full certificate's hash and seed, and the fingerprint's groups, are checked against it."""
    witnesses = len(record["witnesses"])
    if record["status"] == "failed":
        if certificate is not None:
            raise CeremonyError(f"{CEREMONY} 记录抽取失败，但文件夹中有证书。")
        return f"仪式记录：抽取失败，到场监督人员 {witnesses} 名 / ceremony record: the draw failed"
    if certificate is None or result_path is None:
        raise CeremonyError(f"{CEREMONY} 记录抽取完成，但文件夹中没有完整证书 result.json。")
    if record["full_result_sha256"] != sha256_hex(result_path.read_bytes()):
        raise CeremonyError(
            f"{CEREMONY} 的 full_result_sha256 不是 {result_path.name} 的哈希：见证的不是这份证书。"
        )
    expected = fingerprint(record["commitment"], record["full_commitment"], certificate.get("seed"))
    if record["fingerprint"] != expected:
        raise CeremonyError(f"{CEREMONY} 的指纹不是承诺值和种子给出的指纹。")
    return (
        f"仪式记录与完整证书一致：完整证书哈希、完整承诺值、种子、指纹 {record['fingerprint']}；到场监督人员 {witnesses} 名"
        f"（公开承诺值请用 --public 公开目录 核对）/ the ceremony record matches the full certificate; {witnesses} "
        "witness(es) (check the public commitment with --public)"
    )
