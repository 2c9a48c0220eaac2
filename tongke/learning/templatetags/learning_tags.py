"""Small filters of the learning pages: mastery as a number and as a colour band."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

# Upper bounds of the bands (the last band is "mastered", push.MASTERED and above).
BANDS = (0.2, 0.4, 0.6, 0.85)


@register.filter
def band(p: Any) -> str:
    """The CSS class of a mastery 0..1 (``lrn-bn`` when not assessed)."""
    if p is None or p == "":
        return "lrn-bn"
    value = float(p)
    for n, upper in enumerate(BANDS):
        if value < upper:
            return f"lrn-b{n}"
    return f"lrn-b{len(BANDS)}"


@register.filter
def mastery(p: Any) -> str:
    """A mastery 0..1 as two decimals ("0.42"), or a dash when not assessed."""
    if p is None or p == "":
        return "—"
    return f"{min(1.0, max(0.0, float(p))):.2f}"


@register.filter
def percent(p: Any) -> str:
    if p is None or p == "":
        return "—"
    return f"{round(min(1.0, max(0.0, float(p))) * 100)}%"


@register.filter
def clock(seconds: Any) -> str:
    """Seconds as "m:ss" (or "h:mm:ss")."""
    total = max(0, int(seconds or 0))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
