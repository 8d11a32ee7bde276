"""Errors of the export layer: one line each, in the users' words."""

from __future__ import annotations


class ExportError(Exception):
    """An export that cannot be made (unknown category, values hidden from this account,
    a file that cannot be written)."""
