"""params.json (spec §2): building it, and reading it back with every rule checked.

The commitment is over the file's exact bytes, so `params_bytes` fixes one layout (one-space indent, keys in
the spec's order, UTF-8 without escaping Chinese, final LF, the layout of the worked example) and the reader
never re-serialises what it read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from .errors import FileMissingError, ParamsError
from .files import CODE_PATTERN, CODE_RE, FILE_NAMES, PARAMS
from .hashing import check_hash_name, hex_hash
from .select import StratumRule, parse_ratio

SPEC = "DRAW-v1"
SOURCE_KINDS = ("secret", "numbers", "digits")
RESERVED_KEYS = ("spec", "hash", "draw_id", "files", "strata", "teams", "sources")
_HEX_RE = re.compile("[0-9a-f]{64}")


@dataclass(frozen=True)
class Source:
    name: str
    kind: str
    commitment: str | None


@dataclass(frozen=True)
class Params:
    raw: bytes
    data: dict[str, Any]
    hash_name: str
    draw_id: str
    files: dict[str, str]
    strata: dict[str, StratumRule]
    teams: dict[str, int] | None
    sources: list[Source]
    commitment: str


def params_bytes(data: Mapping[str, Any]) -> bytes:
    return (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def _fail(message: str) -> ParamsError:
    return ParamsError(f"params.json：{message}", file=PARAMS)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Two parsers may keep different copies of a repeated key; a verifier must not have to guess.
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _fail(f"键 {key!r} 重复出现。")
        out[key] = value
    return out


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_strata(strata: object) -> dict[str, StratumRule]:
    if not isinstance(strata, dict):
        raise _fail("strata 必须是对象（分层代码 → 抽取规则）。")
    rules: dict[str, StratumRule] = {}
    for code, rule in strata.items():
        if not CODE_RE.fullmatch(code):
            raise _fail(f"分层代码 {code!r} 不合规：只能由字母、数字、下划线和连字符组成，长度 1 到 32。")
        if not isinstance(rule, dict) or set(rule) not in ({"ratio", "reserve"}, {"count", "reserve"}):
            raise _fail(
                f'分层 {code} 的规则必须恰好包含 ratio 或 count 之一，以及 reserve，例如 {{"ratio": "0.05", "reserve": 3}}。'
            )
        reserve = rule["reserve"]
        if not _is_int(reserve) or reserve < 0:
            raise _fail(f"分层 {code} 的 reserve（候补数）必须是非负整数，而不是 {reserve!r}。")
        ratio: Fraction | None = None
        count: int | None = None
        if "ratio" in rule:
            ratio = parse_ratio(rule["ratio"], stratum=code)
        else:
            count = rule["count"]
            if not _is_int(count) or count < 0:
                raise _fail(f"分层 {code} 的 count（抽取数）必须是非负整数，而不是 {count!r}。")
        rules[code] = StratumRule(ratio=ratio, count=count, reserve=reserve)
    return rules


def parse_teams(teams: object) -> dict[str, int] | None:
    if teams is None:
        return None
    if not isinstance(teams, dict):
        raise _fail("teams 必须是 null 或对象（部门代码 → 名额数）。")
    for dept, slots in teams.items():
        if not CODE_RE.fullmatch(dept):
            raise _fail(f"部门代码 {dept!r} 不合规：应匹配 {CODE_PATTERN}。")
        if not _is_int(slots) or slots < 1:
            raise _fail(f"部门 {dept} 的名额数必须是正整数，而不是 {slots!r}。")
    return dict(teams)


def parse_sources(sources: object) -> list[Source]:
    if not isinstance(sources, list) or not sources:
        raise _fail("sources 必须是非空数组：没有随机来源就无法保证结果不可预测。")
    out: list[Source] = []
    for i, src in enumerate(sources):
        if (
            not isinstance(src, dict)
            or not isinstance(src.get("name"), str)
            or src.get("kind") not in SOURCE_KINDS
        ):
            raise _fail(f"sources[{i}] 必须含 name 和 kind（secret、numbers 或 digits 之一）。")
        name, kind = src["name"], src["kind"]
        if not CODE_RE.fullmatch(name):
            raise _fail(f"来源名称 {name!r} 不合规：只能由字母、数字、下划线和连字符组成，长度 1 到 32。")
        if any(s.name == name for s in out):
            raise _fail(f"来源名称 {name} 重复。")
        commitment = src.get("commitment")
        expected_keys = {"name", "kind", "commitment"} if kind == "secret" else {"name", "kind"}
        if set(src) != expected_keys:
            raise _fail(f"来源 {name}（{kind}）应当只有这些键：{', '.join(sorted(expected_keys))}。")
        if kind == "secret" and not (isinstance(commitment, str) and _HEX_RE.fullmatch(commitment)):
            raise _fail(f"来源 {name} 的 commitment 必须是 64 位小写十六进制哈希值。")
        out.append(Source(name, kind, commitment))
    return out


def parse_params(raw: bytes) -> Params:
    """Check every rule of spec §2 on the committed bytes of params.json."""
    try:
        data = json.loads(
            raw.decode("utf-8"),
            object_pairs_hook=_no_duplicate_keys,
            parse_constant=lambda c: (_ for _ in ()).throw(_fail(f"不允许 {c}。")),
        )
    except UnicodeDecodeError:
        raise _fail("不是有效的 UTF-8 文本。") from None
    except json.JSONDecodeError as e:
        raise _fail(f"不是有效的 JSON（第 {e.lineno} 行第 {e.colno} 列：{e.msg}）。") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raise _fail("以 UTF-8 BOM 开头，请去掉。")
    if not isinstance(data, dict):
        raise _fail("顶层必须是 JSON 对象。")
    missing = [k for k in RESERVED_KEYS if k not in data]
    if missing:
        raise _fail(f"缺少键 {', '.join(missing)}。")
    if data["spec"] != SPEC:
        raise _fail(f'spec 必须是 "{SPEC}"，而不是 {data["spec"]!r}。')
    hash_name = check_hash_name(data["hash"])
    if not isinstance(data["draw_id"], str) or not data["draw_id"]:
        raise _fail("draw_id 必须是非空字符串。")
    files = data["files"]
    if not isinstance(files, dict) or set(files) != set(FILE_NAMES):
        raise _fail(f"files 必须恰好包含 {', '.join(FILE_NAMES)} 四个文件的哈希值。")
    for name, digest in files.items():
        if not (isinstance(digest, str) and _HEX_RE.fullmatch(digest)):
            raise _fail(f"files 中 {name} 的哈希值必须是 64 位小写十六进制。")
    return Params(
        raw=raw,
        data=data,
        hash_name=hash_name,
        draw_id=data["draw_id"],
        files=dict(files),
        strata=parse_strata(data["strata"]),
        teams=parse_teams(data["teams"]),
        sources=parse_sources(data["sources"]),
        commitment=hex_hash(hash_name, raw),
    )


def load_params(directory: Path) -> Params:
    path = directory / PARAMS
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise FileMissingError(f"缺少文件 {PARAMS}（应在 {directory} 中）。", file=PARAMS) from None
    return parse_params(raw)
