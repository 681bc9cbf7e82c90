"""pytest plugin loaded with ``-p schutznetz.testing.pytest_env`` (see pyproject.toml).

It is imported while pytest parses its arguments, i.e. before pytest-django imports the settings,
so the environment set here is what ``schutznetz.settings`` sees.
"""

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

os.environ.setdefault("SCHUTZNETZ_DEBUG", "1")
os.environ.setdefault("SCHUTZNETZ_VAR_DIR", str(REPO_ROOT / "var" / "test"))
Path(os.environ["SCHUTZNETZ_VAR_DIR"]).mkdir(parents=True, exist_ok=True)

# Playwright's sync API runs an asyncio event loop in the test thread; without this Django
# refuses ORM calls from that thread (SynchronousOnlyOperation) in tests using live_server.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

# Tasks run immediately inside the test process; the database worker is tested separately.
os.environ.setdefault("SCHUTZNETZ_TASKS", "immediate")

# Installs schutznetz.testing.testapp (a model with every encrypted field type).
os.environ.setdefault("SCHUTZNETZ_TEST_APPS", "1")
