"""Report routes: /api/v1/reports, /api/v1/reports/<name>, /api/v1/reports/<name>/export."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request, stream_with_context

from .. import audit
from ..audit import Actor
from ..data.db import write
from ..errors import FieldError, RecordValidationError
from ..reports import ReportRunner
from ..reports.export import csv_chunks, xlsx_chunks
from ..reports.statutory import StatutoryFilings
from ..store.clock import utc_now
from ._blueprint import api, current_actor, json_response, platform

__all__ = ["export_report", "list_reports", "report_filing_versions", "report_filings", "run_report"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def runner() -> ReportRunner:
    p = platform()
    return ReportRunner(p.registry, p.access, p.engine)


@api.get("/reports")
def list_reports() -> Any:
    """The reports the caller may run (the action ``report`` on each one's source entity)."""
    reports = runner().available(current_actor())
    return jsonify(
        {
            "items": [
                {"name": r.name, "title": r.title, "description": r.description, "module": r.module, "source": r.source}
                for r in reports
            ]
        }
    )


@api.get("/reports/<name>")
def run_report(name: str) -> Any:
    result = runner().run(current_actor(), name, request.args.to_dict())
    return json_response(result.as_json())


@api.get("/reports/<name>/export")
def export_report(name: str) -> Any:
    args = request.args.to_dict()
    fmt = args.pop("format", "xlsx")
    if fmt not in ("csv", "xlsx"):
        raise RecordValidationError(name, [FieldError("/query/format", "格式应为 csv 或 xlsx", "query")])
    return export_response(runner(), current_actor(), name, args, fmt)


def export_response(reports: ReportRunner, actor: Actor, name: str, args: dict[str, str], fmt: str) -> Response:
    """Run the report, audit the export and stream the file (shared with the report screen)."""
    result = reports.run(actor, name, args)
    p = platform()
    with write(p.engine) as conn, conn.begin():
        audit.append(conn, actor, "report_export", result.report.source, None, {"report": name, "format": fmt, **args})
    now = utc_now()
    chunks = csv_chunks(result, actor.username, now) if fmt == "csv" else xlsx_chunks(result, actor.username, now)
    mimetype = "text/csv; charset=utf-8" if fmt == "csv" else XLSX
    filename = f"{name}-{now.strftime('%Y%m%d')}.{fmt}"
    return Response(
        stream_with_context(chunks), mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@api.get("/reports/<name>/filings")
def report_filings(name: str) -> Any:
    """A statutory report's period: the county summary, the filers with their status, the figures as filed."""
    period = StatutoryFilings(runner()).period(current_actor(), name, request.args.to_dict())
    return jsonify(
        {
            "report": period.report.name,
            "title": period.report.title,
            "obligation": period.spec.obligation,
            "year": period.year,
            "quarter": period.quarter,
            "due_on": period.due_on.isoformat(),
            "scope": period.scope,
            "summary": period.summary,
            "totals": period.totals,
            "filers": [
                {
                    "owner_id": f.owner_id,
                    "owner": f.owner,
                    "region_code": f.region_code,
                    "region": f.region,
                    "status": f.status,
                    "status_title": f.status_title,
                    "record_id": f.record_id,
                    "filed_on": f.filed_on.isoformat() if f.filed_on else None,
                    "days_late": f.days_late,
                    "version": f.version,
                    "figures": f.figures,
                }
                for f in period.filers
            ],
        }
    )


@api.get("/reports/<name>/filings/<int:record_id>")
def report_filing_versions(name: str, record_id: int) -> Any:
    """Every version of one filing as filed, each correction with what it changed."""
    report, versions = StatutoryFilings(runner()).versions(current_actor(), name, record_id)
    return jsonify(
        {
            "report": report.name,
            "record_id": record_id,
            "versions": [
                {
                    "version": v["version"],
                    "state": v["state"],
                    "filed_at": v["filed_at"].isoformat(),
                    "filed_by": v["filed_by"],
                    "figures": v["figures"],
                    "changes": {k: {"before": a, "after": b, "change": c} for k, (a, b, c) in v["changes"].items()},
                }
                for v in versions
            ],
        }
    )
