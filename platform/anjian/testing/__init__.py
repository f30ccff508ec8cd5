"""Test support shipped with the engine: a pytest plugin (fixtures) and small helpers.

Fixtures (see ``plugin``): ``settings`` and ``platform`` (fresh database per test: a temporary
SQLite file, or the PostgreSQL at ANJIAN_TEST_DATABASE_URL for tests marked ``postgres``),
``published`` (the standard metadata published), ``app``, ``client``, ``admin_token``, ``api``.
"""

from .helpers import ApiClient, entity_document, write_json

__all__ = ["ApiClient", "entity_document", "write_json"]
