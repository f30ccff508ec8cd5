"""A report's result as CSV or XLSX, with what it shows printed above the table.

The parameters, the caller's scope and the moment come first (a printed statistic must say what
it counts), then the header, the rows with labels beside codes, and the totals. Text cells are
neutralised against spreadsheet formulas (``anjian.data.export.neutralise``); XLSX is written by
openpyxl in write-only mode and handed out in chunks, CSV row by row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Iterator
from typing import Any

from ..data.export import neutralise
from .runner import ReportResult

__all__ = ["CHUNK_BYTES", "context_lines", "csv_chunks", "table", "xlsx_chunks"]

CHUNK_BYTES = 64 * 1024


def context_lines(result: ReportResult, username: str, now: dt.datetime) -> list[tuple[str, str]]:
    """(label, value) pairs printed above the table: report, parameters, scope, who and when."""
    report, query = result.report, result.query
    lines = [("报表", report.title)]
    for p in report.parameters:
        if p.kind == "date_range":
            first, last = query.periods.get(p.name, (None, None))
            shown = f"{first.isoformat() if first else '不限'} 至 {last.isoformat() if last else '不限'}"
        else:
            shown = "、".join(map(str, query.values.get(p.name, ()))) or "全部"
        lines.append((p.title, shown))
    for d in report.dimensions:
        if d.name in query.drill:
            lines.append((d.title, str(query.drill[d.name])))
    lines.append(("统计范围", result.scope))
    lines.append(("导出", f"{username} {now.strftime('%Y-%m-%d %H:%M')}"))
    return lines


def table(result: ReportResult) -> tuple[list[str], list[list[Any]], list[Any] | None, list[str]]:
    """(header, rows, totals row, formats): dimension labels, then measures as numbers."""
    report = result.report
    header = [d.title for d in report.dimensions] + [m.title for m in report.measures]
    formats = ["text"] * len(report.dimensions) + [m.format for m in report.measures]
    rows = [
        [labels[d.name] for d in report.dimensions] + [row[m.name] for m in report.measures]
        for row, labels in zip(result.rows, result.labels, strict=True)
    ]
    totals = None
    if result.totals is not None:
        totals = ["合计"] + [""] * (len(report.dimensions) - 1) + [result.totals[m.name] for m in report.measures]
        if not report.dimensions:
            totals = [result.totals[m.name] for m in report.measures]
    return header, rows, totals, formats


def _shown(value: Any, fmt: str) -> Any:
    if value is None:
        return ""
    if fmt == "percent" and isinstance(value, int | float):
        return f"{value * 100:.1f}%"
    return neutralise(value)


def csv_chunks(result: ReportResult, username: str, now: dt.datetime) -> Iterator[bytes]:
    """The CSV file (UTF-8 with BOM for Excel), one line at a time."""
    header, rows, totals, formats = table(result)
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> bytes:
        data = buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
        return data

    yield "\ufeff".encode()
    for label, value in context_lines(result, username, now):
        writer.writerow([label, neutralise(value)])
    writer.writerow([])
    writer.writerow(header)
    yield flush()
    for row in rows:
        writer.writerow([_shown(v, f) for v, f in zip(row, formats, strict=True)])
        yield flush()
    if totals is not None:
        writer.writerow([_shown(v, f) for v, f in zip(totals, formats, strict=True)])
        yield flush()


def xlsx_chunks(result: ReportResult, username: str, now: dt.datetime) -> Iterator[bytes]:
    """The XLSX workbook: written in write-only mode to a spooled file, then read out in chunks."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill

    header, rows, totals, formats = table(result)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(result.report.title[:31])
    bold = Font(bold=True)
    title_font = Font(bold=True, size=14)
    fill = PatternFill("solid", fgColor="DDEBF7")
    width = max(len(header), 2)
    for i in range(width):
        sheet.column_dimensions[chr(ord("A") + min(i, 25))].width = 18 if i < len(result.report.dimensions) else 14

    def cell(value: Any, fmt: str = "text", font: Font | None = None, background: PatternFill | None = None) -> Any:
        item = WriteOnlyCell(sheet, value=neutralise(value) if isinstance(value, str) else value)
        if isinstance(value, str):
            item.data_type = "s"
        if fmt == "percent":
            item.number_format = "0.0%"
        elif isinstance(value, float):
            item.number_format = "#,##0.00"
        if font is not None:
            item.font = font
        if background is not None:
            item.fill = background
        item.alignment = Alignment(vertical="center")
        return item

    sheet.append([cell(result.report.title, font=title_font)])
    for label, value in context_lines(result, username, now)[1:]:
        sheet.append([cell(label, font=bold), cell(value)])
    sheet.append([])
    sheet.append([cell(h, font=bold, background=fill) for h in header])
    for row in rows:
        sheet.append([cell(v, f) for v, f in zip(row, formats, strict=True)])
    if totals is not None:
        sheet.append([cell(v, f, font=bold) for v, f in zip(totals, formats, strict=True)])
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        book.save(spool)
        spool.seek(0)
        while chunk := spool.read(CHUNK_BYTES):
            yield chunk
