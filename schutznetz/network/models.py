"""Data and invariants of this module."""
