"""Small display helpers of the lesson-library pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def name_in_lang(node: Any) -> str:
    """A catalogue node's name in the page's language (its English name on English pages)."""
    if getattr(node, "name_en", "") and (get_language() or "").startswith("en"):
        return str(node.name_en)
    return str(getattr(node, "name", node))


@register.filter
def duration(seconds: Any) -> str:
    """Seconds as m:ss (or h:mm:ss); empty when unknown."""
    try:
        total = round(float(seconds))
    except (TypeError, ValueError):
        return ""
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@register.filter
def percent(fraction: Any) -> int:
    """A fraction 0..1 as a whole percentage."""
    try:
        return max(0, min(100, round(100 * float(fraction))))
    except (TypeError, ValueError):
        return 0
