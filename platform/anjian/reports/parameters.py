"""A report's query-string parameters, validated by a pydantic model built from its spec.

Everything a caller may send is declared: the date ranges (``<name>_from``, ``<name>_to``), the
value lists, each dimension's drill value (``<dimension>=<value>``) and level
(``<dimension>_level``), ``sort`` and ``limit``. Anything else, a value outside its field's
enum or dictionary, a date that is no date or a range beyond ``MAX_SPAN_DAYS`` is a field error
(422): no text a caller sends reaches SQL except as a bound, already-checked value.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from ..errors import FieldError, RecordValidationError
from ..meta.report_spec import DimensionSpec, ReportSpec
from ..meta.spec import EntitySpec, FieldSpec
from .sql import bucket_bounds

__all__ = ["MAX_SPAN_DAYS", "ReportQuery", "default_period", "parse_parameters"]

MAX_SPAN_DAYS = 366 * 30  # a report over more than thirty years is refused
EARLIEST, LATEST = dt.date(1949, 10, 1), dt.date(2200, 12, 31)
ONE_OF: Any = Literal  # Literal[...] of values known at run time (the declared choices)
LIST: Any = list  # list[...] of a type made at run time


@dataclass(frozen=True)
class ReportQuery:
    """Validated parameters: periods {param: (first, last)}, values, drill values, levels, sort, limit."""

    periods: Mapping[str, tuple[dt.date | None, dt.date | None]] = field(default_factory=dict)
    values: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    drill: Mapping[str, Any] = field(default_factory=dict)
    levels: Mapping[str, str] = field(default_factory=dict)
    sort: tuple[str, ...] = ()
    limit: int = 200

    def as_args(self) -> dict[str, str]:
        """The query string that asks for this query again (links, exports, the printed header)."""
        args: dict[str, str] = {}
        for name, (first, last) in self.periods.items():
            args[f"{name}_from"] = first.isoformat() if first else ""
            args[f"{name}_to"] = last.isoformat() if last else ""
        for name, values in self.values.items():
            args[name] = ",".join(_text(v) for v in values)
        for name, value in self.drill.items():
            args[name] = _text(value)
        for name, level in self.levels.items():
            args[f"{name}_level"] = level
        if self.sort:
            args["sort"] = ",".join(self.sort)
        return args


def _text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def default_period(preset: Any, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The (first, last) day of a named default period (``all``: no bounds)."""
    if preset == "this_month":
        return today.replace(day=1), today
    if preset == "this_quarter":
        return dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today
    if preset == "last_30_days":
        return today - dt.timedelta(days=29), today
    if preset == "last_365_days":
        return today - dt.timedelta(days=364), today
    if preset == "this_year":
        return dt.date(today.year, 1, 1), today
    return None, None


def _choices(spec: FieldSpec, dictionaries: Mapping[str, Any]) -> tuple[Any, ...] | None:
    if spec.enum is not None:
        return tuple(spec.enum)
    if spec.dictionary and spec.dictionary in dictionaries:
        return tuple(sorted(dictionaries[spec.dictionary].codes()))
    if spec.type == "boolean":
        return (True, False)
    return None


def _value_type(spec: FieldSpec, dictionaries: Mapping[str, Any]) -> Any:
    choices = _choices(spec, dictionaries)
    if choices is not None and spec.type != "boolean":
        return ONE_OF[choices]
    if spec.type == "boolean":
        return bool
    if spec.type == "integer":
        return int
    return str


def _model(report: ReportSpec, entity: EntitySpec, process: Any, dictionaries: Mapping[str, Any]) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for p in report.parameters:
        source = report.fields.get(p.field)
        assert source is not None  # checked when the report was published
        if p.kind == "date_range":
            fields[f"{p.name}_from"] = (dt.date | None, Field(None, ge=EARLIEST, le=LATEST))
            fields[f"{p.name}_to"] = (dt.date | None, Field(None, ge=EARLIEST, le=LATEST))
        else:
            item = _value_type(source, dictionaries)
            fields[p.name] = (LIST[item] | None, Field(None, max_length=500))
    for d in report.dimensions:
        source = report.fields.get(d.field)
        assert source is not None
        if d.bucket:
            fields[d.name] = (str | None, Field(None, pattern=r"^\d{4}(-Q[1-4]|-\d{2}(-\d{2})?)?$"))
        else:
            fields[d.name] = (_value_type(source, dictionaries) | None, None)
        if d.levels:
            fields[f"{d.name}_level"] = (ONE_OF[d.levels] | None, None)
    sortable = [n for d in report.dimensions for n in (d.name, "-" + d.name)] + [
        n for m in report.measures for n in (m.name, "-" + m.name)
    ]
    fields["sort"] = (LIST[ONE_OF[tuple(sortable)]] | None, Field(None, max_length=5))
    fields["limit"] = (int, Field(report.limit, ge=1, le=1000))
    return create_model(f"Report_{report.name}", __config__=ConfigDict(extra="forbid", frozen=True), **fields)


