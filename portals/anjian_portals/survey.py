"""网上调查: one answer per visitor to a published survey until it closes, results after closing.

The survey (its questions in one field) is read as the anonymous visitor, so only published
surveys can be answered; an answer is a record of the declared answer entity written by the one
record service as the portal's intake actor (validated, audited, counted by the per-address hourly
limit). The visitor is a random id kept in a cookie (or the signed-in user), stored only as a digest;
the answer entity's unique key (survey, voter) makes a second answer a field error.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select

from anjian.audit import Actor
from anjian.errors import FieldError, NotFound, RecordValidationError, RequestRefused
from anjian.meta.portal_spec import SurveySpec
from anjian.runtime import Platform
from anjian.store.clock import utc_now

from .content import moment, visible
from .intake import INTAKE_ACTOR, intake_actor
from .limits import filings_in_last_hour

__all__ = ["answer", "answered", "closed", "read_survey", "results", "voter_digest"]


def voter_digest(survey: SurveySpec, record_id: int, voter: str) -> str:
    return hashlib.sha256(f"{survey.name}:{record_id}:{voter}".encode()).hexdigest()


def read_survey(platform: Platform, survey: SurveySpec, record_id: int, address: str) -> dict[str, Any]:
    """The published survey in public projection; NotFound for drafts, withdrawn or unknown ids."""
    spec = platform.registry.entity(survey.entity)
    found = visible(platform, spec, Actor.visitor(address), [record_id])
    if record_id not in found:
        raise NotFound("调查不存在或已撤下")
    return found[record_id]


def closed(record: Mapping[str, Any], survey: SurveySpec) -> bool:
    closes = moment(record.get(survey.closes))
    return closes is not None and closes.tzinfo is not None and closes <= utc_now().replace(tzinfo=dt.UTC)


def answered(platform: Platform, survey: SurveySpec, record_id: int, voter: str) -> bool:
    table = platform.registry.table(survey.answers)
    query = (
        select(func.count())
        .select_from(table)
        .where(table.c.survey == record_id, table.c.voter == voter_digest(survey, record_id, voter))
    )
    with platform.engine.connect() as conn:
        return bool(conn.execute(query).scalar_one())


def _choices(
    record: Mapping[str, Any], survey: SurveySpec, chosen: Mapping[int, Sequence[str]]
) -> tuple[list[str], list[FieldError]]:
    picked: list[str] = []
    errors: list[FieldError] = []
    for i, question in enumerate(record.get(survey.questions) or []):
        options = question.get("options") or []
        values = [v for v in chosen.get(i, ()) if v.isdigit() and int(v) < len(options)]
        if not values:
            errors.append(FieldError(f"/{survey.questions}/{i}", "请回答此题", "required"))
        elif len(values) > 1 and not question.get("multiple"):
            errors.append(FieldError(f"/{survey.questions}/{i}", "此题只能选一项", "maxItems"))
        picked += [f"{i}:{int(v)}" for v in dict.fromkeys(values)]
    return picked, errors


def answer(
    platform: Platform, survey: SurveySpec, record_id: int, chosen: Mapping[int, Sequence[str]], voter: str, address: str
) -> dict[str, Any]:
    """Store one visitor's answer; RecordValidationError (closed, incomplete, answered before) or 429."""
    record = read_survey(platform, survey, record_id, address)
    if closed(record, survey):
        raise RecordValidationError(survey.answers, [FieldError("/survey", "本次调查已截止，不再受理作答", "closed")])
    picked, errors = _choices(record, survey, chosen)
    if errors:
        raise RecordValidationError(survey.answers, errors)
    if answered(platform, survey, record_id, voter):
        raise RecordValidationError(survey.answers, [FieldError("/survey", "您已参加过本次调查，每人限答一次", "unique")])
    if filings_in_last_hour(platform.engine, INTAKE_ACTOR, address, survey.answers) >= survey.per_hour:
        raise RequestRefused(429, "portal.rate_limited", f"提交过于频繁：同一网络每小时最多作答 {survey.per_hour} 次，请稍后再试")
    table = platform.registry.table(survey.entity)
    with platform.engine.connect() as conn:  # the survey's region (not public) for the answer's scope
        region = conn.execute(select(table.c.region_code).where(table.c.id == record_id)).scalar_one()
    local_now = utc_now().replace(tzinfo=dt.UTC).astimezone(platform.codec.zone)
    payload = {
        "survey": record_id,
        "voter": voter_digest(survey, record_id, voter),
        "choices": picked,
        "answered_at": local_now.isoformat(timespec="seconds"),
        "region_code": region,
    }
    return platform.records.create(survey.answers, payload, intake_actor(address))


def results(platform: Platform, survey: SurveySpec, record: Mapping[str, Any]) -> dict[str, Any]:
    """Counts per option (only aggregates leave; shown once the survey has closed)."""
    table = platform.registry.table(survey.answers)
    counts: dict[str, int] = {}
    total = 0
    with platform.engine.connect() as conn:
        for (raw,) in conn.execute(select(table.c.choices).where(table.c.survey == record["id"])):
            total += 1
            for choice in json.loads(raw) if isinstance(raw, str) else raw or []:
                counts[choice] = counts.get(choice, 0) + 1
    questions = []
    for i, question in enumerate(record.get(survey.questions) or []):
        options = []
        for j, label in enumerate(question.get("options") or []):
            n = counts.get(f"{i}:{j}", 0)
            options.append({"label": label, "count": n, "percent": round(100 * n / total) if total else 0})
        questions.append({"text": question.get("text", ""), "multiple": bool(question.get("multiple")), "options": options})
    return {"total": total, "questions": questions}
