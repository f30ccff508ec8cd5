"""Sideways packages (横向共享) for the safety committee's member units: data file plus manifest.

A package is a folder: ``data.csv`` (UTF-8 with BOM, so spreadsheet programs read the Chinese
headers), ``data.xlsx`` or ``data.json`` with the exchange's fields, and ``manifest.json`` naming
the resource (the directory entry), each field's title, type and code labels, the filter, the
number of records and the data file's SHA-256. Records are read through the region scope.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from .. import audit
from ..audit import Actor
from ..data.query import ListQuery
from ..store.clock import utc_now
from ..store.db import write
from .outbox import ExchangeError, _spec

__all__ = ["PACKAGE_FORMAT", "Package", "make_package"]

PACKAGE_FORMAT = "anjian-exchange-package/1"


@dataclass(frozen=True)
class Package:
    folder: Path
    records: int
    data_file: str


def _rows(platform: Any, spec: Any, actor: Actor) -> list[dict[str, Any]]:
    entity = platform.registry.entity(spec.entity)
    table = platform.registry.table(entity.name)
    query = ListQuery(filters=dict(spec.filter), ranges={}, search="", sort=("id",), page=1, page_size=1)
    with platform.engine.connect() as conn:
        records = platform.reader.iterate(conn, entity, query, platform.access.scope(actor, entity, table))
        return [{name: record.get(name) for name in spec.fields} for record in records]


def _write_data(path: Path, fmt: str, titles: list[str], names: list[str], rows: list[dict[str, Any]]) -> None:
    if fmt == "json":
        path.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(titles)
        writer.writerows([["" if row[n] is None else row[n] for n in names] for row in rows])
        path.write_text(buffer.getvalue(), encoding="utf-8-sig")
    else:
        book = Workbook()
        sheet = book.active
        assert sheet is not None  # a new workbook has one sheet
        sheet.append(titles)
        for row in rows:
            sheet.append([row[n] for n in names])
        book.save(path)


def make_package(platform: Any, name: str, root: Path, actor: Actor) -> Package:
    """Write a package of the sideways exchange ``name`` into a new folder under ``root``."""
    spec = _spec(platform, name)
    if spec.direction != "sideways":
        raise ExchangeError(f"exchange {name} is {spec.direction}: send it with anjian exchange send {name}")
    entity = platform.registry.entity(spec.entity)
    fields = [entity.by_name[n] for n in spec.fields]
    rows = _rows(platform, spec, actor)
    created = utc_now()
    folder = root / spec.target / f"{name}-{created:%Y%m%dT%H%M%SZ}"
    n = 1
    while folder.exists():
        n += 1
        folder = root / spec.target / f"{name}-{created:%Y%m%dT%H%M%SZ}-{n}"
    folder.mkdir(parents=True)
    data_file = f"data.{spec.format}"
    _write_data(folder / data_file, spec.format, [f.title for f in fields], [f.name for f in fields], rows)
    manifest = {
        "format": PACKAGE_FORMAT,
        "exchange": spec.name,
        "title": spec.title,
        "description": spec.description,
        "directory": dict(spec.directory),
        "recipient": spec.target,
        "source_region": platform.settings.deployment_region,
        "entity": entity.name,
        "entity_title": entity.title,
        "created_at": created.isoformat(),
        "filter": {k: list(v) for k, v in spec.filter.items()},
        "fields": [{"name": f.name, "title": f.title, "type": f.type, "values": dict(f.enum_labels)} for f in fields],
        "records": len(rows),
        "data_file": data_file,
        "sha256": hashlib.sha256((folder / data_file).read_bytes()).hexdigest(),
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    with write(platform.engine) as conn, conn.begin():
        audit.append(conn, actor, "exchange_package", "_exchange", spec.name, {"folder": str(folder), "records": len(rows)})
    return Package(folder, len(rows), data_file)
