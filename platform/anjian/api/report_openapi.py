"""The OpenAPI paths of the declared reports: the list, each report with its own parameters, exports."""

from __future__ import annotations

from typing import Any

from ..catalog.registry import Registry
from ..meta.report_spec import ReportSpec

__all__ = ["REPORT_SCHEMAS", "report_paths"]

STRING, INTEGER = {"type": "string"}, {"type": "integer"}
ERROR = {"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
NUMBER_OR_NULL = {"type": ["number", "null"]}
REPORT_SCHEMAS: dict[str, Any] = {
    "ReportList": {
        "type": "object",
        "required": ["items"],
        "properties": {
            "items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "name": STRING,
                        "title": STRING,
                        "description": STRING,
                        "module": {"type": ["string", "null"]},
                        "source": STRING,
                    },
                },
            }
        },
    },
    "ReportResult": {
        "type": "object",
        "required": ["columns", "rows", "totals", "parameters"],
        "properties": {
            "report": STRING,
            "title": STRING,
            "columns": {"type": "array", "items": {"type": "object"}},
            "rows": {"type": "array", "items": {"type": "object"}},
            "totals": {"type": ["object", "null"]},
            "parameters": {"type": "object", "additionalProperties": STRING},
            "scope": STRING,
        },
    },
    "StatutoryPeriod": {
        "type": "object",
        "required": ["report", "year", "due_on", "summary", "totals", "filers"],
        "properties": {
            "report": STRING,
            "title": STRING,
            "obligation": STRING,
            "year": INTEGER,
            "quarter": {"type": ["integer", "null"]},
            "due_on": {"type": "string", "format": "date"},
            "scope": STRING,
            "summary": {"type": "array", "items": {"type": "object"}},
            "totals": {"type": "object"},
            "filers": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "status": {"enum": ["on_time", "late", "missing", "pending"]},
                        "filed_on": {"type": ["string", "null"]},
                        "version": INTEGER,
                        "figures": {"type": "object"},
                    },
                },
            },
        },
    },
    "StatutoryVersions": {
        "type": "object",
        "required": ["report", "record_id", "versions"],
        "properties": {
            "report": STRING,
            "record_id": INTEGER,
            "versions": {"type": "array", "items": {"type": "object"}},
        },
    },
}


def _parameters(registry: Registry, report: ReportSpec) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = []
    date = {"type": "string", "format": "date"}
    for p in report.parameters:
        if p.kind == "date_range":
            params.append({"name": f"{p.name}_from", "in": "query", "schema": date, "description": f"{p.title} from"})
            params.append({"name": f"{p.name}_to", "in": "query", "schema": date, "description": f"{p.title} to"})
        else:
            params.append({"name": p.name, "in": "query", "schema": STRING, "description": f"{p.title}: comma-separated values"})
    for d in report.dimensions:
        source = report.fields.get(d.field)
        kind = "a bucket such as 2026, 2026-Q1, 2026-03, 2026-03-05" if d.bucket else (source.title if source else d.field)
        params.append({"name": d.name, "in": "query", "schema": STRING, "description": f"drill into one {d.title} ({kind})"})
        if d.levels:
            params.append({"name": f"{d.name}_level", "in": "query", "schema": {"enum": list(d.levels)}})
    names = [n for d in report.dimensions for n in (d.name, "-" + d.name)] + [
        n for m in report.measures for n in (m.name, "-" + m.name)
    ]
    params.append({"name": "sort", "in": "query", "schema": STRING, "description": "comma-separated: " + ", ".join(names)})
    params.append({"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}})
    return params


def report_paths(registry: Registry) -> dict[str, Any]:
    """``/reports`` and, for each report, ``/reports/<name>`` and ``/reports/<name>/export``."""
    tag = ["报表 reports"]
    refused = {"401": ERROR, "403": ERROR, "404": ERROR, "422": ERROR, "default": ERROR}
    paths: dict[str, Any] = {
        "/reports": {
            "get": {
                "tags": tag,
                "summary": "The reports the caller may run",
                "responses": {
                    "200": {
                        "description": "reports",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ReportList"}}},
                    },
                    "401": ERROR,
                    "default": ERROR,
                },
            }
        }
    }
    for report in registry.catalog.reports.values():
        params = _parameters(registry, report)
        paths[f"/reports/{report.name}"] = {
            "get": {
                "tags": tag,
                "summary": report.title,
                "description": report.description,
                "parameters": params,
                "responses": {
                    "200": {
                        "description": "columns, rows, totals and the parameters in force",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ReportResult"}}},
                    },
                    **refused,
                },
            }
        }
        paths[f"/reports/{report.name}/export"] = {
            "get": {
                "tags": tag,
                "summary": f"{report.title} (xlsx or csv)",
                "parameters": [{"name": "format", "in": "query", "schema": {"enum": ["xlsx", "csv"]}}, *params],
                "responses": {"200": {"description": "the file"}, **refused},
            }
        }
        if report.statutory is not None:
            paths.update(_statutory_paths(report, tag, refused))
    return paths


def _statutory_paths(report: ReportSpec, tag: list[str], refused: dict[str, Any]) -> dict[str, Any]:
    """A statutory report's period (summary, late and missing filers) and one filing's versions."""
    assert report.statutory is not None
    period = [{"name": "year", "in": "query", "schema": {"type": "integer", "minimum": 2000, "maximum": 2100}}]
    if report.statutory.every == "quarter":
        period.append({"name": "quarter", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 4}})

    def answer(schema: str, text: str) -> dict[str, Any]:
        return {"description": text, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}

    record = {"name": "record_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
    return {
        f"/reports/{report.name}/filings": {
            "get": {
                "tags": tag,
                "summary": f"{report.statutory.title}: county summary, late and missing filers (default: the last ended period)",
                "parameters": period,
                "responses": {"200": answer("StatutoryPeriod", "the period as filed"), **refused},
            }
        },
        f"/reports/{report.name}/filings/{{record_id}}": {
            "get": {
                "tags": tag,
                "summary": f"{report.statutory.title}: one filing's versions with their differences",
                "parameters": [record],
                "responses": {"200": answer("StatutoryVersions", "the versions"), **refused},
            }
        },
    }
