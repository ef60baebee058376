"""`json.dumps(value, indent=1, ensure_ascii=False)`, byte for byte, without the pure-Python encoder.

CPython's C accelerator is used only when `indent` is None; with an indent every value goes through the pure-Python
`_iterencode`, which spent 1.7 s writing the certificate of a 1,000,000-candidate draw (48,000 selected pairs and
their teams; bench/bench_draw_pipeline.py --profile). The certificate's bulk is lists of short lists of strings
([object_id, priority], [department, inspector]); those are joined here in one pass. Anything this module does not
handle exactly (floats, non-string keys, other types) falls back to `json.dumps`, so the output is always identical
(tests/draw/test_jsonfmt.py checks it with hypothesis).
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring  # the C implementation when available
from typing import Any


class _Fallback(Exception):
    pass


def dumps_indent1(value: Any) -> str:
    try:
        out: list[str] = []
        _encode(value, 0, out)
        return "".join(out)
    except _Fallback:
        return json.dumps(value, indent=1, ensure_ascii=False)


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return int.__repr__(value)
    raise _Fallback


def _encode(value: Any, level: int, out: list[str]) -> None:
    if isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = "\n" + " " * (level + 1)
        out.append("{")
        for i, (key, item) in enumerate(value.items()):
            if not isinstance(key, str):
                raise _Fallback
            out.append((inner if i == 0 else "," + inner) + encode_basestring(key) + ": ")
            _encode(item, level + 1, out)
        out.append("\n" + " " * level + "}")
    elif isinstance(value, list):
        if not value:
            out.append("[]")
            return
        inner = "\n" + " " * (level + 1)
        if all(type(v) is list and v and all(type(s) is str for s in v) for v in value):
            # The fast path: a list of non-empty lists of strings, each on its own lines one level deeper.
            deeper = "\n" + " " * (level + 2)
            items = [
                "[" + deeper + ("," + deeper).join(map(encode_basestring, v)) + inner + "]" for v in value
            ]
            out.append("[" + inner + ("," + inner).join(items) + "\n" + " " * level + "]")
            return
        out.append("[")
        for i, item in enumerate(value):
            out.append(inner if i == 0 else "," + inner)
            _encode(item, level + 1, out)
        out.append("\n" + " " * level + "]")
    else:
        out.append(_scalar(value))
