"""Running a draw, writing its certificate (spec §6) and verifying one (spec §7).

`verify` does not trust anything in result.json except the revealed values: it recomputes the whole
certificate from the folder and compares values (not formatting), reporting the first difference as a path
such as `strata.A.selected[2]`, so an auditor knows exactly where to look.
"""

from __future__ import annotations

import functools
import gc
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from .errors import (
    CertificateFormatError,
    DrawError,
    FileHashMismatchError,
    ParamsError,
    StratumMissingError,
    TeamImpossibleError,
)
from .files import (
    CANDIDATES,
    EXCLUDED,
    FILE_NAMES,
    INSPECTORS,
    PARAMS,
    RECUSALS,
    RESULT,
    Candidates,
    read_candidates,
    read_table,
    write_candidates,
    write_table,
)
from .hashing import check_hash_name, hex_hash
from .jsonfmt import dumps_indent1
from .params import RESERVED_KEYS, SPEC, Params, load_params, params_bytes, parse_params
from .seed import canonical_value, derive_seed
from .select import Smallest
from .teams import assign_teams

Rows = Iterable[tuple[str, str]]
P = ParamSpec("P")
T = TypeVar("T")


def _without_gc(fn: Callable[P, T]) -> Callable[P, T]:
    """Pause the cyclic garbage collector while `fn` runs.

    A draw holds millions of IDs and creates no reference cycles; with the collector on, every few hundred
    small tuples trigger a scan of all of them, which measured 10-20 % of a million-candidate draw.
    """

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    return wrapper


def write_draw_files(
    directory: str | Path,
    *,
    candidates: Rows,
    excluded: Rows = (),
    inspectors: Rows = (),
    recusals: Rows = (),
    strata: Mapping[str, Mapping[str, object]],
    teams: Mapping[str, int] | None = None,
    sources: Sequence[Mapping[str, str]],
    draw_id: str,
    hash_name: str = "sha256",
    extra: Mapping[str, Any] | None = None,
) -> str:
    """Write the five files of a draw into `directory` (created if needed) and return the commitment.

    Rows are (stratum, object_id), (object_id, reason), (department, inspector_id) and
    (inspector_id, object_id) tuples in any order. `strata` maps a code to {"ratio": "0.05", "reserve": 3}
    or {"count": 10, "reserve": 0}; `sources` are {"name", "kind"} dicts, a secret one with its
    "commitment" (see `secret_commitment`). `extra` keys (task number, frozen_at, the announced lottery
    draw, …) are committed too.
    """
    params, _ = write_files(
        directory,
        candidates=candidates,
        excluded=excluded,
        inspectors=inspectors,
        recusals=recusals,
        strata=strata,
        teams=teams,
        sources=sources,
        draw_id=draw_id,
        hash_name=hash_name,
        extra=extra,
    )
    return params.commitment


@_without_gc
def write_files(
    directory: str | Path,
    *,
    candidates: Rows,
    excluded: Rows = (),
    inspectors: Rows = (),
    recusals: Rows = (),
    strata: Mapping[str, Mapping[str, object]],
    teams: Mapping[str, int] | None = None,
    sources: Sequence[Mapping[str, str]],
    draw_id: str,
    hash_name: str = "sha256",
    extra: Mapping[str, Any] | None = None,
) -> tuple[Params, Candidates]:
    """`write_draw_files`, returning the parsed params.json and the candidates as read back (hash, runs, counts)."""
    check_hash_name(hash_name)
    directory = Path(directory)

    def params_with(files: dict[str, str]) -> bytes:
        data: dict[str, Any] = {
            "spec": SPEC,
            "hash": hash_name,
            "draw_id": draw_id,
            "files": files,
            "strata": {code: _stratum_json(strata[code]) for code in sorted(strata)},
            "teams": {d: teams[d] for d in sorted(teams)} if teams is not None else None,
            "sources": [dict(s) for s in sources],
        }
        for key, value in (extra or {}).items():
            if key in RESERVED_KEYS:
                raise ParamsError(f"extra 中的键 {key!r} 与 DRAW-v1 的保留键冲突。")
            data[key] = value
        return params_bytes(data)

    # The same checks a verifier applies, once before writing anything (so bad parameters leave no files
    # behind) and once with the real file hashes.
    parse_params(params_with(dict.fromkeys(FILE_NAMES, "0" * 64)))
    directory.mkdir(parents=True, exist_ok=True)
    written = write_candidates(directory, candidates, hash_name)
    files = {
        CANDIDATES: written.file_hash,
        EXCLUDED: write_table(directory, EXCLUDED, excluded, hash_name),
        INSPECTORS: write_table(directory, INSPECTORS, inspectors, hash_name),
        RECUSALS: write_table(directory, RECUSALS, recusals, hash_name),
    }
    raw = params_with(files)
    params = parse_params(raw)
    _check_candidate_strata(params, written.counts)
    (directory / PARAMS).write_bytes(raw)
    return params, written


