"""Public intake: a visitor files a form of a portal declaration, and gets a tracking code.

The record is written by the one record service (validation, computed tracking code, audit) and
so starts the entity's process like any other record; the declaration is the permission: the
writer is the portal's intake actor, acting only for the declared entity, fields and fixed values.
An anonymous filing clears the named fields whatever the form sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import IO, Any

from sqlalchemy import func, select

from anjian.audit import Actor
from anjian.errors import FieldError, RecordValidationError, RequestRefused
from anjian.meta.portal_spec import IntakeSpec
from anjian.meta.spec import EntitySpec
from anjian.runtime import Platform
from anjian.store.clock import utc_now

from .content import moment, visible
from .limits import filings_in_last_hour

__all__ = ["INTAKE_ACTOR", "Upload", "bind", "closing_moment", "file_intake", "intake_actor", "payload_of"]

INTAKE_ACTOR = "@portal"  # reserved name (accounts cannot start with @): the public face's writer
TRUE = ("1", "true", "on", "yes")


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    stream: IO[bytes]


def intake_actor(address: str) -> Actor:
    return Actor(username=INTAKE_ACTOR, address=address, roles=("Portal",), is_admin=True)


def _typed(spec: EntitySpec, name: str, raw: Any) -> Any:
    field = spec.field(name)
    if field.type == "boolean":
        return raw if isinstance(raw, bool) else str(raw).strip().lower() in TRUE
    if isinstance(raw, str):
        raw = raw.strip()
        if raw == "":
            return None
        if field.type == "integer":
            try:
                return int(raw)
            except ValueError:
                return raw  # the schema names the problem
    return raw


def payload_of(platform: Platform, form: IntakeSpec, values: Mapping[str, Any]) -> dict[str, Any]:
    """The record to write: the visitor's declared fields, then the declaration's fixed values."""
    spec = platform.registry.entity(form.entity)
    payload: dict[str, Any] = {}
    for name in form.fields:
        value = _typed(spec, name, values.get(name))
        if value is not None:
            payload[name] = value
    if form.anonymous and payload.get(form.anonymous):
        for name in form.named:
            payload.pop(name, None)
    local_now = platform.codec.now().replace(tzinfo=dt.UTC).astimezone(platform.codec.zone)
    for name, value in form.set.items():
        payload[name] = local_now.isoformat(timespec="seconds") if value == "$now" else value
    return payload


def closing_moment(platform: Platform, form: IntakeSpec, record_id: Any, address: str) -> dt.datetime | None:
    """For a form that comments on a published record (``answers``): that record's closing moment.

    The record is read as the anonymous visitor (published records only); a record the visitor
    cannot read, or one whose moment has passed, refuses the filing with a field error.
    """
    spec = platform.registry.entity(form.entity)
    field = form.answers["field"]
    target = platform.registry.entity(spec.field(field).link or "")
    ids = [record_id] if isinstance(record_id, int) else []
    found = visible(platform, target, Actor.visitor(address), ids)
    if not found:
        raise RecordValidationError(spec.name, [FieldError(f"/{field}", f"没有这项公开的{target.title}", "exists")])
    closes = moment(found[record_id].get(form.answers["until"]))
    if closes is not None and closes.tzinfo is not None and closes <= utc_now().replace(tzinfo=dt.UTC):
        local = closes.astimezone(platform.codec.zone).strftime("%Y-%m-%d %H:%M")
        raise RecordValidationError(spec.name, [FieldError(f"/{field}", f"{target.title}已于 {local} 截止，不再受理", "closed")])
    return closes


def bind(platform: Platform, form: IntakeSpec, payload: dict[str, Any]) -> None:
    """Set the link and region of a filing bound to a registry record (``bind``), or refuse it.

    The one record whose fields all equal the filed ones (trimmed, case-insensitive) is looked up
    by the engine, not the visitor, and only its id and region are written into the filing; any
    mismatch gets the same message, so the lookup tells nothing about the registry's contents.
    """
    spec = platform.registry.entity(form.entity)
    target = platform.registry.entity(form.bind["entity"])
    table = platform.registry.table(target.name)
    match: dict[str, str] = form.bind["match"]
    values = {mine: str(payload.get(mine) or "").strip() for mine in match}
    first = next(iter(match))
    rows: list[Any] = []
    if all(values.values()):
        clauses = [func.upper(table.c[theirs]) == values[mine].upper() for mine, theirs in match.items()]
        with platform.engine.connect() as conn:
            rows = list(conn.execute(select(table).where(*clauses).limit(2)).mappings())
    if len(rows) != 1:
        titles = "、".join(spec.field(mine).title for mine in match)
        raise RecordValidationError(
            spec.name, [FieldError(f"/{first}", f"{titles}与{target.title}名录不符，请核对后重新填写", "bind")]
        )
    payload[form.bind["link"]] = rows[0]["id"]
    payload[form.bind["region"]] = target.region_of(rows[0])
    for mine in match:
        payload[mine] = values[mine]


def file_intake(
    platform: Platform, form: IntakeSpec, values: Mapping[str, Any], uploads: Iterable[Upload], address: str
) -> dict[str, Any]:
    """Write the filing; return the stored record. Raises RecordValidationError (422) or 429."""
    if filings_in_last_hour(platform.engine, INTAKE_ACTOR, address, form.entity) >= form.per_hour:
        raise RequestRefused(429, "portal.rate_limited", f"提交过于频繁：同一网络每小时最多提交 {form.per_hour} 次，请稍后再试")
    spec = platform.registry.entity(form.entity)
    actor = intake_actor(address)
    payload = payload_of(platform, form, values)
    if form.answers:
        closing_moment(platform, form, payload.get(form.answers["field"]), address)
    if form.bind:
        bind(platform, form, payload)
    files = [u for u in uploads if u.filename]
    if files and not form.files:
        raise RecordValidationError(spec.name, [FieldError("/", "此表单不接受附件", "attachment")])
    if files and form.files:
        field = spec.field(form.files)
        payload[form.files] = [
            platform.files.save(spec, field, u.filename, u.content_type, u.stream, actor, f"/{form.files}/{i}")["id"]
            for i, u in enumerate(files)
        ]
    return platform.records.create(form.entity, payload, actor)
