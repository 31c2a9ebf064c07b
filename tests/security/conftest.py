"""Fixtures of the security tests: the integration tests' module-wide database clone."""

from tests.integration.conftest import schema_db, schema_dsn

__all__ = ["schema_db", "schema_dsn"]
