"""Progress of a filing by its tracking code (查询码): state, timeline, legal deadline, rating.

The code is the credential: whoever holds it may follow the filing, so the answer holds only the
entity's public projection (masked), the titles of the steps and when they happened, and the
clocks the engine runs, never who handled it, comments, attachments or the complainant's data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from anjian.errors import FieldError, NotFound, RecordConflict
from anjian.meta.portal_spec import IntakeSpec, PortalSpec
from anjian.meta.public import project
from anjian.meta.spec import EntitySpec
from anjian.runtime import Platform

from .intake import intake_actor

__all__ = ["RATING_ENTITY", "RATING_LEVELS", "find", "normalise_code", "progress", "rate"]

RATING_ENTITY = "service_rating"
RATING_LEVELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}


def normalise_code(code: str) -> str:
    return "".join(code.split()).upper()[:40]


def find(platform: Platform, portal: PortalSpec, code: str) -> tuple[IntakeSpec, int]:
    """The form and record id a code belongs to; NotFound for every other code (no hints)."""
    code = normalise_code(code)
    if len(code) >= 6:
        with platform.engine.connect() as conn:
            for form in portal.intake:
                if not form.tracking:
                    continue
                table = platform.registry.table(form.entity)
                row = conn.execute(select(table.c.id).where(table.c[form.tracking] == code)).first()
                if row is not None:
                    return form, int(row.id)
    raise NotFound("查询码不存在，请核对后重新输入")


def _local(platform: Platform, moment: dt.datetime) -> str:
    return platform.codec.moment(moment)


def progress(platform: Platform, portal: PortalSpec, code: str) -> dict[str, Any]:
    """What a holder of ``code`` may know about the filing."""
    form, record_id = find(platform, portal, code)
    spec = platform.registry.entity(form.entity)
    workflow = platform.workflow
    with platform.engine.connect() as conn:
        record = platform.reader.fetch(conn, spec, record_id)
        inst = workflow.instance(conn, spec.name, record_id)
        timeline: list[dict[str, Any]] = []
        deadlines: list[dict[str, Any]] = []
        state = {"name": "", "title": "已提交", "ended": False}
        if inst is not None:
            process = workflow.process_of(conn, inst)
            current = process.by_state.get(inst["state"])
            state = {
                "name": inst["state"],
                "title": current.title if current else inst["state"],
                "ended": inst["ended_at"] is not None,
            }
            for row in workflow.history(conn, spec.name, record_id):
                to = process.by_state.get(row["to_state"])
                timeline.append(
                    {"step": row["title"], "state": to.title if to else row["to_state"], "at": _local(platform, row["at"])}
                )
            now = platform.codec.now()
            for row in workflow.open_deadlines(conn, spec.name, record_id):
                deadlines.append(
                    {
                        "title": row["title"],
                        "due_at": _local(platform, row["due_at"]),
                        "status": row["status"],
                        "overdue": row["status"] == "open" and row["due_at"] < now,
                    }
                )
        rating = _rating(platform, conn, spec.name, record_id)
    running = [d for d in deadlines if d["status"] in ("open", "paused")]
    return {
        "tracking_code": normalise_code(code),
        "form": form.name,
        "form_title": form.title,
        "state": state["name"],
        "state_title": state["title"],
        "ended": state["ended"],
        "record": project(spec.public, record),
        "shown": _shown(spec, project(spec.public, record)),
        "timeline": timeline,
        "deadlines": running,
        "rating": rating,
        "rateable": rating is None and (state["ended"] or not running) and inst is not None,
    }


def _shown(spec: EntitySpec, public: dict[str, Any]) -> list[tuple[str, str]]:
    """(field title, display text) of the public fields that hold a value: labels for codes, local times."""
    shown = []
    for name, value in public.items():
        if value in (None, "", []):
            continue
        field = spec.field(name)
        if field.format == "date-time":
            text = str(value)[:16].replace("T", " ")
        elif field.type == "boolean":
            text = "是" if value else "否"
        else:
            text = field.label_of(value)
        shown.append((field.title, text))
    return shown


def _rating(platform: Platform, conn: Any, entity: str, record_id: int) -> dict[str, Any] | None:
    if RATING_ENTITY not in platform.registry.catalog.entities:
        return None
    table = platform.registry.table(RATING_ENTITY)
    row = conn.execute(select(table).where(table.c.entity_name == entity, table.c.record_id == record_id)).mappings().first()
    if row is None:
        return None
    return {
        "level": row["level"],
        "level_title": RATING_LEVELS.get(row["level"], str(row["level"])),
        "comment": row["comment"] or "",
    }


def rate(platform: Platform, portal: PortalSpec, code: str, level: Any, comment: str, address: str) -> dict[str, Any]:
    """Record the requester's 好差评 once, when the filing has been answered."""
    status = progress(platform, portal, code)
    if not status["rateable"]:
        raise RecordConflict(RATING_ENTITY, [FieldError("/level", "办理完成后才能评价，且每件只能评价一次", "state")])
    form, record_id = find(platform, portal, code)
    spec = platform.registry.entity(form.entity)
    with platform.engine.connect() as conn:
        record = platform.reader.fetch(conn, spec, record_id)
    local_now = platform.codec.now().replace(tzinfo=dt.UTC).astimezone(platform.codec.zone)
    payload = {
        "entity_name": form.entity,
        "record_id": record_id,
        "tracking_code": status["tracking_code"],
        "level": int(level) if str(level).isdigit() else level,
        "comment": comment.strip() or None,
        "rated_at": local_now.isoformat(timespec="seconds"),
        "region_code": spec.region_of(record) or None,
    }
    return platform.records.create(RATING_ENTITY, {k: v for k, v in payload.items() if v is not None}, intake_actor(address))
