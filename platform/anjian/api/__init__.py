"""REST API ``/api/v1``: tokens, entity CRUD, import/export, files, publish and OpenAPI.

Every route answers JSON; every error is ``{"error": {"code", "message", "errors"}}`` with the
status its AnjianError class carries (422 field errors, 409 conflicts, 404, 401, 403).
"""

from . import auth, entities, exchange, files, meta, reports, workflow  # noqa: F401  (routes register on import)
from . import studio as _studio  # noqa: F401  (the studio's routes)
from ._blueprint import adopt, api, current_actor, json_response, platform
from ._limits import LIMITS, Limit

__all__ = ["LIMITS", "Limit", "adopt", "api", "current_actor", "json_response", "platform"]
