import sys

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseRedirect, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from schutznetz.core import page_cache
from schutznetz.core.decorators import public_page
from schutznetz.core.hooks import app_modules


@public_page
@require_GET
def home(request):
    # no-store: the page says "Hilfe bei Gewalt"; a copy in the browser's cache would show it.
    return render(request, "core/home.html")


@public_page
def quick_exit(request):
    """Leave for a neutral site, ending any session and clearing what the browser kept."""
    logout(request)
    response = HttpResponseRedirect(settings.SCHUTZNETZ_EXIT_URL)
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


@never_cache
@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def dashboard_panels(user):
    """Panels contributed by each app's optional ``dashboard.panels(user)``.

    A panel is a dict with ``template`` and ``context``.
    """
    panels = []
    for module in app_modules("dashboard"):
        panels.extend(module.panels(user))
    return panels


@public_page
@require_GET
def safe_browsing(request):
    """How to leave fewer traces on a shared or watched device (what the pages do, what only the
    browser's user can do)."""
    return render(request, "core/safe_browsing.html")


@login_required
@page_cache.per_sign_in
def staff_home(request):
    return render(request, "core/staff_home.html", {"panels": dashboard_panels(request.user)})


def server_error(request):
    """The 500 handler: a database that is restarting or overloaded gets a calm 503.

    Django calls this while the exception is being handled, so ``sys.exc_info``
    still names it. The page renders without a request context: a context
    processor would ask the very database that just failed.
    """
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        response = HttpResponse(loader.render_to_string("core/busy.html"), status=503)
        response["Retry-After"] = "10"
        return response
    return HttpResponseServerError(loader.render_to_string("500.html"))
