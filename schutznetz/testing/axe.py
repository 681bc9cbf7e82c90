"""Accessibility checks with axe-core (from frontend/node_modules, installed by `make test-deps`).

axe is injected with ``page.evaluate`` of its source: code evaluated by Playwright is not subject to
the page's Content-Security-Policy, while ``add_script_tag`` would be blocked by ``script-src 'self'``.
So pages are checked with their real CSP in force.
"""

from functools import cache
from pathlib import Path

AXE_PATH = Path(__file__).resolve().parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@cache
def _axe_source() -> str:
    if not AXE_PATH.exists():
        raise RuntimeError(f"{AXE_PATH} fehlt – `make test-deps` (npm ci in frontend/) ausführen.")
    return AXE_PATH.read_text(encoding="utf-8")


def _inject(page) -> None:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Wrapped in a function so axe's UMD wrapper sees no `module`/`define` and sets window.axe.
        page.evaluate("(src) => { (0, eval)(src); }", _axe_source())


def axe_violations(page, *, tags=None, context=None, disable_rules=()):
    """Run axe on the current page and return its list of violations (dicts as axe reports them)."""
    _inject(page)
    options = {
        "runOnly": {"type": "tag", "values": list(tags or WCAG_TAGS)},
        "resultTypes": ["violations"],
    }
    if disable_rules:
        options["rules"] = {rule: {"enabled": False} for rule in disable_rules}
    return page.evaluate(
        "async ([ctx, opts]) => (await window.axe.run(ctx || document, opts)).violations",
        [context, options],
    )


def format_violations(violations) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact') or '?'}): {v['help']}  [{v.get('helpUrl', '')}]")
        for node in v.get("nodes", [])[:10]:
            target = " ".join(str(t) for t in node.get("target", []))
            lines.append(f"    at {target}")
        if len(v.get("nodes", [])) > 10:
            lines.append(f"    … und {len(v['nodes']) - 10} weitere")
    return "\n".join(lines)


def assert_no_axe_violations(page, **kwargs) -> None:
    """Fail with a readable list (rule id, help, targets) if axe finds WCAG 2.1 A/AA violations."""
    violations = axe_violations(page, **kwargs)
    if violations:
        raise AssertionError(
            f"axe: {len(violations)} Verstöße gegen WCAG 2.1 A/AA auf {page.url}:\n"
            + format_violations(violations)
        )
