"""Test infrastructure for schutznetz: pytest plugin, browser fixtures, accessibility checks."""
