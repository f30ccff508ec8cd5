"""Accident statistics (事故统计): the shipped reports count what the county filed, in each
user's scope — the city sees an accident only once it has been forwarded to it."""

import datetime as dt

import pytest
from test_accident_report import CITY, ENT, OFFICER, report, take

from anjian.reports import ReportRunner

YEAR = {"period_from": "2025-01-01", "period_to": "2025-12-31"}
TODAY = dt.date(2025, 9, 29)


def run(levels, actor, name, **args):
    platform = levels["platform"]
    runner = ReportRunner(platform.registry, platform.access, platform.engine)
    return runner.run(actor, name, {**YEAR, **args}, today=TODAY).as_json()


def by(result, *names):
    return {tuple(row[n] for n in names): row for row in result["rows"]}


@pytest.fixture
def filed(levels):
    """Two 一般 accidents (one death; one serious injury) and one 较大 (three deaths) in 安溪县."""
    return [
        report(levels, deaths=1, serious_injuries=0, direct_loss=80),
        report(levels, deaths=0, serious_injuries=1, direct_loss=20),
        report(levels, deaths=3, serious_injuries=2, direct_loss=300),
    ]


def test_the_county_counts_accidents_deaths_and_loss_by_grade(levels, filed):
    rows = by(run(levels, OFFICER, "accidents_by_region"), "region", "accident_grade")
    general, larger = rows[("350524", "general")], rows[("350524", "larger")]
    assert (general["accidents"], general["deaths"], general["serious_injuries"], general["loss"]) == (2, 1, 1, 100)
    assert (larger["accidents"], larger["deaths"], larger["loss"]) == (1, 3, 300)
    monthly = run(levels, OFFICER, "accidents_by_month")
    assert monthly["totals"]["accidents"] == 3 and monthly["totals"]["deaths"] == 4
    industries = run(levels, OFFICER, "accidents_by_industry")
    assert industries["totals"]["accidents"] == 3


def test_the_city_counts_only_what_was_forwarded_to_it(levels, filed):
    assert run(levels, CITY, "accidents_by_region")["totals"]["accidents"] in (0, None)
    larger = filed[2]
    take(levels, ENT, larger, "submit")
    take(levels, OFFICER, larger, "receive", {"receiver": "值班员王"})
    take(levels, OFFICER, larger, "forward_city")
    rows = by(run(levels, CITY, "accidents_by_region"), "region", "accident_grade")
    assert {key: row["accidents"] for key, row in rows.items()} == {("350524", "larger"): 1}
