"""A scope that leaves no row out is not tested on every row: a few index probes, in the aggregate's
own transaction, decide; a scope with a row outside it is kept (and so are its totals)."""

from __future__ import annotations

from report_world import ADMIN, OTHER_COUNTY, grant

from anjian import Actor
from anjian.reports import ReportRunner

PERIOD = {"period_from": "2025-01-01", "period_to": "2026-12-31"}


def test_a_scope_holding_every_row_is_dropped_and_one_with_a_row_outside_is_kept(published, dangers):
    runner = ReportRunner(published.registry, published.access, published.engine)
    report = runner.report(ADMIN, "hidden_danger_by_region")
    grant(published, "province", "hazard_head", "350000")  # 福建省: every danger
    grant(published, "city", "hazard_head", "350500")  # 泉州市: not 厦门's
    province, city = Actor("province"), Actor("city")
    with published.engine.connect() as conn:
        province_scope, city_scope = runner.scope(province, report), runner.scope(city, report)
        assert province_scope is not None and runner._needed(conn, report, province_scope) is None
        assert city_scope is not None and runner._needed(conn, report, city_scope) is city_scope
    outside = sum(1 for region, *_ in dangers if region.startswith(OTHER_COUNTY))
    assert outside and runner.run(province, "hidden_danger_by_region", PERIOD).totals["found"] == len(dangers)
    assert runner.run(city, "hidden_danger_by_region", PERIOD).totals["found"] == len(dangers) - outside
