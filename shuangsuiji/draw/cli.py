"""The `shuangsuiji` command: commit, draw, verify and rfc3797, with no Django and no database.

Exit codes: 0 success (验证通过), 1 verification found a difference, 2 bad usage or bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from .ceremony import CEREMONY, CEREMONY_UNCHECKED, check_ceremony
from .certificate import commitment_of, run_draw, verify, write_certificate
from .errors import DrawError, SourceValueError
from .files import RESULT
from .rfc3797 import rfc3797_key, rfc3797_select
from .sealed import PUBLIC_PARAMS, SealedReport, verify_full, verify_proof, verify_public

DESCRIPTION = """\
DRAW-v1 公开可验证抽取（双随机、一公开）。完整规范见 docs/draw-v1.md。

流程：
  1. 冻结名单：平台把候选对象、排除对象、执法人员、回避关系写成四个规范文件，
     连同 params.json（抽取比例、候补数、组队名额、随机来源）放在一个文件夹里。
  2. 承诺：`shuangsuiji commit 文件夹` 核对四个文件的哈希并输出承诺值
     （params.json 的哈希）。承诺值必须在任何随机来源产生之前公布。
  3. 揭示：抽取时揭示服务器秘密值、公布的彩票开奖号码、现场监督人员掷骰的数字，
     `shuangsuiji draw 文件夹 --reveal 名称=值 ...` 生成证书 result.json。
  4. 验证：任何人用 `shuangsuiji verify 文件夹` 重新计算全部结果，
     一致则输出“通过”（退出码 0），否则指出第一处不一致（退出码 1）。

密封分层（DRAW-v1.1，分层依据不公开的风险分类时，见 docs/draw-v1.1-sealed.md）：
  公开核验 `shuangsuiji verify 公开文件夹`（含 params-public.json）；
  完整核验 `shuangsuiji verify 完整文件夹 --public 公开文件夹`；
  企业本户 `shuangsuiji verify-proof 证明.json 公开文件夹`。

