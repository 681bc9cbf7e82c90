"""Security headers on every response, and the rules for public pages."""

import logging

from django.conf import settings

logger = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
PERMISSIONS_POLICY = ", ".join(
    [
        "accelerometer=()",
        "autoplay=()",
        "camera=(self)",
        "display-capture=()",
        "geolocation=()",
        "gyroscope=()",
        "magnetometer=()",
        "microphone=()",
        "payment=()",
        "usb=()",
        "publickey-credentials-create=(self)",
        "publickey-credentials-get=(self)",
    ]
)


class SecurityHeadersMiddleware:
    """CSP without unsafe-inline, Permissions-Policy and friends, on every response.

    HSTS, nosniff and Referrer-Policy come from Django's SecurityMiddleware
    (configured in settings); this adds what Django 5.2 has no setting for.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


def mark_public(request, no_store=True):
    request.schutznetz_public = True
    request.schutznetz_no_store = no_store


class PublicPageMiddleware:
    """Public pages (marked by ``core.decorators.public_page``) keep no trace.

    They are never stored in a cache or the browser's back/forward cache when
    they could show that someone looked for help, and a GET sets no cookie.
    Views are written not to set any; removing a stray one here is the safety
    net, and it is logged so the cause gets fixed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "schutznetz_public", False):
            if getattr(request, "schutznetz_no_store", True):
                response.headers["Cache-Control"] = "no-store, max-age=0"
                response.headers["Pragma"] = "no-cache"
            if request.method in ("GET", "HEAD") and response.cookies:
                logger.warning("Cookie auf öffentlicher Seite entfernt: %s", request.path)
                response.cookies.clear()
        return response


def exit_url():
    return settings.SCHUTZNETZ_EXIT_URL
