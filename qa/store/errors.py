"""Errors of the store that callers handle (the shells turn them into one-line messages)."""

from __future__ import annotations


class StoreUnavailable(RuntimeError):
    """The configured database or vector server cannot be used (unreachable, refused, or
    its client library is not installed)."""
