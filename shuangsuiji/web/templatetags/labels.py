"""Template filters for the Chinese labels of codes and for percentages (shuangsuiji/labels.py)."""

from __future__ import annotations

import json
from typing import Any

from django import template

from shuangsuiji import labels

register = template.Library()


@register.filter
def label(code: Any, table: str) -> str:
    """{{ e.action|label:"actions" }} → 登录; unknown codes pass through unchanged."""
    return labels.label(code, table)


@register.filter
def model_label(label_lower: str) -> str:
    return labels.model_label(label_lower)


@register.filter
def source_label(source: Any) -> str:
    """A source dict ({"name", "kind"}) or a bare name in words."""
    if isinstance(source, dict):
        return labels.source_label(source.get("name", ""), source.get("kind", ""))
    return labels.source_label(str(source))


@register.filter
def percent(value: Any) -> str:
    """0.03 → 3%."""
    return labels.percent_text(value)


@register.filter
def percent1(value: Any) -> str:
    """A rate as a percentage with one decimal: 0.14876 → 14.9%, 0.25 → 25%."""
    try:
        text = f"{float(value) * 100:.1f}"
    except (TypeError, ValueError):
        return ""
    return f"{text.rstrip('0').rstrip('.')}%"


@register.filter
def percent_input(value: Any) -> str:
    """0.03 → 3, for a form field marked %."""
    return labels.percent_input(value)


@register.filter
def pretty_json(value: Any) -> str:
    """A JSON value as people read it: Chinese unescaped, no Python quotes; None as —."""
    if value is None or value == "":
        return "—"
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True, default=str)
