"""The demo loader adds register entries and accidents at different steps, once."""

from sqlalchemy import select

from anjian import Actor
from anjian.demo_flows import load_demo_accidents, load_demo_flows


def test_demo_accidents_load_once_and_the_city_sees_the_forwarded_one(levels):
    platform, app = levels["platform"], levels["app"]
    with app.app_context():
        load_demo_flows(app, platform)
        assert load_demo_accidents(app, platform) == 5
        assert load_demo_accidents(app, platform) == 0
    table = platform.registry.table("accident_report")
    with platform.engine.connect() as conn:
        ids = [row.id for row in conn.execute(select(table.c.id).order_by(table.c.id))]
        scope = platform.access.scope(Actor("shiji"), platform.registry.entity("accident_report"), table)
        seen = [row.id for row in conn.execute(select(table.c.id).where(scope))]
        sources = platform.registry.table("major_hazard_source")
        grades = sorted(row.grade for row in conn.execute(select(sources.c.grade)))
    assert len(ids) == 2 and seen == ids[:1]
    assert grades == ["level_3", "level_4"]
