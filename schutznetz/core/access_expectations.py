"""Who may reach the core's pages (read by tests/test_authorization_matrix.py; format: tests/access_matrix.py)."""

EXPECTATIONS = {
    "healthz": {"allow": "public"},
    "quick_exit": {"allow": "public"},
    "core:home": {"allow": "public"},
    "core:safe_browsing": {"allow": "public"},
    "core:staff_home": {"allow": "staff"},
}
