"""A report's chart as a plotly figure (JSON for plotly.js, which the screens serve offline).

The first dimension runs along the axis, a second one makes the series (stacked for
``stacked_bar``); each point carries the link of the records (or the next level) behind it, so
a click on a bar drills down like a click on the table.
"""

from __future__ import annotations

import json
from typing import Any

import plotly.graph_objects as go

from .runner import ReportResult

__all__ = ["crosstab", "figure"]

PALETTE = ["#337ab7", "#d9534f", "#5cb85c", "#f0ad4e", "#5bc0de", "#8e44ad", "#7f8c8d", "#16a085"]


def _link(result: ReportResult, index: int, measure: str) -> str:
    links = result.links[index]
    first = result.report.dimensions[0].name if result.report.dimensions else ""
    return links.get(measure) or links.get(first) or ""


def figure(result: ReportResult) -> dict[str, Any] | None:
    """The plotly figure of ``result`` as a plain dict, or None for a table or crosstab report."""
    report = result.report
    if report.chart in ("table", "crosstab") or not report.dimensions or not result.rows:
        return None
    measures = [report.by_measure[n] for n in report.chart_measures] or [report.measures[0]]
    axis = report.dimensions[0]
    series_dimension = report.dimensions[1] if len(report.dimensions) > 1 else None
    percent = all(m.format == "percent" for m in measures)
    traces: list[Any] = []
    if report.chart == "pie":
        measure = measures[0]
        traces.append(
            go.Pie(
                labels=[labels[axis.name] for labels in result.labels],
                values=[row[measure.name] or 0 for row in result.rows],
                customdata=[_link(result, i, measure.name) for i in range(len(result.rows))],
                hole=0.35,
                sort=False,
                marker={"colors": PALETTE},
            )
        )
    else:
        groups: dict[str, list[int]] = {}
        for i, labels in enumerate(result.labels):
            key = labels[series_dimension.name] if series_dimension else ""
            groups.setdefault(key, []).append(i)
        for measure in measures:
            for n, (series, indexes) in enumerate(groups.items()):
                name = " · ".join(x for x in (series, measure.title if len(measures) > 1 or not series else "") if x)
                x = [result.labels[i][axis.name] for i in indexes]
                y = [result.rows[i][measure.name] for i in indexes]
                links = [_link(result, i, measure.name) for i in indexes]
                color = PALETTE[(n + measures.index(measure) * len(groups)) % len(PALETTE)]
                if report.chart == "line":
                    traces.append(go.Scatter(x=x, y=y, name=name, mode="lines+markers", customdata=links, line={"color": color}))
                else:
                    traces.append(go.Bar(x=x, y=y, name=name, customdata=links, marker={"color": color}))
    layout = go.Layout(
        barmode="stack" if report.chart == "stacked_bar" else "group",
        margin={"l": 48, "r": 16, "t": 16, "b": 64},
        height=360,
        legend={"orientation": "h", "y": -0.2},
        yaxis={"tickformat": ".0%" if percent else ",d", "rangemode": "tozero"},
        xaxis={"type": "category", "automargin": True},
        font={"family": "Noto Sans CJK SC, Microsoft YaHei, sans-serif", "size": 12},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
    )
    result_figure: dict[str, Any] = json.loads(go.Figure(data=traces, layout=layout).to_json())
    return result_figure


def crosstab(result: ReportResult) -> dict[str, Any] | None:
    """Rows by the first dimension, columns by the second, cells of the first measure (with links)."""
    report = result.report
    if report.chart != "crosstab" or len(report.dimensions) < 2:
        return None
    first, second = report.dimensions[0], report.dimensions[1]
    measure = (report.chart_measures or (report.measures[0].name,))[0]
    columns: dict[Any, str] = {}
    rows: dict[Any, dict[str, Any]] = {}
    for row, labels, links in zip(result.rows, result.labels, result.links, strict=True):
        columns.setdefault(row[second.name], labels[second.name])
        line = rows.setdefault(row[first.name], {"label": labels[first.name], "link": links.get(first.name, ""), "cells": {}})
        line["cells"][row[second.name]] = (row[measure], links.get(measure, ""))
    return {"columns": columns, "rows": rows, "measure": report.by_measure[measure], "first": first, "second": second}
