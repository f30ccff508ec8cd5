"""How each layer is drawn on 一张图 and by WMS: colour by a category field, one palette for all."""

from __future__ import annotations

import hashlib
from typing import Any

__all__ = ["CATEGORY_FIELDS", "colour_of", "legend"]

# Which field colours a layer's features; the colours of well-known values (others get a stable palette colour).
CATEGORY_FIELDS: dict[str, str] = {
    "enterprise": "industry",
    "hazard_source_filing": "hazard_level",
    "hidden_danger": "level",
    "region_boundary": "level",
    "accident_report": "grade",
    "monitoring_alarm": "kind",
    "major_hazard_source": "grade",
}
KNOWN: dict[str, dict[str, str]] = {
    "hazard_source_filing": {"1": "#c0392b", "2": "#e67e22", "3": "#f1c40f", "4": "#2980b9"},
    "major_hazard_source": {"level_1": "#c0392b", "level_2": "#e67e22", "level_3": "#f1c40f", "level_4": "#2980b9"},
    "hidden_danger": {"major": "#c0392b", "general": "#e67e22"},
    "accident_report": {"especially_major": "#7b241c", "major": "#c0392b", "larger": "#e67e22", "general": "#f1c40f"},
    "monitoring_alarm": {
        "high_high": "#c0392b",
        "low_low": "#c0392b",
        "high": "#e67e22",
        "low": "#e67e22",
        "rate": "#9467bd",
        "offline": "#7f7f7f",
        "fault": "#8c564b",
        "power_off": "#2c3e50",
    },
}
PALETTE = ["#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f", "#d62728", "#ff7f0e"]
DEFAULT = {
    "enterprise": "#1f77b4",
    "hazard_source_filing": "#c0392b",
    "hidden_danger": "#e67e22",
    "region_boundary": "#6c7a89",
    "accident_report": "#8e44ad",
    "monitoring_alarm": "#d62728",
    "major_hazard_source": "#7f8c8d",
}


def colour_of(layer_id: str, value: Any) -> str:
    """The hex colour of a feature whose category value is ``value``."""
    known = KNOWN.get(layer_id, {})
    if value is None:
        return DEFAULT.get(layer_id, PALETTE[0])
    text = str(value)
    if text in known:
        return known[text]
    digest = hashlib.blake2s(f"{layer_id}:{text}".encode(), digest_size=2).digest()
    return PALETTE[int.from_bytes(digest, "big") % len(PALETTE)]


def legend(layer: Any) -> list[dict[str, str]]:
    """``[{value, label, colour}]`` of a layer's category field (enum labels or dictionary items)."""
    name = CATEGORY_FIELDS.get(layer.id)
    field = next((f for f in layer.spec.column_fields if f.name == name), None)
    if field is None:
        return []
    if field.enum is not None:
        return [{"value": str(v), "label": field.label_of(v), "colour": colour_of(layer.id, v)} for v in field.enum]
    return []
