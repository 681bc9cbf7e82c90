"""The OpenAPI schema of /api/v1/ generates without warnings or errors (all apps)."""

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator


@pytest.mark.django_db
def test_schema_generates_without_warnings(capsys):
    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    output = capsys.readouterr().err
    assert schema["openapi"].startswith("3.")
    assert not GENERATOR_STATS, f"drf-spectacular meldet Probleme im Schema:\n{output}"
