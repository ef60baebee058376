"""Bar charts drawn as SVG on the server: no JavaScript, no CDN, printable. Labels are escaped."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

ROW = 24
LABEL_W = 230
BAR_W = 330
VALUE_W = 150


def bar_chart(title: str, bars: list[tuple[str, float | None, str]]) -> SafeString:
    """Horizontal bars of rates between 0 and 1: [(label, rate or None, the value in words)]."""
    height = ROW * max(len(bars), 1) + 30
    width = LABEL_W + BAR_W + VALUE_W
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>',
        f'<line x1="{LABEL_W}" y1="4" x2="{LABEL_W}" y2="{height - 22}" stroke="#666"/>',
    ]
    for tick in (0, 50, 100):
        x = LABEL_W + BAR_W * tick / 100
        out.append(
            f'<text x="{x:.0f}" y="{height - 8}" font-size="11" text-anchor="middle" fill="#444">{tick}%</text>'
        )
    for i, (label, rate, words) in enumerate(bars):
        y = 6 + i * ROW
        short = label if len(label) <= 16 else label[:15] + "…"
        out.append(
            f'<text x="{LABEL_W - 6}" y="{y + 15}" font-size="12" text-anchor="end">{escape(short)}</text>'
        )
        if rate is not None:
            w = max(BAR_W * min(max(rate, 0.0), 1.0), 1)
            out.append(f'<rect x="{LABEL_W}" y="{y + 3}" width="{w:.1f}" height="{ROW - 8}" fill="#2f6db5"/>')
        out.append(
            f'<text x="{LABEL_W + BAR_W + 6}" y="{y + 15}" font-size="12" fill="#222">{escape(words)}</text>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 — every text above is escaped


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"
