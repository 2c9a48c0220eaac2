"""Small display helpers of the course-selection pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def title_in_lang(offering: Any) -> str:
    """A section's title in the page's language (its English title on English pages)."""
    if getattr(offering, "title_en", "") and (get_language() or "").startswith("en"):
        return str(offering.title_en)
    return str(offering.title)


@register.filter
def percent(part: Any, whole: Any) -> int:
    try:
        return round(100 * int(part) / int(whole)) if int(whole) else 100
    except (TypeError, ValueError):
        return 0


@register.filter
def lookup(mapping: Any, key: Any) -> Any:
    """``mapping[key]``, or empty when it is missing."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""
