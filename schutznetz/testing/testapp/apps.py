from django.apps import AppConfig


class TestAppConfig(AppConfig):
    """Models used only by the test suite (installed when SCHUTZNETZ_TEST_APPS=1, set by pytest)."""

    name = "schutznetz.testing.testapp"
    label = "testapp"
    default_auto_field = "django.db.models.BigAutoField"