def _stratum_json(rule: Mapping[str, object]) -> dict[str, object]:
    out = dict(rule)
    if isinstance(out.get("ratio"), Decimal):
        out["ratio"] = format(out["ratio"], "f")  # floats are left for the parser to refuse
    return out


def _check_candidate_strata(params: Params, counts: Mapping[str, int]) -> None:
    missing = sorted(set(counts) - set(params.strata))
    if missing:
        raise StratumMissingError(
            f"candidates.csv 中的分层 {'、'.join(missing)} 未在 params.json 的 strata 中定义抽取规则。",
            file=CANDIDATES,
        )


@dataclass
class _Checked:
    params: Params
    candidates: Candidates
    inspectors: list[tuple[str, str]]
    recusals: list[tuple[str, str]]


def _check_files(directory: Path, params: Params) -> _Checked:
    """Hash and validate the four files against params.json (spec §7, first step)."""
    h = params.hash_name
    candidates = read_candidates(directory / CANDIDATES, h)
    hashes = {CANDIDATES: candidates.file_hash}
    tables: dict[str, list[tuple[str, str]]] = {}
    for name in (EXCLUDED, INSPECTORS, RECUSALS):
        hashes[name], tables[name] = read_table(directory / name, name, h, keep=name != EXCLUDED)
    for name in FILE_NAMES:
        if hashes[name] != params.files[name]:
            raise FileHashMismatchError(name, params.files[name], hashes[name])
    _check_candidate_strata(params, candidates.counts)
    return _Checked(params, candidates, tables[INSPECTORS], tables[RECUSALS])


@_without_gc
def commitment_of(directory: str | Path) -> str:
    """The commitment of a folder, after checking that the four files match params.json."""
    directory = Path(directory)
    params = load_params(directory)
    _check_files(directory, params)
    return params.commitment


def _compute(directory: Path, checked: _Checked, reveals: Mapping[str, str]) -> dict[str, Any]:
    params = checked.params
    sources, key, seed = derive_seed(params, reveals)
    selectors: dict[str, Smallest] = {}
    quotas: dict[str, tuple[int, int]] = {}
    for code, rule in params.strata.items():
        quotas[code] = rule.quota(checked.candidates.counts.get(code, 0))
        selectors[code] = Smallest(sum(quotas[code]))
    prefix = (seed + ",").encode("ascii")
    for stratum, ids in checked.candidates.runs:
        selectors[stratum].feed(params.hash_name, prefix, ids)
    # Selection is done with the IDs; letting them go now keeps a ten-million-candidate draw's peak memory
    # to the IDs or the certificate, not both.
    checked.candidates.runs = []
    strata: dict[str, Any] = {}
    chosen: list[tuple[bytes, str]] = []
    for code in sorted(params.strata):
        k, _ = quotas[code]
        ranked = selectors[code].result()
        strata[code] = {
            "N": checked.candidates.counts.get(code, 0),
            "k": k,
            "selected": [[o, p.hex()] for o, p in ranked[:k]],
            "reserves": [[o, p.hex()] for o, p in ranked[k:]],
        }
        chosen.extend((p, o) for o, p in ranked[:k])
    teams: list[dict[str, object]] | None = None
    relaxations: list[dict[str, object]] = []
    if params.teams is not None:
        chosen.sort()
        teams, relaxations = assign_teams(
            hash_name=params.hash_name,
            seed=seed,
            objects=[o for _, o in chosen],
            inspectors=checked.inspectors,
            recusals=checked.recusals,
            teams=params.teams,
        )
    return {
        "spec": SPEC,
        "draw_id": params.draw_id,
        "hash": params.hash_name,
        "commitment": params.commitment,
        "sources": sources,
        "key": key,
        "seed": seed,
        "strata": strata,
        "teams": teams,
        "relaxations": relaxations,
    }


@_without_gc
def run_draw(directory: str | Path, reveals: Mapping[str, str]) -> dict[str, Any]:
    """The certificate of the draw in `directory` given the revealed source values (name → value)."""
    directory = Path(directory)
    params = load_params(directory)
    return _compute(directory, _check_files(directory, params), reveals)


def certificate_bytes(certificate: Mapping[str, Any]) -> bytes:
    # Same bytes as json.dumps(indent=1, ensure_ascii=False), several times faster for a large certificate.
    return (dumps_indent1(dict(certificate)) + "\n").encode("utf-8")


def write_certificate(certificate: Mapping[str, Any], path: str | Path) -> Path:
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(certificate_bytes(certificate))
    tmp.replace(path)
    return path


