"""The security tests use the integration tests' live demo server fixture."""

from tests.server.integration.conftest import live

__all__ = ["live"]
