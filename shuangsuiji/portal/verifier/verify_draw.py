#!/usr/bin/env python3
"""verify_draw.py — 独立核验“双随机”抽取（DRAW-v1、DRAW-v1.1），只需要 Python 3.9+ 标准库。

A standalone verifier for DRAW-v1 draws and DRAW-v1.1 sealed draws, using nothing but the Python standard library
(3.9 or newer). It is written apart from the platform's own engine (shuangsuiji/draw/) on purpose: two independent
programs that agree are evidence that the specification, not one program, decides the result.

    python3 verify_draw.py 目录 [result.json]            DRAW-v1：逐字节复算（目录含 params.json）
                                                          DRAW-v1.1 公开核验（目录含 params-public.json）
    python3 verify_draw.py 完整目录 --public 公开目录      DRAW-v1.1 完整核验：DRAW-v1 复算 + 公开文件是其投影
    python3 verify_draw.py verify-proof 证明.json 公开目录  DRAW-v1.1 企业核验：默克尔证明

Exit codes / 退出码: 0 通过 / OK; 1 不一致 / different (the first difference is named by its path, e.g.
files.candidates.csv, strata.A.selected[2]); 2 用法或输入错误 / usage or input error.
Specifications: docs/draw-v1.md and docs/draw-v1.1-sealed.md of the shuangsuiji project.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any, NoReturn

ID_RE = re.compile("[0-9A-Z]{1,64}")  # object and inspector IDs (§0)
CODE_RE = re.compile("[0-9A-Za-z_-]{1,32}")  # stratum, department, reason codes, source names (§0)
HEX64_RE = re.compile("[0-9a-f]{64}")
RATIO_RE = re.compile(r"0\.[0-9]{1,6}|1(\.0{1,6})?")  # (0, 1], at most 6 decimals; zero is refused below
V1_FILES = ("candidates.csv", "excluded.csv", "inspectors.csv", "recusals.csv")
PUBLIC_FILES = ("candidates-public.csv", "excluded.csv", "inspectors.csv", "recusals.csv")
# Each file's columns, as (pattern, label) pairs: the §0 format check of one line.
COLUMNS: dict[str, tuple[tuple[re.Pattern[str], str], ...]] = {
    "candidates.csv": ((CODE_RE, "分层代码 stratum"), (ID_RE, "对象编号 object_id")),
    "excluded.csv": ((ID_RE, "对象编号 object_id"), (CODE_RE, "原因代码 reason")),
    "inspectors.csv": ((CODE_RE, "部门代码 department"), (ID_RE, "执法人员编号 inspector_id")),
    "recusals.csv": ((ID_RE, "执法人员编号 inspector_id"), (ID_RE, "对象编号 object_id")),
    "candidates-public.csv": ((ID_RE, "对象编号 object_id"),),
}


class Different(Exception):
    """Verification found a difference: exit 1, naming the first difference by its path."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path, self.message = path, message


class InputError(Exception):
    """Bad usage or unreadable input: exit 2."""


# --- hashing, files and JSON -----------------------------------------------------------------------------------------


def H(hash_name: str, data: bytes) -> bytes:
    if hash_name == "sha256":
        return hashlib.sha256(data).digest()
    try:  # hashlib has sm3 only when the local OpenSSL was built with it
        return hashlib.new("sm3", data).digest()
    except ValueError:
        raise InputError(
            "本机 Python 的 OpenSSL 不支持 SM3，无法核验 hash 为 sm3 的抽取；请换用带 SM3 的 Python/OpenSSL"
            "（如 OpenSSL 1.1.1 及以上），或用 pip 安装平台提供的核验程序。\n"
            "This Python's OpenSSL has no SM3, so a draw whose hash is sm3 cannot be verified here; use a Python "
            "built with an OpenSSL that has SM3 (1.1.1 or newer), or install the platform's verifier wheel."
        ) from None


def hexh(hash_name: str, text: str) -> str:
    return H(hash_name, text.encode("ascii")).hex()


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise InputError(f"无法读取 / cannot read {path}: {e.strerror}") from None


def read_json(path: Path) -> Any:
    """JSON with repeated keys refused (§2): two parsers could keep different copies of one."""

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise InputError(f"{path.name}: 键 {key!r} 重复 / repeated key {key!r}")
            out[key] = value
        return out

    raw = read_bytes(path)
    try:
        return json.loads(raw.decode("utf-8"), object_pairs_hook=no_duplicates)
    except (UnicodeDecodeError, ValueError) as e:
        raise InputError(f"{path.name} 不是有效的 UTF-8 JSON / is not valid UTF-8 JSON: {e}") from None


