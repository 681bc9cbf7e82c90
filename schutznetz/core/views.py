from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from schutznetz.core.decorators import public_page
from schutznetz.core.hooks import app_modules


@public_page(no_store=False)
@require_GET
def home(request):
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


@login_required
def staff_home(request):
    return render(request, "core/staff_home.html", {"panels": dashboard_panels(request.user)})
