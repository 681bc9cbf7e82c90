from django import template
from django.utils.html import format_html_join

from schutznetz.network.text import render_markdown

register = template.Library()


@register.filter
def markdown(text):
    """Markdown → sanitised HTML (nh3 allow-list); stored HTML is never trusted."""
    return render_markdown(text)


@register.simple_tag
def photo_srcset(photo):
    return format_html_join(", ", "{} {}w", ((r.get_absolute_url(), r.width) for r in photo.renditions.all()))


@register.filter
def filesize(value):
    if value is None:
        return ""
    if value < 1024 * 1024:
        return f"{max(1, round(value / 1024))} KB"
    return f"{value / (1024 * 1024):.1f} MB".replace(".", ",")
