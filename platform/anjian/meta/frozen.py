"""The base of every declaration model: immutable once built, and strict about its keys."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["FrozenSpec"]


class FrozenSpec(BaseModel):
    """Frozen, so a published catalog version cannot change under a request that reads it; extra
    keys forbidden, so a field the code does not know is an error here, not silently ignored."""

    model_config = ConfigDict(frozen=True, extra="forbid")
