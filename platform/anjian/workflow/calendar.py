"""Moved to :mod:`anjian.meta.calendar` (metadata checks need it, and meta is below workflow)."""

from ..meta.calendar import UNITS, WorkCalendar, YearArrangement, due_at, package_years, shift_for_pause

__all__ = ["UNITS", "WorkCalendar", "YearArrangement", "due_at", "package_years", "shift_for_pause"]
