"""Hook specifications: the contract between the engine and plugins.

Hooks are always called with keyword arguments.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pluggy

__all__ = ["hookspec"]

hookspec = pluggy.HookspecMarker("anjian")


@hookspec
def anjian_metadata_paths() -> list[Path]:  # type: ignore[empty-body]
    """Return folders of metadata documents this plugin contributes."""


@hookspec
def anjian_validators() -> Mapping[str, Any]:  # type: ignore[empty-body]
    """Return named validators: ``name -> fn(value_or_record, ctx) -> list[FieldError] | str | None``.

    A field validator gets the field value; an entity validator gets the whole record. Names are
    dotted (``registry.uscc_check``) and referenced from metadata, never eval'd.
    """


@hookspec
def anjian_computed() -> Mapping[str, Any]:  # type: ignore[empty-body]
    """Return named computed-field functions: ``name -> fn(record, ctx) -> value``."""


@hookspec
def anjian_conditions() -> Mapping[str, Any]:  # type: ignore[empty-body]
    """Return named transition conditions: ``name -> fn(record, ctx) -> bool`` (metadata ``"check"``)."""


@hookspec
def anjian_notice(notice: Mapping[str, Any], recipient: Mapping[str, Any]) -> None:
    """Called for every notice delivered to a user (in-app); plugins may send it by SMS or messenger."""


@hookspec
def anjian_record_validate(entity: Any, record: Mapping[str, Any], old: Mapping[str, Any] | None) -> list[Any]:  # type: ignore[empty-body]
    """Return extra FieldErrors for ``record`` of ``entity``; ``old`` is the stored record on update."""


@hookspec
def anjian_record_written(entity: Any, action: str, record: Mapping[str, Any], connection: Any) -> None:
    """Called inside the write transaction after a create/update/delete; raise to roll it back."""