退出码：0 成功；1 验证发现不一致；2 用法或输入错误。所有子命令都支持 --json。
"""


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="以 JSON 输出，供程序读取")
    parser = argparse.ArgumentParser(
        prog="shuangsuiji", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="子命令")

    p = sub.add_parser(
        "commit",
        parents=[common],
        help="核对文件并输出承诺值",
        description="核对四个文件的哈希与 params.json 一致，输出承诺值（params.json 的哈希）。",
    )
    p.add_argument("dir", type=Path, help="抽取文件夹")

    p = sub.add_parser(
        "draw",
        parents=[common],
        help="用揭示的随机来源执行抽取，写出证书",
        description="用揭示的随机来源值计算种子、抽取对象和检查组，写出证书 result.json。",
    )
    p.add_argument("dir", type=Path, help="抽取文件夹")
    p.add_argument(
        "--reveal", action="append", default=[], metavar="名称=值", help="一个来源的揭示值，可重复"
    )
    p.add_argument("--reveals", type=Path, metavar="文件", help="每行一个 名称=值 的文件（如 reveals.txt）")
    p.add_argument("--out", type=Path, metavar="文件", help="证书路径（默认 文件夹/result.json）")

    p = sub.add_parser(
        "verify",
        parents=[common],
        help="重新计算并核对证书",
        description="重新计算文件哈希、承诺值、秘密值、种子、抽取结果和检查组，与证书逐项比较。",
    )
    p.add_argument("dir", type=Path, help="抽取文件夹")
    p.add_argument("result", type=Path, nargs="?", help="证书路径（默认 文件夹/result.json）")
    p.add_argument(
        "--public",
        type=Path,
        metavar="公开文件夹",
        help="完整核验（DRAW-v1.1 密封分层）：再核对公开文件夹是完整文件的确切投影",
    )

    p = sub.add_parser(
        "verify-proof",
        parents=[common],
        help="核验企业本户的证明（DRAW-v1.1）",
        description="核对企业拿到的本户证明：本户在冻结时承诺的候选名单中、所在分层、抽取结果与公开证书一致。",
    )
    p.add_argument("proof", type=Path, help="证明文件（JSON）")
    p.add_argument("public", type=Path, help="公开文件夹（含 params-public.json）")

    p = sub.add_parser(
        "rfc3797",
        parents=[common],
        help="按 RFC 3797 从小名单中选出若干行",
        description="按 RFC 3797 从文件（每行一项，保持原顺序）中选出 K 行，用于小名单或与其他 RFC 3797 工具对照。",
    )
    p.add_argument(
        "--sources",
        required=True,
        metavar="来源",
        help='用 / 分隔的数字组，如 "9319/2,5,12,8,10/9,18,26,34,41,45"',
    )
    p.add_argument("--count", required=True, type=int, metavar="K", help="选出的行数")
    p.add_argument("file", type=Path, help="名单文件，- 表示标准输入")
    return parser


def _reveals(args: argparse.Namespace) -> dict[str, str]:
    pairs: list[str] = []
    if args.reveals is not None:
        pairs += [line for line in args.reveals.read_text("utf-8").splitlines() if line.strip()]
    pairs += args.reveal
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise SourceValueError(f"揭示值 {pair!r} 应写成 名称=值，例如 lottery=30,3,11,15,22,27。")
        if name.strip() in out:
            raise SourceValueError(f"来源 {name.strip()} 被揭示了两次。")
        out[name.strip()] = value.strip()
    return out


def _emit(out: TextIO, as_json: bool, data: Any, text: str) -> None:
    if as_json:
        json.dump(data, out, ensure_ascii=False, indent=1)
        out.write("\n")
    else:
        out.write(text + "\n")


def _commit(args: argparse.Namespace, out: TextIO) -> int:
    commitment = commitment_of(args.dir)
    _emit(
        out,
        args.json,
        {"commitment": commitment},
        f"四个文件与 params.json 一致。\n承诺值（commitment）：{commitment}",
    )
    return 0


def _draw(args: argparse.Namespace, out: TextIO) -> int:
    certificate = run_draw(args.dir, _reveals(args))
    path = write_certificate(certificate, args.out if args.out is not None else args.dir / RESULT)
    summary = {
        "result": str(path),
        "commitment": certificate["commitment"],
        "seed": certificate["seed"],
        "strata": {
            code: {
                "N": s["N"],
                "k": s["k"],
                "selected": [o for o, _ in s["selected"]],
                "reserves": [o for o, _ in s["reserves"]],
            }
            for code, s in certificate["strata"].items()
        },
        "teams": len(certificate["teams"]) if certificate["teams"] is not None else None,
        "relaxations": len(certificate["relaxations"]),
    }
    lines = [f"证书已写入 {path}", f"承诺值：{certificate['commitment']}", f"种子：{certificate['seed']}"]
    for code, s in certificate["strata"].items():
        lines.append(f"分层 {code}：共 {s['N']} 个，抽中 {s['k']} 个，候补 {len(s['reserves'])} 个")
    if certificate["teams"] is not None:
        lines.append(
            f"检查组：{len(certificate['teams'])} 个，放宽负荷上限 {len(certificate['relaxations'])} 次"
        )
    _emit(out, args.json, summary, "\n".join(lines))
    return 0


def _sealed_report(out: TextIO, as_json: bool, report: SealedReport, title: str) -> int:
    lines = [f"{title}：{'通过 / OK' if report.ok else '不通过 / FAILED'}"]
    if not report.ok:
        lines.append(f"第一处不一致在 {report.path}\n{report.message}")
    else:
        lines.append(report.message)
    lines += ["已核验 / checked:"] + [f"  - {x}" for x in report.checked]
    if report.unchecked:
        lines += ["未能核验 / not checked here:"] + [f"  - {x}" for x in report.unchecked]
    _emit(out, as_json, report.as_json(), "\n".join(lines))
    return 0 if report.ok else 1


def _verify(args: argparse.Namespace, out: TextIO) -> int:
    if not args.dir.is_dir():
        raise DrawError(f"找不到抽取文件夹 {args.dir}。")
    if args.public is not None:
        if not args.public.is_dir():
            raise DrawError(f"找不到公开文件夹 {args.public}。")
        report_full = verify_full(args.dir, args.public, args.result)
        return _sealed_report(out, args.json, report_full, "完整核验（DRAW-v1.1）/ full check")
    if (args.dir / PUBLIC_PARAMS).exists() and not (args.dir / "params.json").exists():
        report_public = verify_public(args.dir, args.result)
        return _sealed_report(out, args.json, report_public, "公开核验（DRAW-v1.1）/ public check")
    report = verify(args.dir, args.result)
    if report.ok and report.certificate is not None and (args.dir / CEREMONY).exists():
        try:
            line = check_ceremony(
                args.dir,
                commitment=report.certificate["commitment"],
                result_path=args.result if args.result is not None else args.dir / RESULT,
                certificate=report.certificate,
            )
        except DrawError as e:
            _emit(
                out, args.json, {"ok": False, "path": CEREMONY, "message": e.message}, f"不通过：{e.message}"
            )
            return 1
        data = {**report.as_json(), "ceremony": line}
        _emit(
            out,
            args.json,
            data,
            f"通过 / OK：证书与重新计算的结果完全一致。\n{line}\n{CEREMONY_UNCHECKED[0]}",
        )
        return 0
    if report.ok:
        _emit(out, args.json, report.as_json(), "通过 / OK：证书与重新计算的结果完全一致。")
        return 0
    _emit(out, args.json, report.as_json(), f"不通过：第一处不一致在 {report.path}\n{report.message}")
    return 1


def _verify_proof(args: argparse.Namespace, out: TextIO) -> int:
    try:
        proof = json.loads(args.proof.read_text("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise DrawError(f"证明文件 {args.proof} 不是有效的 JSON：{e}") from None
    if not isinstance(proof, dict):
        raise DrawError("证明文件顶层必须是 JSON 对象。")
    return _sealed_report(out, args.json, verify_proof(proof, args.public), "本户证明 / per-firm proof")


def _rfc3797(args: argparse.Namespace, out: TextIO) -> int:
    text = sys.stdin.read() if str(args.file) == "-" else args.file.read_text("utf-8")
    items = [line for line in text.splitlines() if line.strip()]
    key = rfc3797_key(args.sources)
    chosen = rfc3797_select(items, key, args.count)
    if args.json:
        _emit(out, True, chosen, "")
    else:
        _emit(
            out,
            False,
            None,
            f"密钥（key）：{key}\n" + "\n".join(f"{i}. {x}" for i, x in enumerate(chosen, 1)),
        )
    return 0


_COMMANDS = {
    "commit": _commit,
    "draw": _draw,
    "verify": _verify,
    "verify-proof": _verify_proof,
    "rfc3797": _rfc3797,
}


def main(argv: Sequence[str] | None = None) -> int:
    out, err = sys.stdout, sys.stderr
    try:
        args = _parser().parse_args(argv)
    except SystemExit as e:  # argparse exits 2 on bad usage and 0 after --help
        return e.code if isinstance(e.code, int) else 2
    try:
        return _COMMANDS[args.command](args, out)
    except DrawError as e:
        if args.json:
            _emit(out, True, {"ok": False, "error": type(e).__name__, "message": e.message}, "")
        else:
            err.write(f"错误：{e.message}\n")
        return 2
    except OSError as e:
        err.write(f"错误：无法读写文件 {e.filename}：{e.strerror}\n")
        return 2