def dumps(value: Any) -> bytes:
    """The layout the platform writes (one-space indent, non-ASCII unescaped, final LF), for byte comparison."""
    return (json.dumps(value, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def check_lines(name: str, data: bytes) -> list[tuple[str, ...]]:
    """The §0 conventions: no BOM, LF only and after every line, no blank line, valid IDs, sorted and unique."""

    def bad(n: int, why: str) -> NoReturn:
        raise Different(f"files.{name}", f"{name} 第 {n} 行 / line {n}: {why}")

    if data.startswith(b"\xef\xbb\xbf"):
        bad(1, "以 UTF-8 BOM 开头 / starts with a UTF-8 BOM")
    if data and not data.endswith(b"\n"):
        bad(data.count(b"\n") + 1, "最后一行没有以 LF 结尾 / the last line does not end with LF")
    lines = data.split(b"\n")[:-1] if data else []
    columns = COLUMNS[name]
    rows: list[tuple[str, ...]] = []
    for n, line in enumerate(lines, 1):
        if b"\r" in line:
            bad(
                n,
                "含回车符 CR（Windows 换行 CRLF），只允许 LF / contains CR (CRLF line end); only LF is allowed",
            )
        if not line:
            bad(n, "空行 / blank line")
        if n > 1 and not lines[n - 2] < line:
            bad(n, "未按字节序升序排列或与上一行重复 / not in ascending bytewise order, or a repeated line")
        try:
            fields = tuple(line.decode("ascii").split(","))
        except UnicodeDecodeError:
            bad(n, "含非 ASCII 字符 / contains non-ASCII bytes")
        if len(fields) != len(columns):
            bad(n, f"应有 {len(columns)} 列 / should have {len(columns)} column(s)")
        for j, (pattern, label) in enumerate(columns):  # no zip(strict=): the script runs on Python 3.9
            value = fields[j]
            if not pattern.fullmatch(value):
                bad(n, f"{label} {value!r} 不合规 / is not a valid value")
        rows.append(fields)
    return rows


def check_file(folder: Path, name: str, hash_name: str, committed: str) -> list[tuple[str, ...]]:
    data = read_bytes(folder / name)
    if H(hash_name, data).hex() != committed:
        hint = (
            "；文件含回车符 CR，可能下载或编辑时被改成了 Windows 换行 / it contains CR"
            if b"\r" in data
            else ""
        )
        raise Different(
            f"files.{name}",
            f"{name} 的哈希与参数文件中承诺的不同 / hash differs from the committed one{hint}",
        )
    return check_lines(name, data)


def first_difference(expected: Any, actual: Any, path: str = "") -> tuple[str, Any, Any] | None:
    """Walk `expected` in order; a list of scalars (an [id, priority] pair, a member) counts as one value."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return path or "(root)", expected, actual
        for key, value in expected.items():
            sub = f"{path}.{key}" if path else key
            found = first_difference(value, actual[key], sub) if key in actual else (sub, value, None)
            if found:
                return found
        extra = [key for key in actual if key not in expected]
        return (f"{path}.{extra[0]}" if path else extra[0], None, actual[extra[0]]) if extra else None
    if isinstance(expected, list) and any(isinstance(x, (dict, list)) for x in expected):
        if not isinstance(actual, list):
            return path, expected, actual
        for i in range(min(len(expected), len(actual))):
            found = first_difference(expected[i], actual[i], f"{path}[{i}]")
            if found:
                return found
        if len(expected) != len(actual):
            i = min(len(expected), len(actual))
            return (
                f"{path}[{i}]",
                expected[i] if i < len(expected) else None,
                actual[i] if i < len(actual) else None,
            )
        return None
    # type() too, so that 1 and true, or 3 and 3.0, are different values
    return None if type(expected) is type(actual) and expected == actual else (path, expected, actual)


def show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)[:200]


def compare(expected: Any, actual: Any, what: str) -> None:
    found = first_difference(expected, actual)
    if found:
        path, exp, act = found
        raise Different(path, f"{what} 中 {path} 应为 / should be {show(exp)}，实为 / is {show(act)}")


# --- DRAW-v1 (docs/draw-v1.md §2–§7) ---------------------------------------------------------------------------------


def is_int(value: Any, least: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= least


def check_sources(sources: Any, where: str) -> list[dict[str, Any]]:
    ok = isinstance(sources, list) and sources
    names: set[str] = set()
    for s in sources if ok else []:
        keys = (
            {"name", "kind", "commitment"}
            if isinstance(s, dict) and s.get("kind") == "secret"
            else {"name", "kind"}
        )
        if not (isinstance(s, dict) and set(s) == keys and s["kind"] in ("secret", "numbers", "digits")):
            ok = False
        elif not (isinstance(s["name"], str) and CODE_RE.fullmatch(s["name"])) or s["name"] in names:
            ok = False
        elif s["kind"] == "secret" and not (
            isinstance(s["commitment"], str) and HEX64_RE.fullmatch(s["commitment"])
        ):
            ok = False
        else:
            names.add(s["name"])
    if not ok:
        raise Different(f"{where}.sources", f"{where} 的 sources 不合规 / malformed sources")
    return list(sources)


def check_params(p: Any) -> None:
    """The rules of §2 on params.json."""

    def bad(key: str, why: str) -> NoReturn:
        raise Different(f"params.json.{key}", f"params.json 的 {key} 不合规 / is malformed: {why}")

    if not isinstance(p, dict):
        bad("(root)", "不是 JSON 对象 / not an object")
    for key in ("spec", "hash", "draw_id", "files", "strata", "teams", "sources"):
        if key not in p:
            bad(key, "缺少 / missing")
    if p["spec"] != "DRAW-v1":
        bad("spec", 'should be "DRAW-v1"')
    if p["hash"] not in ("sha256", "sm3"):
        bad("hash", 'should be "sha256" or "sm3"')
    if not (isinstance(p["draw_id"], str) and p["draw_id"]):
        bad("draw_id", "should be a non-empty string")
    files = p["files"]
    if not (isinstance(files, dict) and set(files) == set(V1_FILES)):
        bad("files", "should name exactly the four files")
    if not all(isinstance(v, str) and HEX64_RE.fullmatch(v) for v in files.values()):
        bad("files", "64 lowercase hex digits each")
    if not isinstance(p["strata"], dict):
        bad("strata", "should be an object")
    for code, rule in p["strata"].items():
        if not (CODE_RE.fullmatch(code) and isinstance(rule, dict)):
            bad(f"strata.{code}", "bad code or rule")
        if set(rule) not in ({"ratio", "reserve"}, {"count", "reserve"}) or not is_int(rule["reserve"], 0):
            bad(f"strata.{code}", "exactly one of ratio or count, plus reserve")
        if "count" in rule and not is_int(rule["count"], 0):
            bad(f"strata.{code}.count", "a non-negative integer")
        ratio = rule.get("ratio", "1")
        if not (isinstance(ratio, str) and RATIO_RE.fullmatch(ratio) and Fraction(ratio) > 0):
            bad(f"strata.{code}.ratio", 'a decimal string in (0, 1], e.g. "0.05"')
    teams = p["teams"]
    if teams is not None and not (
        isinstance(teams, dict) and all(CODE_RE.fullmatch(d) and is_int(m, 1) for d, m in teams.items())
    ):
        bad("teams", "null or department code -> positive integer")
    check_sources(p["sources"], "params.json")


def canonical(kind: str, value: Any) -> str | None:
    """§3: the canonical form of a revealed value, or None when it is not a valid value of its kind."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if kind == "secret":
        value = value.lower()
        return value if re.fullmatch("[0-9a-f]{64,}", value) else None
    if kind == "numbers":  # RFC 3797: sorted, no leading zeros, each followed by "."
        parts = [x for x in re.split(r"[\s,.]+", value) if x]
        if not parts or not all(x.isdigit() and x.isascii() for x in parts):
            return None
        return "".join(f"{n}." for n in sorted(int(x) for x in parts))
    return value if re.fullmatch("[0-9]+", value) else None


def revealed_sources(declared: list[dict[str, Any]], given: Any, hash_name: str) -> list[dict[str, str]]:
    """The certificate's sources in canonical form, each secret checked against its commitment (§3)."""
    if not isinstance(given, list) or len(given) != len(declared):
        raise Different(
            "sources", "证书中的来源数量与参数文件不同 / the certificate lists another number of sources"
        )
    out = []
    for i, d in enumerate(declared):
        g = given[i]
        if not isinstance(g, dict) or g.get("name") != d["name"] or g.get("kind") != d["kind"]:
            raise Different(
                f"sources[{i}]", f"第 {i + 1} 个来源应为 / source {i + 1} should be {d['name']} ({d['kind']})"
            )
        value = canonical(d["kind"], g.get("value"))
        if value is None:
            raise Different(
                f"sources[{i}].value", f"来源 {d['name']} 的揭示值不合规 / invalid revealed value"
            )
        if d["kind"] == "secret" and hexh(hash_name, value) != d["commitment"]:
            raise Different(
                f"sources[{i}].value",
                f"来源 {d['name']} 的秘密值与事先公布的承诺不符 / the secret does not match its commitment",
            )
        out.append({"name": d["name"], "kind": d["kind"], "value": value})
    return out


def quota(rule: dict[str, Any], n: int) -> tuple[int, int]:
    """§4: k = min(N, ceil(N × ratio)) or min(N, count), exactly; r = min(reserve, N − k)."""
    if "ratio" in rule:
        product = n * Fraction(rule["ratio"])
        k = min(n, -(-product.numerator // product.denominator))
    else:
        k = min(n, rule["count"])
    return k, min(rule["reserve"], n - k)


def draw_teams(h: str, seed: str, chosen: list[str], teams: dict[str, int], staff: list[tuple[str, ...]],
               recusals: set[tuple[str, ...]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:  # fmt: skip
    """§5: fill each selected object's slots, department by department, least loaded first."""
    load = {i: 0 for _, i in staff}
    out, relaxations = [], []
    for o in chosen:
        members: list[list[str]] = []
        for dept in sorted(teams):
            pool = [i for d, i in staff if d == dept]
            cap = -(-teams[dept] * len(chosen) // len(pool)) if pool else 0
            for slot in range(1, teams[dept] + 1):
                ok = [i for i in pool if [dept, i] not in members and (i, o) not in recusals]
                if not ok:
                    raise Different(
                        "teams", f"对象 {o} 在部门 {dept} 无人可选，抽取应当失败 / no inspector left"
                    )
                under = [i for i in ok if load[i] < cap]
                best = min(under or ok, key=lambda i: (load[i], H(h, f"{seed},assign,{o},{i}".encode()), i))
                if not under:
                    relaxations.append({"object": o, "department": dept, "slot": slot, "rule": "cap"})
                load[best] += 1
                members.append([dept, best])
        out.append({"object_id": o, "members": members})
    return out, relaxations


def verify_v1(folder: Path, result_path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """§7: recompute the certificate from the files and the revealed values; return (params, certificate)."""
    result = read_json(result_path)
    raw = read_bytes(folder / "params.json")
    if raw.startswith(b"\xef\xbb\xbf"):
        raise Different("params.json", "params.json 以 BOM 开头 / starts with a BOM")
    p = read_json(folder / "params.json")
    check_params(p)
    h = p["hash"]
    commitment = H(h, raw).hex()
    if not isinstance(result, dict):
        raise Different("(root)", "result.json 不是 JSON 对象 / is not an object")
    for key, value in (
        ("commitment", commitment),
        ("spec", "DRAW-v1"),
        ("draw_id", p["draw_id"]),
        ("hash", h),
    ):
        if result.get(key) != value:
            raise Different(key, f"证书的 {key} 与参数文件不符 / the certificate's {key} differs: {value}")
    rows = {name: check_file(folder, name, h, p["files"][name]) for name in V1_FILES}
    sources = revealed_sources(p["sources"], result.get("sources"), h)
    key = "".join(s["value"] + "/" for s in sources)
    seed = hexh(h, f"DRAW-v1|{commitment}|{key}")

    by_stratum: dict[str, list[str]] = {}
    for stratum, o in rows["candidates.csv"]:
        by_stratum.setdefault(stratum, []).append(o)
    unknown = sorted(set(by_stratum) - set(p["strata"]))
    if unknown:
        raise Different(
            "files.candidates.csv", f"分层 {unknown[0]} 不在 params.json 中 / stratum not in params"
        )
    objects = [o for _, o in rows["candidates.csv"]]
    if len(set(objects)) != len(objects):
        raise Different("files.candidates.csv", "有对象出现在两个分层 / an object is in two strata")
    staff = rows["inspectors.csv"]
    if len({i for _, i in staff}) != len(staff):
        raise Different("files.inspectors.csv", "有执法人员属于两个部门 / an inspector is in two departments")

    strata: dict[str, Any] = {}
    chosen: list[tuple[bytes, str]] = []
    for code in sorted(p["strata"]):
        objs = by_stratum.get(code, [])
        k, r = quota(p["strata"][code], len(objs))
        ranked = sorted((H(h, f"{seed},{o}".encode()), o) for o in objs)
        strata[code] = {
            "N": len(objs),
            "k": k,
            "selected": [[o, pr.hex()] for pr, o in ranked[:k]],
            "reserves": [[o, pr.hex()] for pr, o in ranked[k : k + r]],
        }
        chosen += ranked[:k]
    teams: list[dict[str, Any]] | None = None
    relaxations: list[dict[str, Any]] = []
    if p["teams"] is not None:
        order = [o for _, o in sorted(chosen)]
        teams, relaxations = draw_teams(h, seed, order, p["teams"], staff, set(rows["recusals.csv"]))
    expected = {
        "spec": "DRAW-v1",
        "draw_id": p["draw_id"],
        "hash": h,
        "commitment": commitment,
        "sources": sources,
        "key": key,
        "seed": seed,
        "strata": strata,
        "teams": teams,
        "relaxations": relaxations,
    }
    compare(expected, result, "result.json")
    return p, expected


# --- DRAW-v1.1 (docs/draw-v1.1-sealed.md) -------------------------------------------------------------------------


FANOUT = 16


def merkle_root(h: str, leaves: list[bytes]) -> bytes:
    """§3.1: groups of 16 neighbours become H(0x01 ‖ c1 ‖ … ‖ cm); a last group of one node is carried up unchanged."""
    if not leaves:
        raise InputError("没有候选对象，规范未定义默克尔根 / no candidates: the spec defines no Merkle root")
    level = leaves
    while len(level) > 1:
        groups = [level[i : i + FANOUT] for i in range(0, len(level), FANOUT)]
        level = [g[0] if len(g) == 1 else H(h, b"\x01" + b"".join(g)) for g in groups]
    return level[0]


def leaf(h: str, salt: bytes, stratum: str, o: str) -> bytes:
    return H(h, b"\x00" + salt + f"{stratum},{o}".encode("ascii"))


def project(folder: Path, p: dict[str, Any], cert: dict[str, Any]) -> dict[str, bytes]:
    """§3 and §5: the public files that a verified full draw must have published, byte for byte."""
    h = p["hash"]
    if p.get("projection") != "DRAW-v1.1":
        raise Different("params.json.projection", 'params.json 缺少 "projection": "DRAW-v1.1" / missing')
    last = p["sources"][-1]
    if last["name"] != "sealed" or last["kind"] != "secret":
        raise Different(
            "params.json.sources", "最后一个来源应为密封值 sealed / the last source should be sealed"
        )
    sealed = cert["sources"][-1]["value"]
    rows = sorted(check_lines("candidates.csv", read_bytes(folder / "candidates.csv")), key=lambda r: r[1])
    out = {"candidates-public.csv": b"".join(f"{o}\n".encode() for _, o in rows)}
    for name in PUBLIC_FILES[1:]:
        out[name] = read_bytes(folder / name)
    # §3.1: the salts are one SHAKE-256 stream, 32 bytes per candidate in the order of candidates-public.csv.
    salts = hashlib.shake_256(f"DRAW-v1.1|salt|{sealed}".encode("ascii")).digest(32 * len(rows))
    leaves = [leaf(h, salts[32 * i : 32 * i + 32], s, o) for i, (s, o) in enumerate(rows)]
    public_sources = [s for s in p["sources"] if s["name"] != "sealed"]
    params: dict[str, Any] = {
        "spec": "DRAW-v1.1",
        "hash": h,
        "draw_id": p["draw_id"],
        "files": {name: H(h, out[name]).hex() for name in PUBLIC_FILES},
        "sealed": {
            "commitment": cert["commitment"],
            "merkle_root": merkle_root(h, leaves).hex(),
            "strata": {
                code: {"N": s["N"], "k": s["k"], "reserves": len(s["reserves"])}
                for code, s in cert["strata"].items()
            },
        },
        "teams": p["teams"],
        "sources": public_sources,
    }
    reserved = ("spec", "hash", "draw_id", "files", "strata", "teams", "sources", "projection")
    params.update((key, value) for key, value in p.items() if key not in reserved)
    out["params-public.json"] = dumps(params)
    c_pub = H(h, out["params-public.json"]).hex()
    revealed = [s for s in cert["sources"] if s["name"] != "sealed"]
    key_pub = "".join(s["value"] + "/" for s in revealed)
    every = cert["strata"].values()
    teams = cert["teams"]
    out["result-public.json"] = dumps(
        {
            "spec": "DRAW-v1.1",
            "draw_id": p["draw_id"],
            "hash": h,
            "commitment": c_pub,
            "sealed_commitment": cert["commitment"],
            "sources": revealed,
            "key": key_pub,
            "seed": hexh(h, f"DRAW-v1.1|{c_pub}|{key_pub}"),
            "selected": sorted(o for s in every for o, _ in s["selected"]),
            "reserves": sorted(o for s in every for o, _ in s["reserves"]),
            "teams": None if teams is None else sorted(teams, key=lambda t: t["object_id"]),
            "relaxations": len(cert["relaxations"]),
        }
    )
    return out


def verify_projection(full: Path, public: Path, p: dict[str, Any], cert: dict[str, Any]) -> None:
    for name, expected in project(full, p, cert).items():
        actual = read_bytes(public / name)
        if actual == expected:
            continue
        why = "与由完整文件算出的投影不是逐字节相同 / is not byte for byte the projection of the full files"
        if name.endswith(".json"):  # name the first differing value too, when both files parse
            try:
                found = first_difference(json.loads(expected), json.loads(actual))
            except ValueError:
                found = None
            if found:
                path, exp, act = found
                raise Different(
                    f"public.{name}.{path}",
                    f"公开文件 {name} {why}：{path} 应为 / should be {show(exp)}，实为 / is {show(act)}",
                )
        raise Different(f"public.{name}", f"公开文件 {name} {why}")


def load_public(folder: Path) -> tuple[bytes, dict[str, Any], str]:
    """params-public.json: its bytes, its checked content and C_pub (§3)."""
    raw = read_bytes(folder / "params-public.json")
    p = read_json(folder / "params-public.json")

    def bad(key: str, why: str) -> NoReturn:
        raise Different(
            f"params-public.json.{key}", f"params-public.json 的 {key} 不合规 / is malformed: {why}"
        )

    if not isinstance(p, dict) or raw.startswith(b"\xef\xbb\xbf"):
        bad("(root)", "not a JSON object, or starts with a BOM")
    for key in ("spec", "hash", "draw_id", "files", "sealed", "teams", "sources"):
        if key not in p:
            bad(key, "缺少 / missing")
    if p["spec"] != "DRAW-v1.1" or p["hash"] not in ("sha256", "sm3"):
        bad("spec", 'spec should be "DRAW-v1.1", hash "sha256" or "sm3"')
    if not (isinstance(p["draw_id"], str) and p["draw_id"]):
        bad("draw_id", "should be a non-empty string")
    files = p["files"]
    if not (isinstance(files, dict) and set(files) == set(PUBLIC_FILES)):
        bad("files", "should name exactly the four public files")
    if not all(isinstance(v, str) and HEX64_RE.fullmatch(v) for v in files.values()):
        bad("files", "64 lowercase hex digits each")
    sealed = p["sealed"]
    if not (isinstance(sealed, dict) and set(sealed) == {"commitment", "merkle_root", "strata"}):
        bad("sealed", "should hold commitment, merkle_root and strata")
    if not all(
        isinstance(sealed[k], str) and HEX64_RE.fullmatch(sealed[k]) for k in ("commitment", "merkle_root")
    ):
        bad("sealed", "commitment and merkle_root are 64 lowercase hex digits")
    strata = sealed["strata"]
    if not isinstance(strata, dict) or list(strata) != sorted(strata):
        bad("sealed.strata", "an object in ascending code order")
    for code, s in strata.items():
        if not (CODE_RE.fullmatch(code) and isinstance(s, dict) and set(s) == {"N", "k", "reserves"}):
            bad(f"sealed.strata.{code}", "N, k and reserves")
        if not (is_int(s["N"], 0) and is_int(s["k"], 0) and is_int(s["reserves"], 0)):
            bad(f"sealed.strata.{code}", "non-negative integers")
        if s["k"] + s["reserves"] > s["N"]:
            bad(f"sealed.strata.{code}", "k + reserves > N")
    teams = p["teams"]
    if teams is not None and not (
        isinstance(teams, dict) and all(CODE_RE.fullmatch(d) and is_int(m, 1) for d, m in teams.items())
    ):
        bad("teams", "null or department code -> positive integer")
    if any(s.get("name") == "sealed" for s in check_sources(p["sources"], "params-public.json")):
        bad("sources", "the sealed source must not be public")
    return raw, p, H(p["hash"], raw).hex()


def verify_public(folder: Path, result_path: Path) -> list[str]:
    """§6 public check; returns what was checked, for the report."""
    raw, p, c_pub = load_public(folder)
    h, sealed = p["hash"], p["sealed"]
    result = read_json(result_path)
    if not isinstance(result, dict):
        raise Different("(root)", "result-public.json 不是 JSON 对象 / is not an object")
    expected_keys = ("spec", "draw_id", "hash", "commitment", "sealed_commitment", "sources", "key", "seed",
                     "selected", "reserves", "teams", "relaxations")  # fmt: skip
    for key in list(result) + list(expected_keys):
        if key not in expected_keys or key not in result:
            raise Different(key, f"result-public.json 的键 {key} 多余或缺少 / unexpected or missing key")
    # (1) the commitment binds everything, the full files too through sealed.commitment
    header = (("commitment", c_pub), ("spec", "DRAW-v1.1"), ("draw_id", p["draw_id"]), ("hash", h),
              ("sealed_commitment", sealed["commitment"]))  # fmt: skip
    for key, value in header:
        if result[key] != value:
            raise Different(key, f"证书的 {key} 与 params-public.json 不符 / differs: {value}")
    # (2) the four files
    rows = {name: check_file(folder, name, h, p["files"][name]) for name in PUBLIC_FILES}
    candidates = [o for (o,) in rows["candidates-public.csv"]]
    totals = {x: sum(s[x] for s in sealed["strata"].values()) for x in ("N", "k", "reserves")}
    if totals["N"] != len(candidates):
        raise Different(
            "params-public.json.sealed.strata",
            f"各层 N 之和 {totals['N']} 不等于候选对象数 {len(candidates)} / the strata's N do not add up",
        )
    # (3) secrets, public key and public seed
    sources = revealed_sources(p["sources"], result["sources"], h)
    compare({"sources": sources}, {"sources": result["sources"]}, "result-public.json")
    key_pub = "".join(s["value"] + "/" for s in sources)
    compare(
        {"key": key_pub, "seed": hexh(h, f"DRAW-v1.1|{c_pub}|{key_pub}")},
        {"key": result["key"], "seed": result["seed"]},
        "result-public.json",
    )
    # (4) the drawn lists
    pool = set(candidates)
    for name, count in (("selected", totals["k"]), ("reserves", totals["reserves"])):
        ids = result[name]
        if not (isinstance(ids, list) and all(isinstance(o, str) for o in ids)):
            raise Different(name, f"{name} 应为编号列表 / should be a list of IDs")
        if any(not ids[i] < ids[i + 1] for i in range(len(ids) - 1)):
            raise Different(name, f"{name} 未按字节序排列或有重复 / not sorted bytewise, or repeated")
        outside = [o for o in ids if o not in pool]
        if outside:
            raise Different(name, f"{outside[0]} 不是候选对象 / is not a candidate")
        if len(ids) != count:
            raise Different(
                name, f"{name} 应有 {count} 个（各层之和），实有 {len(ids)} / should have {count}"
            )
    both = set(result["selected"]) & set(result["reserves"])
    if both:
        raise Different("reserves", f"{sorted(both)[0]} 既入选又是候补 / both selected and a reserve")
    # (5) the teams
    checked_teams = verify_public_teams(p["teams"], result["teams"], result["selected"], rows)
    # (6)
    if not is_int(result["relaxations"], 0):
        raise Different("relaxations", "relaxations 应为非负整数 / should be an integer >= 0")
    return [
        f"承诺值 / public commitment C_pub = {c_pub}（请与冻结时公布的核对 / compare with the one published at freeze）",
        "证书与 params-public.json 一致：spec、draw_id、hash、sealed_commitment / the certificate's header agrees",
        "四个公开文件的哈希与格式 / the four public files' hashes and format",
        "秘密值与承诺相符，公开密钥与公开种子 / secrets match their commitments; key_pub and seed_pub",
        f"入选 {len(result['selected'])}、候补 {len(result['reserves'])} 个都是候选对象，数目等于各层之和 / "
        "selected and reserves are candidates and add up per stratum",
        checked_teams,
        f"放宽负荷上限 {result['relaxations']} 次 / relaxations: {result['relaxations']}",
    ]


def verify_public_teams(
    teams: dict[str, int] | None, given: Any, selected: list[str], rows: dict[str, Any]
) -> str:
    if teams is None:
        if given is not None:
            raise Different("teams", "不组队的抽取 teams 应为 null / should be null")
        return "不组队 / no teams"
    if (
        not isinstance(given, list)
        or [t.get("object_id") if isinstance(t, dict) else None for t in given] != selected
    ):
        raise Different(
            "teams", "应为每个入选对象一个检查组，按对象编号排序 / one team per selected object, by object_id"
        )
    staff = {tuple(r) for r in rows["inspectors.csv"]}
    recused = {tuple(r) for r in rows["recusals.csv"]}
    for n, team in enumerate(given):
        o, members = team["object_id"], team.get("members")
        where = f"teams[{n}].members"
        if set(team) != {"object_id", "members"} or not isinstance(members, list):
            raise Different(
                f"teams[{n}]", "检查组应为 object_id 与 members / should hold object_id and members"
            )
        for j, m in enumerate(members):
            if not (isinstance(m, list) and len(m) == 2 and tuple(m) in staff):
                raise Different(
                    f"{where}[{j}]", f"{m} 不是 inspectors.csv 中的一行 / is not a line of inspectors.csv"
                )
            if (m[1], o) in recused:
                raise Different(f"{where}[{j}]", f"{m[1]} 与 {o} 有回避关系 / is recused from {o}")
        ids = [m[1] for m in members]
        if len(set(ids)) != len(ids):
            raise Different(where, f"{o} 的检查组有人重复 / someone is on the team twice")
        counts = {d: sum(1 for m in members if m[0] == d) for d in set(teams) | {m[0] for m in members}}
        wrong = sorted(d for d, c in counts.items() if c != teams.get(d, 0))
        if wrong:
            raise Different(
                where, f"部门 {wrong[0]} 的名额数不对 / department {wrong[0]} has the wrong number of members"
            )
    return f"{len(given)} 个检查组：成员可参加、名额正确、无重复、无回避冲突 / teams: eligible, slots right, no recusal"


def verify_proof(proof_path: Path, folder: Path) -> list[str]:
    """§6 per-firm check: the Merkle path from the firm's sealed row to the committed root."""
    proof = read_json(proof_path)
    raw, p, c_pub = load_public(folder)
    h = p["hash"]
    fields = {
        "spec",
        "draw_id",
        "commitment",
        "object_id",
        "stratum",
        "salt",
        "index",
        "leaves",
        "path",
        "outcome",
    }
    if not isinstance(proof, dict) or set(proof) != fields:
        raise InputError(
            f"证明文件应恰好含这些键 / the proof should hold exactly: {', '.join(sorted(fields))}"
        )
    o, stratum, index, n, path = (
        proof["object_id"],
        proof["stratum"],
        proof["index"],
        proof["leaves"],
        proof["path"],
    )
    well_formed = (
        proof["spec"] == "DRAW-v1.1-proof"
        and isinstance(o, str) and ID_RE.fullmatch(o)
        and isinstance(stratum, str) and CODE_RE.fullmatch(stratum)
        and isinstance(proof["salt"], str) and HEX64_RE.fullmatch(proof["salt"])
        and is_int(index, 0) and is_int(n, 1)
        and isinstance(path, list)
        and all(isinstance(g, list) and all(isinstance(x, str) and HEX64_RE.fullmatch(x) for x in g) for g in path)
        and proof["outcome"] in ("selected", "reserve", "not_selected")
    )  # fmt: skip
    if not well_formed:
        raise InputError("证明文件的格式不对 / the proof is malformed")
    if proof["commitment"] != c_pub:
        raise Different(
            "commitment", "证明的 commitment 不是 params-public.json 的哈希 / is not the public commitment"
        )
    if proof["draw_id"] != p["draw_id"]:
        raise Different("draw_id", "证明与公开文件不是同一次抽取 / the proof is of another draw")
    candidates = [
        c for (c,) in check_file(folder, "candidates-public.csv", h, p["files"]["candidates-public.csv"])
    ]
    if n != len(candidates):
        raise Different(
            "leaves", f"leaves 应为候选对象数 {len(candidates)} / should be the number of candidates"
        )
    if index >= n or candidates[index] != o:
        raise Different(
            "index", f"candidates-public.csv 第 {index + 1} 行不是 {o} / line index+1 is not the object"
        )
    node, i, m, used = leaf(h, bytes.fromhex(proof["salt"]), stratum, o), index, n, 0
    while m > 1:
        start = i - i % FANOUT
        size = min(FANOUT, m - start)
        if size > 1:  # a last group of one node is carried up with no siblings
            if used == len(path) or len(path[used]) != size - 1:
                raise Different(
                    "path", "默克尔路径与候选数不符 / the Merkle path does not fit the candidates"
                )
            siblings = [bytes.fromhex(x) for x in path[used]]
            used += 1
            j = i - start
            node = H(h, b"\x01" + b"".join(siblings[:j] + [node] + siblings[j:]))
        i, m = i // FANOUT, (m + FANOUT - 1) // FANOUT
    if used != len(path):
        raise Different("path", "默克尔路径太长 / the Merkle path is too long")
    if node.hex() != p["sealed"]["merkle_root"]:
        raise Different(
            "path", "算出的默克尔根与承诺的不同 / the recomputed root differs from sealed.merkle_root"
        )
    counts = p["sealed"]["strata"].get(stratum)
    if counts is None:
        raise Different("stratum", f"分层 {stratum} 不在 params-public.json 中 / is not a committed stratum")
    result = read_json(folder / "result-public.json")
    if not isinstance(result, dict) or result.get("commitment") != c_pub:
        raise Different("result-public.json", "result-public.json 不属于这次抽取 / is not of this draw")
    selected, reserves = result.get("selected") or [], result.get("reserves") or []
    outcome = "selected" if o in selected else "reserve" if o in reserves else "not_selected"
    if proof["outcome"] != outcome:
        raise Different(
            "outcome", f"证明写的结果与公布的不同：公布为 {outcome} / the published outcome is {outcome}"
        )
    label = {"selected": "抽中", "reserve": "候补", "not_selected": "未抽中"}[outcome]
    return [
        f"承诺值 / commitment C_pub = {c_pub}",
        f"{o} 在承诺的候选名单中，属于分层 {stratum} / is a committed candidate of stratum {stratum}",
        f"该层共 {counts['N']} 户，抽中 {counts['k']} 户，候补 {counts['reserves']} 户 / "
        f"N = {counts['N']}, k = {counts['k']}, reserves = {counts['reserves']}",
        f"结果：{label}，与 result-public.json 一致 / outcome {outcome}, as published",
    ]


# --- the command line ---------------------------------------------------------------------------------------------

USAGE = """\
用法 / usage:
  python3 verify_draw.py 目录 [result.json]             DRAW-v1 复算，或 DRAW-v1.1 公开核验
  python3 verify_draw.py 完整目录 [result.json] --public 公开目录   DRAW-v1.1 完整核验
  python3 verify_draw.py verify-proof 证明.json 公开目录   DRAW-v1.1 企业核验（默克尔证明）
退出码 / exit: 0 通过 OK, 1 不一致 different, 2 用法或输入错误 usage or input error"""

CANNOT_PUBLIC = [
    "每个对象属于哪个分层 / which stratum each object is in",
    "各对象的优先值，因而无法确认入选的正是应当入选的对象（这由完整核验确认）/ the priorities, and so that the "
    "selection is the right one (the full check's part)",
]


def groups16(value: str) -> str:
    return " ".join(value[i : i + 4] for i in range(0, 16, 4)).upper()


def verify_ceremony(
    folder: Path,
    commitment: str,
    result_path: Path,
    cert: dict[str, Any],
    full: dict[str, Any] | None = None,
    full_body: bytes | None = None,
) -> str | None:
    """ceremony.json, if the folder has one: the witnesses, bound to this certificate (its SHA-256), to the
    commitment(s) and the seed, with the fingerprint the witnesses signed on the paper record."""
    path = folder / "ceremony.json"
    if not path.exists():
        return None
    record = read_json(path)
    keys = {"spec", "draw", "task", "status", "drawn_at", "commitment", "full_commitment", "seed", "result_file",
            "result_sha256", "full_result_sha256", "fingerprint", "witnesses", "dice_thrown_by", "failure"}  # fmt: skip
    if not isinstance(record, dict) or set(record) != keys or record["spec"] != "DRAW-ceremony-1":
        raise Different(
            "ceremony.json", "仪式记录的字段不符合 DRAW-ceremony-1 / not a DRAW-ceremony-1 record"
        )
    witnesses = record["witnesses"]
    if not (
        isinstance(witnesses, list)
        and witnesses
        and all(isinstance(w, dict) and set(w) == {"name", "unit"} for w in witnesses)
        and all(isinstance(v, str) and v.strip() for w in witnesses for v in w.values())
    ):
        raise Different(
            "ceremony.json.witnesses", "应列出至少一名监督人员的姓名和单位 / at least one witness"
        )
    names = {w["name"] for w in witnesses}
    thrown = record["dice_thrown_by"]
    if not isinstance(thrown, dict) or any(v not in names for v in thrown.values()):
        raise Different(
            "ceremony.json.dice_thrown_by", "掷骰人须是登记的监督人员 / a thrower is not a witness"
        )
    if record["full_commitment"] is not None and record["full_commitment"] == commitment:
        # A sealed draw's full folder on its own: the full certificate's hash, the seed and the fingerprint.
        expected_full = {
            "full_result_sha256": hashlib.sha256(read_bytes(result_path)).hexdigest(),
            "fingerprint": " / ".join(groups16(x) for x in (record["commitment"], commitment, cert["seed"])),
        }
        for key, value in expected_full.items():
            if record[key] != value:
                raise Different(f"ceremony.json.{key}", f"仪式记录的 {key} 应为 {value} / should be {value}")
        return (
            f"仪式记录 ceremony.json 与完整证书一致，指纹 {record['fingerprint']}，到场监督人员 {len(witnesses)} 名 / "
            f"the ceremony record matches the full certificate; {len(witnesses)} witness(es)"
        )
    sealed_commitment = cert.get("sealed_commitment")
    seed = full["seed"] if full is not None else cert["seed"]
    expected = {
        "status": "drawn",
        "commitment": commitment,
        "full_commitment": sealed_commitment,
        "seed": cert["seed"],
        "result_sha256": hashlib.sha256(read_bytes(result_path)).hexdigest(),
    }
    if sealed_commitment is None:
        expected["full_result_sha256"] = None
    elif full_body is not None:
        expected["full_result_sha256"] = hashlib.sha256(full_body).hexdigest()
    parts = [groups16(commitment)] + ([groups16(sealed_commitment)] if sealed_commitment else [])
    if sealed_commitment is None or full is not None:
        expected["fingerprint"] = " / ".join([*parts, groups16(seed)])
    elif not (
        isinstance(record["fingerprint"], str) and record["fingerprint"].startswith(" / ".join(parts) + " / ")
    ):
        raise Different("ceremony.json.fingerprint", "指纹与承诺值不符 / the fingerprint does not match")
    for key, value in expected.items():
        if record[key] != value:
            raise Different(f"ceremony.json.{key}", f"仪式记录的 {key} 应为 {value} / should be {value}")
    return (
        f"仪式记录 ceremony.json 与证书一致，指纹 {record['fingerprint']}，到场监督人员 {len(witnesses)} 名 / "
        f"the ceremony record matches the certificate; {len(witnesses)} witness(es)（监督人员是否到场请看纸质记录上的签字 / "
        "whether they were there: see the signatures on the paper record）"
    )


def run(argv: list[str]) -> int:
    if argv[:1] in (["-h"], ["--help"]):
        print(__doc__)
        return 0
    if argv[:1] == ["verify"]:  # the same words as the `shuangsuiji verify` command
        argv = argv[1:]
    if argv[:1] == ["verify-proof"]:
        if len(argv) != 3:
            raise InputError(USAGE)
        checked = verify_proof(Path(argv[1]), Path(argv[2]))
        print("通过 / OK：企业核验 / per-firm check")
        print("\n".join(f"  已核对 / checked: {line}" for line in checked))
        print("  未能核对 / not checked: 本企业的优先值与名次（由监督人员等完整核验）/ its priority and rank")
        return 0
    public: Path | None = None
    if "--public" in argv:
        at = argv.index("--public")
        if at + 1 >= len(argv):
            raise InputError(USAGE)
        public, argv = Path(argv[at + 1]), argv[:at] + argv[at + 2 :]
    if len(argv) not in (1, 2) or argv[0].startswith("-"):
        raise InputError(USAGE)
    folder = Path(argv[0])
    if not folder.is_dir():
        raise InputError(f"找不到目录 / no such folder: {folder}")
    if (folder / "params.json").exists():
        result_path = Path(argv[1]) if len(argv) == 2 else folder / "result.json"
        p, cert = verify_v1(folder, result_path)
        print("通过 / OK：证书与重新计算的结果完全一致 / the certificate matches the recomputation (DRAW-v1)")
        print(
            f"  承诺值 / commitment = {cert['commitment']}（请与抽取前公布的核对 / compare with the one published)"
        )
        if public is None:
            line = verify_ceremony(folder, cert["commitment"], result_path, cert)
            if line:
                print(f"  已核对 / checked: {line}")
            return 0
        verify_projection(folder, public, p, cert)
        checked = verify_public(public, public / "result-public.json")
        if (folder / "ceremony.json").exists() and (public / "ceremony.json").exists():
            if read_bytes(folder / "ceremony.json") != read_bytes(public / "ceremony.json"):
                raise Different(
                    "ceremony.json", "两个文件夹中的仪式记录不同 / the two ceremony records differ"
                )
        public_cert = read_json(public / "result-public.json")
        line = verify_ceremony(
            public,
            public_cert["commitment"],
            public / "result-public.json",
            public_cert,
            cert,
            read_bytes(result_path),
        )
        checked += [line] if line else []
        print(
            "通过 / OK：公开文件逐字节是完整文件的投影 / the public files are the projection, byte for byte"
        )
        print("\n".join(f"  已核对 / checked: {line}" for line in checked))
        return 0
    if (folder / "params-public.json").exists():
        if public is not None:
            raise InputError(
                "--public 后面的目录之前应是完整文件目录（含 params.json）/ DIR must hold params.json"
            )
        result_path = Path(argv[1]) if len(argv) == 2 else folder / "result-public.json"
        checked = verify_public(folder, result_path)
        public_cert = read_json(result_path)
        line = verify_ceremony(folder, public_cert["commitment"], result_path, public_cert)
        checked += [line] if line else []
        print("通过 / OK：公开核验 / public check (DRAW-v1.1)")
        print("\n".join(f"  已核对 / checked: {line}" for line in checked))
        print("\n".join(f"  未能核对 / not checked: {line}" for line in CANNOT_PUBLIC))
        return 0
    raise InputError(f"{folder} 中没有 params.json 或 params-public.json / holds neither")


def main(argv: list[str] | None = None) -> int:
    try:
        return run(sys.argv[1:] if argv is None else argv)
    except Different as e:
        print(f"不通过 / DIFFERENT：第一处不一致在 / first difference at {e.path}\n{e.message}")
        return 1
    except InputError as e:
        print(f"错误 / error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    for stream in (sys.stdout, sys.stderr):  # Chinese output on a Windows console with a legacy code page
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")
    sys.exit(main())
