"""Verify the chain: every link, every keyed hash, and that it still reaches its anchors.

Three attacks that a plain hash chain misses are caught here: editing an entry and recomputing
the later hashes (they are keyed, and the key is not in the database), deleting the newest
entries, and deleting all of them (the anchor outside the database remembers the head).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from .anchor import Anchor, AnchorInvalid, read_anchor, write_anchor
from .log import GENESIS, KEYED_ACTION, PURGE_ACTION, digest, latest_checkpoint, stored_entry
from .seal import seal_of
from .tables import audit_log

__all__ = ["advance_anchor", "verify"]


@dataclass
class _Walk:
    """Where a walk starts and what it must find on the way."""

    prev: str
    start: int
    unkeyed_until: int  # entries up to this id may carry plain SHA-256 hashes (written before keys)
    checkpoint: Any
    anchors: list[Anchor]


def _plan(connection: Connection, anchors: Iterable[Anchor]) -> _Walk:
    checkpoint = latest_checkpoint(connection)
    prev, start = (checkpoint.last_hash, checkpoint.last_id) if checkpoint else (GENESIS, 0)
    marker = connection.execute(
        select(audit_log.c.detail).where(audit_log.c.action == KEYED_ACTION, audit_log.c.id > start).order_by(audit_log.c.id)
    ).first()
    unkeyed_until = int(marker.detail.get("unkeyed_until", 0)) if marker else start
    return _Walk(prev, start, unkeyed_until, checkpoint, list(anchors))


def _anchors(connection: Connection, extra: Iterable[Anchor]) -> tuple[list[Anchor], str | None]:
    """The installation's own anchor and the copies given; a fault when one cannot be trusted."""
    seal = seal_of(connection)
    found = list(extra)
    if seal is not None and seal.anchor is not None:
        try:
            own = read_anchor(seal.anchor, seal)
        except AnchorInvalid as error:
            return found, str(error)
        if own is not None:
            found.append(own)
    return found, None


def verify(connection: Connection, *, up_to: int | None = None, anchors: Iterable[Anchor] = ()) -> tuple[int, str | None]:
    """Walk the chain; return (entries checked, description of the first fault or None).

    After a purge the chain starts at the newest checkpoint (the last purged entry's id and
    hash), and the purge entry that recorded the checkpoint must still be in the chain, so a
    forged checkpoint that skips altered entries is detected too. A whole walk (no ``up_to``)
    also checks the anchors (the installation's file and the ``anchors`` given) and, when all is
    well, moves the installation's anchor to the head.
    """
    found, fault = _anchors(connection, anchors)
    if fault:
        return 0, fault
    plan = _plan(connection, found if up_to is None else [])
    count, head, fault = _walk(connection, plan, up_to)
    if fault is None and up_to is None:
        _record(connection, head)
    return count, fault


def advance_anchor(connection: Connection) -> tuple[int, str | None]:
    """Check the entries written since the anchor and move the anchor to the head (the beat's job).

    Returns (entries checked, fault). On a fault the anchor stays where it was, so the evidence
    of what was removed or altered is kept for ``anjian audit verify``.
    """
    seal = seal_of(connection)
    if seal is None or seal.anchor is None:
        return 0, None
    found, fault = _anchors(connection, ())
    if fault:
        return 0, fault
    plan = _plan(connection, found)
    own = found[-1] if found else None
    if own is not None and own.id > plan.start:
        row = connection.execute(select(audit_log.c.hash).where(audit_log.c.id == own.id)).first()
        if row is not None and row.hash == own.hash:
            plan.prev, plan.start = own.hash, own.id  # the walk up to the anchor was done before
    count, head, fault = _walk(connection, plan, None)
    if fault is None:
        _record(connection, head)
    return count, fault


def _record(connection: Connection, head: tuple[int, str] | None) -> None:
    seal = seal_of(connection)
    if seal is None or seal.anchor is None or head is None:
        return
    current = read_anchor(seal.anchor, seal)
    if current is None or head[0] > current.id:
        write_anchor(seal.anchor, seal, *head)


def _walk(connection: Connection, plan: _Walk, up_to: int | None) -> tuple[int, tuple[int, str] | None, str | None]:
    """(entries checked, the last entry's id and hash, the first fault)."""
    seal = seal_of(connection)
    checkpoint = plan.checkpoint
    confirmed = checkpoint is None or up_to is not None or plan.start > checkpoint.last_id
    expected = {a.id: a for a in plan.anchors if a.id > plan.start}
    prev, last, count = plan.prev, None, 0
    query = select(audit_log).where(audit_log.c.id > plan.start).order_by(audit_log.c.id)
    if up_to is not None:
        query = query.where(audit_log.c.id <= up_to)
    result = connection.execute(query.execution_options(yield_per=2000))
    try:
        for row in result:
            entry = stored_entry(row)
            if row.prev_hash != prev:
                return count, last, f"entry {row.id}: the entry before it was removed or altered (chain link broken)"
            keyed = digest(prev, entry, seal) == row.hash
            legacy = seal is None or row.id <= plan.unkeyed_until
            if not keyed and not (legacy and seal is not None and digest(prev, entry) == row.hash):
                return count, last, f"entry {row.id}: its content was altered after it was written"
            anchor = expected.pop(row.id, None)
            if anchor is not None and anchor.hash != row.hash:
                return count, last, f"entry {row.id}: differs from the anchor of {anchor.at:%Y-%m-%d %H:%M} UTC ({anchor.source})"
            if checkpoint is not None and row.action == PURGE_ACTION and row.record_id == str(checkpoint.id):
                recorded = (row.detail.get("last_id"), row.detail.get("last_hash"))
                confirmed = recorded == (checkpoint.last_id, checkpoint.last_hash)
            prev, last = row.hash, (int(row.id), str(row.hash))
            count += 1
    finally:
        result.close()
    if not confirmed:
        return count, last, f"checkpoint {checkpoint.id}: no purge entry in the chain records it (checkpoint altered or forged)"
    if expected:
        anchor = min(expected.values(), key=lambda a: a.id)
        reached = f"ends at entry {last[0]}" if last else "has no entries"
        return (
            count,
            last,
            (
                f"entry {anchor.id} was removed: the anchor of {anchor.at:%Y-%m-%d %H:%M} UTC ({anchor.source}) records it, "
                f"but the chain {reached} (newest entries deleted)"
            ),
        )
    return count, last, None
