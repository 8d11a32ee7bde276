"""Tests of the bundled server."""