_MODELS: OrderedDict[tuple[int, ...], tuple[tuple[Any, ...], type[BaseModel]]] = OrderedDict()
_MODELS_KEPT = 128
_models_lock = threading.Lock()


def _cached_model(report: ReportSpec, entity: EntitySpec, process: Any, dictionaries: Mapping[str, Any]) -> type[BaseModel]:
    """The parameters' model of a report of one catalog version, built once: building it cost about
    1.5 ms a request. Keyed by the identity of what it is built from (a new publish makes new
    objects, so a new model); the entry holds them, so an identity is never reused while kept."""
    owners = (report, entity, process, dictionaries)
    key = tuple(id(o) for o in owners)
    with _models_lock:
        kept = _MODELS.get(key)
        if kept is not None:
            _MODELS.move_to_end(key)
            return kept[1]
    model = _model(report, entity, process, dictionaries)
    with _models_lock:
        _MODELS[key] = (owners, model)
        while len(_MODELS) > _MODELS_KEPT:
            _MODELS.popitem(last=False)
    return model


def _message(error: Mapping[str, Any], allowed: list[str]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"不支持的参数；可用参数：{', '.join(allowed)}"
    if kind == "literal_error":
        expected = str(error.get("ctx", {}).get("expected", ""))
        return f"不是可选的值；应为：{expected[:300]}"
    if kind.startswith("date"):
        return "应为有效日期（YYYY-MM-DD），且在 1949-10-01 到 2200-12-31 之间"
    if kind.startswith(("int", "greater", "less")):
        return "应为 1 到 1000 之间的整数"
    if kind == "string_pattern_mismatch":
        return "不是有效的时段（如 2026、2026-Q1、2026-03、2026-03-05）"
    if kind == "too_long":
        return "值太多"
    if kind.startswith("bool"):
        return "应为 true 或 false"
    return str(error.get("msg", "无效的值"))


def parse_parameters(
    report: ReportSpec,
    entity: EntitySpec,
    process: Any,
    dictionaries: Mapping[str, Any],
    args: Mapping[str, str],
    today: dt.date,
) -> ReportQuery:
    """Validate query-string arguments; every problem becomes a field error at ``/query/<name>``."""
    model = _cached_model(report, entity, process, dictionaries)
    listed = {p.name for p in report.parameters if p.kind == "values"} | {"sort"}
    raw: dict[str, Any] = {}
    for key, value in args.items():
        if key == "format":
            continue
        text = str(value).strip()
        if text == "":
            continue
        raw[key] = [part.strip() for part in text.split(",") if part.strip()] if key in listed else text
    try:
        parsed = model.model_validate(raw)
    except ValidationError as exc:
        allowed = sorted(model.model_fields)
        problems = [
            FieldError(f"/query/{'/'.join(str(p) for p in e['loc'][:1])}", _message(e, allowed), "query") for e in exc.errors()
        ]
        raise RecordValidationError(report.name, problems) from None
    data = parsed.model_dump()
    errors: list[FieldError] = []
    periods = {}
    for p in report.parameters:
        if p.kind != "date_range":
            continue
        first, last = data[f"{p.name}_from"], data[f"{p.name}_to"]
        if first is None and last is None and f"{p.name}_from" not in args and f"{p.name}_to" not in args:
            # Neither bound asked for: the declared default. Both asked for empty: no bound (all).
            first, last = default_period(p.default, today)
        if first and last and first > last:
            errors.append(FieldError(f"/query/{p.name}_to", "结束日期早于开始日期", "query"))
        elif first and last and last - first > dt.timedelta(days=MAX_SPAN_DAYS):
            errors.append(FieldError(f"/query/{p.name}_from", f"时段不能超过 {MAX_SPAN_DAYS // 366} 年", "query"))
        periods[p.name] = (first, last)
    values = {}
    for p in report.parameters:
        if p.kind == "values":
            chosen = data[p.name]
            if chosen is None and isinstance(p.default, list):
                chosen = p.default
            if chosen:
                values[p.name] = tuple(dict.fromkeys(chosen))
    drill = {}
    for d in report.dimensions:
        value = data[d.name]
        if value is None:
            continue
        if d.bucket:
            try:
                bucket_bounds(value, d.bucket)
            except ValueError:
                errors.append(FieldError(f"/query/{d.name}", f"「{value}」不是有效的{_bucket_title(d)}", "query"))
                continue
        drill[d.name] = value
    if errors:
        raise RecordValidationError(report.name, errors)
    levels = {d.name: data[f"{d.name}_level"] or d.levels[0] for d in report.dimensions if d.levels}
    return ReportQuery(periods, values, drill, levels, tuple(data["sort"] or report.order), data["limit"])


def _bucket_title(dimension: DimensionSpec) -> str:
    return {"day": "日期", "week": "周（周一的日期）", "month": "月份", "quarter": "季度", "year": "年份"}.get(
        dimension.bucket or "", "时段"
    )
