import importlib

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from schutznetz.api.pagination import bound_pagination

router = DefaultRouter()
for module_name in ("directory", "cases", "evidence", "events", "network", "reports"):
    importlib.import_module(f"schutznetz.{module_name}.api").register(router)
bound_pagination(router)

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
]
