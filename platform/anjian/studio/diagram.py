"""A process drawn as SVG on the server: states in columns by their distance from the start,
transitions as arrows. Positions a configurator kept (the draft's layout) win over the automatic
ones; they are stored apart from the process declaration."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

__all__ = ["auto_layout", "process_svg"]

BOX_W, BOX_H, GAP_X, GAP_Y, PAD = 130, 44, 70, 30, 20


def _sources(transition: Mapping[str, Any]) -> list[str]:
    raw = transition.get("from", [])
    return [raw] if isinstance(raw, str) else [str(s) for s in raw]


def auto_layout(process: Mapping[str, Any]) -> dict[str, tuple[int, int]]:
    """(column, row) of every state: breadth-first from the start state; unreachable ones last."""
    states = list(process.get("states", {}))
    transitions = [t for t in process.get("transitions", []) if isinstance(t, dict)]
    start = process.get("start")
    column: dict[str, int] = {}
    queue = [start] if start in states else []
    if queue:
        column[str(start)] = 0
    while queue:
        state = queue.pop(0)
        for t in transitions:
            target = str(t.get("to"))
            if state in _sources(t) and target in states and target not in column:
                column[target] = column[str(state)] + 1
                queue.append(target)
    last = max(column.values(), default=-1) + 1
    for state in states:
        column.setdefault(state, last)
    rows: dict[int, int] = {}
    placed = {}
    for state in states:
        c = column[state]
        placed[state] = (c, rows.get(c, 0))
        rows[c] = rows.get(c, 0) + 1
    return placed


def process_svg(process: Mapping[str, Any], positions: Mapping[str, Any] | None = None) -> str:
    """The diagram as an SVG element (every text escaped)."""
    states: Mapping[str, Any] = process.get("states", {})
    grid = auto_layout(process)
    at: dict[str, tuple[int, int]] = {}
    for name, (c, r) in grid.items():
        kept = (positions or {}).get(name)
        if isinstance(kept, list) and len(kept) == 2 and all(isinstance(v, int) for v in kept):
            at[name] = (kept[0], kept[1])
        else:
            at[name] = (PAD + c * (BOX_W + GAP_X), PAD + r * (BOX_H + GAP_Y))
    width = max((x for x, _y in at.values()), default=0) + BOX_W + PAD
    height = max((y for _x, y in at.values()), default=0) + BOX_H + PAD + 20
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="anjian-process-diagram" viewBox="0 0 {width} {height}" '
        f'width="100%" style="max-width:{width}px" role="img" aria-label="{escape(str(process.get("title", "")))}">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
    ]
    for t in process.get("transitions", []):
        if not isinstance(t, dict) or str(t.get("to")) not in at:
            continue
        tx, ty = at[str(t["to"])]
        for source in _sources(t):
            if source not in at:
                continue
            sx, sy = at[source]
            forward = tx > sx
            x1, y1 = (sx + BOX_W, sy + BOX_H // 2) if forward else (sx, sy + BOX_H // 2 + 8)
            x2, y2 = (tx, ty + BOX_H // 2) if forward else (tx + BOX_W, ty + BOX_H // 2 + 8)
            mid_y = (y1 + y2) // 2 - (0 if forward else 18)
            parts.append(
                f'<path d="M{x1},{y1} C{(x1 + x2) // 2},{y1} {(x1 + x2) // 2},{y2} {x2},{y2}" fill="none" stroke="#555" '
                f'marker-end="url(#arrow)"/>'
                f'<text x="{(x1 + x2) // 2}" y="{mid_y - 4}" font-size="11" text-anchor="middle" fill="#333">'
                f"{escape(str(t.get('title', t.get('name', ''))))}</text>"
            )
    for name, (x, y) in at.items():
        state = states.get(name, {}) if isinstance(states.get(name), dict) else {}
        fill = "#dff0d8" if name == process.get("start") else "#f2dede" if state.get("end") else "#fff"
        parts.append(
            f'<g class="anjian-state" data-state="{escape(name)}"><rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="6" '
            f'fill="{fill}" stroke="#337ab7"/>'
            f'<text x="{x + BOX_W // 2}" y="{y + 19}" font-size="13" text-anchor="middle">'
            f"{escape(str(state.get('title', name)))}</text>"
            f'<text x="{x + BOX_W // 2}" y="{y + 35}" font-size="10" text-anchor="middle" fill="#777">{escape(name)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)
