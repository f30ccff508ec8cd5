"""Moved to :mod:`anjian.store.db`; re-exported here while callers move."""

from ..store.db import WAL_SIZE_LIMIT, WRITE, inserted_id, make_engine, write

__all__ = ["WAL_SIZE_LIMIT", "WRITE", "inserted_id", "make_engine", "write"]
