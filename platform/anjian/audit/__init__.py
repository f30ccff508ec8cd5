"""The append-only, hash-chained audit log (日志服务).

Each entry carries the hash of the previous one, so altering or removing an entry breaks the
chain at that point; ``verify`` walks it. Must not import flask.
"""

from .log import Actor, AuditEntry, append, append_many, latest_checkpoint, verify

__all__ = ["Actor", "AuditEntry", "append", "append_many", "latest_checkpoint", "verify"]
