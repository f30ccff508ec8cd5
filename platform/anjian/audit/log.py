"""Write audit entries: each carries the hash of the one before, keyed when a Seal is attached."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, text

from ..store.clock import utc_now
from .seal import Seal, seal_of
from .tables import audit_checkpoint, audit_log

__all__ = [
    "GENESIS",
    "KEYED_ACTION",
    "PURGE_ACTION",
    "VISITOR",
    "Actor",
    "AuditEntry",
    "append",
    "append_many",
    "digest",
    "latest_checkpoint",
    "stored_entry",
]

GENESIS = "0" * 64
VISITOR = "@visitor"  # the anonymous visitor's name: no account can take it (user names cannot start with @)
PURGE_ACTION = "audit_purge"  # the entry that records a purge checkpoint
KEYED_ACTION = "audit_keyed"  # the entry from which on every entry is keyed (after an unkeyed past)
_keyed_engines: weakref.WeakSet[Engine] = weakref.WeakSet()  # engines whose chain is known to be keyed


@dataclass(frozen=True)
class Actor:
    """Who does something, and from where."""

    username: str
    address: str = ""
    roles: tuple[str, ...] = ()
    is_admin: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)
    # Set when acting through an API key: the key's id and the entity:action pairs it is limited to.
    key_id: str = ""
    key_scopes: frozenset[str] | None = None

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        return cls(username=name, address="local", roles=("Admin",), is_admin=True)

    @classmethod
    def visitor(cls, address: str = "") -> Actor:
        """An anonymous visitor of the public face: reads what is published, like a public (公众) user."""
        return cls(username=VISITOR, address=address)


@dataclass(frozen=True)
class AuditEntry:
    at: dt.datetime
    actor: str
    address: str
    action: str
    entity: str
    record_id: str
    detail: Mapping[str, Any]
    region: str = ""


def digest(prev: str, entry: AuditEntry, seal: Seal | None = None) -> str:
    """The entry's hash: HMAC-SHA256 under the seal's key, or plain SHA-256 (unkeyed, as before keys)."""
    body = json.dumps(
        [
            prev,
            entry.at.isoformat(timespec="microseconds"),
            entry.actor,
            entry.address,
            entry.action,
            entry.entity,
            entry.record_id,
            # An entry without a region hashes as entries did before regions were recorded.
            *([entry.region] if entry.region else []),
            entry.detail,
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    ).encode()
    return seal.mac(body) if seal else hashlib.sha256(body).hexdigest()


def _lock_chain(connection: Connection) -> tuple[int, str]:
    """Serialise appends (PostgreSQL advisory lock; SQLite write transactions are exclusive already)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(727274)"))
    last = connection.execute(select(audit_log.c.id, audit_log.c.hash).order_by(audit_log.c.id.desc()).limit(1)).first()
    return (int(last.id), str(last.hash)) if last else (0, GENESIS)


def _unkeyed_past(connection: Connection, seal: Seal) -> bool:
    """Whether the chain's head was written before keys (a keyed append must then mark the switch).

    Only a chain never anchored can have an unkeyed past: once an anchor exists, an unkeyed head is
    tampering, and no marker may bless it (verify then reports the unkeyed entries).
    """
    engine = connection.engine
    if engine in _keyed_engines or (seal.anchor is not None and seal.anchor.exists()):
        return False
    head = connection.execute(select(audit_log).order_by(audit_log.c.id.desc()).limit(1)).first()
    if head is None or digest(head.prev_hash, stored_entry(head), seal) == head.hash:
        _keyed_engines.add(engine)
        return False
    return True


def stored_entry(row: Any) -> AuditEntry:
    """The entry as it was hashed, from its stored row."""
    return AuditEntry(row.at, row.actor, row.address, row.action, row.entity, row.record_id, row.detail, row.region)


def _row(prev: str, entry: AuditEntry, seal: Seal | None) -> dict[str, Any]:
    return {
        "at": entry.at,
        "actor": entry.actor,
        "address": entry.address,
        "action": entry.action,
        "entity": entry.entity,
        "record_id": entry.record_id,
        "region": entry.region,
        "detail": dict(entry.detail),
        "prev_hash": prev,
        "hash": digest(prev, entry, seal),
    }


def _entry(actor: Actor, action: str, entity: str, record_id: object, detail: Mapping[str, Any], region: str) -> AuditEntry:
    # The stored detail must hash the same after a JSON round trip.
    if actor.key_id:
        detail = {**detail, "api_key": actor.key_id}
    clean = json.loads(json.dumps(detail, ensure_ascii=False, default=str))
    return AuditEntry(
        utc_now(),
        actor.username,
        actor.address,
        action,
        entity,
        "" if record_id is None else str(record_id),
        clean,
        region,
    )


def append(
    connection: Connection,
    actor: Actor,
    action: str,
    entity: str = "",
    record_id: object = None,
    detail: Mapping[str, Any] | None = None,
    region: str = "",
) -> None:
    """Append one entry inside the caller's transaction (``region``: the record's, for scoped reading)."""
    append_many(connection, [(actor, action, entity, record_id, detail or {}, region)])


def append_many(connection: Connection, entries: Iterable[tuple[Actor, str, str, object, Mapping[str, Any], str]]) -> None:
    """Append several entries in order inside the caller's transaction."""
    seal = seal_of(connection)
    head, prev = _lock_chain(connection)
    rows = []
    if seal is not None and _unkeyed_past(connection, seal):
        # The chain was written before keys: say so once, keyed, so verify knows where keys begin.
        marker = _entry(Actor.system("audit"), KEYED_ACTION, "_audit", None, {"unkeyed_until": head}, "")
        rows.append(_row(prev, marker, seal))
        prev = rows[-1]["hash"]
    for actor, action, entity, record_id, detail, region in entries:
        row = _row(prev, _entry(actor, action, entity, record_id, detail, region or ""), seal)
        rows.append(row)
        prev = row["hash"]
    if rows:
        connection.execute(insert(audit_log), rows)


def latest_checkpoint(connection: Connection) -> Any:
    """The row of the newest purge checkpoint, or None when nothing was ever purged."""
    return connection.execute(select(audit_checkpoint).order_by(audit_checkpoint.c.id.desc()).limit(1)).first()
