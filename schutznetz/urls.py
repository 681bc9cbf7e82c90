from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from schutznetz.core import views as core_views

# Language-neutral endpoints: machines and the quick exit.
urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("exit/", core_views.quick_exit, name="quick_exit"),
    path("api/", include("schutznetz.api.urls")),
]

# Pages for people: German without prefix, English under /en/.
# Django tries the patterns in order. The home and start pages (core) and the case module come first:
# the start page, which staff open most, came after some 150 patterns of the other modules, and
# trying them cost more than a whole answer from /healthz. No route of theirs overlaps another's.
urlpatterns += i18n_patterns(
    path("", include("schutznetz.core.urls")),
    path("", include("schutznetz.cases.urls")),
    path("konto/", include("allauth.urls")),
    path("konto/", include("schutznetz.accounts.urls")),
    path("verwaltung/", admin.site.urls),
    path("", include("schutznetz.directory.urls")),
    path("", include("schutznetz.network.urls")),
    path("", include("schutznetz.evidence.urls")),
    path("", include("schutznetz.events.urls")),
    path("", include("schutznetz.reports.urls")),
    prefix_default_language=False,
)

if settings.DEBUG:
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]

handler500 = "schutznetz.core.views.server_error"
