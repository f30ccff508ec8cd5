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
from ..store.clock import utc_now
from ._blueprint import api, current_actor, platform

__all__ = ["export_report", "list_reports", "run_report"]

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
    return jsonify(result.as_json())


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
