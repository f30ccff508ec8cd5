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
def anjian_record_normalise(entity: Any, record: Mapping[str, Any], old: Mapping[str, Any] | None) -> Mapping[str, Any]:  # type: ignore[empty-body]
    """Return replacement values for top-level fields of ``record`` before validation (e.g. a datum conversion).

    ``old`` is the stored record on update: leave values equal to the stored ones alone.
    """


@hookspec
def anjian_record_written(entity: Any, action: str, record: Mapping[str, Any], connection: Any) -> None:
    """Called inside the write transaction after a create/update/delete; raise to roll it back."""


@hookspec
def anjian_step_taken(step: Any) -> None:
    """Called inside the transaction of every workflow step, after the record moved and the step
    was logged; raise to roll the step back.

    ``step`` is an ``anjian.workflow.steps.StepTaken``: ``connection`` (write in it to be atomic
    with the step), ``entity``, ``record`` (after the step), ``process``, ``transition`` (a step's
    name, ``_start`` or ``_migrate``), ``from_state``, ``to_state``, ``actor`` and ``now``.
    """


# ---- capabilities: what a plugin adds beyond business rules (docs/plugins.md) -------------------


@hookspec
def anjian_plugin() -> Any:
    """Return this plugin's ``PluginInfo``: title, supported anjian versions, settings model.

    Checked at start before anything else runs: an anjian version outside ``requires`` stops the
    start with a message naming the plugin, both versions and what to do.
    """


@hookspec
def anjian_tables() -> list[Any]:  # type: ignore[empty-body]
    """Return the plugin's own ``sqlalchemy.MetaData`` objects (tables named ``<plugin>_...``).

    ``anjian init`` and every publish create them and add new columns and indexes (additive
    changes only, like the engine's own tables); data-losing changes are refused.
    """


@hookspec
def anjian_blueprints() -> list[Any]:  # type: ignore[empty-body]
    """Return Flask blueprints registered when the web application starts.

    A blueprint whose ``url_prefix`` starts with ``/api/`` gets the API's contract: bearer tokens
    and API keys (``anjian.api.current_actor()``), the JSON error body, request limits, no CSRF.
    Screens (other prefixes) use ``anjian.ui.base.guard``/``render`` for login and layout.
    """


@hookspec
def anjian_widgets() -> Mapping[str, Any]:  # type: ignore[empty-body]
    """Return form widgets: ``name -> fn(field, value, record) -> str`` (HTML, escaped by the plugin).

    Fields choose one with ``"x-anjian": {"widget": "<plugin>.<name>"}``; the detail screen shows
    the field through it. Names are dotted like named functions.
    """


@hookspec
def anjian_celery_tasks(celery: Any, platform: Any) -> None:
    """Define the plugin's Celery tasks on ``celery`` (names ``<plugin>.<task>``).

    ``platform`` is a zero-argument function returning the worker's Platform; call it inside a
    task, never at definition time.
    """


@hookspec
def anjian_beat_schedule(settings: Mapping[str, Any]) -> Mapping[str, Any]:  # type: ignore[empty-body]
    """Return Celery beat entries (``{"<plugin>-<name>": {"task": ..., "schedule": seconds}}``).

    ``settings`` maps each plugin's name to its validated settings object (or None).
    """


@hookspec
def anjian_cli_commands() -> list[Any]:  # type: ignore[empty-body]
    """Return click commands or groups added to the ``anjian`` command (e.g. ``anjian monitoring``)."""
