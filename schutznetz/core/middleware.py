"""Security headers on every response, and the rules for public pages."""

import logging

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

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
    (configured in settings); this adds what Django 5.2 has no setting for, and keeps
    every response to a signed-in browser out of its cache (``Cache-Control: no-store``).
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
        # Error pages too: a 404 for a mistyped help-finder address never reaches the finder's
        # own no-store, and there is nothing on an error page worth keeping.
        keep_out = _from_signed_in_browser(request) or response.status_code >= 400
        if keep_out and "no-store" not in response.get("Cache-Control", ""):
            # A case page, a person's name, an agenda: nothing a signed-in person was shown may stay
            # in the browser's cache or back/forward history of a shared office computer.
            patch_cache_control(response, no_store=True, private=True)
        return response


def _from_signed_in_browser(request):
    """Whether the request came with a session (a signed-in member of staff).

    Asked of the cookie rather than of ``request.user``: no database query, also on the error
    page of a database that just failed. Static files are answered before the session
    middleware (``request.session`` is missing) and keep their own caching.
    """
    return hasattr(request, "session") and settings.SESSION_COOKIE_NAME in request.COOKIES


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
                strip_cookies(request, response)
        return response


def _is_deletion(morsel):
    return str(morsel["max-age"]) == "0"


def strip_cookies(request, response):
    """Remove every cookie a public GET response would set.

    Deleting a cookie (the quick exit logging someone out) is kept: it removes
    a trace rather than leaving one. Refreshing the session cookie a signed-in
    user already has (its renewal, at most once a minute) is dropped silently; any
    other cookie is a bug in a view or template and is logged.
    """
    for name, morsel in list(response.cookies.items()):
        if _is_deletion(morsel):
            continue
        del response.cookies[name]
        if name == settings.SESSION_COOKIE_NAME and name in request.COOKIES:
            continue
        logger.warning("Cookie %s auf öffentlicher Seite entfernt: %s", name, request.path)


def exit_url():
    return settings.SCHUTZNETZ_EXIT_URL


class NullOriginMiddleware:
    """Let same-origin form posts pass Django's CSRF origin check under ``no-referrer``.

    With ``Referrer-Policy: no-referrer`` browsers send ``Origin: null`` on form
    posts, which Django's CsrfViewMiddleware rejects, and no Referer either.
    ``Sec-Fetch-Site`` is set by the browser itself and cannot be forged by a
    page; when it says the request comes from our own origin, the origin is
    filled in. The CSRF token is still checked as always. Cross-site posts keep
    ``Origin: null`` and are refused.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        if meta.get("HTTP_ORIGIN") == "null" and meta.get("HTTP_SEC_FETCH_SITE") == "same-origin":
            meta["HTTP_ORIGIN"] = f"{request.scheme}://{request.get_host()}"
        return self.get_response(request)


class RejectNulCharacterMiddleware:
    """Refuse parameters containing NUL with a 400 that names the parameter.

    No form of ours has a use for it, PostgreSQL cannot store it, and it is a
    common way to smuggle input past filters; refusing it here keeps every
    module's search and forms from failing with a database error.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        sources = [request.GET]
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            sources.append(request.POST)
        for params in sources:
            for name, values in params.lists():
                if "\x00" in name or any("\x00" in value for value in values):
                    label = name.replace("\x00", "")[:40]
                    response = HttpResponseBadRequest(
                        _("Ungültiges Steuerzeichen im Feld „%(field)s“.") % {"field": label},
                        content_type="text/plain; charset=utf-8",
                    )
                    response.headers["Cache-Control"] = "no-store"
                    return response
        return self.get_response(request)
