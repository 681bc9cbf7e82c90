"""The warning before a staff session ends for inactivity (base.html, signed-in pages only)."""

from django import template
from django.conf import settings

from schutznetz.accounts.middleware import session_seconds_left

register = template.Library()


@register.inclusion_tag("accounts/includes/session_timeout.html", takes_context=True)
def session_timeout_warning(context):
    request = context["request"]
    return {
        "seconds_left": session_seconds_left(request.session),
        "warning_seconds": getattr(settings, "SCHUTZNETZ_SESSION_WARNING_SECONDS", 5 * 60),
        "idle_minutes": settings.SESSION_COOKIE_AGE // 60,
        "csrf_token": context.get("csrf_token"),
    }
