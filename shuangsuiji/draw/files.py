"""The four DRAW-v1 text files (spec §0, §1): writing them canonically and reading them back strictly.

A file's hash is committed before the draw, so one stray byte (a BOM, a CR, a blank line, a different
order) would make an honest file look tampered with. The writer therefore produces exactly one byte string
for a given set of rows, and the reader refuses anything else with an error that names the line.

Reading works on blocks of about a megabyte: each block is checked with one regular expression and split
with `bytes.split`, so the per-line work happens in C. Only when a block fails do we walk it line by line to
say precisely what is wrong. Candidates are additionally cut into runs of one stratum, because selection
needs the IDs of each stratum and the per-stratum counts.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from operator import lt
from pathlib import Path
from typing import BinaryIO, NoReturn

from .errors import (
    BlankLineError,
    ByteOrderMarkError,
    DuplicateIdError,
    FileMissingError,
    InvalidIdError,
    LineEndingError,
    MalformedLineError,
    UnsortedFileError,
)
from .hashing import Hasher, new_hash

CANDIDATES = "candidates.csv"
EXCLUDED = "excluded.csv"
INSPECTORS = "inspectors.csv"
RECUSALS = "recusals.csv"
PARAMS = "params.json"
RESULT = "result.json"
FILE_NAMES = (CANDIDATES, EXCLUDED, INSPECTORS, RECUSALS)

ID_PATTERN = "[0-9A-Z]{1,64}"
CODE_PATTERN = "[0-9A-Za-z_-]{1,32}"
ID_RE = re.compile(ID_PATTERN)
CODE_RE = re.compile(CODE_PATTERN)

_ID_HELP = "只能由数字 0-9 和大写字母 A-Z 组成，长度 1 到 64"
_CODE_HELP = "只能由字母、数字、下划线和连字符组成，长度 1 到 32"


@dataclass(frozen=True)
class Column:
    label: str  # what a person calls it, used in messages
    pattern: re.Pattern[str]
    help: str


_ID_COL = {
    "object": Column("对象编号", ID_RE, _ID_HELP),
    "inspector": Column("执法人员编号", ID_RE, _ID_HELP),
}
SCHEMAS: dict[str, tuple[Column, Column]] = {
    CANDIDATES: (Column("分层代码", CODE_RE, _CODE_HELP), _ID_COL["object"]),
    EXCLUDED: (_ID_COL["object"], Column("排除原因代码", CODE_RE, _CODE_HELP)),
    INSPECTORS: (Column("部门代码", CODE_RE, _CODE_HELP), _ID_COL["inspector"]),
    RECUSALS: (_ID_COL["inspector"], _ID_COL["object"]),
}

_BLOCK_RES = {
    name: re.compile(
        f"(?:{a.pattern.pattern}+,{b.pattern.pattern}+\n)*+".encode(),
    )
    for name, (a, b) in SCHEMAS.items()
}
_BLOCK_SIZE = 1 << 20
_BOM = b"\xef\xbb\xbf"


def _open(path: Path, name: str) -> BinaryIO:
    try:
        return path.open("rb")
    except FileNotFoundError:
        raise FileMissingError(f"缺少文件 {name}（应在 {path.parent} 中）。", file=name) from None


def _blocks(f: BinaryIO, hasher: Hasher) -> Iterator[bytes]:
    """Blocks of whole lines; a final piece without LF is yielded as is, for the checks to reject."""
    rest = b""
    while True:
        data = f.read(_BLOCK_SIZE)
        if not data:
            break
        hasher.update(data)
        if rest:
            data = rest + data
        cut = data.rfind(b"\n") + 1
        rest = data[cut:]
        if cut:
            yield data[:cut]
    if rest:
        yield rest


def _diagnose(name: str, block: bytes, first_line: int) -> None:
    """Walk a block that failed a fast check and raise the specific error of its first bad line.

    Returns only if every line is well formed on its own (then the fault is in the order of the lines).
    """
    a, b = SCHEMAS[name]
    lines = block.split(b"\n")
    complete = block.endswith(b"\n")
    if complete:
        lines.pop()
    for i, raw in enumerate(lines):
        n = first_line + i
        if n == 1 and raw.startswith(_BOM):
            raise ByteOrderMarkError(name, n, "文件以 UTF-8 BOM（EF BB BF）开头，请保存为“UTF-8 无 BOM”。")
        if b"\r" in raw:
            raise LineEndingError(name, n, "含有回车符 CR（Windows 换行 CRLF），DRAW-v1 只允许换行符 LF。")
        if not complete and i == len(lines) - 1:
            raise LineEndingError(
                name, n, "最后一行没有以换行符 LF 结尾（每一行，包括最后一行，都必须以 LF 结尾）。"
            )
        if not raw:
            raise BlankLineError(name, n, "是空行；文件中不允许有空行。")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedLineError(name, n, "不是有效的 UTF-8 文本。") from None
        parts = text.split(",")
        if len(parts) != 2:
            raise MalformedLineError(
                name, n, f"{text!r} 应当恰好是用一个英文逗号分隔的两项：{a.label},{b.label}。"
            )
        for col, value in zip((a, b), parts, strict=True):
            if not col.pattern.fullmatch(value):
                raise InvalidIdError(name, n, f"{col.label} {value!r} 不合规：{col.help}。")


def _order_error(name: str, line: int, previous: bytes, current: bytes) -> NoReturn:
    prev, cur = previous.decode(), current.decode()
    if prev == cur:
        raise DuplicateIdError(name, line, f"{cur!r} 与上一行重复；每一行只能出现一次。")
    raise UnsortedFileError(
        name, line, f"{cur!r} 排在 {prev!r} 之后，但文件必须按字节升序排列（可用 LC_ALL=C sort 排序）。"
    )


def _check_order(name: str, lines: list[bytes], first_line: int, previous: bytes | None) -> None:
    """Lines strictly ascending, the first one above `previous` (the last line of the block before)."""
    if previous is not None and lines and not previous < lines[0]:
        _order_error(name, first_line, previous, lines[0])
    if not all(map(lt, lines, islice(lines, 1, None))):
        for i in range(len(lines) - 1):
            if not lines[i] < lines[i + 1]:
                _order_error(name, first_line + i + 1, lines[i], lines[i + 1])


def read_table(
    path: Path, name: str, hash_name: str, *, keep: bool = True
) -> tuple[str, list[tuple[str, str]]]:
    """Check one of excluded/inspectors/recusals; return its hex hash and (if `keep`) its rows."""
    hasher = new_hash(hash_name)
    check = _BLOCK_RES[name]
    rows: list[tuple[str, str]] = []
    line = 1
    previous: bytes | None = None
    with _open(path, name) as f:
        for block in _blocks(f, hasher):
            if check.fullmatch(block) is None:
                _diagnose(name, block, line)
            lines = block.split(b"\n")
            lines.pop()
            _check_order(name, lines, line, previous)
            if keep or name == INSPECTORS:
                rows.extend(tuple(x.split(",")) for x in block.decode("ascii").splitlines())  # type: ignore[misc]
            line += len(lines)
            previous = lines[-1]
    if name == INSPECTORS:
        seen: dict[str, str] = {}
        for i, (dept, inspector) in enumerate(rows, start=1):
            if inspector in seen:
                raise DuplicateIdError(
                    name,
                    i,
                    f"执法人员 {inspector} 同时属于部门 {seen[inspector]} 和 {dept}；每名人员只能出现一次。",
                )
            seen[inspector] = dept
    return hasher.hexdigest(), rows


def _group_end(block: bytes, start: int, prefix: bytes) -> int:
    """End of the run of lines starting with `prefix` that begins at `start`, by bisection on line starts.

    Correct when the block is sorted; when it is not, the caller's count check notices.
    """
    lo, hi = start, len(block)
    while True:
        eol = block.index(b"\n", lo)
        if eol + 1 >= hi:
            return hi
        mid = (eol + 1 + hi) // 2
        q = block.rfind(b"\n", eol, mid) + 1
        if block.startswith(prefix, q):
            lo = q
        else:
            hi = q


@dataclass
class Candidates:
    """candidates.csv, read once: its hash and, per run of one stratum, the sorted object IDs.

    The IDs are kept (about 65 bytes per candidate) because checking that no object sits in two strata needs
    them all, and keeping them spares selection a second read of the file.
    """

    file_hash: str
    runs: list[tuple[str, list[bytes]]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


_ID_BYTES = bytes(range(ord("0"), ord("9") + 1)) + bytes(range(ord("A"), ord("Z") + 1))
_CODE_BYTES_RE = re.compile(CODE_PATTERN.encode())


def _run_is_valid(stratum: bytes, ids: list[bytes], lines: int) -> bool:
    # Each check runs in C over the whole run; together they prove every line is `stratum,ID` with a valid
    # code and ID: the split found one ID per line, and no ID holds a byte outside [0-9A-Z] (so no LF, CR
    # or comma), is empty or is longer than 64.
    return (
        len(ids) == lines
        and _CODE_BYTES_RE.fullmatch(stratum) is not None
        and not b"".join(ids).translate(None, _ID_BYTES)
        and b"" not in ids
        and max(map(len, ids)) <= 64
    )


def read_candidates(path: Path, hash_name: str) -> Candidates:
    """Hash candidates.csv and check every rule of spec §0/§1 on it, keeping the IDs per stratum."""
    hasher = new_hash(hash_name)
    out = Candidates("")
    line = 1
    previous: bytes | None = None
    with _open(path, CANDIDATES) as f:
        for block in _blocks(f, hasher):
            if not block.endswith(b"\n"):
                _diagnose(CANDIDATES, block, line)  # raises: the last line lacks its LF
            pos = 0
            while pos < len(block):
                comma = block.find(b",", pos)
                if comma < 0:
                    _diagnose(CANDIDATES, block[pos:], line)  # raises: a line without a comma
                stratum = block[pos:comma]
                prefix = stratum + b","
                end = _group_end(block, pos, prefix)
                run = block[pos:end]
                n = run.count(b"\n")
                ids = run[len(prefix) : -1].split(b"\n" + prefix)
                if not _run_is_valid(stratum, ids, n):
                    _diagnose(CANDIDATES, run, line)
                    # Every line is well formed, so the run was cut wrongly: the lines are out of order.
                    _check_order(CANDIDATES, run.split(b"\n")[:-1], line, previous)
                    raise MalformedLineError(CANDIDATES, line, "格式不合规。")  # pragma: no cover
                first = prefix + ids[0]
                if previous is not None and not previous < first:
                    _order_error(CANDIDATES, line, previous, first)
                if not all(map(lt, ids, islice(ids, 1, None))):
                    _check_order(CANDIDATES, [prefix + x for x in ids], line, None)
                previous = prefix + ids[-1]
                code = stratum.decode("ascii")
                out.runs.append((code, ids))
                out.counts[code] = out.counts.get(code, 0) + n
                line += n
                pos = end
    if len(out.counts) > 1:
        _check_unique_across_strata(out.runs)
    out.file_hash = hasher.hexdigest()
    return out


def _check_unique_across_strata(runs: list[tuple[str, list[bytes]]]) -> None:
    # Each stratum's IDs are already sorted, so sorting their concatenation is a merge of sorted runs,
    # done by timsort in C; a set would take about twice the memory for ten million IDs.
    merged = list(chain.from_iterable(ids for _, ids in runs))
    merged.sort()
    if all(map(lt, merged, islice(merged, 1, None))):
        return
    dup = next(a for a, b in zip(merged, islice(merged, 1, None), strict=False) if a == b)
    where = sorted({s for s, ids in runs if dup in ids})
    raise DuplicateIdError(
        CANDIDATES,
        None,
        f"对象 {dup.decode()} 同时出现在分层 {'、'.join(where)} 中；每个对象只能属于一个分层。",
    )


def _canonical_bytes(name: str, rows: Iterable[tuple[str, str]]) -> bytes:
    a, b = SCHEMAS[name]
    rows = rows if isinstance(rows, list | tuple) else list(rows)
    try:
        lines = list(map(",".join, rows))
    except TypeError:
        lines = []
    if len(lines) != len(rows):
        for i, row in enumerate(rows, start=1):
            if not (isinstance(row, tuple | list) and len(row) == 2 and all(isinstance(x, str) for x in row)):
                raise InvalidIdError(
                    name, None, f"第 {i} 条记录 {row!r} 不是由两个字符串（{a.label},{b.label}）组成的元组。"
                )
    lines.sort()
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def _write_checked(directory: Path, name: str, rows: Iterable[tuple[str, str]], hash_name: str) -> Candidates:
    # The rows are checked by reading the written bytes back with the same reader a verifier uses, so the
    # writer can never produce a file the reader would refuse; the file only gets its name once it passed.
    path = directory / name
    tmp = path.with_name(f".{name}.tmp")
    tmp.write_bytes(_canonical_bytes(name, rows))
    try:
        if name == CANDIDATES:
            checked = read_candidates(tmp, hash_name)
        else:
            checked = Candidates(read_table(tmp, name, hash_name, keep=False)[0])
    except BaseException:
        tmp.unlink()
        raise
    os.replace(tmp, path)
    return checked


def write_table(directory: Path, name: str, rows: Iterable[tuple[str, str]], hash_name: str) -> str:
    """Write one of the four files canonically (sorted, LF, UTF-8) and return its hex hash."""
    return _write_checked(directory, name, rows, hash_name).file_hash


def write_candidates(directory: Path, rows: Iterable[tuple[str, str]], hash_name: str) -> Candidates:
    """Write candidates.csv canonically; return its hash and per-stratum counts."""
    return _write_checked(directory, CANDIDATES, rows, hash_name)
