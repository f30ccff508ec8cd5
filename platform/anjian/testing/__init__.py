"""Test support shipped with the engine: a pytest plugin (fixtures) and small helpers.

Fixtures (see ``plugin``): ``settings`` and ``platform`` (a database per test, copied from a
template built once per session: a SQLite file, or the PostgreSQL at ANJIAN_TEST_DATABASE_URL for
tests marked ``postgres``), ``published`` (the standard metadata published), ``app`` (with FAB's
permissions and the users ``admin`` and ``officer``), ``client``, ``admin_token``, ``api``,
``officer_api``, ``clock`` (a ManualClock installed as the process clock) and ``record_factory``.
"""

from .clock import ManualClock
from .factory import RecordFactory
from .helpers import ApiClient, entity_document, free_port, token_callers, write_json
from .templates import Templates

__all__ = [
    "ApiClient",
    "ManualClock",
    "RecordFactory",
    "Templates",
    "entity_document",
    "free_port",
    "token_callers",
    "write_json",
]
