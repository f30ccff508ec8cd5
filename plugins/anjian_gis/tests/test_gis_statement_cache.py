"""Items and GetFeature statements are compiled once and reused (SQLAlchemy's compiled cache): the
box, the page and the caller's scope travel as bound parameters, never as a new statement shape."""

from __future__ import annotations

from typing import Any

import pytest
from gis_county import ADMIN
from sqlalchemy import event

from anjian import Actor


@pytest.mark.parametrize("who", ["admin", "officer"])
def test_box_queries_hit_the_compiled_cache(county: Any, who: str) -> None:
    from anjian_gis.geometry import BBox
    from anjian_gis.layers import Query, platform_layers, read, read_json
    from anjian_gis.spatial import index_kind

    platform = county["platform"]
    actor = ADMIN if who == "admin" else Actor("officer")
    layer = platform_layers(platform)["enterprise"]
    with platform.engine.connect() as conn:
        assert index_kind(platform.engine, conn, "enterprise") in ("rtree", "columns")
    seen: list[Any] = []

    def note(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if "gis_bbox" in statement:
            seen.append((statement, context.cache_hit))

    event.listen(platform.engine, "after_cursor_execute", note)
    try:
        for n, box in enumerate(
            (BBox(118.0, 25.0, 118.3, 25.2), BBox(117.8, 24.9, 118.25, 25.25), BBox(118.1, 25.0, 118.2, 25.1))
        ):
            read_json(platform, actor, layer, Query(bbox=box, limit=5 + n, offset=n))
            read(platform, actor, layer, Query(bbox=box, limit=5 + n, order=[("name", n % 2 == 1)]))
    finally:
        event.remove(platform.engine, "after_cursor_execute", note)
    hit = platform.engine.dialect.CACHE_HIT
    first: set[str] = set()
    again = []
    for statement, state in seen:
        if statement in first:
            again.append(state)
        first.add(statement)
    assert len(again) >= 3 and all(state == hit for state in again), seen  # each shape compiled once, then reused


def test_a_page_holding_every_match_needs_no_count(county: Any, token_of: Any) -> None:
    platform, client, admin = county["platform"], county["client"], token_of("admin")
    counts: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if "count(" in statement.lower() and "gis_bbox" in statement:
            counts.append(statement)

    event.listen(platform.engine, "after_cursor_execute", note)
    try:
        whole = client.get("/ogc/collections/enterprise/items?f=json&limit=6", headers=admin).get_json()
        assert (whole["numberMatched"], whole["numberReturned"], counts) == (6, 6, [])
        assert "next" not in {link["rel"] for link in whole["links"]}
        part = client.get("/ogc/collections/enterprise/items?f=json&limit=5", headers=admin).get_json()
        assert (part["numberMatched"], part["numberReturned"], len(counts)) == (6, 5, 1)  # more follow: counted
        assert "next" in {link["rel"] for link in part["links"]}
    finally:
        event.remove(platform.engine, "after_cursor_execute", note)
