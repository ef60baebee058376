"""DRAW-v1.1, sealed strata (docs/draw-v1.1-sealed.md): what the public may see of a draw whose strata are confidential.

The full files stay plain DRAW-v1, with one more secret source, `sealed`, revealed only in the full certificate.
This module derives the public projection from them (at freeze time the files, after the ceremony the certificate),
checks a public folder on its own (the public check), checks that a public folder is the projection of a full one
(the full check), and makes and checks a firm's proof of its own row (a salted Merkle tree).

Why a second secret: with the DRAW-v1 seed public, anyone holding the candidate IDs computes every priority, and a
drawn firm with a high priority can only sit in a high-ratio stratum. Priorities here depend on `sealed`, which the
public never learns, so the public files say nothing about which stratum an object is in.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .ceremony import CEREMONY, CEREMONY_UNCHECKED, check_ceremony
from .certificate import _check_files, _without_gc, certificate_bytes, verify, write_files
from .errors import DrawError, ParamsError
from .files import EXCLUDED, ID_RE, INSPECTORS, PARAMS, RECUSALS, RESULT, Candidates, read_table
from .hashing import check_hash_name, hex_hash, new_hash
from .params import RESERVED_KEYS, Params, Source, load_params, params_bytes, parse_sources, parse_teams
from .seed import canonical_value, make_key

SPEC_SEALED = "DRAW-v1.1"
PROOF_SPEC = "DRAW-v1.1-proof"
SEALED_SOURCE = "sealed"
PROJECTION_KEY = "projection"
PUBLIC_CANDIDATES = "candidates-public.csv"
PUBLIC_PARAMS = "params-public.json"
PUBLIC_RESULT = "result-public.json"
PUBLIC_FILE_NAMES = (PUBLIC_CANDIDATES, EXCLUDED, INSPECTORS, RECUSALS)
PUBLIC_FILES = (PUBLIC_PARAMS, *PUBLIC_FILE_NAMES)
OUTCOMES = ("selected", "reserve", "not_selected")

_HEX_RE = re.compile("[0-9a-f]{64}")
_CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def random_stratum_codes(n: int) -> list[str]:
    """n distinct codes `S` + 8 characters from the OS CSPRNG: a code says nothing about the stratum behind it."""
    codes: set[str] = set()
    while len(codes) < n:
        codes.add("S" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8)))
    return sorted(codes, key=lambda _: secrets.randbits(64))


def _digest(hash_name: str) -> Callable[[bytes], bytes]:
    if hash_name == "sha256":
        return lambda data: hashlib.sha256(data).digest()
    return lambda data: new_hash(hash_name, data).digest()


def _digests(hash_name: str, items: Sequence[bytes]) -> list[bytes]:
    """[H(x) for x in items], without a Python call per item for sha256 (the projection's hot loop)."""
    if hash_name == "sha256":
        sha256 = hashlib.sha256
        return [sha256(x).digest() for x in items]
    h = _digest(hash_name)
    return [h(x) for x in items]


# ------------------------------------------------------------------------------------------------- Merkle tree


def _sorted_rows(runs: Sequence[tuple[str, list[bytes]]]) -> tuple[list[bytes], list[bytes]]:
    """(IDs, their stratum codes) in bytewise order of the ID: the order of candidates-public.csv."""
    # Each run is sorted already: sorting their concatenation is a merge of sorted runs, done by timsort in C. Each ID
    # carries its run's number as a last byte below "0", which keeps the order of the IDs (no dict of a million keys).
    if len(runs) == 1:
        only = runs[0][0].encode("ascii")
        return list(runs[0][1]), [only] * len(runs[0][1])
    if len(runs) >= ord("0"):
        code_of: dict[bytes, bytes] = {}
        for name, ids in runs:
            code_of.update(dict.fromkeys(ids, name.encode("ascii")))
        merged = sorted(code_of)
        return merged, [code_of[i] for i in merged]
    tagged: list[bytes] = []
    for n, (_, ids) in enumerate(runs):
        tag = bytes([n])
        tagged += [i + tag for i in ids]
    tagged.sort()
    names = [name.encode("ascii") for name, _ in runs]
    return [t[:-1] for t in tagged], [names[t[-1]] for t in tagged]


def salts(sealed: str, count: int) -> bytes:
    """The salts of all leaves, 32 bytes each, in one SHAKE-256 stream: salt i is bytes 32i to 32i + 32 of
    SHAKE-256(ASCII("DRAW-v1.1|salt|" + sealed)). One call in C instead of a hash per candidate; a firm's salt says
    nothing about the others (the sealed value stays unknown)."""
    return hashlib.shake_256(f"{SPEC_SEALED}|salt|{sealed}".encode("ascii")).digest(32 * count)


def leaves(hash_name: str, sealed: str, ids: Sequence[bytes], strata: Sequence[bytes]) -> list[bytes]:
    """leaf i = H(0x00 ‖ salt i ‖ ASCII(stratum "," o)) for the i-th candidate o in ID order."""
    stream = salts(sealed, len(ids))
    with_comma = {code: code + b"," for code in set(strata)}
    items = [
        b"\x00" + stream[32 * i : 32 * i + 32] + with_comma[code] + o
        for i, (o, code) in enumerate(zip(ids, strata, strict=True))
    ]
    return _digests(hash_name, items)


FANOUT = 16  # children per node: a wide tree needs a sixteenth of the hashing of a binary one


def _up(hash_name: str, level: list[bytes]) -> list[bytes]:
    groups = [level[i : i + FANOUT] for i in range(0, len(level), FANOUT)]
    last = groups.pop() if len(groups[-1]) == 1 else None  # a last group of one node is carried up unchanged
    out = _digests(hash_name, [b"\x01" + b"".join(g) for g in groups])
    if last is not None:
        out.append(last[0])
    return out


def merkle_root(hash_name: str, level: list[bytes]) -> bytes:
    while len(level) > 1:
        level = _up(hash_name, level)
    return level[0]


def merkle_path(hash_name: str, level: list[bytes], index: int) -> list[list[bytes]]:
    """Per level from the bottom, the other children of the node's group, in order; none where it is carried up."""
    path: list[list[bytes]] = []
    while len(level) > 1:
        start = index - index % FANOUT
        group = level[start : start + FANOUT]
        if len(group) > 1:
            path.append(group[: index - start] + group[index - start + 1 :])
        level = _up(hash_name, level)
        index //= FANOUT
    return path


def root_from_path(
    hash_name: str, leaf: bytes, index: int, count: int, path: Sequence[Sequence[bytes]]
) -> bytes | None:
    """The root a proof leads to, or None when the path does not fit `count` leaves."""
    h = _digest(hash_name)
    node, rest = leaf, list(path)
    while count > 1:
        start = index - index % FANOUT
        size = min(FANOUT, count - start)
        if size > 1:
            if not rest or len(rest[0]) != size - 1:
                return None
            siblings = list(rest.pop(0))
            j = index - start
            node = h(b"\x01" + b"".join([*siblings[:j], node, *siblings[j:]]))
        index //= FANOUT
        count = (count + FANOUT - 1) // FANOUT
    return None if rest else node


# --------------------------------------------------------------------------------------------------- projection


def _sealed_source(params: Params) -> Source:
    for source in params.sources:
        if source.name == SEALED_SOURCE and source.kind == "secret":
            return source
    raise ParamsError(
        f"params.json 中没有名为 {SEALED_SOURCE} 的秘密来源：这不是密封分层（DRAW-v1.1）的抽取。", file=PARAMS
    )


def _write_public_candidates(path: Path, ids: list[bytes]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(b"\n".join(ids) + b"\n" if ids else b"")
    tmp.replace(path)


@_without_gc
def project_files(full_dir: str | Path, public_dir: str | Path, sealed: str) -> str:
    """Write the public files of a sealed draw (spec §3) and return the public commitment C_pub.

    `sealed` is the value of the `sealed` source; it must match its commitment in the full params.json.
    """
    full_dir = Path(full_dir)
    params = load_params(full_dir)
    canonical_value(_sealed_source(params), sealed, params.hash_name)
    checked = _check_files(full_dir, params)
    return _project(full_dir, Path(public_dir), sealed, params, checked.candidates)


@_without_gc
def write_sealed_files(
    full_dir: str | Path, public_dir: str | Path, sealed: str, **files: Any
) -> tuple[str, str]:
    """`write_draw_files` into `full_dir` and `project_files` into `public_dir` in one go: the candidates read back
    while writing are projected directly, not read and checked a second time. Returns (full, public) commitments."""
    full_dir = Path(full_dir)
    params, candidates = write_files(full_dir, **files)
    canonical_value(_sealed_source(params), sealed, params.hash_name)
    return params.commitment, _project(full_dir, Path(public_dir), sealed, params, candidates)


def _project(full_dir: Path, public_dir: Path, sealed: str, params: Params, candidates: Candidates) -> str:
    ids, strata = _sorted_rows(candidates.runs)
    h = params.hash_name
    root = merkle_root(h, leaves(h, sealed, ids, strata)) if ids else new_hash(h).digest()
    public_dir.mkdir(parents=True, exist_ok=True)
    _write_public_candidates(public_dir / PUBLIC_CANDIDATES, ids)
    for name in (EXCLUDED, INSPECTORS, RECUSALS):
        shutil.copyfile(full_dir / name, public_dir / name)
    files = {PUBLIC_CANDIDATES: hex_hash(h, (public_dir / PUBLIC_CANDIDATES).read_bytes())}
    files |= {name: params.files[name] for name in (EXCLUDED, INSPECTORS, RECUSALS)}
    counts = candidates.counts
    summary: dict[str, dict[str, int]] = {}
    for code in sorted(params.strata):
        n = counts.get(code, 0)
        k, r = params.strata[code].quota(n)
        summary[code] = {"N": n, "k": k, "reserves": r}
    data: dict[str, Any] = {
        "spec": SPEC_SEALED,
        "hash": h,
        "draw_id": params.draw_id,
        "files": files,
        "sealed": {"commitment": params.commitment, "merkle_root": root.hex(), "strata": summary},
        "teams": params.data["teams"],
        "sources": [s for s in params.data["sources"] if s["name"] != SEALED_SOURCE],
    }
    for key, value in params.data.items():
        if key not in RESERVED_KEYS and key != PROJECTION_KEY:
            data[key] = value
    raw = params_bytes(data)
    tmp = public_dir / f".{PUBLIC_PARAMS}.tmp"
    tmp.write_bytes(raw)
    tmp.replace(public_dir / PUBLIC_PARAMS)
    return hex_hash(h, raw)


def public_seed(hash_name: str, commitment: str, key: str) -> str:
    return hex_hash(hash_name, f"{SPEC_SEALED}|{commitment}|{key}".encode("ascii"))


def project_certificate(certificate: Mapping[str, Any], public_params: bytes) -> dict[str, Any]:
    """result-public.json (spec §5) from the full certificate and the bytes of params-public.json."""
    pub = json.loads(public_params)
    h = pub["hash"]
    if certificate.get("commitment") != pub["sealed"]["commitment"]:
        raise ParamsError(
            "完整证书的承诺值与 params-public.json 中 sealed.commitment 不一致：不是同一次抽取。"
        )
    commitment = hex_hash(h, public_params)
    sources = [dict(s) for s in certificate["sources"] if s["name"] != SEALED_SOURCE]
    key = make_key([s["value"] for s in sources])
    selected = sorted(o for s in certificate["strata"].values() for o, _ in s["selected"])
    reserves = sorted(o for s in certificate["strata"].values() for o, _ in s["reserves"])
    teams = certificate.get("teams")
    return {
        "spec": SPEC_SEALED,
        "draw_id": pub["draw_id"],
        "hash": h,
        "commitment": commitment,
        "sealed_commitment": certificate["commitment"],
        "sources": sources,
        "key": key,
        "seed": public_seed(h, commitment, key),
        "selected": selected,
        "reserves": reserves,
        "teams": sorted(teams, key=lambda t: str(t["object_id"])) if teams is not None else None,
        "relaxations": len(certificate.get("relaxations") or []),
    }


def sealed_value(certificate: Mapping[str, Any]) -> str:
    for source in certificate.get("sources") or []:
        if isinstance(source, dict) and source.get("name") == SEALED_SOURCE:
            return str(source.get("value"))
    raise ParamsError(f"证书中没有 {SEALED_SOURCE} 来源的值：这不是密封分层（DRAW-v1.1）抽取的完整证书。")


# ------------------------------------------------------------------------------------------------------ checks


@dataclass
class SealedReport:
    """The outcome of a public, full or per-firm check: ok, or the first problem (`path`, `message`).

    `checked` and `unchecked` say, in Chinese and English, what this check could and could not establish.
    """

    ok: bool
    path: str | None = None
    message: str = ""
    checked: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "path": self.path,
            "message": self.message,
            "checked": self.checked,
            "unchecked": self.unchecked,
        }


class _Fail(Exception):
    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path, self.message = path, message


PUBLIC_CHECKED = [
    "承诺值：params-public.json 与证书一致，并包含完整文件的承诺值 / the public files are the ones committed at freeze",
    "四个公开文件的哈希与格式 / the hashes and format of the four public files",
    "服务器密钥与其承诺一致，种子由公开随机源算出 / the secret matches its commitment; the seed follows from the sources",
    "每个入选和候补对象都是候选对象，数量与各层汇总数相符 / every drawn object was a candidate; counts add up",
    "检查组：每个入选对象一组，成员均为可参加人员、名额正确、无回避冲突 / teams: eligible members, right slots, no recusal",
]
PUBLIC_UNCHECKED = [
    "各对象属于哪一层、优先值和序位（分层依据不公开信息，由监督人员和审计用完整文件核验）"
    " / which stratum each object is in, priorities and ranks: checked by witnesses and auditors with the full files",
]


def _load_public_params(public_dir: Path) -> tuple[bytes, dict[str, Any]]:
    try:
        raw = (public_dir / PUBLIC_PARAMS).read_bytes()
    except FileNotFoundError:
        raise _Fail(PUBLIC_PARAMS, f"缺少文件 {PUBLIC_PARAMS}（应在 {public_dir} 中）。") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise _Fail(PUBLIC_PARAMS, f"{PUBLIC_PARAMS} 不是有效的 JSON：{e}") from None
    if not isinstance(data, dict) or data.get("spec") != SPEC_SEALED:
        raise _Fail(f"{PUBLIC_PARAMS}.spec", f'{PUBLIC_PARAMS} 的 spec 必须是 "{SPEC_SEALED}"。')
    try:
        check_hash_name(data.get("hash"))
        parse_teams(data.get("teams"))
        parse_sources(data.get("sources"))
    except DrawError as e:
        raise _Fail(PUBLIC_PARAMS, e.message.replace(PARAMS, PUBLIC_PARAMS)) from None
    files, sealed = data.get("files"), data.get("sealed")
    if not isinstance(files, dict) or set(files) != set(PUBLIC_FILE_NAMES):
        raise _Fail(f"{PUBLIC_PARAMS}.files", f"files 必须恰好包含 {', '.join(PUBLIC_FILE_NAMES)} 的哈希值。")
    if (
        not isinstance(sealed, dict)
        or not all(
            isinstance(sealed.get(k), str) and _HEX_RE.fullmatch(sealed[k])
            for k in ("commitment", "merkle_root")
        )
        or not isinstance(sealed.get("strata"), dict)
        or not all(
            isinstance(v, dict)
            and set(v) == {"N", "k", "reserves"}
            and all(type(v[x]) is int and v[x] >= 0 for x in v)
            for v in sealed["strata"].values()
        )
    ):
        raise _Fail(
            f"{PUBLIC_PARAMS}.sealed",
            "sealed 必须含 commitment、merkle_root（64 位十六进制）和 strata（各层的 N、k、reserves）。",
        )
    return raw, data


def _public_ids(path: Path, hash_name: str) -> tuple[str, list[str]]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise _Fail(f"files.{PUBLIC_CANDIDATES}", f"缺少文件 {PUBLIC_CANDIDATES}。") from None
    if data and not data.endswith(b"\n"):
        raise _Fail(f"files.{PUBLIC_CANDIDATES}", f"{PUBLIC_CANDIDATES} 最后一行没有以换行符 LF 结尾。")
    lines = data.split(b"\n")[:-1] if data else []
    for n, line in enumerate(lines, start=1):
        if not ID_RE.fullmatch(line.decode("latin-1")):
            raise _Fail(f"files.{PUBLIC_CANDIDATES}", f"{PUBLIC_CANDIDATES} 第 {n} 行不是合规的对象编号。")
        if n > 1 and not lines[n - 2] < line:
            raise _Fail(f"files.{PUBLIC_CANDIDATES}", f"{PUBLIC_CANDIDATES} 第 {n} 行未按字节序排列或重复。")
    return hex_hash(hash_name, data), [x.decode("ascii") for x in lines]


def _check_public(public_dir: Path, result_path: Path | None) -> SealedReport:
    raw, pub = _load_public_params(public_dir)
    h = pub["hash"]
    commitment = hex_hash(h, raw)
    digest, ids = _public_ids(public_dir / PUBLIC_CANDIDATES, h)
    hashes = {PUBLIC_CANDIDATES: digest}
    tables: dict[str, list[tuple[str, str]]] = {}
    for name in (EXCLUDED, INSPECTORS, RECUSALS):
        try:
            hashes[name], tables[name] = read_table(public_dir / name, name, h)
        except DrawError as e:
            raise _Fail(f"files.{name}", e.message) from None
    for name in PUBLIC_FILE_NAMES:
        if hashes[name] != pub["files"][name]:
            raise _Fail(f"files.{name}", f"{name} 的哈希 {hashes[name]} 与 {PUBLIC_PARAMS} 公布的不一致。")
    summary = pub["sealed"]["strata"]
    if sum(s["N"] for s in summary.values()) != len(ids):
        raise _Fail("sealed.strata", f"各层候选数之和与 {PUBLIC_CANDIDATES} 的行数 {len(ids)} 不一致。")
    result = result_path if result_path is not None else public_dir / PUBLIC_RESULT
    if not result.exists():
        checked = PUBLIC_CHECKED[:2] + _ceremony_lines(public_dir, commitment, None)
        report = SealedReport(True, message="冻结文件一致；尚无抽取证书。", checked=checked)
        report.unchecked = PUBLIC_UNCHECKED + (CEREMONY_UNCHECKED if len(checked) > 2 else [])
        return report
    try:
        cert = json.loads(result.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise _Fail(PUBLIC_RESULT, f"证书不是有效的 JSON：{e}") from None
    if not isinstance(cert, dict):
        raise _Fail(PUBLIC_RESULT, "证书顶层必须是 JSON 对象。")
    expected = {
        "spec": SPEC_SEALED,
        "draw_id": pub["draw_id"],
        "hash": h,
        "commitment": commitment,
        "sealed_commitment": pub["sealed"]["commitment"],
    }
    for key, value in expected.items():
        if cert.get(key) != value:
            raise _Fail(key, f"证书中的 {key} 应为 {value}，实为 {cert.get(key)!r}。")
    declared = parse_sources(pub["sources"])
    given = cert.get("sources")
    if not isinstance(given, list) or len(given) != len(declared):
        raise _Fail("sources", "证书中的来源与公开参数公布的来源数量不一致。")
    values = []
    for i, (source, item) in enumerate(zip(declared, given, strict=True)):
        if not isinstance(item, dict) or item.get("name") != source.name or item.get("kind") != source.kind:
            raise _Fail(f"sources[{i}]", f"证书的第 {i + 1} 个来源应为 {source.name}（{source.kind}）。")
        try:
            value = canonical_value(source, item.get("value"), h)  # type: ignore[arg-type]
        except DrawError as e:
            raise _Fail(f"sources[{i}].value", e.message) from None
        if value != item.get("value"):
            raise _Fail(f"sources[{i}].value", f"来源 {source.name} 的值不是规范形式 {value}。")
        values.append(value)
    key = make_key(values)
    if cert.get("key") != key:
        raise _Fail("key", f"key 应为 {key}。")
    if cert.get("seed") != public_seed(h, commitment, key):
        raise _Fail("seed", "公开种子与承诺值和随机源重新算出的不一致。")
    candidates = set(ids)
    lists: dict[str, list[str]] = {}
    for name, total_key in (("selected", "k"), ("reserves", "reserves")):
        items = cert.get(name)
        if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
            raise _Fail(name, f"{name} 必须是对象编号的数组。")
        if any(not a < b for a, b in zip(items, items[1:], strict=False)):
            raise _Fail(name, f"{name} 必须按字节序排列且不重复。")
        outside = [x for x in items if x not in candidates]
        if outside:
            raise _Fail(name, f"{outside[0]} 不在候选名单 {PUBLIC_CANDIDATES} 中。")
        total = sum(s[total_key] for s in summary.values())
        if len(items) != total:
            raise _Fail(name, f"{name} 有 {len(items)} 个，各层汇总为 {total} 个。")
        lists[name] = items
    both = set(lists["selected"]) & set(lists["reserves"])
    if both:
        raise _Fail("reserves", f"{sorted(both)[0]} 同时是入选和候补对象。")
    _check_teams(pub, cert, lists["selected"], tables[INSPECTORS], tables[RECUSALS])
    relaxations = cert.get("relaxations")
    if type(relaxations) is not int or relaxations < 0:
        raise _Fail("relaxations", "relaxations 应为非负整数（放宽负荷上限的次数）。")
    extra = sorted(
        set(cert) - {*expected, "sources", "key", "seed", "selected", "reserves", "teams", "relaxations"}
    )
    if extra:
        raise _Fail(extra[0], f"证书中有规范之外的键 {extra[0]}。")
    ceremony = _ceremony_lines(public_dir, commitment, cert, result)
    unchecked = PUBLIC_UNCHECKED + (CEREMONY_UNCHECKED if ceremony else [])
    return SealedReport(True, message="通过", checked=PUBLIC_CHECKED + ceremony, unchecked=unchecked)


def _ceremony_lines(
    folder: Path,
    commitment: str,
    cert: Mapping[str, Any] | None,
    result_path: Path | None = None,
    full: Mapping[str, Any] | None = None,
    full_body: bytes | None = None,
) -> list[str]:
    """The ceremony record's line for the report, if the folder has one (a failed check raises _Fail)."""
    if not (folder / CEREMONY).exists():
        return []
    try:
        return [
            check_ceremony(
                folder,
                commitment=commitment,
                result_path=result_path,
                certificate=cert,
                full_certificate=full,
                full_result_body=full_body,
            )
        ]
    except DrawError as e:
        raise _Fail(CEREMONY, e.message) from None


def _check_teams(
    pub: Mapping[str, Any],
    cert: Mapping[str, Any],
    selected: list[str],
    inspectors: list[tuple[str, str]],
    recusals: list[tuple[str, str]],
) -> None:
    slots, teams = pub["teams"], cert.get("teams")
    if slots is None:
        if teams is not None:
            raise _Fail("teams", "公开参数不组队，证书却有检查组。")
        return
    if (
        not isinstance(teams, list)
        or [t.get("object_id") if isinstance(t, dict) else None for t in teams] != selected
    ):
        raise _Fail("teams", "检查组应按对象编号排列，每个入选对象恰好一组。")
    department = {i: d for d, i in inspectors}
    recused = set(recusals)
    for n, team in enumerate(teams):
        members = team.get("members")
        if not isinstance(members, list) or not all(
            isinstance(m, list) and len(m) == 2 and all(isinstance(x, str) for x in m) for m in members
        ):
            raise _Fail(f"teams[{n}].members", "成员应为 [部门代码, 人员编号] 的数组。")
        seen: set[str] = set()
        per_dept: dict[str, int] = {}
        for j, (dept, person) in enumerate(members):
            where = f"teams[{n}].members[{j}]"
            if department.get(person) != dept:
                raise _Fail(where, f"{dept},{person} 不在 inspectors.csv 中。")
            if person in seen:
                raise _Fail(where, f"{person} 在同一检查组中出现两次。")
            if (person, team["object_id"]) in recused:
                raise _Fail(where, f"{person} 与对象 {team['object_id']} 有回避关系。")
            seen.add(person)
            per_dept[dept] = per_dept.get(dept, 0) + 1
        if per_dept != dict(slots):
            raise _Fail(f"teams[{n}]", f"检查组各部门人数 {per_dept} 与名额 {dict(slots)} 不一致。")


@_without_gc
def verify_public(public_dir: str | Path, result_path: str | Path | None = None) -> SealedReport:
    """The public check of spec §6: anyone, with the public files only."""
    try:
        return _check_public(Path(public_dir), Path(result_path) if result_path is not None else None)
    except _Fail as e:
        return SealedReport(False, e.path, e.message, unchecked=PUBLIC_UNCHECKED)


@_without_gc
def verify_full(
    full_dir: str | Path, public_dir: str | Path, result_path: str | Path | None = None
) -> SealedReport:
    """The full check of spec §6: DRAW-v1 on the full files, then the public files as their exact projection."""
    full_dir, public_dir = Path(full_dir), Path(public_dir)
    report = verify(full_dir, result_path)
    if not report.ok or report.certificate is None:
        return SealedReport(False, report.path, report.message)
    checked = ["完整文件按 DRAW-v1 逐字节复算一致 / the full files reproduce the certificate (DRAW-v1)"]
    try:
        sealed = sealed_value(report.certificate)
        with tempfile.TemporaryDirectory() as tmp:
            expected_dir = Path(tmp)
            project_files(full_dir, expected_dir, sealed)
            names = list(PUBLIC_FILES)
            if (public_dir / PUBLIC_RESULT).exists() or (full_dir / RESULT).exists():
                cert = project_certificate(report.certificate, (expected_dir / PUBLIC_PARAMS).read_bytes())
                (expected_dir / PUBLIC_RESULT).write_bytes(certificate_bytes(cert))
                names.append(PUBLIC_RESULT)
            for name in names:
                try:
                    actual = (public_dir / name).read_bytes()
                except FileNotFoundError:
                    return SealedReport(False, f"public.{name}", f"公开文件夹中缺少 {name}。", checked)
                if actual != (expected_dir / name).read_bytes():
                    return SealedReport(
                        False,
                        f"public.{name}",
                        f"公开的 {name} 不是完整文件的投影（与重新生成的字节不同）。",
                        checked,
                    )
    except DrawError as e:
        return SealedReport(False, e.file or "params.json", e.message, checked)
    checked.append(
        "公开文件是完整文件的确切投影 / the public files are the exact projection of the full ones"
    )
    try:
        checked += _full_ceremony_lines(full_dir, public_dir, report.certificate, result_path)
    except _Fail as e:
        return SealedReport(False, e.path, e.message, checked)
    return SealedReport(True, message="通过", checked=checked)


def _full_ceremony_lines(
    full_dir: Path, public_dir: Path, full: Mapping[str, Any], result_path: str | Path | None
) -> list[str]:
    """A sealed draw's ceremony record, in both folders, checked against the full certificate (the seed group of the
    fingerprint included) and the public one."""
    record = public_dir / CEREMONY
    if not record.exists():
        return []
    copy = full_dir / CEREMONY
    if copy.exists() and copy.read_bytes() != record.read_bytes():
        raise _Fail(CEREMONY, f"完整文件夹与公开文件夹中的 {CEREMONY} 不同。")
    raw = (public_dir / PUBLIC_PARAMS).read_bytes()
    public_result = public_dir / PUBLIC_RESULT
    cert = json.loads(public_result.read_bytes().decode("utf-8")) if public_result.exists() else None
    full_body = (
        Path(result_path).read_bytes() if result_path is not None else (full_dir / RESULT).read_bytes()
    )
    return _ceremony_lines(
        public_dir,
        hex_hash(full["hash"], raw),
        cert,
        public_result if cert is not None else None,
        full=full,
        full_body=full_body,
    )


# ------------------------------------------------------------------------------------------------ per-firm proof


def firm_proof(
    full_dir: str | Path,
    public_dir: str | Path,
    sealed: str,
    object_id: str,
    certificate: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """A firm's proof of its own row (spec §6): its stratum, salt and Merkle path, and its outcome."""
    full_dir, public_dir = Path(full_dir), Path(public_dir)
    params = load_params(full_dir)
    canonical_value(_sealed_source(params), sealed, params.hash_name)
    checked = _check_files(full_dir, params)
    ids, strata = _sorted_rows(checked.candidates.runs)
    wanted = object_id.encode("ascii", "replace")
    try:
        index = ids.index(wanted)
    except ValueError:
        raise DrawError(f"对象 {object_id} 不是本次抽取的候选对象。") from None
    h = params.hash_name
    level = leaves(h, sealed, ids, strata)
    outcome = "not_selected"
    if certificate is not None:
        for stratum in certificate["strata"].values():
            if any(o == object_id for o, _ in stratum["selected"]):
                outcome = "selected"
            elif any(o == object_id for o, _ in stratum["reserves"]):
                outcome = "reserve"
    salt = salts(sealed, len(ids))[32 * index : 32 * index + 32].hex()
    return {
        "spec": PROOF_SPEC,
        "draw_id": params.draw_id,
        "commitment": hex_hash(h, (public_dir / PUBLIC_PARAMS).read_bytes()),
        "object_id": object_id,
        "stratum": strata[index].decode("ascii"),
        "salt": salt,
        "index": index,
        "leaves": len(ids),
        "path": [[x.hex() for x in group] for group in merkle_path(h, level, index)],
        "outcome": outcome if certificate is not None else "pending",
    }


def verify_proof(proof: Mapping[str, Any], public_dir: str | Path) -> SealedReport:
    """The per-firm check: the proof's row is in the committed tree, and its outcome is the published one."""
    public_dir = Path(public_dir)
    try:
        raw, pub = _load_public_params(public_dir)
        h = pub["hash"]
        if proof.get("spec") != PROOF_SPEC:
            raise _Fail("spec", f'证明的 spec 必须是 "{PROOF_SPEC}"。')
        if proof.get("commitment") != hex_hash(h, raw) or proof.get("draw_id") != pub["draw_id"]:
            raise _Fail("commitment", "证明不属于这个公开文件夹的抽取（承诺值或抽取编号不同）。")
        object_id, stratum, salt = proof.get("object_id"), proof.get("stratum"), proof.get("salt")
        index, count, path = proof.get("index"), proof.get("leaves"), proof.get("path")
        if not (
            isinstance(object_id, str)
            and ID_RE.fullmatch(object_id)
            and isinstance(stratum, str)
            and stratum in pub["sealed"]["strata"]
            and isinstance(salt, str)
            and _HEX_RE.fullmatch(salt)
            and type(index) is int
            and type(count) is int
            and 0 <= index < count
            and isinstance(path, list)
            and all(
                isinstance(g, list) and all(isinstance(x, str) and _HEX_RE.fullmatch(x) for x in g)
                for g in path
            )
        ):
            raise _Fail(
                "proof", "证明的字段不完整或格式不对（object_id、stratum、salt、index、leaves、path）。"
            )
        _, ids = _public_ids(public_dir / PUBLIC_CANDIDATES, h)
        if count != len(ids) or ids[index] != object_id:
            raise _Fail("index", f"对象 {object_id} 不在 {PUBLIC_CANDIDATES} 的第 {index + 1} 行。")
        leaf = new_hash(h, b"\x00" + bytes.fromhex(salt) + f"{stratum},{object_id}".encode("ascii")).digest()
        root = root_from_path(h, leaf, index, count, [[bytes.fromhex(x) for x in g] for g in path])
        if root is None or root.hex() != pub["sealed"]["merkle_root"]:
            raise _Fail("path", "由证明算出的默克尔树根与冻结时公布的不一致。")
        outcome = proof.get("outcome")
        result = public_dir / PUBLIC_RESULT
        if result.exists():
            cert = json.loads(result.read_bytes().decode("utf-8"))
            actual = (
                "selected"
                if object_id in cert.get("selected", [])
                else "reserve"
                if object_id in cert.get("reserves", [])
                else "not_selected"
            )
            if outcome != actual:
                raise _Fail("outcome", f"证明写的结果 {outcome!r} 与公开证书中的 {actual!r} 不一致。")
        s = pub["sealed"]["strata"][stratum]
        return SealedReport(
            True,
            message=f"通过：对象 {object_id} 是承诺的候选对象，在分层 {stratum}（共 {s['N']} 户，抽取 {s['k']} 户），"
            f"结果：{outcome}",
            checked=[
                "本对象在冻结时承诺的候选名单中，所在分层如证明所示 / this object was a committed candidate in that stratum",
                "本对象的结果与公开证书一致 / its outcome is the published one",
            ],
            unchecked=[
                "本对象的优先值和序位（由监督人员用完整文件核验）/ its priority and rank (witnesses check those)"
            ],
        )
    except _Fail as e:
        return SealedReport(False, e.path, e.message)
