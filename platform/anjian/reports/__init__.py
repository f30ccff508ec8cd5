"""Declared reports: one scoped SQL aggregate per report, its drill-down, charts and exports.

Sits above ``workflow`` (a report may group by a record's process state) and below ``api`` and
``ui``, which only call it. It never imports flask.
"""

from __future__ import annotations

from .parameters import ReportQuery, parse_parameters
from .runner import ReportResult, ReportRunner, comparison_period, local_today

__all__ = ["ReportQuery", "ReportResult", "ReportRunner", "comparison_period", "local_today", "parse_parameters"]
