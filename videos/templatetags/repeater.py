from django import template
from django.templatetags.static import static
from django.utils.html import format_html

from ..text import linkify_caption

register = template.Library()


@register.filter
def linkify(text: str):
    return linkify_caption(text)


@register.filter
def compact(number: int | None) -> str:
    """1234 → 1.2K, 2500000 → 2.5M: counts the way the apps people know show them."""
    n = int(number or 0)
    for limit, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K")):
        if n >= limit:
            value = n / limit
            text = f"{value:.1f}".rstrip("0").rstrip(".") if value < 100 else str(int(value))
            return f"{text}{suffix}"
    return str(n)


@register.simple_tag
def icon(name: str, cls: str = ""):
    """An inline SVG that uses one symbol of the sprite in static/img/icons.svg."""
    href = static("img/icons.svg")
    classes = f"icon {cls}".strip()
    return format_html(
        '<svg class="{}" aria-hidden="true" focusable="false"><use href="{}#i-{}"></use></svg>',
        classes,
        href,
        name,
    )