@dataclass
class VerifyReport:
    """The outcome of `verify`: ok, or the first difference (`path`) with a message."""

    ok: bool
    path: str | None = None
    message: str = ""
    expected: Any = None
    actual: Any = None
    certificate: dict[str, Any] | None = field(default=None, repr=False)

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "path": self.path,
            "message": self.message,
            "expected": self.expected,
            "actual": self.actual,
        }


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def first_difference(expected: Any, actual: Any, path: str = "") -> tuple[str, Any, Any] | None:
    """The first place where `actual` differs from `expected`, walking `expected` in order.

    Lists of scalars (an [object_id, priority] pair, a [department, inspector] member) count as one value.
    """
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return path or "(root)", expected, actual
        for key, value in expected.items():
            sub = f"{path}.{key}" if path else key
            if key not in actual:
                return sub, value, None
            found = first_difference(value, actual[key], sub)
            if found:
                return found
        for key in actual:
            if key not in expected:
                return (f"{path}.{key}" if path else key), None, actual[key]
        return None
    if isinstance(expected, list) and any(isinstance(x, dict | list) for x in expected):
        if not isinstance(actual, list):
            return path, expected, actual
        for i, (e, a) in enumerate(zip(expected, actual, strict=False)):
            found = first_difference(e, a, f"{path}[{i}]")
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
    if isinstance(expected, list):
        if isinstance(actual, list) and len(actual) == len(expected) and all(map(_same, expected, actual)):
            return None
        return path, expected, actual
    return None if _same(expected, actual) else (path, expected, actual)


def _failed(path: str, message: str, expected: Any = None, actual: Any = None) -> VerifyReport:
    return VerifyReport(False, path, message, expected, actual)


@_without_gc
def verify(directory: str | Path, result_path: str | Path | None = None) -> VerifyReport:
    """Recompute the draw in `directory` and compare with its certificate (default DIR/result.json)."""
    directory = Path(directory)
    result = Path(result_path) if result_path is not None else directory / RESULT
    try:
        actual = json.loads(result.read_bytes().decode("utf-8"))
        if not isinstance(actual, dict):
            raise CertificateFormatError("result.json 顶层必须是 JSON 对象。")
    except FileNotFoundError:
        return _failed(RESULT, f"找不到证书文件 {result}。")
    except (UnicodeDecodeError, json.JSONDecodeError, CertificateFormatError) as e:
        return _failed(RESULT, f"证书 {result} 不是有效的 JSON：{e}")
    try:
        params = load_params(directory)
    except DrawError as e:
        return _failed(PARAMS, e.message)
    for key in ("commitment", "spec", "draw_id", "hash"):
        expected = {
            "spec": SPEC,
            "draw_id": params.draw_id,
            "hash": params.hash_name,
            "commitment": params.commitment,
        }[key]
        if not _same(actual.get(key), expected):
            what = "params.json 的哈希值（承诺值）" if key == "commitment" else f"params.json 中的 {key}"
            return _failed(key, f"证书中的 {key} 与 {what} 不一致。", expected, actual.get(key))
    # The commitment first: if params.json is not the committed one, its file hashes prove nothing.
    try:
        checked = _check_files(directory, params)
    except DrawError as e:
        return _failed(f"files.{e.file}" if e.file else "files", e.message)
    sources = actual.get("sources")
    if not isinstance(sources, list) or len(sources) != len(params.sources):
        return _failed(
            "sources", "证书中的来源与 params.json 公布的来源数量不一致。", len(params.sources), sources
        )
    reveals: dict[str, str] = {}
    for i, (declared, given) in enumerate(zip(params.sources, sources, strict=True)):
        if (
            not isinstance(given, dict)
            or given.get("name") != declared.name
            or given.get("kind") != declared.kind
        ):
            return _failed(
                f"sources[{i}]",
                f"证书的第 {i + 1} 个来源应为 {declared.name}（{declared.kind}）。",
                None,
                given,
            )
        value = given.get("value")
        if not isinstance(value, str):
            return _failed(f"sources[{i}].value", f"来源 {declared.name} 缺少揭示值。")
        try:
            canonical_value(declared, value, params.hash_name)
        except DrawError as e:
            return _failed(f"sources[{i}].value", e.message, None, value)
        reveals[declared.name] = value
    try:
        expected_cert = _compute(directory, checked, reveals)
    except TeamImpossibleError as e:
        return _failed("teams", e.message)
    except DrawError as e:  # the candidates file changed while we read it
        return _failed(f"files.{e.file}" if e.file else "files", e.message)
    found = first_difference(expected_cert, actual)
    if found:
        path, exp, act = found
        return _failed(
            path, f"{path} 与重新计算的结果不一致：应为 {_show(exp)}，证书中为 {_show(act)}。", exp, act
        )
    report = VerifyReport(True, message="通过")
    report.certificate = expected_cert
    return report


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 200 else text[:197] + "…"


def recompute_priority(hash_name: str, seed: str, object_id: str) -> str:
    """hex(P(o)), the value the shell spot check `printf '%s' "$seed,$id" | sha256sum` prints."""
    return hex_hash(hash_name, f"{seed},{object_id}".encode("ascii"))
