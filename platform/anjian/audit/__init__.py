"""The append-only, hash-chained audit log (日志服务).

Each entry carries the hash of the previous one, keyed (HMAC) with a key kept outside the
database, so altering or removing an entry breaks the chain at that point and the chain cannot be
recomputed without the key; an anchor file outside the database remembers the head, so cutting
the chain short is seen too. ``verify`` walks it. Imports only ``anjian.store`` and ``anjian.errors``
of the engine; must not import flask.
"""

from .anchor import Anchor, AnchorInvalid, read_anchor
from .log import VISITOR, Actor, AuditEntry, append, append_many, latest_checkpoint
from .seal import Seal, attach, seal_of
from .verify import advance_anchor, verify

__all__ = [
    "VISITOR",
    "Actor",
    "Anchor",
    "AnchorInvalid",
    "AuditEntry",
    "Seal",
    "advance_anchor",
    "append",
    "append_many",
    "attach",
    "latest_checkpoint",
    "read_anchor",
    "seal_of",
    "verify",
]
