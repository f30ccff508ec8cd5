"""Write and verify audit entries."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, insert, select, text

from ..data.system import audit_checkpoint, audit_log
from ..store.clock import utc_now

__all__ = ["GENESIS", "PURGE_ACTION", "Actor", "AuditEntry", "append", "append_many", "latest_checkpoint", "verify"]

GENESIS = "0" * 64
PURGE_ACTION = "audit_purge"  # the entry that records a purge checkpoint


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


def _digest(prev: str, entry: AuditEntry) -> str:
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
    )
    return hashlib.sha256(body.encode()).hexdigest()


def _lock_chain(connection: Connection) -> str:
    """Serialise appends (PostgreSQL advisory lock; SQLite write transactions are exclusive already)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(727274)"))
    last = connection.execute(select(audit_log.c.hash).order_by(audit_log.c.id.desc()).limit(1)).scalar()
    return str(last) if last else GENESIS


def _row(prev: str, entry: AuditEntry) -> dict[str, Any]:
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
        "hash": _digest(prev, entry),
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
    prev = _lock_chain(connection)
    rows = []
    for actor, action, entity, record_id, detail, region in entries:
        row = _row(prev, _entry(actor, action, entity, record_id, detail, region or ""))
        rows.append(row)
        prev = row["hash"]
    if rows:
        connection.execute(insert(audit_log), rows)


def latest_checkpoint(connection: Connection) -> Any:
    """The row of the newest purge checkpoint, or None when nothing was ever purged."""
    return connection.execute(select(audit_checkpoint).order_by(audit_checkpoint.c.id.desc()).limit(1)).first()


def verify(connection: Connection, *, up_to: int | None = None) -> tuple[int, str | None]:
    """Walk the chain; return (entries checked, description of the first fault or None).

    After a purge the chain starts at the newest checkpoint (the last purged entry's id and
    hash), and the purge entry that recorded the checkpoint must still be in the chain, so a
    forged checkpoint that skips altered entries is detected too.
    """
    checkpoint = latest_checkpoint(connection)
    prev, start = (checkpoint.last_hash, checkpoint.last_id) if checkpoint else (GENESIS, 0)
    confirmed = checkpoint is None
    count = 0
    query = select(audit_log).where(audit_log.c.id > start).order_by(audit_log.c.id)
    if up_to is not None:
        query = query.where(audit_log.c.id <= up_to)
        confirmed = True  # a partial walk may stop before the purge entry
    result = connection.execute(query.execution_options(yield_per=2000))
    try:
        for row in result:
            entry = AuditEntry(row.at, row.actor, row.address, row.action, row.entity, row.record_id, row.detail, row.region)
            if row.prev_hash != prev:
                return count, f"entry {row.id}: the entry before it was removed or altered (chain link broken)"
            if _digest(prev, entry) != row.hash:
                return count, f"entry {row.id}: its content was altered after it was written"
            if checkpoint is not None and row.action == PURGE_ACTION and row.record_id == str(checkpoint.id):
                recorded = (row.detail.get("last_id"), row.detail.get("last_hash"))
                confirmed = recorded == (checkpoint.last_id, checkpoint.last_hash)
            prev = row.hash
            count += 1
    finally:
        result.close()
    if not confirmed:
        return count, f"checkpoint {checkpoint.id}: no purge entry in the chain records it (checkpoint altered or forged)"
    return count, None
