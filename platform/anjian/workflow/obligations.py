"""Obligations: filings owed whether or not anyone opened a draft (expected filings).

Why: a clock that starts only when an enterprise opens its report never flags the enterprise that
never files. A process declares who owes what (``obligations``: the registry records meeting a
condition, one filing per quarter or year); once a period has ended, every filing still missing
is created as an expected filing, in the process's start state, so its deadline runs, it is in
the enterprise's to-do list and it goes overdue like any other deadline. Filings that exist
already (opened by the enterprise) are left alone; running again creates nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import and_, select

from ..audit import Actor
from ..errors import AnjianError
from .expr import parse_condition

__all__ = ["OBLIGATION_ACTOR", "Obligations", "latest_ended_period"]

OBLIGATION_ACTOR = Actor(username="system:obligations", address="local", is_admin=True)
log = logging.getLogger(__name__)


def latest_ended_period(every: str, today: dt.date) -> tuple[int, int | None]:
    """(year, quarter) of the last period that has ended by ``today`` (quarter None for a year)."""
    if every == "year":
        return today.year - 1, None
    quarter = (today.month - 1) // 3  # the quarter before the current one, 0 meaning last year's fourth
    return (today.year, quarter) if quarter else (today.year - 1, 4)


class Obligations:
    """Creates the expected filings of every process that declares obligations."""

    def __init__(self, platform: Any) -> None:
        self.platform = platform

    def today(self, now: dt.datetime | None = None) -> dt.date:
        codec = self.platform.codec
        moment = now or codec.now()
        return moment.replace(tzinfo=dt.UTC).astimezone(codec.zone).date()

    def materialise(self, now: dt.datetime | None = None) -> int:
        """Create the missing filings of the last ended period of each obligation; return how many."""
        registry = self.platform.registry
        today = self.today(now)
        created = 0
        for process in registry.catalog.processes.values():
            for obligation in process.content.get("obligations", ()):
                created += self._materialise(process.entity, obligation, today)
        return created

    def _materialise(self, entity: str, obligation: Mapping[str, Any], today: dt.date) -> int:
        registry = self.platform.registry
        year, quarter = latest_ended_period(obligation["every"], today)
        period = {obligation["period"]["year"]: year}
        if quarter is not None:
            period[obligation["period"]["quarter"]] = quarter
        fixed = {**dict(obligation.get("values", {})), **period}
        copy: Mapping[str, str] = obligation["copy"]
        condition = parse_condition(obligation["condition"]) if obligation.get("condition") else None
        owners = registry.table(obligation["registry"])
        filings = registry.table(entity)
        with self.platform.engine.connect() as conn:
            owing = [dict(r._mapping) for r in conn.execute(select(owners))]
            match = and_(*(filings.c[k] == v for k, v in fixed.items()))
            filed = {tuple(r) for r in conn.execute(select(*(filings.c[k] for k in copy)).where(match))}
        created = 0
        for row in owing:
            if condition is not None and not condition(row):
                continue
            values = {key: row.get(source) for key, source in copy.items()}
            if tuple(values.values()) in filed:
                continue
            try:
                self.platform.records.create(entity, {**values, **fixed}, OBLIGATION_ACTOR)
            except AnjianError as exc:  # e.g. filed meanwhile (unique), or the registry record is incomplete
                log.warning("expected %s for %s not created: %s", entity, values, exc)
                continue
            created += 1
        return created
