"""重大危险源辨识与分级 (GB 18218-2018 §4.2, §4.3; FACTS.md §2.2, §2.3).

Why computed: a grade typed by hand cannot be checked. The register holds what the unit holds
(chemical, actual quantity q) and the people living within 500 m; S, R and the grade follow:

- S = Σ qᵢ/Qᵢ; S ≥ 1 is a major hazard (重大危险源).
- R = α · Σ βᵢ·qᵢ/Qᵢ; 一级 R ≥ 100, 二级 50 ≤ R < 100, 三级 10 ≤ R < 50, 四级 R < 10.
- α by people exposed: 0 → 0.5, 1–29 → 1.0, 30–49 → 1.2, 50–99 → 1.5, ≥ 100 → 2.0.

Q and β come from the ``gb18218_chemical`` dictionary (Table 1 by name, Table 2 by hazard
category; β from Tables 3 and 4). A row may state its own Q or β with a reason (``override_reason``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from anjian import FieldError

__all__ = [
    "CHEMICALS",
    "GRADES",
    "Holding",
    "alpha",
    "grade",
    "holdings",
    "r_value",
    "s_value",
]

CHEMICALS = "gb18218_chemical"
GRADES = (("level_1", 100.0), ("level_2", 50.0), ("level_3", 10.0), ("level_4", 0.0))
# Quantities this many times the critical quantity are almost surely kilograms typed as tonnes.
IMPLAUSIBLE_RATIO = 1000


@dataclass(frozen=True)
class Holding:
    """One chemical of a unit: actual quantity q, critical quantity Q (t) and correction factor β."""

    quantity: float
    critical: float
    beta: float


def alpha(people: int) -> float:
    """α for the permanent residents within 500 m outside the boundary (以上 includes the number)."""
    if people >= 100:
        return 2.0
    if people >= 50:
        return 1.5
    if people >= 30:
        return 1.2
    if people >= 1:
        return 1.0
    return 0.5


def s_value(held: Sequence[Holding]) -> float:
    return sum(h.quantity / h.critical for h in held)


def r_value(held: Sequence[Holding], people: int) -> float:
    return alpha(people) * sum(h.beta * h.quantity / h.critical for h in held)


def grade(r: float) -> str:
    """一级 … 四级 (``level_1`` … ``level_4``) for R."""
    return next(name for name, floor in GRADES if r >= floor)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        return None
    return float(value)


def _attributes(ctx: Any, code: Any) -> Mapping[str, Any]:
    catalog = getattr(ctx, "catalog", None)
    table = catalog.dictionaries.get(CHEMICALS) if catalog is not None else None
    item = table.item(str(code)) if table is not None and isinstance(code, str) else None
    return item.attributes if item is not None else {}


def holdings(record: Mapping[str, Any], ctx: Any) -> list[Holding] | None:
    """The rows as holdings, or None while a row lacks q, Q or β (the validator says which)."""
    rows = record.get("chemicals")
    if not isinstance(rows, list) or not rows:
        return None
    held = []
    for row in rows:
        if not isinstance(row, Mapping):
            return None
        table = _attributes(ctx, row.get("chemical"))
        quantity = _number(row.get("quantity"))
        critical = _number(row.get("critical_quantity")) or _number(table.get("critical_quantity"))
        beta = _number(row.get("beta")) or _number(table.get("beta"))
        if quantity is None or critical is None or beta is None:
            return None
        held.append(Holding(quantity, critical, beta))
    return held


def _people(record: Mapping[str, Any]) -> int | None:
    people = record.get("people_nearby")
    return people if isinstance(people, int) and not isinstance(people, bool) and people >= 0 else None


def computed_s(record: Mapping[str, Any], ctx: Any) -> float | None:
    held = holdings(record, ctx)
    return round(s_value(held), 4) if held else None


def computed_is_major(record: Mapping[str, Any], ctx: Any) -> bool | None:
    held = holdings(record, ctx)
    return s_value(held) >= 1 if held else None


def computed_alpha(record: Mapping[str, Any], ctx: Any) -> float | None:
    people = _people(record)
    return alpha(people) if people is not None else None


def computed_r(record: Mapping[str, Any], ctx: Any) -> float | None:
    held, people = holdings(record, ctx), _people(record)
    return round(r_value(held, people), 4) if held and people is not None else None


def computed_grade(record: Mapping[str, Any], ctx: Any) -> str | None:
    """The grade of a major hazard; empty when S < 1 (not a major hazard)."""
    held, people = holdings(record, ctx), _people(record)
    if not held or people is None or s_value(held) < 1:
        return None
    return grade(r_value(held, people))


def check_chemicals(record: Mapping[str, Any], ctx: Any) -> list[FieldError] | None:
    """Each row names a chemical with Q and β, gives a reason for its own Q or β, and a quantity in tonnes."""
    rows = record.get("chemicals")
    if not isinstance(rows, list):
        return None
    errors = []
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            continue
        at = f"/chemicals/{i}"
        table = _attributes(ctx, row.get("chemical"))
        if row.get("chemical") and not table:
            message = "请从 GB 18218 表1、表2 中选择危险化学品或危险性类别"
            errors.append(FieldError(f"{at}/chemical", message, "major_hazard.chemical"))
            continue
        own = [
            name
            for name in ("critical_quantity", "beta")
            if _number(row.get(name)) is not None and _number(row.get(name)) != _number(table.get(name))
        ]
        if own and not str(row.get("override_reason") or "").strip():
            errors.append(
                FieldError(f"{at}/override_reason", "改写了字典中的临界量或校正系数β，请说明依据", "major_hazard.override_reason")
            )
        quantity = _number(row.get("quantity"))
        critical = _number(row.get("critical_quantity")) or _number(table.get("critical_quantity"))
        if quantity is not None and critical is not None and quantity >= IMPLAUSIBLE_RATIO * critical:
            errors.append(
                FieldError(
                    f"{at}/quantity",
                    f"实际存在量 {quantity:g} 吨是临界量 {critical:g} 吨的 {quantity / critical:.0f} 倍，单位应为吨（t），"
                    "是否误填了千克（kg）？确认无误请填写豁免原因",
                    "major_hazard.unit",
                    overridable=True,
                )
            )
    return errors or None


def _source(record: Mapping[str, Any], ctx: Any) -> Mapping[str, Any] | None:
    linked = getattr(ctx, "linked", None)
    return linked("major_hazard_source", record.get("source_id")) if linked is not None else None


def filing_level(record: Mapping[str, Any], ctx: Any) -> str | None:
    """重大危险源备案: the grade of its register entry ("1" … "4"); empty when the entry is not a major hazard."""
    source = _source(record, ctx)
    value = source.get("grade") if source else None
    return value.removeprefix("level_") if isinstance(value, str) else None


def filing_r(record: Mapping[str, Any], ctx: Any) -> float | None:
    source = _source(record, ctx)
    value = source.get("r_value") if source else None
    return float(value) if isinstance(value, (int, float)) else None
